// @ts-check
/**
 * `local/no-import-cycle`: reports a static import that leads back to the file itself (A → B → …
 * → A), with the path of the cycle. Relative imports only (packages cannot import our files);
 * `import type` counts (a type cycle still ties the files together); a dynamic `import()` does
 * not (it is how a page loads lazily). No dependency: the files the import reaches are read from
 * disk with a small scanner, cached by modification time. Tested in tests/unit/lintRules.test.ts.
 */
import fs from 'node:fs';
import path from 'node:path';

const EXTENSIONS = ['.ts', '.tsx', '.mts', '.js', '.mjs'];
/** `import … from 'x'`, `export … from 'x'`, `import 'x'` (not `import('x')`). */
const STATIC_IMPORT = /(?:^|[\n;])\s*(?:import|export)\s+(?:type\s+)?(?:[^'";]*?\sfrom\s*)?['"]([^'"\n]+)['"]/g;

/** @type {Map<string, { mtimeMs: number, size: number, imports: string[] }>} */
const cache = new Map();

/** @param {string} fromFile @param {string} specifier @returns {string | null} */
function resolve(fromFile, specifier) {
  if (!specifier.startsWith('.')) return null;
  const base = path.resolve(path.dirname(fromFile), specifier);
  const candidates = [base, ...EXTENSIONS.map((ext) => base + ext), ...EXTENSIONS.map((ext) => path.join(base, `index${ext}`))];
  if (/\.js$/.test(base)) candidates.push(base.replace(/\.js$/, '.ts'), base.replace(/\.js$/, '.tsx'));
  for (const candidate of candidates) {
    try {
      if (fs.statSync(candidate).isFile()) return candidate;
    } catch {
      // next candidate
    }
  }
  return null;
}

/** @param {string} text */
function withoutComments(text) {
  return text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:\\'"`])\/\/.*$/gm, '$1');
}

/** @param {string} file @returns {string[]} */
function importsOf(file) {
  let stat;
  try {
    stat = fs.statSync(file);
  } catch {
    return [];
  }
  const cached = cache.get(file);
  if (cached && cached.mtimeMs === stat.mtimeMs && cached.size === stat.size) return cached.imports;
  const imports = [];
  const text = withoutComments(fs.readFileSync(file, 'utf8'));
  for (const match of text.matchAll(STATIC_IMPORT)) {
    const target = resolve(file, /** @type {string} */ (match[1]));
    if (target) imports.push(target);
  }
  cache.set(file, { mtimeMs: stat.mtimeMs, size: stat.size, imports });
  return imports;
}

/**
 * The shortest chain of imports from `start` back to `target`, or null.
 * @param {string} start @param {string} target @param {number} maxDepth
 */
function pathBack(start, target, maxDepth) {
  /** @type {Map<string, string | null>} */
  const previous = new Map([[start, null]]);
  let frontier = [start];
  for (let depth = 0; depth < maxDepth && frontier.length > 0; depth++) {
    /** @type {string[]} */
    const next = [];
    for (const file of frontier) {
      for (const imported of importsOf(file)) {
        if (imported === target) {
          const chain = [file];
          for (let at = previous.get(file); at; at = previous.get(at)) chain.unshift(at);
          return chain;
        }
        if (!previous.has(imported)) {
          previous.set(imported, file);
          next.push(imported);
        }
      }
    }
    frontier = next;
  }
  return null;
}

/** @type {import('eslint').Rule.RuleModule} */
const noImportCycle = {
  meta: {
    type: 'problem',
    docs: { description: 'Forbid static imports that lead back to the importing file.' },
    schema: [{ type: 'object', properties: { maxDepth: { type: 'integer', minimum: 1 } }, additionalProperties: false }],
    messages: { cycle: 'Import cycle: {{chain}}. Take the shared types from common/ or a leaf module, and assemble registries in the composition root.' },
  },
  create(context) {
    const file = context.filename;
    const maxDepth = context.options[0]?.maxDepth ?? 50;
    const root = context.cwd;
    /** @param {any} node */
    const check = (node) => {
      const specifier = node.source?.value;
      if (typeof specifier !== 'string') return;
      const target = resolve(file, specifier);
      if (!target || target === file) return;
      const chain = pathBack(target, file, maxDepth);
      if (chain) context.report({ node, messageId: 'cycle', data: { chain: [file, ...chain, file].map((entry) => path.relative(root, entry)).join(' → ') } });
    };
    return { ImportDeclaration: check, ExportNamedDeclaration: check, ExportAllDeclaration: check };
  },
};

export default { rules: { 'no-import-cycle': noImportCycle } };
