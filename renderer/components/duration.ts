import type { TFunction } from 'i18next';

/**
 * A span of days as people say it: "12 ngày", "5 giờ", "40 phút"; "1 day", "2 days" (the count
 * picks the plural: English said "1 days").
 */
export function durationText(t: TFunction, locale: string, days: number): string {
  if (days >= 1) {
    const value = Number(days.toFixed(days >= 10 ? 0 : 1));
    return t('storage.days', { days: value.toLocaleString(locale), count: value });
  }
  if (days * 24 >= 1) {
    const hours = Number((days * 24).toFixed(1));
    return t('storage.hours', { hours: hours.toLocaleString(locale), count: hours });
  }
  const minutes = Math.max(0, Math.round(days * 1440));
  return t('storage.minutes', { minutes, count: minutes });
}
