/**
 * npm run bench:open — a fresh browser opening the console's address against a warm core: how
 * long until all nine pictures of the default 3x3 wall are drawn, and where that time goes.
 *
 * The core runs the demo site (31 cameras recording their sub streams, so the pulls are warm, as
 * on a station PC that has been running). Each opening launches a new headless Chromium (empty
 * cache, empty localStorage: the default 3x3 wall; only the signed-in officer's session cookie),
 * loads the printed address and records, from
 * the page's own clock (navigation start = 0):
 *   html        the document received
 *   bundle      app.js received → its code evaluated (parse + compile + top-level code)
 *   startUp     the start-up calls answered (session, site, cameras, stream status)
 *   socket      the live socket open (the client id known: tiles may open views)
 *   tiles       nine tiles in the page
 *   views       nine views opened by the core
 *   pictures    nine tiles drew a picture (the decoders started and a frame arrived)
 * Median and worst of several openings. Side by side, the floor: a bare page that only draws nine
 * tiles with WebGL2 at the wall's size, in the same kind of fresh Chromium (what software GL alone
 * costs here). Figures only; nothing is asserted.
 * Usage: npm run bench:open -- [openings=7]
 */
import fs from 'node:fs';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { chromiumPath } from '../tests/helpers/browser';
import { startConsoleProcess } from '../tests/helpers/consoleProcess';
import { cacheDir, repoRoot, tempDir } from '../tests/helpers/paths';
import { signInHttp } from '../tests/helpers/signIn';
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

/**
 * `sessionCookie`: the officer is signed in (issue 15: nothing shows before that); the fresh
 * browser carries only the session cookie, as a station PC's browser does after the log-in.
 */
async function openOnce(url: string, sessionCookie: string, timeoutMs = 60000): Promise<Opening> {
  const browser = await chromium.launch({
    executablePath: chromiumPath(),
    args: ['--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic', '--use-angle=swiftshader', '--enable-unsafe-swiftshader'],
  });
  try {
    const context = await browser.newContext({ viewport: { width: 1600, height: 900 } });
    const [name = '', ...value] = sessionCookie.split('=');
    await context.addCookies([{ name, value: value.join('='), url: new URL(url).origin }]);
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

/**
 * The floor of this machine: a page with nothing but what the wall's drawing needs — one WebGL2
 * canvas of the wall's size with the wall's context attributes, a YUV→RGB program, nine tiles'
 * three planes uploaded and drawn — opened in a fresh Chromium the same way. No console, no
 * network after the document: what software GL alone costs before nine pictures show.
 */
const BARE_WALL_PAGE = `<!doctype html><html><body style="margin:0"><script>
const W = 1322, H = 791, TW = 320, TH = 180;
const canvas = document.createElement('canvas');
canvas.width = W; canvas.height = H; canvas.style.width = W + 'px'; canvas.style.height = H + 'px';
document.body.append(canvas);
const gl = canvas.getContext('webgl2', { alpha: false, antialias: false, depth: false, stencil: false, preserveDrawingBuffer: true, desynchronized: true, powerPreference: 'high-performance' });
const shader = (type, source) => { const s = gl.createShader(type); gl.shaderSource(s, source); gl.compileShader(s); return s; };
const program = gl.createProgram();
gl.attachShader(program, shader(gl.VERTEX_SHADER, '#version 300 es\\nin vec2 position; out vec2 uv; void main() { uv = vec2((position.x + 1.0) * 0.5, 1.0 - (position.y + 1.0) * 0.5); gl_Position = vec4(position, 0.0, 1.0); }'));
gl.attachShader(program, shader(gl.FRAGMENT_SHADER, '#version 300 es\\nprecision mediump float; in vec2 uv; uniform sampler2D planeY; uniform sampler2D planeU; uniform sampler2D planeV; out vec4 color; void main() { float y = (texture(planeY, uv).r - 0.0627) * 1.1644; float u = texture(planeU, uv).r - 0.5; float v = texture(planeV, uv).r - 0.5; color = vec4(clamp(vec3(y + 1.596 * v, y - 0.3918 * u - 0.813 * v, y + 2.0172 * u), 0.0, 1.0), 1.0); }'));
gl.linkProgram(program);
if (!gl.getProgramParameter(program, gl.LINK_STATUS)) throw new Error(gl.getProgramInfoLog(program));
gl.useProgram(program);
const buffer = gl.createBuffer();
gl.bindBuffer(gl.ARRAY_BUFFER, buffer);
gl.bufferData(gl.ARRAY_BUFFER, new Float32Array([-1, -1, 1, -1, -1, 1, 1, 1]), gl.STATIC_DRAW);
const at = gl.getAttribLocation(program, 'position');
gl.enableVertexAttribArray(at); gl.vertexAttribPointer(at, 2, gl.FLOAT, false, 0, 0);
['planeY', 'planeU', 'planeV'].forEach((name, unit) => gl.uniform1i(gl.getUniformLocation(program, name), unit));
gl.pixelStorei(gl.UNPACK_ALIGNMENT, 1);
gl.enable(gl.SCISSOR_TEST);
for (let tile = 0; tile < 9; tile++) {
  const x = (tile % 3) * Math.floor(W / 3), y = Math.floor(tile / 3) * Math.floor(H / 3), w = Math.floor(W / 3), h = Math.floor(H / 3);
  [[TW, TH], [TW / 2, TH / 2], [TW / 2, TH / 2]].forEach(([pw, ph], unit) => {
    const data = new Uint8Array(pw * ph).map((_, i) => (i * (tile + 3) + unit * 40) & 255);
    const texture = gl.createTexture();
    gl.activeTexture(gl.TEXTURE0 + unit);
    gl.bindTexture(gl.TEXTURE_2D, texture);
    gl.texParameteri(gl.TEXTURE_2D, gl.TEXTURE_MIN_FILTER, gl.LINEAR);
    gl.texParameteri(gl.TEXTURE_2D, gl.TEXTURE_MAG_FILTER, gl.LINEAR);
    gl.texParameteri(gl.TEXTURE_2D, gl.TEXTURE_WRAP_S, gl.CLAMP_TO_EDGE);
    gl.texParameteri(gl.TEXTURE_2D, gl.TEXTURE_WRAP_T, gl.CLAMP_TO_EDGE);
    gl.texImage2D(gl.TEXTURE_2D, 0, gl.R8, pw, ph, 0, gl.RED, gl.UNSIGNED_BYTE, data);
  });
  gl.viewport(x, H - y - h, w, h); gl.scissor(x, H - y - h, w, h);
  gl.drawArrays(gl.TRIANGLE_STRIP, 0, 4);
}
requestAnimationFrame(() => { window.bareDrawn = performance.now(); });
</script></body></html>`;

/** The bare wall page (above) in a fresh Chromium: ms from navigation to nine tiles drawn. */
async function openBare(): Promise<number> {
  const browser = await chromium.launch({
    executablePath: chromiumPath(),
    args: ['--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic', '--use-angle=swiftshader', '--enable-unsafe-swiftshader'],
  });
  try {
    const page = await (await browser.newContext({ viewport: { width: 1600, height: 900 } })).newPage();
    await page.route('http://bare.invalid/', (route) => route.fulfill({ contentType: 'text/html', body: BARE_WALL_PAGE }));
    await page.goto('http://bare.invalid/');
    await page.waitForFunction(() => (window as unknown as { bareDrawn?: number }).bareDrawn !== undefined, undefined, { timeout: 60000, polling: 50 });
    return await page.evaluate(() => (window as unknown as { bareDrawn: number }).bareDrawn);
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
    const cookie = await signInHttp(core.url, core.token);
    const warm = await openOnce(core.url, cookie, 300000);
    say(`warm-up opening: all pictures at ${warm.pictures.toFixed(0)} ms`);
    const openings: Opening[] = [];
    const bare: number[] = [];
    for (let run = 0; run < OPENINGS; run++) {
      // side by side: the floor (bare WebGL wall page), then the console
      bare.push(await openBare());
      const opening = await openOnce(core.url, cookie);
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
    const total = median(openings.map((o) => o.pictures));
    say(`baseline, a bare WebGL page drawing nine tiles of the wall's size in the same fresh Chromium (no console): median ${median(bare).toFixed(0)} / worst ${Math.max(...bare).toFixed(0)} ms`);
    say(`the console's wall: ${total.toFixed(0)} ms median, ${(total / median(bare)).toFixed(2)}x the bare page; load average ${fs.readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')}`);
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
