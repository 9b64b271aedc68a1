// Writes resources/site.schema.json from the zod schema in common/site.ts: npm run gen:schema.
// A unit test fails when the committed file and the schema disagree.
import { build } from 'esbuild';
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const result = await build({
  entryPoints: [path.join(root, 'main/core/site/jsonSchema.ts')],
  bundle: true,
  platform: 'node',
  format: 'cjs',
  write: false,
  mainFields: ['module', 'main'],
  logLevel: 'warning',
});
const module = { exports: {} };
new Function('module', 'exports', 'require', result.outputFiles[0].text)(module, module.exports, createRequire(import.meta.url));
const target = path.join(root, 'resources', 'site.schema.json');
fs.writeFileSync(target, `${JSON.stringify(module.exports.siteJsonSchema(), null, 2)}\n`);
console.log(`wrote ${path.relative(root, target)}`);
