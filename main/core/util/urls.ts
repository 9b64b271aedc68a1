/** Host and port of a URL, never its credentials (for logs and lists). */
export function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return '';
  }
}
