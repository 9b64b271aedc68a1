import { formatDateTime, parseTypedDateTime } from '../../common/time';

/**
 * Times of the export dialog: typed dates go through the one parser of every page
 * (common/time.ts `parseTypedDateTime`); shown as "29/11/2026 20:15:00" in the site's zone.
 * Pure functions, tested in tests/unit/export.test.ts and tests/unit/sharedHelpers.test.ts.
 */
export function parseLocalDateTime(text: string, timeZone: string, nowMs: number = Date.now()): number | null {
  return parseTypedDateTime(text, timeZone, nowMs);
}

export function formatLocalDateTime(ms: number, timeZone: string): string {
  return formatDateTime(ms, timeZone);
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

