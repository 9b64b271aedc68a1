/**
 * Vietnamese text folding, the one copy: for search (bookmarks, map, camera lists) and for names
 * that end up in files and ids (export folders, camera ids). Tested in tests/unit/sharedHelpers.test.ts.
 */

/** Letters without their marks, đ → d, Đ → D, case kept: "Chợ Đông Khê" → "Cho Dong Khe". */
export function withoutMarks(text: string): string {
  return text.normalize('NFD').replace(/[\u0300-\u036f]/g, '').replace(/đ/g, 'd').replace(/Đ/g, 'D');
}

/** Folded for search: without marks and lower case ("Chợ Đông Khê" → "cho dong khe"). */
export function foldVietnamese(text: string): string {
  return withoutMarks(text).toLowerCase();
}

/** Bytes as people read them: "12,3 GB" in Vietnamese, "12.3 GB" in English. */
export function formatBytes(bytes: number, language: string): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  const text = value.toLocaleString(language === 'vi' ? 'vi-VN' : 'en-GB', { maximumFractionDigits: value >= 100 || unit === 0 ? 0 : 1 });
  return `${text} ${units[unit]}`;
}
