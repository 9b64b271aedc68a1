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
