import type { Role } from './permissions';

/**
 * Account rules both sides share (issue 15): what a user name, a full name and a password may
 * be. A name with a control or a bidirectional-override character is refused: such a name can
 * make a log line or a printed biên bản read as something else (U+202E turns "nimda" into
 * "admin" on screen).
 */
export const USER_NAME_MAX = 32;
export const FULL_NAME_MAX = 80;
export const RANK_MAX = 60;
export const PASSWORD_MIN = 8;
export const PASSWORD_MAX = 256;

/** Control (Cc), format (Cf: bidi overrides, zero-width), line/paragraph separators, surrogates. */
const INVISIBLE = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}\p{Co}\p{Cn}]/u;
/** Letters (Vietnamese included), digits, dot, dash, underscore. */
const USER_NAME_CHARS = /^[\p{L}\p{M}\p{N}._-]+$/u;

export type NameProblem = 'empty' | 'tooLong' | 'invisibleCharacter' | 'badCharacter';

export function userNameProblem(name: string): NameProblem | null {
  if (name.length === 0) return 'empty';
  if (name.length > USER_NAME_MAX) return 'tooLong';
  if (INVISIBLE.test(name)) return 'invisibleCharacter';
  if (!USER_NAME_CHARS.test(name)) return 'badCharacter';
  return null;
}

export function textProblem(text: string, max: number, allowEmpty = false): NameProblem | null {
  if (!allowEmpty && text.trim().length === 0) return 'empty';
  if (text.length > max) return 'tooLong';
  if (INVISIBLE.test(text)) return 'invisibleCharacter';
  return null;
}

/** User names compare case-insensitively after NFC (two accounts "An" and "an" are one). */
export function normalizeUserName(name: string): string {
  return name.normalize('NFC').trim().toLowerCase();
}

/**
 * The demo site's accounts (docs/security.md, shown on the log-in screen of the demo only). They
 * exist only in a data folder started with the built-in demo site; a real site starts with no
 * account and asks for its administrator.
 */
export const DEMO_ACCOUNTS: readonly { userName: string; password: string; fullName: string; rank: string; role: Role }[] = [
  { userName: 'quantri', password: 'demo-quantri', fullName: 'Nguyễn Văn Quản', rank: 'Trung tá', role: 'administrator' },
  { userName: 'trucban', password: 'demo-trucban', fullName: 'Lê Thị Trực', rank: 'Thượng úy', role: 'dutyOfficer' },
  { userName: 'dieukhien', password: 'demo-dieukhien', fullName: 'Trần Văn Điều', rank: 'Trung úy', role: 'ptzOperator' },
  { userName: 'vanthu', password: 'demo-vanthu', fullName: 'Phạm Thị Văn', rank: 'Thiếu úy', role: 'clerk' },
];

/** The one account the core acts as itself (retention, recovery, start/stop). Never a log-in. */
export const SYSTEM_ACTOR = 'system';
