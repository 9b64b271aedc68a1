/**
 * npm run bench:open — a fresh browser opening the console's address against a warm core: how
 * long until all nine pictures of the default 3x3 wall are drawn, and where that time goes.
 *
 * The core runs the demo site (31 cameras recording their sub streams, so the pulls are warm, as
 * on a station PC that has been running). Each opening launches a new headless Chromium (empty
 * cache, empty localStorage: the default 3x3 wall), loads the printed address and records, from
 * the page's own clock (navigation start = 0):
 *   html        the document received
 *   bundle      app.js received → its code evaluated (parse + compile + top-level code)
 *   startUp     the start-up calls answered (session, site, cameras, stream status)
 *   socket      the live socket open (the client id known: tiles may open views)
 *   tiles       nine tiles in the page
 *   views       nine views opened by the core
 *   pictures    nine tiles drew a picture (the decoders started and a frame arrived)
 * Median and worst of several openings. Figures only; nothing is asserted.
 * Usage: npm run bench:open -- [openings=7]
 */
import fs from 'node:fs';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { chromiumPath } from '../tests/helpers/browser';
import { startConsoleProcess } from '../tests/helpers/consoleProcess';
import { cacheDir, repoRoot, tempDir } from '../tests/helpers/paths';
import { machine, median } from './proc';

const OPENINGS = Number(process.argv[2] ?? 7);
const TILES = 9;

interface Opening {
  html: number;
  appJs: number;
  script: number;
  startUp: number;
  socket: number;
  tiles: number;
  views: number;
  pictures: number;
  bundleBytes: number;
}

/** Runs in the page before any of its scripts: notes when tiles, views and pictures appear. */
function watchWall(tiles: number): void {
  const seen: Record<string, number> = {};
  (window as unknown as { wallOpening: Record<string, number> }).wallOpening = seen;
  const check = (): void => {
    const elements = Array.from(document.querySelectorAll<HTMLElement>('[data-testid=tile]'));
    const now = performance.now();
    if (elements.length >= tiles && seen.tiles === undefined) seen.tiles = now;
    if (elements.length >= tiles && seen.views === undefined && elements.every((element) => element.dataset.viewId)) seen.views = now;
    if (elements.length >= tiles && seen.pictures === undefined && elements.every((element) => element.dataset.picture === 'yes')) seen.pictures = now;
    if (seen.pictures === undefined) requestAnimationFrame(check);
  };
  requestAnimationFrame(check);
}

async function openOnce(url: string, timeoutMs = 60000): Promise<Opening> {
  const browser = await chromium.launch({
    executablePath: chromiumPath(),
    args: ['--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic', '--use-angle=swiftshader', '--enable-unsafe-swiftshader'],
  });
  try {
    const context = await browser.newContext({ viewport: { width: 1600, height: 900 } });
    await context.addInitScript(watchWall, TILES);
    const page = await context.newPage();
    await page.goto(url);
    await page.waitForFunction(() => (window as unknown as { wallOpening?: { pictures?: number } }).wallOpening?.pictures !== undefined, undefined, { timeout: timeoutMs, polling: 100 });
    return await page.evaluate(() => {
      const seen = (window as unknown as { wallOpening: Record<string, number> }).wallOpening;
      const mark = (name: string): number => performance.getEntriesByName(name)[0]?.startTime ?? NaN;
      const navigation = performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming | undefined;
      const scripts = (performance.getEntriesByType('resource') as PerformanceResourceTiming[]).filter((entry) => entry.initiatorType === 'script' || entry.name.endsWith('.js'));
      const app = scripts.find((entry) => /\/app\.js/.test(entry.name));
      return {
        html: navigation?.responseEnd ?? NaN,
        appJs: app?.responseEnd ?? NaN,
        script: mark('console:script'),
        startUp: mark('console:state'),
        socket: mark('console:socket'),
        tiles: seen.tiles ?? NaN,
        views: seen.views ?? NaN,
        pictures: seen.pictures ?? NaN,
        bundleBytes: scripts.reduce((sum, entry) => sum + (entry.encodedBodySize || 0), 0),
      };
    });
  } finally {
    await browser.close();
  }
}

function seedDemoMedia(dataDir: string): void {
  const cached = path.join(cacheDir, 'demo-media');
  if (fs.existsSync(cached)) fs.cpSync(cached, path.join(dataDir, 'demo-media'), { recursive: true });
}

async function main(): Promise<void> {
  const root = tempDir('bench-open');
  const dataDir = path.join(root, 'data');
  fs.mkdirSync(dataDir, { recursive: true });
  seedDemoMedia(dataDir);
  const core = await startConsoleProcess(['--data', dataDir, '--port', '0', '--demo-trouble', 'off']);
  const lines: string[] = [];
  const say = (line: string): void => {
    console.log(line);
    lines.push(line);
  };
  try {
    say(`machine: ${machine()}`);
    const rendererFiles = fs.readdirSync(path.join(repoRoot, 'dist', 'renderer'));
    const size = (name: string): number => fs.statSync(path.join(repoRoot, 'dist', 'renderer', name)).size;
    say(`renderer: app.js ${(size('app.js') / 1024).toFixed(0)} KiB, ${rendererFiles.filter((name) => name.endsWith('.js')).length} script files, source maps: ${rendererFiles.some((name) => name.endsWith('.map')) ? 'yes' : 'no'}`);
    // Warm the core: one page until all nine pictures (demo media generated, pulls running).
    const warm = await openOnce(core.url, 300000);
    say(`warm-up opening: all pictures at ${warm.pictures.toFixed(0)} ms`);
    const openings: Opening[] = [];
    for (let run = 0; run < OPENINGS; run++) {
      const opening = await openOnce(core.url);
      openings.push(opening);
      say(`opening ${run + 1}: html ${opening.html.toFixed(0)}, app.js ${opening.appJs.toFixed(0)}, code run ${opening.script.toFixed(0)}, start-up calls ${opening.startUp.toFixed(0)}, socket ${opening.socket.toFixed(0)}, 9 tiles ${opening.tiles.toFixed(0)}, 9 views ${opening.views.toFixed(0)}, 9 pictures ${opening.pictures.toFixed(0)} ms (scripts ${(opening.bundleBytes / 1024).toFixed(0)} KiB)`);
    }
    const phases: [string, (opening: Opening) => number][] = [
      ['document received', (o) => o.html],
      ['app.js received', (o) => o.appJs - o.html],
      ['bundle parse + run', (o) => o.script - o.appJs],
      ['start-up calls', (o) => o.startUp - o.script],
      ['socket open (from code run, in parallel)', (o) => o.socket - o.script],
      ['tiles in the page', (o) => o.tiles - o.startUp],
      ['views opened', (o) => o.views - Math.max(o.tiles, o.socket)],
      ['decoders → 9 pictures', (o) => o.pictures - o.views],
      ['TOTAL: all 9 pictures', (o) => o.pictures],
    ];
    say(`phases over ${OPENINGS} fresh browsers (ms, median / worst):`);
    for (const [name, of] of phases) {
      const values = openings.map(of);
      say(`  ${name.padEnd(42)} ${median(values).toFixed(0).padStart(6)} / ${Math.max(...values).toFixed(0).padStart(6)}`);
    }
    const out = path.join(repoRoot, 'test-results', 'bench');
    fs.mkdirSync(out, { recursive: true });
    fs.writeFileSync(path.join(out, 'open.txt'), `${lines.join('\n')}\n`);
  } finally {
    await core.stop();
    // Keep the generated demo clips for the next run (and the end-to-end tests), as they do.
    const media = path.join(dataDir, 'demo-media');
    if (fs.existsSync(media) && !fs.existsSync(path.join(cacheDir, 'demo-media'))) fs.cpSync(media, path.join(cacheDir, 'demo-media'), { recursive: true, filter: (source) => !source.endsWith('.tmp') });
    fs.rmSync(root, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
