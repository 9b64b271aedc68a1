// Runs a TypeScript entry (benchmarks) with Node: bundled by esbuild into a temporary CommonJS
// file first, packages left to node_modules. Usage: node scripts/run-ts.mjs bench/wall.ts [args]
import { build } from 'esbuild';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const [entry, ...args] = process.argv.slice(2);
if (!entry) {
  console.error('usage: node scripts/run-ts.mjs FILE.ts [args]');
  process.exit(2);
}
const outfile = path.join(root, 'dist', 'bench', `${path.basename(entry, '.ts')}.cjs`);
await build({
  entryPoints: [path.resolve(entry)],
  outfile,
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  packages: 'external',
  sourcemap: 'inline',
  define: { __CONSOLE_VERSION__: JSON.stringify('bench') },
  logLevel: 'warning',
});
fs.mkdirSync(path.dirname(outfile), { recursive: true });
const child = spawn(process.execPath, ['--enable-source-maps', outfile, ...args], { stdio: 'inherit', cwd: root });
child.on('exit', (code) => process.exit(code ?? 1));
