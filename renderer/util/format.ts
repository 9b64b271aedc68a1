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
