import { en } from './en';
import { vi, type Messages } from './vi';

export const LANGUAGES = ['vi', 'en'] as const;
export type Language = (typeof LANGUAGES)[number];
export const DEFAULT_LANGUAGE: Language = 'vi';
export const messages: Record<Language, Messages> = { vi, en };
export type { Messages };

export function isLanguage(value: unknown): value is Language {
  return value === 'vi' || value === 'en';
}

/**
 * A tiny translator for code outside React (the core's command-line messages). The renderer uses
 * i18next over the same dictionaries; interpolation is the same `{{name}}` form.
 */
export function translate(language: Language, key: string, vars: Record<string, string | number> = {}): string {
  let node: unknown = messages[language];
  for (const part of key.split('.')) {
    node = typeof node === 'object' && node !== null ? (node as Record<string, unknown>)[part] : undefined;
  }
  if (typeof node !== 'string') return key;
  return node.replace(/\{\{(\w+)\}\}/g, (_, name: string) => (name in vars ? String(vars[name]) : `{{${name}}}`));
}
