import { formatDateTime } from '../../common/time';

/**
 * Pure time helpers of the playback page: typed Vietnamese dates, day boundaries in the site's
 * time zone, and the timeline's zoom levels and ticks. No DOM: unit-tested (tests/unit/playbackTime.test.ts).
 */

const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;
export const DAY_MS = 24 * HOUR_MS;

/** Offset of a time zone from UTC at `ms` (ms; +7 h for Asia/Ho_Chi_Minh). */
export function zoneOffsetMs(timeZone: string, ms: number): number {
  const text = formatDateTime(ms, timeZone); // dd/MM/yyyy HH:mm:ss
  const match = /^(\d{2})\/(\d{2})\/(\d{4}) (\d{2}):(\d{2}):(\d{2})$/.exec(text);
  if (!match) return 0;
  const [, day, month, year, hour, minute, second] = match.map(Number) as [number, number, number, number, number, number, number];
  const asUtc = Date.UTC(year, month - 1, day, hour, minute, second);
  return asUtc - Math.floor(ms / 1000) * 1000;
}

/** Wall-clock fields in the site's zone → ms (the zone offset taken at that moment). */
export function zonedToMs(timeZone: string, year: number, month: number, day: number, hour = 0, minute = 0, second = 0): number {
  const guess = Date.UTC(year, month - 1, day, hour, minute, second);
  const first = guess - zoneOffsetMs(timeZone, guess);
  return guess - zoneOffsetMs(timeZone, first);
}

/**
 * Parses what an officer types: "dd/mm/yyyy hh:mm:ss", "dd/mm/yyyy hh:mm", "dd/mm/yyyy",
 * "hh:mm:ss" or "hh:mm" (today in the site's zone), with '/', '-' or '.' between date parts.
 * Returns null for anything else or an impossible date.
 */
export function parseVietnameseDateTime(text: string, timeZone: string, nowMs: number): number | null {
  const value = text.trim().replace(/\s+/g, ' ');
  const full = /^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})(?:[ ,]+(\d{1,2}):(\d{2})(?::(\d{2}))?)?$/.exec(value);
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
    const today = /^(\d{2})\/(\d{2})\/(\d{4})/.exec(formatDateTime(nowMs, timeZone))!;
    day = Number(today[1]);
    month = Number(today[2]);
    year = Number(today[3]);
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

/** Start of the day containing `ms` in the site's zone; `daysBack` 1 is yesterday. */
export function startOfDay(ms: number, timeZone: string, daysBack = 0): number {
  const today = /^(\d{2})\/(\d{2})\/(\d{4})/.exec(formatDateTime(ms, timeZone))!;
  const start = zonedToMs(timeZone, Number(today[3]), Number(today[2]), Number(today[1]));
  if (daysBack === 0) return start;
  const earlier = start - daysBack * DAY_MS + HOUR_MS * 12; // noon, safe across DST shifts elsewhere
  return startOfDay(earlier, timeZone, 0);
}

/** Zoom levels of the timeline: the span it shows, from a week down to 10 seconds. */
export const TIMELINE_SPANS_MS = [7 * DAY_MS, 2 * DAY_MS, DAY_MS, 6 * HOUR_MS, 2 * HOUR_MS, HOUR_MS, 15 * MINUTE_MS, 5 * MINUTE_MS, MINUTE_MS, 10_000] as const;

const TICK_STEPS_MS = [1000, 2000, 5000, 10_000, 30_000, MINUTE_MS, 2 * MINUTE_MS, 5 * MINUTE_MS, 10 * MINUTE_MS, 30 * MINUTE_MS, HOUR_MS, 3 * HOUR_MS, 6 * HOUR_MS, 12 * HOUR_MS, DAY_MS];

/** Tick marks for a span, at "round" local times, about `maxTicks` of them. */
export function timelineTicks(fromMs: number, toMs: number, timeZone: string, maxTicks = 10): { atMs: number; label: string }[] {
  const span = toMs - fromMs;
  const step = TICK_STEPS_MS.find((candidate) => span / candidate <= maxTicks) ?? DAY_MS;
  const offset = zoneOffsetMs(timeZone, fromMs);
  const first = Math.ceil((fromMs + offset) / step) * step - offset;
  const ticks: { atMs: number; label: string }[] = [];
  for (let atMs = first; atMs <= toMs && ticks.length < 200; atMs += step) {
    const text = formatDateTime(atMs, timeZone); // dd/MM/yyyy HH:mm:ss
    const label = step >= DAY_MS ? text.slice(0, 5) : step >= MINUTE_MS ? (text.slice(11, 16) === '00:00' ? text.slice(0, 5) : text.slice(11, 16)) : text.slice(11);
    ticks.push({ atMs, label });
  }
  return ticks;
}

/** Keeps a view window of `span` around `centerMs`, never past `maxMs` (now). */
export function windowAround(centerMs: number, span: number, maxMs: number): { fromMs: number; toMs: number } {
  let toMs = centerMs + span / 2;
  if (toMs > maxMs + span * 0.05) toMs = maxMs + span * 0.05;
  return { fromMs: toMs - span, toMs };
}
