/**
 * Typed times of the export dialog: "29/11/2026 20:15:00" (seconds optional) in the site's time
 * zone, and back. Pure functions, tested in tests/unit/exportUi.test.ts.
 */
function offsetMs(timeZone: string, ms: number): number {
  const parts: Record<string, number> = {};
  for (const part of new Intl.DateTimeFormat('en-GB', { timeZone, year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric', hourCycle: 'h23' }).formatToParts(new Date(ms))) {
    if (part.type !== 'literal') parts[part.type] = Number(part.value);
  }
  const local = Date.UTC(parts.year ?? 1970, (parts.month ?? 1) - 1, parts.day ?? 1, parts.hour ?? 0, parts.minute ?? 0, parts.second ?? 0);
  return local - Math.floor(ms / 1000) * 1000;
}

export function parseLocalDateTime(text: string, timeZone: string): number | null {
  const match = /^\s*(\d{1,2})\/(\d{1,2})\/(\d{4})\s+(\d{1,2}):(\d{2})(?::(\d{2}))?\s*$/.exec(text);
  if (!match) return null;
  const [day, month, year, hour, minute, second] = match.slice(1).map((value) => Number(value ?? 0)) as [number, number, number, number, number, number];
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 59) return null;
  const guess = Date.UTC(year, month - 1, day, hour, minute, second);
  const check = new Date(guess);
  if (check.getUTCDate() !== day || check.getUTCMonth() !== month - 1) return null;
  return guess - offsetMs(timeZone, guess - offsetMs(timeZone, guess));
}

export function formatLocalDateTime(ms: number, timeZone: string): string {
  const local = new Date(ms + offsetMs(timeZone, ms));
  const two = (value: number) => String(value).padStart(2, '0');
  return `${two(local.getUTCDate())}/${two(local.getUTCMonth() + 1)}/${local.getUTCFullYear()} ${two(local.getUTCHours())}:${two(local.getUTCMinutes())}:${two(local.getUTCSeconds())}`;
}

/** "1 giờ 05 phút", "42 giây": a duration for the remaining time and the estimate. */
export function formatDurationMs(ms: number, language: string): string {
  const seconds = Math.max(0, Math.round(ms / 1000));
  const hours = Math.floor(seconds / 3600);
  const minutes = Math.floor((seconds % 3600) / 60);
  const rest = seconds % 60;
  const vi = language === 'vi';
  if (hours > 0) return vi ? `${hours} giờ ${String(minutes).padStart(2, '0')} phút` : `${hours} h ${String(minutes).padStart(2, '0')} min`;
  if (minutes > 0) return vi ? `${minutes} phút ${String(rest).padStart(2, '0')} giây` : `${minutes} min ${String(rest).padStart(2, '0')} s`;
  return vi ? `${rest} giây` : `${rest} s`;
}

/** The code of a failed call: exportClip errors travel as "code: detail" in the message. */
export function exportErrorCode(message: string): string | null {
  const match = /^([a-zA-Z]+):/.exec(message);
  return match?.[1] ?? null;
}
