import { randomBytes } from 'node:crypto';
import type Database from 'better-sqlite3';
import { normalizeUserName, PASSWORD_MAX, PASSWORD_MIN, textProblem, userNameProblem, FULL_NAME_MAX, RANK_MAX, type NameProblem } from '../../../common/accounts';
import { ROLE_NAMES, type Role } from '../../../common/permissions';
import { dummyHash, hashPassword, verifyPassword, type KdfParams, DEFAULT_KDF } from './kdf';

export interface Account {
  userName: string;
  fullName: string;
  rank: string;
  role: Role;
  enabled: boolean;
  createdMs: number;
  changedMs: number;
}

export interface NewAccount {
  userName: string;
  fullName: string;
  rank: string;
  role: Role;
  password: string;
}

export type AccountProblem = { field: 'userName' | 'fullName' | 'rank' | 'password' | 'role'; problem: NameProblem | 'tooShort' | 'taken' | 'unknown' };

export class AccountError extends Error {
  constructor(readonly problem: AccountProblem) {
    super(`${problem.field}: ${problem.problem}`);
  }
}

interface UserRow {
  user_name: string;
  full_name: string;
  rank: string;
  role: string;
  enabled: number;
  kdf: string;
  salt: Buffer;
  hash: Buffer;
  created_ms: number;
  changed_ms: number;
}

function toAccount(row: UserRow): Account {
  return { userName: row.user_name, fullName: row.full_name, rank: row.rank, role: row.role as Role, enabled: row.enabled === 1, createdMs: row.created_ms, changedMs: row.changed_ms };
}

export function checkNewAccount(account: NewAccount): AccountProblem | null {
  const name = userNameProblem(account.userName.normalize('NFC').trim());
  if (name) return { field: 'userName', problem: name };
  const full = textProblem(account.fullName, FULL_NAME_MAX);
  if (full) return { field: 'fullName', problem: full };
  const rank = textProblem(account.rank, RANK_MAX, true);
  if (rank) return { field: 'rank', problem: rank };
  if (!ROLE_NAMES.includes(account.role)) return { field: 'role', problem: 'unknown' };
  return passwordProblem(account.password);
}

export function passwordProblem(password: string): AccountProblem | null {
  if ([...password].length < PASSWORD_MIN) return { field: 'password', problem: 'tooShort' };
  if (password.length > PASSWORD_MAX) return { field: 'password', problem: 'tooLong' };
  return null;
}

/**
 * Local accounts in DATA/security.sqlite (users table). Passwords only as scrypt hashes with a
 * salt per user; never logged. Account changes are audited by the caller in the same call.
 */
export class AccountStore {
  constructor(
    private readonly db: Database.Database,
    private readonly clock: { now(): number },
    private readonly kdf: KdfParams = DEFAULT_KDF,
  ) {}

  count(): number {
    return (this.db.prepare('SELECT COUNT(*) AS n FROM users').get() as { n: number }).n;
  }

  list(): Account[] {
    return (this.db.prepare('SELECT * FROM users ORDER BY user_key').all() as UserRow[]).map(toAccount);
  }

  get(userName: string): Account | null {
    const row = this.db.prepare('SELECT * FROM users WHERE user_key = ?').get(normalizeUserName(userName)) as UserRow | undefined;
    return row ? toAccount(row) : null;
  }

  async create(account: NewAccount): Promise<Account> {
    const problem = checkNewAccount(account);
    if (problem) throw new AccountError(problem);
    const userName = account.userName.normalize('NFC').trim();
    const hashed = await hashPassword(account.password, this.kdf);
    const now = this.clock.now();
    try {
      this.db
        .prepare('INSERT INTO users (user_key, user_name, full_name, rank, role, enabled, kdf, salt, hash, created_ms, changed_ms) VALUES (?, ?, ?, ?, ?, 1, ?, ?, ?, ?, ?)')
        .run(normalizeUserName(userName), userName, account.fullName.normalize('NFC').trim(), account.rank.normalize('NFC').trim(), account.role, hashed.kdf, hashed.salt, hashed.hash, now, now);
    } catch (error) {
      if ((error as { code?: string }).code === 'SQLITE_CONSTRAINT_PRIMARYKEY') throw new AccountError({ field: 'userName', problem: 'taken' });
      throw error;
    }
    return this.get(userName)!;
  }

  /** The account when the password is right and the account enabled; takes as long for an unknown name. */
  async authenticate(userName: string, password: string): Promise<{ account: Account | null; reason: 'ok' | 'wrongCredentials' | 'disabled' }> {
    const row = this.db.prepare('SELECT * FROM users WHERE user_key = ?').get(normalizeUserName(userName)) as UserRow | undefined;
    if (!row) {
      await verifyPassword(password, await dummyHash(this.kdf));
      return { account: null, reason: 'wrongCredentials' };
    }
    const good = await verifyPassword(password, { kdf: row.kdf, salt: row.salt, hash: row.hash });
    if (!good) return { account: null, reason: 'wrongCredentials' };
    if (row.enabled !== 1) return { account: null, reason: 'disabled' };
    return { account: toAccount(row), reason: 'ok' };
  }

  async setPassword(userName: string, password: string): Promise<void> {
    const problem = passwordProblem(password);
    if (problem) throw new AccountError(problem);
    const hashed = await hashPassword(password, this.kdf);
    const changed = this.db.prepare('UPDATE users SET kdf = ?, salt = ?, hash = ?, changed_ms = ? WHERE user_key = ?').run(hashed.kdf, hashed.salt, hashed.hash, this.clock.now(), normalizeUserName(userName));
    if (changed.changes === 0) throw new AccountError({ field: 'userName', problem: 'unknown' });
  }

  update(userName: string, change: { fullName?: string; rank?: string; role?: Role; enabled?: boolean }): Account {
    const current = this.get(userName);
    if (!current) throw new AccountError({ field: 'userName', problem: 'unknown' });
    if (change.fullName !== undefined) {
      const problem = textProblem(change.fullName, FULL_NAME_MAX);
      if (problem) throw new AccountError({ field: 'fullName', problem });
    }
    if (change.rank !== undefined) {
      const problem = textProblem(change.rank, RANK_MAX, true);
      if (problem) throw new AccountError({ field: 'rank', problem });
    }
    if (change.role !== undefined && !ROLE_NAMES.includes(change.role)) throw new AccountError({ field: 'role', problem: 'unknown' });
    const next = { ...current, ...change };
    this.db
      .prepare('UPDATE users SET full_name = ?, rank = ?, role = ?, enabled = ?, changed_ms = ? WHERE user_key = ?')
      .run(next.fullName.normalize('NFC').trim(), next.rank.normalize('NFC').trim(), next.role, next.enabled ? 1 : 0, this.clock.now(), normalizeUserName(userName));
    return this.get(userName)!;
  }

  enabledAdministrators(): number {
    return (this.db.prepare("SELECT COUNT(*) AS n FROM users WHERE role = 'administrator' AND enabled = 1").get() as { n: number }).n;
  }

  // ---- recovery of a forgotten administrator password (CLI on the station PC) ----

  /** A one-time code, valid `validMs`, stored only as a hash. Printed by the CLI, typed on the log-in screen. */
  async issueRecoveryCode(validMs: number): Promise<string> {
    const code = randomBytes(9).toString('base64url').toUpperCase().replace(/[^A-Z0-9]/g, '7').slice(0, 12);
    const hashed = await hashPassword(code, this.kdf);
    this.db.prepare('UPDATE recovery_codes SET used = 1 WHERE used = 0').run();
    this.db.prepare('INSERT INTO recovery_codes (kdf, salt, hash, expires_ms) VALUES (?, ?, ?, ?)').run(hashed.kdf, hashed.salt, hashed.hash, this.clock.now() + validMs);
    return code;
  }

  /** True (and the code spent) when `code` is the live recovery code. */
  async redeemRecoveryCode(code: string): Promise<boolean> {
    const row = this.db.prepare('SELECT * FROM recovery_codes WHERE used = 0 ORDER BY id DESC LIMIT 1').get() as { id: number; kdf: string; salt: Buffer; hash: Buffer; expires_ms: number } | undefined;
    if (!row || row.expires_ms < this.clock.now()) return false;
    const good = await verifyPassword(code.trim().toUpperCase(), { kdf: row.kdf, salt: row.salt, hash: row.hash });
    if (good) this.db.prepare('UPDATE recovery_codes SET used = 1 WHERE id = ?').run(row.id);
    return good;
  }
}
