/**
 * An audit row's detail (JSON, as the chain stores it) as a person reads it: named fields in the
 * page's language, times in the site's zone, sizes in KB/MB/GB, long hashes cut, lists shortened.
 * The raw JSON stays what is chained, exported to CSV and shown on hover for an engineer.
 * Used by the audit page and the audit PDF.
 */
import { translate, type Language } from './i18n';
import { formatBytes } from './text';
import { formatDateTime } from './time';

/** Items of a list shown before "… and N more". */
const LIST_ITEMS = 6;
/** Longest string value shown whole. */
const TEXT_CHARS = 120;
/** ms since the epoch after 1973: a field named …Ms with such a value is a time, not a duration. */
const EPOCH_MS_FLOOR = 1e11;

function label(key: string, language: Language): string {
  const name = translate(language, `auth.audit.fields.${key}`);
  return name === `auth.audit.fields.${key}` ? key : name;
}

/** A coded value's name (a role, a stream, a reason), or null for text shown as it is. */
function valueName(key: string, raw: string, language: Language): string | null {
  if (!/^\w+$/.test(raw)) return null;
  const path = key === 'role' ? `auth.roles.${raw}` : `auth.audit.values.${key}.${raw}`;
  const name = translate(language, path);
  return name === path ? null : name;
}

function value(key: string, raw: unknown, language: Language, timeZone: string): string | null {
  if (raw === null || raw === undefined) return null;
  if (typeof raw === 'boolean') return translate(language, raw ? 'auth.audit.yes' : 'auth.audit.no');
  if (typeof raw === 'number') {
    if (/Ms$/.test(key) && raw > EPOCH_MS_FLOOR) return formatDateTime(raw, timeZone);
    if (/bytes$/i.test(key)) return formatBytes(raw, language);
    return raw.toLocaleString(language === 'vi' ? 'vi-VN' : 'en-GB');
  }
  if (typeof raw === 'string') {
    const named = valueName(key, raw, language);
    if (named !== null) return named;
    if (/sha256$/i.test(key) && /^[0-9a-f]{64}$/i.test(raw)) return `${raw.slice(0, 16)}…`;
    return raw.length > TEXT_CHARS ? `${raw.slice(0, TEXT_CHARS)}…` : raw;
  }
  if (Array.isArray(raw)) {
    const items = raw.slice(0, LIST_ITEMS).map((item) => value(key, item, language, timeZone) ?? '—');
    const more = raw.length - items.length;
    return `${items.join(', ')}${more > 0 ? ` ${translate(language, 'auth.audit.moreItems', { count: more })}` : ''}`;
  }
  if (typeof raw === 'object') {
    // a map of file name → SHA-256: how many, not 64 characters each
    const entries = Object.entries(raw as Record<string, unknown>);
    if (/sha256$/i.test(key) && entries.every(([, hash]) => typeof hash === 'string')) return translate(language, 'auth.audit.fileCount', { count: entries.length });
    const inner = fields(raw as Record<string, unknown>, language, timeZone);
    return inner.length > 0 ? `(${inner.join(', ')})` : null;
  }
  return String(raw);
}

function fields(detail: Record<string, unknown>, language: Language, timeZone: string): string[] {
  const out: string[] = [];
  for (const [key, raw] of Object.entries(detail)) {
    const shown = value(key, raw, language, timeZone);
    if (shown !== null && shown !== '') out.push(`${label(key, language)}: ${shown}`);
  }
  return out;
}

/** "Lý do: idle; Máy: 127.0.0.1" — or the text as it is when it is not a JSON object; '' for {}. */
export function auditDetailText(detail: string, language: Language, timeZone: string): string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(detail);
  } catch {
    return detail;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return detail;
  return fields(parsed as Record<string, unknown>, language, timeZone).join('; ');
}
