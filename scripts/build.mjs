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

/** dist/renderer/**.map → dist/sourcemaps/renderer/ (kept for debugging, never served or packaged). */
function moveRendererSourceMaps() {
  const from = path.join(root, 'dist', 'renderer');
  const to = path.join(root, 'dist', 'sourcemaps', 'renderer');
  for (const entry of fs.readdirSync(from, { recursive: true })) {
    const name = String(entry);
    if (!name.endsWith('.map')) continue;
    fs.mkdirSync(path.dirname(path.join(to, name)), { recursive: true });
    fs.renameSync(path.join(from, name), path.join(to, name));
  }
}
/**
 * The chunks app.js imports statically, announced in index.html as modulepreloads: the browser
 * fetches them with app.js instead of after parsing it (bench:open, phase "app.js received").
 * Dynamic imports (map, playback, export, devices pages) are not preloaded.
 */
function withModulePreloads(html, metafile) {
  const app = metafile.outputs['dist/renderer/app.js'];
  const chunks = (app?.imports ?? []).filter((entry) => entry.kind === 'import-statement').map((entry) => path.posix.relative('dist/renderer', entry.path));
  const links = chunks.map((chunk) => `    <link rel="modulepreload" href="./${chunk}" />`).join('\n');
  const marker = '    <script type="module" src="./app.js"></script>';
  if (!html.includes(marker)) throw new Error('renderer/index.html: the app.js script tag moved; update withModulePreloads');
  return html.replace(marker, links ? `${links}\n${marker}` : marker);
}

fs.rmSync(path.join(root, 'dist'), { recursive: true, force: true });

const built = await Promise.all([
  build({
    ...watchless,
    entryPoints: { 'core/cli': 'main/core/cli.ts', 'core/supervise': 'main/core/supervise.ts', 'core/utility': 'main/core/utility.ts', 'core/mapWorker': 'main/core/map/tileWorker.ts', 'core/jobWorker': 'main/core/jobWorker.ts', 'electron/main': 'main/electron/main.ts' },
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
    // The wall's path is app.js; the map (maplibre), playback, export and devices pages are
    // dynamic imports, split into chunks loaded when first shown (bench:open measures the gain).
    splitting: true,
    chunkNames: 'chunks/[name]-[hash]',
    // Source maps: written, but without a sourceMappingURL in the code and moved out of
    // dist/renderer below, so neither the page nor an installed build carries them.
    sourcemap: 'external',
    metafile: true,
    loader: { '.svg': 'file', '.png': 'file', '.woff2': 'file' },
  }),
]);
moveRendererSourceMaps();
fs.copyFileSync(path.join(root, 'renderer', 'icon.svg'), path.join(root, 'dist', 'renderer', 'icon.svg'));
fs.writeFileSync(path.join(root, 'dist', 'renderer', 'index.html'), withModulePreloads(fs.readFileSync(path.join(root, 'renderer', 'index.html'), 'utf8'), built[2].metafile));
// The map's worker (maplibre-gl loads it by URL next to app.js; served by the console, never fetched from outside).
fs.copyFileSync(path.join(root, 'node_modules', 'maplibre-gl', 'dist', 'maplibre-gl-worker.mjs'), path.join(root, 'dist', 'renderer', 'maplibre-gl-worker.mjs'));
console.log(`build: ${Date.now() - started} ms`);
