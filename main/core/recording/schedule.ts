import type { ScheduleWindow } from '../../../common/site';

/**
 * Whether a camera records at `ms`, under its weekly windows in the site's time zone. No windows:
 * always. A window whose `to` is before its `from` runs past midnight (22:00 → 06:00).
 */
const weekdayFormatters = new Map<string, Intl.DateTimeFormat>();

function localParts(ms: number, timeZone: string): { isoDay: number; minutes: number } {
  let formatter = weekdayFormatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-GB', { timeZone, weekday: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
    weekdayFormatters.set(timeZone, formatter);
  }
  const parts: Record<string, string> = {};
  for (const part of formatter.formatToParts(new Date(ms))) parts[part.type] = part.value;
  const isoDay = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'].indexOf(parts.weekday ?? 'Mon') + 1;
  return { isoDay, minutes: Number(parts.hour) * 60 + Number(parts.minute) };
}

function minutesOf(time: string): number {
  const [hours, minutes] = time.split(':').map(Number);
  return (hours ?? 0) * 60 + (minutes ?? 0);
}

export function isScheduled(windows: readonly ScheduleWindow[] | undefined, ms: number, timeZone: string): boolean {
  if (!windows || windows.length === 0) return true;
  const { isoDay, minutes } = localParts(ms, timeZone);
  const previousDay = isoDay === 1 ? 7 : isoDay - 1;
  return windows.some((window) => {
    const from = minutesOf(window.from);
    const to = minutesOf(window.to);
    if (from < to) return window.days.includes(isoDay) && minutes >= from && minutes < to;
    // overnight: the evening part on the listed day, the morning part on the next day
    return (window.days.includes(isoDay) && minutes >= from) || (window.days.includes(previousDay) && minutes < to);
  });
}
