export { formatBytes } from '../../common/text';

/** A decimal with one digit as people read it: "15,4" in Vietnamese, "15.4" in English. */
export function formatDecimal(value: number, language: string): string {
  return value.toLocaleString(language === 'vi' ? 'vi-VN' : 'en-GB', { minimumFractionDigits: 1, maximumFractionDigits: 1 });
}

/**
 * A file or folder name cut into pieces after its separators (`/ \ _ - .` and spaces), for
 * rendering with a line-break opportunity between pieces: a long export folder breaks at its
 * parts ("2026-12-05_0815_" / "Vu-viec-7-2026"), never mid-word (issue 18).
 */
export function pathPieces(name: string): string[] {
  return name.split(/(?<=[/\\_\-. ])/).filter((piece) => piece.length > 0);
}
