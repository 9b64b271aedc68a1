// Builds every runtime with esbuild: the core (Node), the Electron main process, the preload
// and the renderer. Fast enough to run before every start and every test run.
import { build } from 'esbuild';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
const define = { __CONSOLE_VERSION__: JSON.stringify(pkg.version) };
const watchless = { logLevel: 'warning', sourcemap: true, define, absWorkingDir: root };
// Resolved at run time from node_modules (they locate their own binaries, or are native).
const nodeExternal = ['electron', '@ffmpeg-installer/ffmpeg', 'ffmpeg-static', 'better-sqlite3'];

const started = Date.now();
fs.rmSync(path.join(root, 'dist'), { recursive: true, force: true });

await Promise.all([
  build({
    ...watchless,
    entryPoints: { 'core/cli': 'main/core/cli.ts', 'core/supervise': 'main/core/supervise.ts', 'core/utility': 'main/core/utility.ts', 'core/mapWorker': 'main/core/map/tileWorker.ts', 'electron/main': 'main/electron/main.ts' },
    outdir: 'dist',
    outExtension: { '.js': '.cjs' },
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    external: nodeExternal,
    // jsonc-parser's UMD build hides its requires from the bundler: take its ESM build.
    mainFields: ['module', 'main'],
  }),
  build({
    ...watchless,
    entryPoints: { 'preload/preload': 'preload/preload.ts' },
    outdir: 'dist',
    outExtension: { '.js': '.cjs' },
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'chrome130',
    external: ['electron'],
  }),
  build({
    ...watchless,
    entryPoints: { app: 'renderer/main.tsx' },
    outdir: 'dist/renderer',
    bundle: true,
    platform: 'browser',
    format: 'esm',
    target: 'chrome120',
    jsx: 'automatic',
    minify: true,
    loader: { '.svg': 'file', '.png': 'file', '.woff2': 'file' },
  }),
]);
for (const file of ['index.html', 'icon.svg']) fs.copyFileSync(path.join(root, 'renderer', file), path.join(root, 'dist', 'renderer', file));
// The map's worker (maplibre-gl loads it by URL next to app.js; served by the console, never fetched from outside).
fs.copyFileSync(path.join(root, 'node_modules', 'maplibre-gl', 'dist', 'maplibre-gl-worker.mjs'), path.join(root, 'dist', 'renderer', 'maplibre-gl-worker.mjs'));
console.log(`build: ${Date.now() - started} ms`);
