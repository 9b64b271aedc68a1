import fs from 'node:fs';
import path from 'node:path';
import type { Page, Request } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openConsole, type ConsoleUnderTest } from '../helpers/consoleUnderTest';
import { regionStats, screenshot } from '../helpers/browser';
import { outputPath, tempDir } from '../helpers/paths';

// The commune map in Chromium (software GL here: generous timeouts, no timing assertions).
// One demo console for the page, search, imports and the wall tile; a second console whose one
// camera points at a dead port for the red pin.

/** Every request the page (and its workers) makes to anything but the console itself. */
function watchOutsideRequests(page: Page): string[] {
  const outside: string[] = [];
  const check = (request: Request): void => {
    const url = new URL(request.url());
    if (url.protocol === 'data:' || url.protocol === 'blob:') return;
    if (url.hostname !== '127.0.0.1') outside.push(request.url());
  };
  page.context().on('request', check);
  return outside;
}

async function openMapPage(page: Page): Promise<void> {
  await page.click('[data-page="map"]');
  await page.waitForSelector('[data-testid=commune-map][data-loaded=yes]', { timeout: 60000 });
}

describe('the commune map on the demo site', () => {
  let app: ConsoleUnderTest;
  let page: Page;
  let outside: string[];
  const dir = tempDir('e2e-map');

  beforeAll(async () => {
    app = await openConsole(['--data', path.join(dir, 'data'), '--port', '0'], { width: 1440, height: 860 });
    page = app.page;
    outside = watchOutsideRequests(page);
    await page.reload();
    await page.waitForSelector('[data-page="map"]', { timeout: 60000 });
  });

  afterAll(async () => {
    await app?.close();
  });

  it('shows the Đông Khê map with 31 camera pins, in Vietnamese, and asks nothing of the network', async () => {
    await expect.poll(() => page.locator('[data-page="map"]').textContent()).toBe('Bản đồ');
    await openMapPage(page);
    await expect.poll(() => page.locator('[data-testid=map-pin]').count(), { timeout: 30000 }).toBe(31);
    const labels = await page.locator('.map-label').allTextContents();
    for (const name of ['Thôn Yên Khê', 'Thôn Khê Thượng', 'Thôn Khê Hạ', 'Thôn Trung Thành', 'Thôn Phú Khê', 'Thôn Hòa Bình', 'Thôn Quyết Thắng', 'Thôn Tân Lập', 'Thôn Đồng Tâm', 'Công an xã Đông Khê', 'Chợ Đông Khê']) {
      expect(labels.join('|')).toContain(name);
    }
    // The demo records every camera: pins turn green as the pulls come up.
    await expect.poll(() => page.locator('[data-testid=map-pin][data-state=live]').count(), { timeout: 90000, interval: 1000 }).toBeGreaterThan(25);
    await page.waitForTimeout(1500);
    const shot = await screenshot(page, outputPath('e2e', 'map-page.png'));
    const box = await page.locator('[data-testid=commune-map]').boundingBox();
    if (!box) throw new Error('map not laid out');
    // Not black, not flat: a drawn map (light paper colours with roads and areas).
    const stats = regionStats(shot, box, 0.1);
    expect(stats.meanLuma).toBeGreaterThan(150);
    expect(stats.spread).toBeGreaterThan(10);
    expect(outside).toEqual([]);
  });

  it('finds places without diacritics', async () => {
    await page.fill('[data-testid=map-search]', 'cho dong khe');
    await expect.poll(() => page.locator('[data-testid=map-hits] .map-hit').first().textContent()).toContain('Chợ Đông Khê');
    await page.fill('[data-testid=map-search]', 'thon dong tam');
    await expect.poll(() => page.locator('[data-testid=map-hits]').textContent()).toContain('Thôn Đồng Tâm');
    await page.fill('[data-testid=map-search]', 'cong an xa');
    await expect.poll(() => page.locator('[data-testid=map-hits]').textContent()).toContain('Công an xã Đông Khê');
    await page.fill('[data-testid=map-search]', '');
  });

  it('opens a camera live from its pin, and lists its neighbours along the road', async () => {
    await page.locator('[data-testid=map-pin][data-camera-id="dk-04"]').click();
    const popup = page.locator('[data-testid=map-live]');
    await expect.poll(() => popup.getAttribute('data-camera-id')).toBe('dk-04');
    await expect.poll(() => popup.getAttribute('data-picture'), { timeout: 60000, interval: 500 }).toBe('yes');
    const neighbours = page.locator('[data-testid=map-neighbours] .map-neighbour');
    await expect.poll(() => neighbours.count()).toBeGreaterThan(1);
    // dk-04 is the market junction on QL47: the market gate up the side road is one of the next cameras.
    expect(await page.locator('[data-testid=map-neighbours]').textContent()).toContain('Chợ Đông Khê – Cổng chính');
    await page.waitForTimeout(800);
    await screenshot(page, outputPath('e2e', 'map-live-popup.png'));
    // One key hands off to the first neighbour.
    const first = await neighbours.first().getAttribute('data-camera-id');
    await page.keyboard.press('1');
    await expect.poll(() => popup.getAttribute('data-camera-id')).toBe(first);
    await page.keyboard.press('Escape');
    await expect.poll(() => popup.count()).toBe(0);
  });

  it('imports a GeoJSON layer, refuses broken files with a clear message, and keeps working', async () => {
    const geojson = {
      type: 'FeatureCollection',
      features: [
        { type: 'Feature', properties: { name: 'Đường bê tông mới' }, geometry: { type: 'LineString', coordinates: [[105.668, 19.836], [105.672, 19.830], [105.676, 19.828]] } },
        { type: 'Feature', properties: { name: 'Điểm chốt' }, geometry: { type: 'Point', coordinates: [105.672, 19.830] } },
      ],
    };
    const importFile = async (name: string, mimeType: string, buffer: Buffer): Promise<void> => {
      await page.click('[data-testid=map-import]');
      await page.setInputFiles('[data-testid=map-import-file]', { name, mimeType, buffer });
      await page.click('[data-testid=map-import-start]');
    };

    await importFile('duong-moi.geojson', 'application/geo+json', Buffer.from(JSON.stringify(geojson)));
    await expect.poll(() => page.locator('[data-testid=map-layer]').count()).toBe(1);
    expect(await page.locator('[data-testid=map-layers]').textContent()).toContain('duong-moi');
    await expect
      .poll(() => page.evaluate(() => (window as unknown as { consoleMap: { querySourceFeatures(id: string): unknown[] } }).consoleMap.querySourceFeatures('imported').length), { timeout: 20000 })
      .toBeGreaterThan(0);

    await importFile('hong.geojson', 'application/geo+json', Buffer.from('{"type": "FeatureCollection", "features": [ {"type": "Feature", "geometry": {"type": "LineString", "coordinates": [[105.6, 519.8]]'));
    await expect.poll(() => page.locator('[data-testid=map-import-problem]').textContent()).toContain('Tệp GeoJSON bị lỗi');
    await page.keyboard.press('Escape');

    await importFile('vn2000.geojson', 'application/geo+json', Buffer.from(JSON.stringify({ type: 'FeatureCollection', features: [{ type: 'Feature', properties: {}, geometry: { type: 'Point', coordinates: [585000, 2190000] } }] })));
    await expect.poll(() => page.locator('[data-testid=map-import-problem]').textContent()).toContain('WGS84');
    await page.keyboard.press('Escape');

    const png = fs.readFileSync(path.join(__dirname, '..', '..', 'renderer', 'icon.svg'));
    await importFile('ban-do-quet.png', 'image/png', png);
    await expect.poll(() => page.locator('[data-testid=map-import-problem]').textContent()).toContain('Tệp không phải ảnh');
    await page.keyboard.press('Escape');

    await importFile('khong-phai.pmtiles', 'application/octet-stream', Buffer.from('this is not a pmtiles archive at all, just text'));
    await expect.poll(() => page.locator('[data-testid=map-import-problem]').textContent()).toContain('không phải PMTiles');
    await page.keyboard.press('Escape');

    expect(await page.locator('[data-testid=map-layer]').count()).toBe(1);
    expect(await page.locator('[data-testid=map-pin]').count()).toBe(31);
    await screenshot(page, outputPath('e2e', 'map-imported.png'));
    expect(outside).toEqual([]);
  });

  it('shows the map in a wall tile, whose pins drag onto other tiles', async () => {
    await page.click('[data-page="wall"]');
    await page.click('[data-layout="grid-4"]');
    await page.locator('[data-testid=tile]').nth(3).click();
    await page.click('[data-page="map"]');
    await page.click('[data-testid=map-tile-chip]');
    const mapTile = page.locator('[data-testid=map-tile]');
    await expect.poll(() => mapTile.getAttribute('data-index')).toBe('3');
    await page.waitForSelector('[data-testid=map-tile] [data-testid=commune-map][data-loaded=yes]', { timeout: 60000 });
    await expect.poll(() => mapTile.locator('[data-testid=map-pin]').count()).toBe(31);
    await page.locator('[data-testid=map-tile] [data-testid=map-pin][data-camera-id="dk-26"]').dragTo(page.locator('[data-testid=tile][data-index="0"]'));
    await expect.poll(() => page.locator('[data-testid=tile][data-index="0"]').getAttribute('data-camera-id')).toBe('dk-26');
    await expect.poll(() => page.locator('[data-testid=tile][data-index="0"]').getAttribute('data-state'), { timeout: 60000 }).toBe('live');
    await page.waitForTimeout(1500);
    await screenshot(page, outputPath('e2e', 'map-in-wall.png'));
    expect(outside).toEqual([]);
  });
});

describe('a camera that cannot be reached, and one with no position', () => {
  let app: ConsoleUnderTest;
  let sitePath: string;

  beforeAll(async () => {
    const dir = tempDir('e2e-map-dead');
    sitePath = path.join(dir, 'site.json');
    fs.writeFileSync(
      sitePath,
      JSON.stringify({
        schemaVersion: 1,
        name: 'Đông Khê',
        cameras: [
          { id: 'dead-1', name: 'QL47 – Cầu Khê (mất điện)', village: 'Thôn Khê Thượng', latitude: 19.8402, longitude: 105.658, headingDeg: 280, fieldOfViewDeg: 90, streams: { main: 'rtsp://127.0.0.1:9/dead' } },
          { id: 'nowhere', name: 'Camera chưa đặt vị trí', streams: { main: 'rtsp://127.0.0.1:9/nowhere' } },
        ],
      }),
    );
    app = await openConsole(['--site', sitePath, '--data', path.join(dir, 'data'), '--port', '0'], { width: 1200, height: 760 });
  });

  afterAll(async () => {
    await app?.close();
  });

  it('turns its pin red within seconds, and lists the camera with no position', async () => {
    await openMapPage(app.page);
    const pin = app.page.locator('[data-testid=map-pin][data-camera-id="dead-1"]');
    await expect.poll(() => pin.getAttribute('data-state'), { timeout: 20000, interval: 250 }).toBe('offline');
    expect(await app.page.locator('[data-testid=map-pin]').count()).toBe(1);
    expect(await app.page.locator('[data-testid=map-unplaced]').textContent()).toContain('Camera chưa đặt vị trí');
  });

  it('lets the administrator place it on the map, saved in the site file, and undo that', async () => {
    const page = app.page;
    await page.click('[data-testid=map-edit]');
    await page.locator('[data-testid=map-unplaced] li').first().dragTo(page.locator('[data-testid=commune-map] .map-canvas'));
    await expect.poll(() => page.locator('[data-testid=map-pin]').count(), { timeout: 20000 }).toBe(2);
    const placed = JSON.parse(fs.readFileSync(sitePath, 'utf8')) as { cameras: { id: string; latitude?: number; longitude?: number }[] };
    const camera = placed.cameras.find((entry) => entry.id === 'nowhere');
    expect(camera?.latitude).toBeGreaterThan(19.8);
    expect(camera?.longitude).toBeGreaterThan(105.6);
    expect(placed.cameras.find((entry) => entry.id === 'dead-1')?.latitude).toBe(19.8402);
    await page.click('[data-testid=map-undo]');
    await expect.poll(() => page.locator('[data-testid=map-pin]').count(), { timeout: 20000 }).toBe(1);
    const undone = JSON.parse(fs.readFileSync(sitePath, 'utf8')) as { cameras: { id: string; latitude?: number }[] };
    expect(undone.cameras.find((entry) => entry.id === 'nowhere')?.latitude).toBeUndefined();
    await screenshot(page, outputPath('e2e', 'map-edit.png'));
  });
});
