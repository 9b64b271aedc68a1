import fs from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { distanceM } from '../../common/geo';
import { formatDateTime } from '../../common/time';
import { formatLocalDateTime, parseLocalDateTime } from '../../renderer/export/exportTime';
import { openConsole, type ConsoleUnderTest } from '../helpers/consoleUnderTest';
import { screenshot } from '../helpers/browser';
import { outputPath, repoRoot, tempDir } from '../helpers/paths';

const TIME_ZONE = 'Asia/Ho_Chi_Minh';
const MIN = 60_000;

interface SiteCamera {
  id: string;
  name: string;
  latitude?: number;
  longitude?: number;
}

/** The ids of the cameras ticked on the export page. */
async function checkedCameras(page: Page): Promise<string[]> {
  return page.$$eval('[data-testid=export-page] input[data-camera]', (inputs) => (inputs as HTMLInputElement[]).filter((input) => input.checked).map((input) => input.dataset.camera ?? '').sort());
}

async function exportTimes(page: Page): Promise<{ from: string; to: string }> {
  return { from: await page.inputValue('[data-testid=export-from]'), to: await page.inputValue('[data-testid=export-to]') };
}

async function openPlayback(page: Page): Promise<void> {
  await page.click('[data-page="playback"]');
  await page.waitForSelector('[data-testid=playback-page]');
}

// The ways into the export page from where an officer works: "Trích xuất đoạn này" on playback,
// "Trích xuất" on a bookmark, a right-click on the map. The demo site's 31 cameras and positions,
// with streams nobody answers and recording off: the page's prefill is what is tested, not footage.
describe('export entry points in Chromium', () => {
  let app: ConsoleUnderTest;
  let page: Page;
  let cameras: SiteCamera[];
  const dir = tempDir('e2e-export-entry');

  beforeAll(async () => {
    const demo = JSON.parse(fs.readFileSync(path.join(repoRoot, 'resources', 'demo-site.json'), 'utf8')) as { name: string; timeZone: string; cameras: (SiteCamera & Record<string, unknown>)[] };
    cameras = demo.cameras;
    const sitePath = path.join(dir, 'site.json');
    fs.writeFileSync(
      sitePath,
      JSON.stringify({
        schemaVersion: 1,
        name: demo.name,
        timeZone: demo.timeZone,
        cameras: demo.cameras.map((camera) => ({ ...camera, streams: { main: `rtsp://127.0.0.1:9/${camera.id}` }, recording: { stream: 'off' } })),
      }),
    );
    app = await openConsole(['--site', sitePath, '--data', path.join(dir, 'data'), '--port', '0'], { width: 1440, height: 900 });
    page = app.page;
    await page.waitForSelector('[data-page="playback"]', { timeout: 60_000 });
  });

  afterAll(async () => {
    await app?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  // a moment two hours ago, in whole seconds
  const atMs = Math.floor((Date.now() - 2 * 60 * MIN) / 1000) * 1000;
  const shown = ['dk-01', 'dk-02', 'dk-03', 'dk-04', 'dk-10', 'dk-12'];

  it('from playback: the cameras on the wall, a minute either side of the clock, then the zoomed timeline window', async () => {
    await openPlayback(page);
    // the page starts with the first four cameras; two more make a 3x3 wall
    await expect.poll(() => page.locator('[data-testid=pb-camera-check]:checked').count()).toBe(4);
    for (const cameraId of ['dk-10', 'dk-12']) await page.click(`[data-testid=pb-camera-check][data-camera-id="${cameraId}"]`);
    await page.fill('[data-testid=pb-goto]', formatDateTime(atMs, TIME_ZONE));
    await page.click('[data-testid=pb-goto-button]');
    await expect.poll(() => page.textContent('[data-testid=pb-position]'), { timeout: 30_000 }).toBe(formatDateTime(atMs, TIME_ZONE));
    expect(await page.getAttribute('[data-testid=pb-export]', 'title')).toContain('30 phút');

    // the default one-hour timeline is wider than 30 minutes: a minute either side of the clock
    await page.click('[data-testid=pb-export]');
    await page.waitForSelector('[data-testid=export-page]');
    expect(await page.getAttribute('[data-testid=export-prefill]', 'data-origin')).toBe('playback');
    expect(await page.textContent('[data-testid=export-prefill]')).toContain('1 phút trước đến 1 phút sau');
    expect(await checkedCameras(page)).toEqual(shown);
    expect(await exportTimes(page)).toEqual({ from: formatLocalDateTime(atMs - MIN, TIME_ZONE), to: formatLocalDateTime(atMs + MIN, TIME_ZONE) });
    await page.waitForTimeout(500);
    await screenshot(page, outputPath('e2e', 'export-entry-playback.png'));

    // back on playback (same cameras, same moment), the timeline zoomed to 15 minutes: that window
    await openPlayback(page);
    await expect.poll(() => page.textContent('[data-testid=pb-position]'), { timeout: 30_000 }).toBe(formatDateTime(atMs, TIME_ZONE));
    await page.click('[data-testid=pb-zoom-in]');
    const span = (await page.textContent('.pb-timeline-span'))!.split('—').map((part) => part.trim());
    expect(parseLocalDateTime(span[1]!, TIME_ZONE)! - parseLocalDateTime(span[0]!, TIME_ZONE)!).toBeLessThanOrEqual(15 * MIN);
    await page.click('[data-testid=pb-export]');
    await page.waitForSelector('[data-testid=export-page]');
    expect(await page.textContent('[data-testid=export-prefill]')).toContain('khoảng thời gian đang hiện trên dòng thời gian');
    expect(await checkedCameras(page)).toEqual(shown);
    const times = await exportTimes(page);
    expect(times.from).toBe(span[0]);
    // the window widened to whole seconds: the end may be one second later than the label
    const endGap = parseLocalDateTime(times.to, TIME_ZONE)! - parseLocalDateTime(span[1]!, TIME_ZONE)!;
    expect(endGap === 0 || endGap === 1000).toBe(true);

    // a range marked with Shift + drag on the timeline comes first
    await openPlayback(page);
    await expect.poll(() => page.textContent('[data-testid=pb-position]'), { timeout: 30_000 }).toBe(formatDateTime(atMs, TIME_ZONE));
    const tracks = (await page.locator('[data-testid=pb-tracks]').boundingBox())!;
    await page.keyboard.down('Shift');
    await page.mouse.move(tracks.x + tracks.width * 0.2, tracks.y + tracks.height / 2);
    await page.mouse.down();
    await page.mouse.move(tracks.x + tracks.width * 0.45, tracks.y + tracks.height / 2, { steps: 5 });
    await page.mouse.up();
    await page.keyboard.up('Shift');
    await page.waitForSelector('[data-testid=pb-marked]');
    // marking does not move the clock
    expect(await page.textContent('[data-testid=pb-position]')).toBe(formatDateTime(atMs, TIME_ZONE));
    const marked = (await page.textContent('[data-testid=pb-mark-info]'))!.replace(/^[^:]*:\s*/, '').replace(/×$/, '').split('→').map((part) => part.trim());
    await screenshot(page, outputPath('e2e', 'export-entry-marked.png'));
    await page.click('[data-testid=pb-export]');
    await page.waitForSelector('[data-testid=export-page]');
    expect(await page.textContent('[data-testid=export-prefill]')).toContain('đoạn đã đánh dấu');
    const markedTimes = await exportTimes(page);
    // whole seconds outward from the marked range
    const startGap = parseLocalDateTime(marked[0]!, TIME_ZONE)! - parseLocalDateTime(markedTimes.from, TIME_ZONE)!;
    const markedEndGap = parseLocalDateTime(markedTimes.to, TIME_ZONE)! - parseLocalDateTime(marked[1]!, TIME_ZONE)!;
    expect(startGap).toBe(0);
    expect(markedEndGap === 0 || markedEndGap === 1000).toBe(true);
    expect(parseLocalDateTime(markedTimes.to, TIME_ZONE)! - parseLocalDateTime(markedTimes.from, TIME_ZONE)!).toBeGreaterThan(2 * MIN);
  });

  it('from a bookmark: its cameras, its range and its title as the reason', async () => {
    await openPlayback(page);
    await expect.poll(() => page.textContent('[data-testid=pb-position]'), { timeout: 30_000 }).toBe(formatDateTime(atMs, TIME_ZONE));
    await expect.poll(() => page.isEnabled('[data-testid=pb-bookmark-add]')).toBe(true);
    await page.click('[data-testid=pb-bookmark-add]');
    const title = 'Va chạm xe máy tại ngã ba chợ Đông Khê';
    await page.fill('[data-testid=pb-bookmark-title]', title);
    await page.fill('[data-testid=pb-bookmark-from]', formatDateTime(atMs - 30_000, TIME_ZONE));
    await page.fill('[data-testid=pb-bookmark-to]', formatDateTime(atMs + 90_000, TIME_ZONE));
    await page.click('[data-testid=pb-bookmark-save]');
    await expect.poll(() => page.locator('[data-testid=pb-bookmark-item]').count()).toBe(1);
    await page.waitForTimeout(500);
    await screenshot(page, outputPath('e2e', 'export-entry-bookmark-panel.png'));

    await page.click('[data-testid=pb-bookmark-export]');
    await page.waitForSelector('[data-testid=export-page]');
    expect(await page.getAttribute('[data-testid=export-prefill]', 'data-origin')).toBe('bookmark');
    expect(await page.textContent('[data-testid=export-prefill]')).toContain(title);
    expect(await checkedCameras(page)).toEqual(shown);
    expect(await exportTimes(page)).toEqual({ from: formatLocalDateTime(atMs - 30_000, TIME_ZONE), to: formatLocalDateTime(atMs + 90_000, TIME_ZONE) });
    expect(await page.inputValue('[data-testid=export-reason]')).toBe(title);
    // the bookmark select of the page itself gives the same
    await page.selectOption('[data-testid=export-bookmark]', { index: 1 });
    expect(await checkedCameras(page)).toEqual(shown);
    expect(await exportTimes(page)).toEqual({ from: formatLocalDateTime(atMs - 30_000, TIME_ZONE), to: formatLocalDateTime(atMs + 90_000, TIME_ZONE) });
  });

  it('from a point on the map: the incident block filled and the cameras within 500 m ticked', async () => {
    await page.click('[data-page="map"]');
    await page.waitForSelector('[data-testid=commune-map][data-loaded=yes]', { timeout: 60_000 });
    await expect.poll(() => page.locator('[data-testid=map-pin]').count(), { timeout: 30_000 }).toBe(31);
    expect(await page.textContent('[data-testid=map-export-hint]')).toContain('Nhấp chuột phải');
    await page.waitForTimeout(1000);

    // a right-click near the market junction on QL47, away from any pin
    const target: [number, number] = [105.6686, 19.8382];
    const canvas = page.locator('[data-testid=commune-map] .map-canvas');
    const box = (await canvas.boundingBox())!;
    const at = await page.evaluate((lngLat) => (window as unknown as { consoleMap: { project(p: [number, number]): { x: number; y: number } } }).consoleMap.project(lngLat), target);
    await page.mouse.click(box.x + at.x, box.y + at.y, { button: 'right' });
    await page.waitForSelector('[data-testid=map-point-menu]');
    const [latitude, longitude] = (await page.textContent('[data-testid=map-point-coords]'))!.split(',').map((part) => Number(part.trim())) as [number, number];
    expect(distanceM([longitude, latitude], target)).toBeLessThan(30);
    const expected = cameras.filter((camera) => camera.latitude !== undefined && camera.longitude !== undefined && distanceM([longitude, latitude], [camera.longitude, camera.latitude]) <= 500).map((camera) => camera.id).sort();
    expect(expected.length).toBeGreaterThan(2);
    expect(expected.length).toBeLessThan(31);
    await expect.poll(() => page.textContent('[data-testid=map-point-count]')).toBe(`${expected.length} camera trong bán kính 500 m`);
    await page.waitForTimeout(500);
    await screenshot(page, outputPath('e2e', 'export-entry-map-point.png'));

    await page.click('[data-testid=map-point-export]');
    await page.waitForSelector('[data-testid=export-page]');
    expect(await page.getAttribute('[data-testid=export-prefill]', 'data-origin')).toBe('map');
    expect(await page.isChecked('[data-testid=export-incident]')).toBe(true);
    expect(Number(await page.inputValue('[data-testid=export-latitude]'))).toBe(latitude);
    expect(Number(await page.inputValue('[data-testid=export-longitude]'))).toBe(longitude);
    expect(await page.inputValue('[data-testid=export-radius]')).toBe('500');
    await expect.poll(() => page.textContent('[data-testid=export-page]'), { timeout: 10_000 }).toContain(`Có ${expected.length} camera trong bán kính 500 m`);
    expect(await checkedCameras(page)).toEqual(expected);
    // the export page's default time: from 15 to 5 minutes ago
    const times = await exportTimes(page);
    const fromMs = parseLocalDateTime(times.from, TIME_ZONE)!;
    const toMs = parseLocalDateTime(times.to, TIME_ZONE)!;
    expect(toMs - fromMs).toBe(10 * MIN);
    expect(Math.abs(Date.now() - 5 * MIN - toMs)).toBeLessThan(2 * MIN);
    await page.waitForTimeout(500);
    await screenshot(page, outputPath('e2e', 'export-entry-map.png'));
  });
});
