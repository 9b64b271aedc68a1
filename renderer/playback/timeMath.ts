import { formatDateTime, zonedDate, zonedToMs, zoneOffsetMs } from '../../common/time';

/**
 * Pure time helpers of the playback page: day boundaries in the site's time zone and the
 * timeline's zoom levels and ticks (typed dates, the zone's offset: common/time.ts). No DOM:
 * unit-tested in tests/unit/playback.test.ts.
 */

const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;
export const DAY_MS = 24 * HOUR_MS;

/** Start of the day containing `ms` in the site's zone; `daysBack` 1 is yesterday. */
export function startOfDay(ms: number, timeZone: string, daysBack = 0): number {
  const today = zonedDate(ms, timeZone);
  const start = zonedToMs(timeZone, today.year, today.month, today.day);
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
