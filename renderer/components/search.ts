/** Folds Vietnamese for search: no diacritics, đ → d, lower case ("Chợ Đông Khê" → "cho dong khe"). */
export function foldVietnamese(text: string): string {
  return text
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/đ/g, 'd')
    .replace(/Đ/g, 'D')
    .toLowerCase();
}

export function matchesSearch(text: string, query: string): boolean {
  const words = foldVietnamese(query).split(/\s+/).filter(Boolean);
  const folded = foldVietnamese(text);
  return words.every((word) => folded.includes(word));
}
