import { foldVietnamese } from '../../common/text';

export { foldVietnamese };

export function matchesSearch(text: string, query: string): boolean {
  const words = foldVietnamese(query).split(/\s+/).filter(Boolean);
  const folded = foldVietnamese(text);
  return words.every((word) => folded.includes(word));
}
