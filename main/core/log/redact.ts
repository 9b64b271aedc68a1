/**
 * Secrets never reach a log: credentials inside URLs, tokens and passwords in query strings or
 * key=value pairs are replaced before a line is written.
 */
const URL_CREDENTIALS = /\b([a-z][a-z0-9+.-]*:\/\/)[^\s/@:]+(?::[^\s/@]*)?@/gi;
const SECRET_PAIRS = /\b(token|password|passwd|pwd|pass|secret|authorization)(["']?\s*[=:]\s*["']?)(?:bearer\s+)?[^\s&"',;]+/gi;

export function redact(text: string): string {
  return text.replace(URL_CREDENTIALS, '$1***@').replace(SECRET_PAIRS, '$1$2***');
}
