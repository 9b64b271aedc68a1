import { findNodeAtLocation, parseTree, printParseErrorCode, type Node, type ParseError } from 'jsonc-parser';
import type { z } from 'zod';
import { SiteSchema, SITE_SCHEMA_VERSION, type Site } from '../../../common/site';
import { translate, type Language } from '../../../common/i18n';

/**
 * Reads a site file and, when it is wrong, says where: every problem names the field (as a path
 * like cameras[3].streams.main) and its line and column, in Vietnamese or English. Pure: no I/O.
 */
export interface SiteIssue {
  line: number;
  column: number;
  path: string;
  /** i18n key under siteErrors. */
  key: string;
  params: Record<string, string | number>;
}

export type SiteParseResult = { ok: true; site: Site } | { ok: false; issues: SiteIssue[] };

type PathPart = string | number;

function lineColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let index = 0; index < offset && index < text.length; index++) {
    if (text.charCodeAt(index) === 10) {
      line += 1;
      lineStart = index + 1;
    }
  }
  return { line, column: offset - lineStart + 1 };
}

export function formatPath(path: readonly PathPart[]): string {
  let out = '';
  for (const part of path) out += typeof part === 'number' ? `[${part}]` : out ? `.${part}` : part;
  return out || '(gốc)';
}

function valueAt(root: unknown, path: readonly PathPart[]): { found: boolean; value: unknown } {
  let node: unknown = root;
  for (const part of path) {
    if (node === null || typeof node !== 'object' || !(part in (node as Record<PathPart, unknown>))) return { found: false, value: undefined };
    node = (node as Record<PathPart, unknown>)[part];
  }
  return { found: true, value: node };
}

/** The deepest node on the path that exists in the text, and whether it is the node itself. */
function nodeFor(tree: Node, path: readonly PathPart[]): Node {
  for (let depth = path.length; depth >= 0; depth--) {
    const node = findNodeAtLocation(tree, path.slice(0, depth) as PathPart[]);
    if (node) return node;
  }
  return tree;
}

function typeName(expected: string): string {
  return ['string', 'number', 'boolean', 'object', 'array'].includes(expected) ? expected : 'object';
}

function issueFor(issue: z.core.$ZodIssue, root: unknown): { key: string; params: Record<string, string | number>; path: PathPart[]; pointAtKey: boolean } {
  const path = issue.path.filter((part): part is PathPart => typeof part === 'string' || typeof part === 'number');
  if (issue.message.startsWith('siteErrors.')) return { key: issue.message.slice('siteErrors.'.length), params: {}, path, pointAtKey: false };
  switch (issue.code) {
    case 'invalid_type': {
      if (!valueAt(root, path).found) return { key: 'required', params: {}, path, pointAtKey: false };
      return { key: 'type', params: { expected: `@${typeName(issue.expected)}` }, path, pointAtKey: false };
    }
    case 'unrecognized_keys': {
      const field = issue.keys[0] ?? '';
      return { key: 'unknownField', params: { field }, path: [...path, field], pointAtKey: true };
    }
    case 'too_small':
      if (issue.origin === 'string' || issue.origin === 'array') return { key: 'tooShort', params: { min: Number(issue.minimum) }, path, pointAtKey: false };
      return { key: 'tooSmall', params: { min: Number(issue.minimum) }, path, pointAtKey: false };
    case 'too_big':
      if (issue.origin === 'string' || issue.origin === 'array') return { key: 'tooLong', params: { max: Number(issue.maximum) }, path, pointAtKey: false };
      return { key: issue.inclusive === false ? 'tooBigExclusive' : 'tooBig', params: { max: Number(issue.maximum) }, path, pointAtKey: false };
    case 'invalid_value':
      if (path.length === 1 && path[0] === 'schemaVersion') return { key: 'schemaVersion', params: { expected: SITE_SCHEMA_VERSION }, path, pointAtKey: false };
      return { key: 'invalidValue', params: {}, path, pointAtKey: false };
    default:
      return { key: 'invalidValue', params: {}, path, pointAtKey: false };
  }
}

export function parseSiteText(text: string): SiteParseResult {
  const errors: ParseError[] = [];
  const tree = parseTree(text, errors, { allowTrailingComma: false, disallowComments: true });
  if (errors.length > 0 || !tree) {
    const issues = errors.slice(0, 10).map((error) => ({
      ...lineColumn(text, error.offset),
      path: '',
      key: 'syntax',
      params: { detail: printParseErrorCode(error.error) },
    }));
    return { ok: false, issues: issues.length > 0 ? issues : [{ line: 1, column: 1, path: '', key: 'syntax', params: { detail: 'empty' } }] };
  }
  const root: unknown = JSON.parse(text);
  const parsed = SiteSchema.safeParse(root);
  if (parsed.success) return { ok: true, site: parsed.data };
  const issues = parsed.error.issues.slice(0, 50).map((zodIssue) => {
    const described = issueFor(zodIssue, root);
    let node = nodeFor(tree, described.path);
    if (described.pointAtKey && node.parent?.type === 'property') node = node.parent;
    return { ...lineColumn(text, node.offset), path: formatPath(described.path), key: described.key, params: described.params };
  });
  issues.sort((a, b) => a.line - b.line || a.column - b.column);
  return { ok: false, issues };
}

/** Human-readable report; `@string`-style params name a type and are translated too. */
export function formatSiteIssues(file: string, issues: readonly SiteIssue[], language: Language): string {
  const lines = [translate(language, 'siteErrors.title', { file })];
  for (const issue of issues) {
    const params: Record<string, string | number> = {};
    for (const [name, value] of Object.entries(issue.params)) {
      params[name] = typeof value === 'string' && value.startsWith('@') ? translate(language, `siteErrors.typeNames.${value.slice(1)}`) : value;
    }
    const where = issue.line > 0 ? translate(language, 'siteErrors.at', { line: issue.line, column: issue.column }) : '';
    const field = issue.path ? (where ? ` — ${issue.path}` : issue.path) : '';
    lines.push(`  ${where}${field}${where || field ? ': ' : ''}${translate(language, `siteErrors.${issue.key}`, params)}`);
  }
  return lines.join('\n');
}
