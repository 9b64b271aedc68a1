import fs from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openConsole, type ConsoleUnderTest } from '../helpers/consoleUnderTest';
import { regionStats, screenshot, tileBoxes } from '../helpers/browser';
import { LiveConsumer } from '../helpers/liveConsumer';
import { outputPath, tempDir } from '../helpers/paths';

// The duty officer's wall on the demo site (every camera has a main 1280x720 and a sub 640x360
// stream): layouts, drag and drop, maximize on the main stream, snapshots, tours, named views,
// hidden tabs and a second screen.
describe('wall tools', () => {
  let app: ConsoleUnderTest;
  let page: Page;
  let dataDir: string;

  beforeAll(async () => {
    dataDir = path.join(tempDir('e2e-tools'), 'data');
    app = await openConsole(['--data', dataDir, '--port', '0'], { width: 1600, height: 900 });
    page = app.page;
  });

  afterAll(async () => {
    await app?.close();
  });

  const tile = (index: number) => page.locator(`[data-testid=tile][data-index="${index}"]`);
  const liveCount = async () => (await tileBoxes(page)).filter((entry) => entry.state === 'live').length;

  it('shows all 31 cameras on a 36-tile wall', async () => {
    await page.click('[data-layout="grid-36"]');
    await expect.poll(liveCount, { timeout: 120000, interval: 1000 }).toBe(31);
    const tiles = await tileBoxes(page);
    expect(tiles).toHaveLength(36);
    expect(tiles.filter((entry) => entry.state === 'empty')).toHaveLength(5);
    await expect.poll(async () => (await page.$$('[data-testid=tile][data-picture=yes]')).length, { timeout: 60000, interval: 1000 }).toBe(31);
    await page.waitForTimeout(1500);
    await screenshot(page, outputPath('e2e', 'wall-36.png'));
  });

  it('puts the big tile of 1+7 on the main stream, the small ones on the sub stream', async () => {
    await page.click('[data-layout="big-1+7"]');
    await expect.poll(() => tile(0).getAttribute('data-stream'), { timeout: 30000 }).toBe('main');
    await expect.poll(async () => (await page.$$('[data-testid=tile][data-stream=sub][data-picture=yes]')).length, { timeout: 30000 }).toBe(7);
    await page.waitForTimeout(1500);
    await screenshot(page, outputPath('e2e', 'wall-1+7.png'));
  });

  it('maximizes a tile on the main stream without a black frame, and restores it to the sub stream', async () => {
    await page.click('[data-layout="grid-9"]');
    await expect.poll(liveCount, { timeout: 60000, interval: 500 }).toBe(9);
    await expect.poll(() => tile(4).getAttribute('data-stream'), { timeout: 20000 }).toBe('sub');
    await expect.poll(() => tile(4).getAttribute('data-picture'), { timeout: 20000 }).toBe('yes');
    await tile(4).dblclick({ position: { x: 200, y: 120 } });
    // from the double-click until the main stream shows, the tile is never black
    const darkest: number[] = [];
    for (let sample = 0; sample < 12; sample++) {
      const [box] = (await tileBoxes(page)).filter((entry) => entry.cameraId === 'dk-05');
      if (box) darkest.push(regionStats(await screenshot(page), box.box).meanLuma);
      await page.waitForTimeout(150);
    }
    expect(Math.min(...darkest)).toBeGreaterThan(40);
    await expect.poll(() => tile(4).getAttribute('data-stream'), { timeout: 20000 }).toBe('main');
    expect(await page.$$('[data-testid=tile]')).toHaveLength(1);
    await page.waitForTimeout(1500);
    await screenshot(page, outputPath('e2e', 'wall-maximized-main.png'));
    await tile(4).dblclick({ position: { x: 300, y: 300 } });
    await expect.poll(async () => (await page.$$('[data-testid=tile]')).length).toBe(9);
    await expect.poll(() => tile(4).getAttribute('data-stream'), { timeout: 20000 }).toBe('sub');
    // regression: a double-click on the header selected its text, and Escape did not restore
    await tile(4).locator('.tile-name').dblclick();
    await expect.poll(async () => (await page.$$('[data-testid=tile]')).length).toBe(1);
    expect(await page.evaluate(() => window.getSelection()?.toString() ?? '')).toBe('');
    await page.keyboard.press('Escape');
    await expect.poll(async () => (await page.$$('[data-testid=tile]')).length).toBe(9);
  });

  it('places a camera dragged from the list, and swaps tiles dragged by their name', async () => {
    await page.dragAndDrop('.camera-item[data-camera-id="dk-20"]', '[data-testid=tile][data-index="0"]');
    await expect.poll(() => tile(0).getAttribute('data-camera-id')).toBe('dk-20');
    await expect.poll(() => tile(0).getAttribute('data-state'), { timeout: 20000 }).toBe('live');
    await page.dragAndDrop('[data-testid=tile][data-index="0"] .tile-name', '[data-testid=tile][data-index="2"]');
    await expect.poll(() => tile(2).getAttribute('data-camera-id')).toBe('dk-20');
    await expect.poll(() => tile(0).getAttribute('data-camera-id')).toBe('dk-03');
  });

  it('saves a snapshot named by camera and time in the data folder', async () => {
    await tile(1).hover();
    await tile(1).locator('[data-action=snapshot]').click();
    await expect.poll(() => page.locator('.toast').first().textContent(), { timeout: 20000 }).toMatch(/Đã lưu ảnh dk-02_\d{4}-\d{2}-\d{2}_\d{2}-\d{2}-\d{2}\.png/);
    const files = fs.readdirSync(path.join(dataDir, 'snapshots'));
    expect(files.some((file) => /^dk-02_.*\.png$/.test(file))).toBe(true);
    const png = fs.readFileSync(path.join(dataDir, 'snapshots', files.find((file) => file.startsWith('dk-02_'))!));
    expect(png.subarray(1, 4).toString()).toBe('PNG');
    // the sub stream's own resolution, not the tile's
    expect(png.readUInt32BE(16)).toBe(640);
    expect(png.readUInt32BE(20)).toBe(360);
  });

  it('cycles a tour of two cameras in one tile', async () => {
    await tile(8).hover();
    await tile(8).getByRole('button', { name: 'Tuần tra trong ô này' }).click();
    await page.getByRole('button', { name: 'Bỏ chọn tất cả' }).click();
    await page.check('.checklist input[data-camera-id="dk-30"]');
    await page.check('.checklist input[data-camera-id="dk-31"]');
    await page.selectOption('[data-testid=tour-interval]', '5');
    await page.click('[data-testid=tour-start]');
    await expect.poll(() => tile(8).getAttribute('data-camera-id')).toBe('dk-30');
    await expect.poll(() => tile(8).textContent()).toContain('Tuần tra 5 giây');
    await expect.poll(() => tile(8).getAttribute('data-camera-id'), { timeout: 9000, interval: 250 }).toBe('dk-31');
    await expect.poll(() => tile(8).getAttribute('data-state'), { timeout: 10000 }).toBe('live');
    await expect.poll(() => tile(8).getAttribute('data-camera-id'), { timeout: 9000, interval: 250 }).toBe('dk-30');
    // dropping a camera on the tile ends its tour
    await page.dragAndDrop('.camera-item[data-camera-id="dk-09"]', '[data-testid=tile][data-index="8"]');
    await expect.poll(() => tile(8).textContent()).not.toContain('Tuần tra 5 giây');
  });

  it('saves a named view and restores it', async () => {
    await page.click('[data-testid=views-menu]');
    await page.getByRole('menuitem', { name: 'Lưu khung nhìn hiện tại…' }).click();
    await page.fill('[data-testid=view-name]', 'Trục QL47');
    await page.click('[data-testid=view-save]');
    await expect.poll(() => page.locator('.toast').last().textContent()).toContain('Đã lưu khung nhìn "Trục QL47"');
    await page.click('[data-layout="grid-4"]');
    expect(await page.$$('[data-testid=tile]')).toHaveLength(4);
    await page.click('[data-testid=views-menu]');
    await page.click('[data-view-name="Trục QL47"]');
    await expect.poll(async () => (await page.$$('[data-testid=tile]')).length).toBe(9);
    await expect.poll(() => tile(2).getAttribute('data-camera-id')).toBe('dk-20');
    const saved = JSON.parse(fs.readFileSync(path.join(dataDir, 'views.json'), 'utf8')) as { views: { name: string }[] };
    expect(saved.views.map((view) => view.name)).toEqual(['Trục QL47']);
  });

  it.skipIf(process.env.CONSOLE_E2E_HOST === 'electron')('stops decoding in a hidden tab, and a second tab shares the camera sessions', async () => {
    const core = await LiveConsumer.connect(app.process!.url, app.process!.token);
    const views = async () => {
      const stats = await core.call('getLiveStats', {});
      return stats.ok ? stats.value.views.length : -1;
    };
    await expect.poll(views, { timeout: 20000 }).toBe(9);
    await page.evaluate(() => {
      Object.defineProperty(document, 'visibilityState', { value: 'hidden', configurable: true });
      document.dispatchEvent(new Event('visibilitychange'));
    });
    await expect.poll(views, { timeout: 10000 }).toBe(0);
    await page.evaluate(() => {
      Object.defineProperty(document, 'visibilityState', { value: 'visible', configurable: true });
      document.dispatchEvent(new Event('visibilitychange'));
    });
    await expect.poll(views, { timeout: 10000 }).toBe(9);

    const second = await page.context().newPage();
    await second.setViewportSize({ width: 1280, height: 720 });
    await second.goto(`${app.process!.baseUrl}/?screen=2`);
    await expect.poll(async () => (await tileBoxes(second)).filter((entry) => entry.state === 'live').length, { timeout: 60000 }).toBe(9);
    expect(await second.locator('header').textContent()).toContain('Màn hình 2');
    const stats = await core.call('getLiveStats', {});
    expect(stats.ok).toBe(true);
    if (stats.ok) {
      expect(stats.value.views.length).toBe(18);
      // one pull per camera stream, whatever the number of windows
      const keys = stats.value.streams.map((stream) => `${stream.cameraId}/${stream.stream}`);
      expect(new Set(keys).size).toBe(keys.length);
    }
    await second.close();
    await core.close();
  });
});
