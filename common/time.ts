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
