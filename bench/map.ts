/**
 * npm run bench:map — the commune map on the demo site (31 cameras, live pins) in Chromium.
 * Prints:
 *   - time from clicking "Bản đồ" to the map loaded, to all 31 pins placed, and to every source
 *     loaded (everything drawn), median of several openings;
 *   - frames per second while panning continuously with 31 live pins (map render events and
 *     page animation frames), and the WebGL renderer (SwiftShader here: software GL).
 * Figures only; nothing is asserted. Usage: npm run bench:map -- [pan seconds]
 */
import path from 'node:path';
import { openConsole } from '../tests/helpers/consoleUnderTest';
import { tempDir } from '../tests/helpers/paths';
import { machine, median } from './proc';

const panSeconds = Number(process.argv[2] ?? 8);
const OPENINGS = 5;

interface OpenTimes {
  loadedMs: number;
  pinsMs: number;
  idleMs: number;
}

async function main(): Promise<void> {
  const app = await openConsole(['--data', path.join(tempDir('bench-map'), 'data'), '--port', '0'], { width: 1600, height: 900 });
  const page = app.page;
  console.log(`machine: ${machine()}`);
  await page.waitForSelector('[data-page="map"]', { timeout: 120000 });
  // Let the demo's pulls come up so the pins are live (green), as on a station PC.
  await page.waitForFunction(() => document.querySelectorAll('.camera-dot-live').length >= 25, undefined, { timeout: 120000, polling: 500 });

  const times: OpenTimes[] = [];
  for (let run = 0; run < OPENINGS; run++) {
    await page.click('[data-page="wall"]');
    await page.waitForTimeout(1500);
    const measured = await page.evaluate(
      () =>
        new Promise<OpenTimes>((resolve) => {
          const holder = window as unknown as { consoleMap?: { loaded(): boolean } };
          holder.consoleMap = undefined;
          const started = performance.now();
          const result: Partial<OpenTimes> = {};
          const check = (): void => {
            const frame = document.querySelector<HTMLElement>('[data-testid=commune-map]');
            if (frame?.dataset.loaded === 'yes' && result.loadedMs === undefined) result.loadedMs = performance.now() - started;
            if (document.querySelectorAll('[data-testid=map-pin]').length >= 31 && result.pinsMs === undefined) result.pinsMs = performance.now() - started;
            // loaded(): style and every source done, nothing left to fetch or lay out.
            if (result.loadedMs !== undefined && result.idleMs === undefined && holder.consoleMap?.loaded()) result.idleMs = performance.now() - started;
            if (result.loadedMs !== undefined && result.pinsMs !== undefined && result.idleMs !== undefined) resolve(result as OpenTimes);
            else if (performance.now() - started > 60000) resolve({ loadedMs: result.loadedMs ?? NaN, pinsMs: result.pinsMs ?? NaN, idleMs: result.idleMs ?? NaN });
            else requestAnimationFrame(check);
          };
          document.querySelector<HTMLButtonElement>('[data-page="map"]')?.click();
          requestAnimationFrame(check);
        }),
    );
    times.push(measured);
  }
  const renderer = await page.evaluate(() => {
    const gl = document.createElement('canvas').getContext('webgl2');
    const debug = gl?.getExtension('WEBGL_debug_renderer_info');
    return gl ? String(debug ? gl.getParameter(debug.UNMASKED_RENDERER_WEBGL) : gl.getParameter(gl.RENDERER)) : 'none';
  });
  const livePins = await page.locator('[data-testid=map-pin][data-state=live]').count();

  const pan = await page.evaluate(
    (seconds) =>
      new Promise<{ renders: number; animationFrames: number; seconds: number }>((resolve) => {
        const map = (window as unknown as { consoleMap: { on(event: string, listener: () => void): void; off(event: string, listener: () => void): void; panBy(offset: [number, number], options: { duration: number }): void } }).consoleMap;
        let renders = 0;
        let animationFrames = 0;
        const onRender = (): void => {
          renders++;
        };
        map.on('render', onRender);
        const started = performance.now();
        let step = 0;
        const tick = (): void => {
          animationFrames++;
          step++;
          // A slow circle: every frame moves the map a few pixels, like a dragging hand.
          map.panBy([Math.cos(step / 30) * 6, Math.sin(step / 30) * 6], { duration: 0 });
          if (performance.now() - started < seconds * 1000) requestAnimationFrame(tick);
          else {
            map.off('render', onRender);
            resolve({ renders, animationFrames, seconds: (performance.now() - started) / 1000 });
          }
        };
        requestAnimationFrame(tick);
      }),
    panSeconds,
  );

  const ms = (values: number[]): string => `${Math.round(median(values))} ms (min ${Math.round(Math.min(...values))}, max ${Math.round(Math.max(...values))})`;
  console.log(`renderer: ${renderer}`);
  console.log(`opening the map (${OPENINGS} times, page already loaded, 31 pins, ${livePins} live):`);
  console.log(`  map loaded (style + built-in GeoJSON):  ${ms(times.map((time) => time.loadedMs))}`);
  console.log(`  all 31 pins placed:                     ${ms(times.map((time) => time.pinsMs))}`);
  console.log(`  every source loaded (all drawn):        ${ms(times.map((time) => time.idleMs))}`);
  console.log(`panning ${pan.seconds.toFixed(1)} s with 31 live pins, 1600x900 window:`);
  console.log(`  map frames drawn: ${(pan.renders / pan.seconds).toFixed(1)} fps; page animation frames: ${(pan.animationFrames / pan.seconds).toFixed(1)} fps`);
  await app.close();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
