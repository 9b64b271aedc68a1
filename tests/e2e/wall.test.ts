import fs from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { h264Clip } from '../helpers/ffmpeg';
import { RtspTestServer } from '../helpers/rtspServer';
import { openConsole, type ConsoleUnderTest } from '../helpers/consoleUnderTest';
import { regionChange, regionStats, screenshot, tileBoxes } from '../helpers/browser';
import { outputPath, tempDir } from '../helpers/paths';

// The whole console as it ships in browser mode: the built core started like `npm run serve`,
// a real RTSP server for cameras, and Debian's Chromium showing the wall.
describe('the live wall in Chromium against a real RTSP server', () => {
  let rtsp: RtspTestServer;
  let app: ConsoleUnderTest;
  let page: Page;

  beforeAll(async () => {
    const clip = await h264Clip({ width: 640, height: 360, fps: 15, seconds: 4, gopFrames: 15 });
    rtsp = await RtspTestServer.start([1, 2, 3, 4].map((n) => ({ path: `/cam${n}`, clip })));
    const dir = tempDir('e2e-wall');
    const sitePath = path.join(dir, 'site.json');
    fs.writeFileSync(
      sitePath,
      JSON.stringify({
        schemaVersion: 1,
        name: 'Đông Khê',
        cameras: [
          { id: 'cam-1', name: 'QL47 – Cầu Khê', village: 'Thôn Khê Thượng', streams: { main: rtsp.url('/cam1') } },
          { id: 'cam-2', name: 'Chợ Đông Khê – Cổng chính', village: 'Thôn Trung Thành', streams: { main: rtsp.url('/cam2') } },
          { id: 'cam-3', name: 'Trường THCS – Cổng trường', village: 'Thôn Hòa Bình', streams: { main: rtsp.url('/cam3') } },
          { id: 'cam-4', name: 'UBND xã – Sân trước', village: 'Thôn Trung Thành', streams: { main: rtsp.url('/cam4') } },
        ],
      }),
    );
    app = await openConsole(['--site', sitePath, '--data', path.join(dir, 'data'), '--port', '0'], { width: 1280, height: 760 });
    page = app.page;
    await page.click('[data-layout="grid-4"]');
  });

  afterAll(async () => {
    await app?.close();
    await rtsp?.close();
  });

  async function states(): Promise<string[]> {
    return (await tileBoxes(page)).map((tile) => tile.state);
  }

  it('drops the token from the address bar once the page is open', () => {
    if (app.host === 'browser') expect(page.url()).not.toContain('token=');
    else expect(page.url()).toBe('app://console/index.html');
  });

  it('shows every camera live: pictures that are not black and that move', async () => {
    await expect.poll(states, { timeout: 30000, interval: 500 }).toEqual(['live', 'live', 'live', 'live']);
    await page.waitForTimeout(1500);
    const boxes = await tileBoxes(page);
    const first = await screenshot(page);
    await page.waitForTimeout(1500);
    const second = await screenshot(page, outputPath('e2e', 'wall-2x2.png'));
    for (const tile of boxes) {
      expect(regionStats(second, tile.box).meanLuma, `${tile.cameraId} not black`).toBeGreaterThan(40);
      expect(regionStats(second, tile.box).spread, `${tile.cameraId} has a picture`).toBeGreaterThan(20);
      expect(regionChange(first, second, tile.box), `${tile.cameraId} moves`).toBeGreaterThan(0.02);
    }
    await expect.poll(() => page.locator('[data-testid=tile][data-camera-id="cam-2"]').textContent()).toContain('Trực tiếp');
    await expect.poll(() => page.locator('[data-testid=tile][data-camera-id="cam-2"]').textContent()).toContain('Chợ Đông Khê – Cổng chính');
  });

  it('marks a dead camera "Mất kết nối", keeps the others live, and recovers by itself', async () => {
    const tile3 = page.locator('[data-testid=tile][data-camera-id="cam-3"]');
    await rtsp.stopMount('/cam3');
    await expect.poll(() => tile3.getAttribute('data-state'), { timeout: 5000 }).toBe('offline');
    await expect.poll(() => tile3.textContent()).toContain('Mất kết nối');
    expect((await states()).filter((state) => state === 'live')).toHaveLength(3);

    const boxes = await tileBoxes(page);
    const a = await screenshot(page);
    await page.waitForTimeout(1200);
    const b = await screenshot(page, outputPath('e2e', 'wall-2x2-camera-offline.png'));
    for (const tile of boxes.filter((entry) => entry.cameraId !== 'cam-3')) expect(regionChange(a, b, tile.box)).toBeGreaterThan(0.02);
    // the dead camera keeps its last picture, greyed, and it no longer moves
    const dead = boxes.find((entry) => entry.cameraId === 'cam-3')!;
    expect(regionChange(a, b, dead.box)).toBeLessThan(0.01);

    await rtsp.startMount('/cam3');
    await expect.poll(() => tile3.getAttribute('data-state'), { timeout: 10000 }).toBe('live');
    await page.waitForTimeout(1500);
    const c = await screenshot(page);
    await page.waitForTimeout(1000);
    const d = await screenshot(page);
    expect(regionChange(c, d, dead.box)).toBeGreaterThan(0.02);
  });

  it.skipIf(process.env.CONSOLE_E2E_HOST === 'electron')('shares one RTSP session per camera stream with a second tab', async () => {
    const before = await rtsp.sessions();
    const second = await page.context().newPage();
    await second.goto(`${app.process!.baseUrl}/?screen=2`);
    await second.click('[data-layout="grid-4"]');
    await expect.poll(async () => (await tileBoxes(second)).filter((tile) => tile.state === 'live').length, { timeout: 30000 }).toBe(4);
    await expect.poll(async () => (await second.$$('[data-testid=tile][data-picture=yes]')).length, { timeout: 30000 }).toBe(4);
    // both tabs show the four cameras, and the cameras saw no new session
    expect((await tileBoxes(page)).filter((tile) => tile.state === 'live')).toHaveLength(4);
    expect(await rtsp.sessions()).toEqual(before);
    await second.close();
  });

  it('speaks English when asked, and Vietnamese again', async () => {
    await page.getByRole('button', { name: 'EN', exact: true }).click();
    await expect.poll(() => page.locator('[data-testid=tile][data-camera-id="cam-1"]').textContent()).toContain('Live');
    await expect.poll(() => page.locator('header').textContent()).toContain('Monitoring');
    await expect.poll(() => page.locator('header').textContent()).toContain('commune police');
    await page.getByRole('button', { name: 'VI', exact: true }).click();
    await expect.poll(() => page.locator('header').textContent()).toContain('Công an xã Đông Khê');
  });
});
