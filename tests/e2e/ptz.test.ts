import fs from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CredentialStore } from '../../main/core/devices/credentials';
import { h264Clip } from '../helpers/ffmpeg';
import { RtspTestServer } from '../helpers/rtspServer';
import { OnvifSimulator } from '../helpers/onvifSim';
import { openConsole, type ConsoleUnderTest } from '../helpers/consoleUnderTest';
import { regionStats, screenshot, tileBoxes, type Box } from '../helpers/browser';
import { outputPath, tempDir } from '../helpers/paths';

// The PTZ operator's path in browser mode: a simulated ONVIF PTZ camera whose RTSP picture (a
// window over a large test picture, brighter to the right) follows its PTZ position. Press "pan
// right" in the UI, see the picture move; release, see it stop. Then the lock, follow mode and
// the devices page.
describe('PTZ and devices in Chromium against the ONVIF simulator', () => {
  let rtsp: RtspTestServer;
  let sim: OnvifSimulator;
  let spare: OnvifSimulator;
  let app: ConsoleUnderTest;
  let page: Page;
  let dir: string;

  beforeAll(async () => {
    dir = tempDir('e2e-ptz');
    const positionFile = path.join(dir, 'ptz-position.json');
    const clip = await h264Clip({ width: 320, height: 180, fps: 15, seconds: 2, gopFrames: 15 });
    rtsp = await RtspTestServer.start([
      { path: '/ptz', kind: 'ptz', width: 480, height: 270, fps: 15, positionFile },
      { path: '/east', clip },
      { path: '/west', clip },
      { path: '/spare', clip },
    ]);
    sim = await OnvifSimulator.start({ rtspMain: rtsp.url('/ptz'), positionFile, unitsPerSecond: 0.8 });
    spare = await OnvifSimulator.start({ rtspMain: rtsp.url('/spare'), discoveryPort: 0, name: 'Camera chợ mới', manufacturer: 'KBVision', model: 'KX-2308' });
    const dataDir = path.join(dir, 'data');
    new CredentialStore(dataDir).put('camera:ptz-1', { username: 'admin', password: 'Khe@2026' });
    const sitePath = path.join(dir, 'site.json');
    fs.writeFileSync(
      sitePath,
      JSON.stringify({
        schemaVersion: 1,
        name: 'Đông Khê',
        cameras: [
          { id: 'ptz-1', name: 'QL47 – Ngã ba (PTZ)', village: 'Thôn Khê Thượng', ptz: true, latitude: 19.95, longitude: 105.5, headingDeg: 90, onvif: { address: sim.deviceUrl, credentialsRef: 'camera:ptz-1' }, streams: { main: rtsp.url('/ptz') } },
          { id: 'east', name: 'QL47 – Cầu Khê', village: 'Thôn Trung Thành', latitude: 19.95, longitude: 105.506, streams: { main: rtsp.url('/east') } },
          { id: 'west', name: 'Chợ Đông Khê', village: 'Thôn Hòa Bình', latitude: 19.9502, longitude: 105.497, streams: { main: rtsp.url('/west') } },
        ],
      }),
    );
    app = await openConsole(['--site', sitePath, '--data', dataDir, '--port', '0'], { width: 1400, height: 820 });
    page = app.page;
    // a loaded machine (2 cores, other suites running) can take a while to show the first page
    await page.waitForSelector('[data-layout="grid-4"]', { timeout: 90000 });
    await page.click('[data-layout="grid-4"]');
  });

  afterAll(async () => {
    await app?.close();
    await sim?.close();
    await spare?.close();
    await rtsp?.close();
  });

  async function ptzBox(): Promise<Box> {
    const tile = (await tileBoxes(page)).find((entry) => entry.cameraId === 'ptz-1');
    if (!tile) throw new Error('no PTZ tile');
    return tile.box;
  }

  /** Mean luma of the picture's middle band (above the pad, which sits bottom-left). */
  async function brightness(file?: string): Promise<number> {
    const box = await ptzBox();
    const shot = await screenshot(page, file);
    return regionStats(shot, { x: box.x + box.width * 0.45, y: box.y + box.height * 0.15, width: box.width * 0.5, height: box.height * 0.4 }, 0).meanLuma;
  }

  it('shows the pad on the selected PTZ tile; holding "pan right" moves the picture, releasing stops it', async () => {
    const tile = page.locator('[data-testid=tile][data-camera-id="ptz-1"]');
    await expect.poll(() => tile.getAttribute('data-state'), { timeout: 30000, interval: 500 }).toBe('live');
    await tile.click({ position: { x: 200, y: 40 } });
    const right = page.locator('[data-testid=ptz-pad] [data-ptz=right]');
    await right.waitFor({ timeout: 15000 });
    await page.waitForTimeout(1500);
    const before = await brightness(outputPath('e2e', 'ptz-before.png'));
    const start = sim.position().pan;

    const movesBefore = sim.actions('ContinuousMove').length;
    await right.hover();
    await page.mouse.down();
    await expect.poll(() => sim.actions('ContinuousMove').length, { timeout: 3000, interval: 50 }).toBeGreaterThan(movesBefore);
    await page.waitForTimeout(1500);
    expect(sim.position().moving).toBe(true);
    const stopsBefore = sim.actions('Stop').length;
    await page.mouse.up();
    await expect.poll(() => sim.actions('Stop').length, { timeout: 3000, interval: 50 }).toBeGreaterThan(stopsBefore);
    const stopped = sim.position();
    expect(stopped.moving).toBe(false);
    expect(stopped.pan).toBeGreaterThan(start + 0.3);

    // the picture follows: brighter (the test picture brightens to the right), then still
    await expect.poll(() => brightness(), { timeout: 8000, interval: 400 }).toBeGreaterThan(before + 8);
    await page.waitForTimeout(1200);
    const settled = await brightness(outputPath('e2e', 'ptz-after-pan-right.png'));
    await page.waitForTimeout(1500);
    const later = await brightness();
    expect(Math.abs(later - settled)).toBeLessThan(3);
    expect(sim.position().pan).toBe(stopped.pan);
  });

  it('drives the camera with the arrow keys and stops on key-up and on window blur', async () => {
    const start = sim.position().pan;
    const stopsBefore = sim.actions('Stop').length;
    await page.keyboard.down('ArrowLeft');
    await page.waitForTimeout(800);
    await page.keyboard.up('ArrowLeft');
    await expect.poll(() => sim.actions('Stop').length, { timeout: 3000, interval: 50 }).toBeGreaterThan(stopsBefore);
    expect(sim.position().pan).toBeLessThan(start - 0.1);

    const stopsAfterKey = sim.actions('Stop').length;
    await page.keyboard.down('ArrowUp');
    await expect.poll(() => sim.position().moving, { timeout: 3000, interval: 50 }).toBe(true);
    await page.evaluate(() => window.dispatchEvent(new Event('blur')));
    await expect.poll(() => sim.actions('Stop').length, { timeout: 3000, interval: 50 }).toBeGreaterThan(stopsAfterKey);
    expect(sim.position().moving).toBe(false);
    await page.keyboard.up('ArrowUp');
  });

  it('goes to presets from the list and with the number keys', async () => {
    await page.click('[data-testid=ptz-pad] [data-action=ptz-presets]');
    const list = page.locator('[data-testid=ptz-presets] li');
    await expect.poll(() => list.count(), { timeout: 5000 }).toBe(2);
    await expect.poll(() => page.locator('[data-testid=ptz-presets]').textContent()).toContain('Cổng chợ');
    await page.keyboard.press('2');
    await expect.poll(() => sim.position().pan, { timeout: 3000 }).toBe(0.5);
    await list.nth(0).locator('.ptz-preset-go').click();
    await expect.poll(() => sim.position().pan, { timeout: 3000 }).toBe(-0.5);
    await screenshot(page, outputPath('e2e', 'ptz-pad-presets.png'));
    await page.click('[data-testid=ptz-pad] [data-action=ptz-presets]');
  });

  it('lets one window control the camera at a time; the other sees who holds it', async () => {
    // window 1 holds the camera since its last move; a second tab of the same console:
    const second = await page.context().newPage();
    try {
      // same browser profile: the same wall arrangement (kept in localStorage)
      await second.goto(new URL(page.url()).origin + '/');
      const tile = second.locator('[data-testid=tile][data-camera-id="ptz-1"]');
      await tile.waitFor({ timeout: 60000 });
      await tile.click({ position: { x: 200, y: 40 } });
      const right = second.locator('[data-testid=ptz-pad] [data-ptz=right]');
      await right.waitFor({ timeout: 15000 });
      await expect.poll(() => second.locator('[data-testid=ptz-holder]').textContent(), { timeout: 5000 }).toContain('Đang do Đại úy Kiểm Thử Tự Động');
      expect(await right.isDisabled()).toBe(true);
      await second.screenshot({ path: outputPath('e2e', 'ptz-held-by-other.png') });
    } finally {
      await second.close();
    }
  });

  it('follow mode: the big tile with the pad and the neighbours; N hands it over', async () => {
    await page.click('[data-testid=ptz-pad] [data-action=ptz-follow]');
    const strip = page.locator('[data-testid=follow-strip]');
    await strip.waitFor({ timeout: 10000 });
    await expect.poll(() => strip.locator('[data-neighbour-id]').count()).toBe(2);
    // heading east: the camera east of it is first (N), the one west comes after
    expect(await strip.locator('[data-neighbour-id]').first().getAttribute('data-neighbour-id')).toBe('east');
    await page.waitForTimeout(1500);
    await screenshot(page, outputPath('e2e', 'ptz-follow-mode.png'));
    const big = page.locator('[data-testid=tile]').first();
    await page.keyboard.press('n');
    await expect.poll(async () => (await tileBoxes(page)).map((entry) => entry.cameraId), { timeout: 5000 }).toContain('east');
    await expect.poll(() => big.getAttribute('data-camera-id')).toBe('east');
    await strip.waitFor({ timeout: 10000 });
    // from the handed-over camera, back to the PTZ one with a click
    await strip.locator('[data-neighbour-id="ptz-1"]').click();
    await expect.poll(() => big.getAttribute('data-camera-id')).toBe('ptz-1');
    await page.click('[data-testid=ptz-pad] [data-action=ptz-follow]');
  });

  it('devices page: scan, wrong password in Vietnamese, add ONVIF; add by RTSP URL after a test picture', async () => {
    await page.click('[data-page=devices]');
    await page.locator('[data-testid=devices-page]').waitFor();
    await page.fill('[data-field=scan-targets]', `127.0.0.1:${spare.discoveryPort}`);
    await page.click('[data-action=scan]');
    const results = page.locator('[data-testid=scan-results] li');
    await expect.poll(() => results.count(), { timeout: 10000 }).toBe(1);
    expect(await results.first().textContent()).toContain('Camera chợ mới');
    await results.first().locator('button').click();
    expect(await page.inputValue('[data-field=onvif-address]')).toBe(spare.address);

    await page.fill('[data-field=onvif-password]', 'sai-mat-khau');
    await page.click('[data-action=onvif-probe]');
    const problem = page.locator('[data-testid=onvif-section] [data-testid=device-problem]');
    await expect.poll(() => problem.textContent(), { timeout: 10000 }).toContain('Sai tên đăng nhập hoặc mật khẩu');
    await page.fill('[data-field=onvif-password]', 'Khe@2026');
    await page.click('[data-action=onvif-probe]');
    await expect.poll(() => page.locator('[data-testid=onvif-probe-result]').textContent(), { timeout: 10000 }).toContain('KBVision KX-2308');
    await page.fill('[data-field=onvif-name]', 'Chợ mới');
    await page.click('[data-action=onvif-add]');
    await expect.poll(() => page.locator('[data-testid=device-list] tr[data-camera-id="cho-moi"]').count(), { timeout: 10000 }).toBe(1);

    await page.fill('[data-field=rtsp-name]', 'Trường THCS – Cổng');
    await page.fill('[data-field=rtsp-main]', rtsp.url('/west').replace('/west', '/does-not-exist'));
    await page.click('[data-action=rtsp-test]');
    await expect.poll(() => page.locator('[data-testid=rtsp-section] [data-testid=device-problem]').count(), { timeout: 20000 }).toBe(1);
    await page.fill('[data-field=rtsp-main]', rtsp.url('/spare').replace('/spare', '/spare/'));
    await page.click('[data-action=rtsp-test]');
    const picture = page.locator('[data-testid=rtsp-test-picture]');
    await picture.waitFor({ timeout: 20000 });
    expect(await picture.evaluate((image: HTMLImageElement) => image.naturalWidth)).toBeGreaterThan(100);
    await page.click('[data-action=rtsp-add]');
    await expect.poll(() => page.locator('[data-testid=device-list] tr[data-camera-id="truong-thcs-cong"]').count(), { timeout: 10000 }).toBe(1);
    await screenshot(page, outputPath('e2e', 'ptz-devices-page.png'));
    // the new cameras reached the wall's camera list
    await page.click('[data-page=wall]');
    await expect.poll(() => page.locator('body').textContent(), { timeout: 10000 }).toContain('Trường THCS – Cổng');
  });

  it('stops the camera when the window holding a key goes away (lost connection)', async () => {
    // the first window lets go: leaving the wall closes its pad, which frees the camera
    await page.click('[data-page=devices]');
    await expect.poll(() => page.locator('[data-testid=ptz-pad]').count()).toBe(0);
    const third = await page.context().newPage();
    await third.goto(new URL(page.url()).origin + '/');
    const tile = third.locator('[data-testid=tile][data-camera-id="ptz-1"]');
    await tile.waitFor({ timeout: 60000 });
    await tile.click({ position: { x: 200, y: 40 } });
    const right = third.locator('[data-testid=ptz-pad] [data-ptz=right]');
    await right.waitFor({ timeout: 15000 });
    await expect.poll(() => right.isDisabled(), { timeout: 5000 }).toBe(false);
    const stopsBefore = sim.actions('Stop').length;
    await right.hover();
    await third.mouse.down();
    await expect.poll(() => sim.position().moving, { timeout: 5000, interval: 50 }).toBe(true);
    // the tab's renderer dies: no key-up, no blur handler, no goodbye; the core must stop it
    const cdp = await third.context().newCDPSession(third);
    void cdp.send('Page.crash').catch(() => undefined);
    await expect.poll(() => sim.actions('Stop').length, { timeout: 5000, interval: 100 }).toBeGreaterThan(stopsBefore);
    expect(sim.position().moving).toBe(false);
    await third.close().catch(() => undefined);
  });
});
