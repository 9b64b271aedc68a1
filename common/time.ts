import { DEFAULT_TIME_ZONE } from './site';

/**
 * Dates as the station reads them: dd/MM/yyyy, 24-hour clock, in the site's time zone
 * (Asia/Ho_Chi_Minh unless the site file says otherwise), whatever the PC's own settings.
 */
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let value = formatters.get(timeZone);
  if (!value) {
    value = new Intl.DateTimeFormat('en-GB', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      hourCycle: 'h23',
    });
    formatters.set(timeZone, value);
  }
  return value;
}

interface Parts {
  day: string;
  month: string;
  year: string;
  hour: string;
  minute: string;
  second: string;
}

function partsOf(ms: number, timeZone: string): Parts {
  const parts: Record<string, string> = {};
  for (const part of formatter(timeZone).formatToParts(new Date(ms))) parts[part.type] = part.value;
  return parts as unknown as Parts;
}

/** "29/11/2026 20:43:16" */
export function formatDateTime(ms: number, timeZone: string = DEFAULT_TIME_ZONE): string {
  const p = partsOf(ms, timeZone);
  return `${p.day}/${p.month}/${p.year} ${p.hour}:${p.minute}:${p.second}`;
}

/** "20:43:16" */
export function formatTime(ms: number, timeZone: string = DEFAULT_TIME_ZONE): string {
  const p = partsOf(ms, timeZone);
  return `${p.hour}:${p.minute}:${p.second}`;
}

/** "29/11/2026" */
export function formatDate(ms: number, timeZone: string = DEFAULT_TIME_ZONE): string {
  const p = partsOf(ms, timeZone);
  return `${p.day}/${p.month}/${p.year}`;
}

/** "2026-11-30_04-33-26": for file names (sorts by time, no characters a file system refuses). */
export function formatFileStamp(ms: number, timeZone: string = DEFAULT_TIME_ZONE): string {
  const p = partsOf(ms, timeZone);
  return `${p.year}-${p.month}-${p.day}_${p.hour}-${p.minute}-${p.second}`;
}

// ---- The zone's offset, wall clock ↔ UTC, and the one parser of typed dates ----------------
// Every page and the core use these (playback, export, bookmarks, recording folders, manifests):
// one place that decides what a typed date means. Tested in tests/unit/sharedHelpers.test.ts.

/** The zone's offset from UTC at `ms`, in ms (Asia/Ho_Chi_Minh: +7 h, no summer time). */
export function zoneOffsetMs(timeZone: string, ms: number): number {
  const p = partsOf(ms, timeZone);
  const local = Date.UTC(Number(p.year), Number(p.month) - 1, Number(p.day), Number(p.hour), Number(p.minute), Number(p.second));
  return local - Math.floor(ms / 1000) * 1000;
}

/** Wall-clock fields in the zone → ms (the offset taken at that moment, so DST shifts elsewhere hold). */
export function zonedToMs(timeZone: string, year: number, month: number, day: number, hour = 0, minute = 0, second = 0): number {
  const guess = Date.UTC(year, month - 1, day, hour, minute, second);
  const first = guess - zoneOffsetMs(timeZone, guess);
  return guess - zoneOffsetMs(timeZone, first);
}

/** The wall-clock date of `ms` in the zone, as numbers. */
export function zonedDate(ms: number, timeZone: string): { year: number; month: number; day: number } {
  const p = partsOf(ms, timeZone);
  return { year: Number(p.year), month: Number(p.month), day: Number(p.day) };
}

/**
 * The one parser of a date an officer types, on every page. Accepted (the station's order, day
 * first, 24-hour clock, in the site's zone):
 *   "dd/mm/yyyy hh:mm:ss", "dd/mm/yyyy hh:mm", "dd/mm/yyyy" (midnight),
 *   "hh:mm:ss", "hh:mm" (today in the site's zone, taken from `nowMs`);
 * one or two digits for day, month and hour; '/', '-' or '.' between date parts; spaces or a
 * comma between date and time; spaces around. Returns null for anything else, for an impossible
 * date (31/02) or time (24:00), and for years before 1970.
 */
export function parseTypedDateTime(text: string, timeZone: string, nowMs: number): number | null {
  const value = text.trim().replace(/\s+/g, ' ');
  const full = /^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})(?:(?: ?, ?| )(\d{1,2}):(\d{2})(?::(\d{2}))?)?$/.exec(value);
  const timeOnly = /^(\d{1,2}):(\d{2})(?::(\d{2}))?$/.exec(value);
  let day: number;
  let month: number;
  let year: number;
  let hour = 0;
  let minute = 0;
  let second = 0;
  if (full) {
    day = Number(full[1]);
    month = Number(full[2]);
    year = Number(full[3]);
    hour = full[4] ? Number(full[4]) : 0;
    minute = full[5] ? Number(full[5]) : 0;
    second = full[6] ? Number(full[6]) : 0;
  } else if (timeOnly) {
    ({ year, month, day } = zonedDate(nowMs, timeZone));
    hour = Number(timeOnly[1]);
    minute = Number(timeOnly[2]);
    second = timeOnly[3] ? Number(timeOnly[3]) : 0;
  } else {
    return null;
  }
  if (month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59 || year < 1970) return null;
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  if (day > daysInMonth) return null;
  return zonedToMs(timeZone, year, month, day, hour, minute, second);
}
