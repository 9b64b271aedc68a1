import fs from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MethodName, ParamsOf, ResultOf } from '../../common/contract';
import type { WithDiagnostics } from '../../common/diagnostics';
import { readTimecode } from '../../common/timecode';
import { RtspTestServer } from '../helpers/rtspServer';
import { openConsole, type ConsoleUnderTest } from '../helpers/consoleUnderTest';
import type { PNG } from 'pngjs';
import { regionChange, regionStats, screenshot, type Box } from '../helpers/browser';
import { outputPath, tempDir } from '../helpers/paths';

const REPLAY_MS = 30_000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A contract call from the page (its cookie), as the page itself makes them. */
async function call<M extends MethodName>(page: Page, method: M, params: ParamsOf<M>): Promise<ResultOf<M>> {
  return page.evaluate(
    async ({ method: name, params: body }) => {
      const response = await fetch('/api/call', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ method: name, params: body }), credentials: 'same-origin' });
      return response.json();
    },
    { method, params },
  ) as Promise<ResultOf<M>>;
}

interface PlaybackTileSeen {
  cameraId: string;
  state: string;
  frameMs: number | null;
  box: Box | null;
}

/** The playback page's tiles, read in one go (cheap enough to sample a few times a second). */
async function playbackTiles(page: Page): Promise<PlaybackTileSeen[]> {
  return page.evaluate(() =>
    Array.from(document.querySelectorAll<HTMLElement>('[data-testid=pb-tile]')).map((tile) => {
      const rect = tile.getBoundingClientRect();
      return { cameraId: tile.dataset.cameraId ?? '', state: tile.dataset.state ?? '', frameMs: tile.dataset.frameMs ? Number(tile.dataset.frameMs) : null, box: { x: rect.x, y: rect.y, width: rect.width, height: rect.height } };
    }),
  );
}

/**
 * The send time the test camera burned into the picture drawn in a tile (common/timecode.ts),
 * read from a screenshot: the 320x180 picture is centred in the tile with black bars (the
 * decoder keeps its aspect). Only the low 16 bits are trusted (the tile's name may cover the
 * first blocks): the rest is taken from `nearMs`.
 */
function burnedTime(png: PNG, box: Box, nearMs: number): number {
  const scale = Math.min(box.width / 320, box.height / 180);
  const width = Math.floor(320 * scale);
  const height = Math.floor(180 * scale);
  const left = Math.round(box.x + (box.width - width) / 2);
  const top = Math.round(box.y + (box.height - height) / 2);
  const luma = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const index = (png.width * (top + y) + left + x) * 4;
      luma[y * width + x] = Math.round(0.299 * png.data[index]! + 0.587 * png.data[index + 1]! + 0.114 * png.data[index + 2]!);
    }
  }
  const low = readTimecode(luma, width, height) % 2 ** 16;
  return low + 2 ** 16 * Math.round((nearMs - low) / 2 ** 16);
}

/** The right half of the time-code band the test camera burns into the top eighth of its picture (the low bits of its send time). */
function timecodeBand(box: Box): Box {
  return { x: box.x + box.width / 2, y: box.y + 2, width: box.width / 2 - 4, height: box.height / 8 - 4 };
}

// Instant replay as the duty officer uses it: the console records two real RTSP cameras (the
// test server's `timecode` kind, which burns its send time into every picture), with the default
// 60 s segments, so the last 30 s are in the segment still being written (`.part`).
describe('instant replay from a live tile in Chromium', () => {
  let rtsp: RtspTestServer;
  let app: ConsoleUnderTest;
  let page: Page;
  let dir = '';

  beforeAll(async () => {
    rtsp = await RtspTestServer.start([1, 2].map((n) => ({ path: `/cam${n}`, kind: 'timecode' as const, width: 320, height: 180, fps: 15 })));
    dir = tempDir('e2e-replay');
    const sitePath = path.join(dir, 'site.json');
    fs.writeFileSync(
      sitePath,
      JSON.stringify({
        schemaVersion: 1,
        name: 'Đông Khê',
        recording: { minFreeGb: 0.05 },
        cameras: [
          { id: 'cam-1', name: 'QL47 – Cầu Khê', streams: { main: rtsp.url('/cam1') } },
          { id: 'cam-2', name: 'Chợ Đông Khê – Cổng chính', streams: { main: rtsp.url('/cam2') } },
        ],
      }),
    );
    app = await openConsole(['--site', sitePath, '--data', path.join(dir, 'data'), '--port', '0'], { width: 1280, height: 760 });
    page = app.page;
    await page.click('[data-layout="grid-4"]');
  }, 120_000);

  afterAll(async () => {
    await app?.close();
    await rtsp?.close();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  /** Waits until the recorder has kept `cameraId` continuously over the last `ms` (recording since then). */
  async function recordedFor(cameraId: string, ms: number): Promise<void> {
    await expect
      .poll(
        async () => {
          const now = Date.now();
          const timeline = await call(page, 'getTimeline', { cameraIds: [cameraId], fromMs: now - 10 * 60_000, toMs: now + 60_000 });
          if (!timeline.ok) return 0;
          const last = timeline.value.cameras[0]!.ranges.at(-1);
          return last ? Math.round((Math.min(now, last.endMs) - last.startMs) / 1000) : 0;
        },
        { timeout: 90_000, interval: 1000 },
      )
      .toBeGreaterThanOrEqual(Math.ceil(ms / 1000));
  }

  it('the 30s button of a live tile plays that camera from 30 s ago, moving forward; "Về trực tiếp" goes back to the live wall', async () => {
    await expect.poll(() => page.locator('[data-testid=tile][data-state=live]').count(), { timeout: 30_000 }).toBe(2);
    await recordedFor('cam-2', REPLAY_MS + 5000);
    const liveTile = page.locator('[data-testid=tile][data-camera-id="cam-2"]');
    const button = liveTile.locator('[data-testid=pb-instant-replay]');
    expect(await button.textContent()).toBe('30s');
    expect(await button.getAttribute('title')).toBe('Xem lại 30 giây vừa qua');
    const clickedMs = Date.now();
    await button.click();

    // the playback page, on that camera alone, with the "back to live" bar
    await page.waitForSelector('[data-testid=playback-page]');
    await expect.poll(() => page.locator('[data-testid=pb-replay-bar]').textContent()).toContain('Chợ Đông Khê – Cổng chính');
    await expect.poll(async () => (await playbackTiles(page)).map((tile) => `${tile.cameraId} ${tile.state}`), { timeout: 20_000 }).toEqual(['cam-2 playing']);
    await expect.poll(() => page.getAttribute('[data-testid=pb-play]', 'data-playing')).toBe('yes');
    // the timeline shows the footage being played (the segment still being written included)
    await expect.poll(() => page.locator('[data-testid=pb-row][data-camera-id="cam-2"] [data-testid=pb-range]').count(), { timeout: 10_000 }).toBeGreaterThanOrEqual(1);
    // its first pictures are from the moment of the click minus 30 s
    const first = (await playbackTiles(page))[0]!.frameMs!;
    expect(first, 'first picture 30 s before the click').toBeGreaterThanOrEqual(clickedMs - REPLAY_MS - 1000);
    expect(first).toBeLessThanOrEqual(Date.now() - REPLAY_MS + 1000);

    // it plays forward at normal speed, 30 s behind: the core's frame times, the frames the page's
    // wall drew, and the time the camera burned into those pictures all say so
    const samples: { atMs: number; frameMs: number }[] = [];
    for (let index = 0; index < 8; index++) {
      await sleep(400);
      const tile = (await playbackTiles(page))[0]!;
      expect(tile.state).toBe('playing');
      samples.push({ atMs: Date.now(), frameMs: tile.frameMs! });
    }
    for (let index = 1; index < samples.length; index++) expect(samples[index]!.frameMs, 'never back').toBeGreaterThanOrEqual(samples[index - 1]!.frameMs);
    const advanced = samples.at(-1)!.frameMs - samples[0]!.frameMs;
    const elapsed = samples.at(-1)!.atMs - samples[0]!.atMs;
    expect(advanced, 'recorded time advances like the wall clock').toBeGreaterThan(elapsed * 0.6);
    expect(advanced).toBeLessThan(elapsed * 1.4);
    for (const sample of samples) {
      const behind = sample.atMs - sample.frameMs;
      expect(behind, 'about 30 s behind now').toBeGreaterThan(REPLAY_MS - 1000);
      expect(behind).toBeLessThan(REPLAY_MS + 3000);
    }
    const box = (await playbackTiles(page))[0]!.box!;
    const a = await screenshot(page);
    await sleep(700);
    const b = await screenshot(page, outputPath('e2e', 'replay-playing.png'));
    expect(regionStats(b, box).spread, 'a picture, not a black tile').toBeGreaterThan(15);
    expect(regionChange(a, b, timecodeBand(box), 0), 'the picture moves').toBeGreaterThan(0.05);
    expect(await page.locator('[data-testid=pb-skipped-note]').count()).toBe(0);

    // paused: the picture on screen is the camera's own picture of that moment (the time it
    // burned in when it sent the frame), 30 s before the click and after
    await page.click('[data-testid=pb-play]');
    await expect.poll(() => page.getAttribute('[data-testid=pb-play]', 'data-playing')).toBe('no');
    const shown = async () => {
      const tile = (await playbackTiles(page))[0]!;
      const stats = await page.evaluate(() => (window as WithDiagnostics).consoleDiagnostics?.stats() ?? {});
      const drawnMs = Object.values(stats).map((entry) => entry.lastDecodedAtMs);
      return { frameMs: tile.frameMs!, drawn: drawnMs.some((ms) => Math.abs(ms - tile.frameMs!) < 1) };
    };
    await expect.poll(async () => (await shown()).drawn, { timeout: 10_000 }).toBe(true);
    await sleep(300);
    const paused = await shown();
    const still = await screenshot(page, outputPath('e2e', 'replay-paused.png'));
    const sentMs = burnedTime(still, box, paused.frameMs);
    // (recorded time = the recorder's clock when the frame arrived: a little after it was sent)
    expect(paused.frameMs - sentMs, 'the picture drawn is the frame of the tile time').toBeGreaterThanOrEqual(-100);
    expect(paused.frameMs - sentMs).toBeLessThan(1000);
    expect(sentMs, 'sent by the camera after click − 30 s').toBeGreaterThan(clickedMs - REPLAY_MS - 1000);
    expect(sentMs, 'and before the click').toBeLessThan(clickedMs - REPLAY_MS + 10_000);

    // back to live: the wall, the camera live again
    await page.click('[data-testid=pb-back-to-live]');
    await page.waitForSelector('[data-testid=tile][data-camera-id="cam-2"]');
    expect(await page.locator('[data-testid=playback-page]').count()).toBe(0);
    await expect.poll(() => liveTile.getAttribute('data-state'), { timeout: 15_000 }).toBe('live');
    await expect.poll(() => page.locator('[data-testid=tile][data-state=live]').count()).toBe(2);
    await sleep(1000);
    await screenshot(page, outputPath('e2e', 'replay-back-to-live.png'));
  });

  it('the replay reaches the moment of the click through the segment being written, then the wall comes back by itself', async () => {
    await recordedFor('cam-1', REPLAY_MS + 5000);
    const clickedMs = Date.now();
    await page.locator('[data-testid=tile][data-camera-id="cam-1"] [data-testid=pb-instant-replay]').click();
    await page.waitForSelector('[data-testid=playback-page]');
    const seen: { atMs: number; frameMs: number }[] = [];
    let skipped = 0;
    // until the page goes back to the wall by itself (30 s of footage, played at 1x)
    while (Date.now() - clickedMs < REPLAY_MS + 20_000 && (await page.locator('[data-testid=playback-page]').count()) > 0) {
      const tile = (await playbackTiles(page))[0];
      if (tile?.frameMs) seen.push({ atMs: Date.now(), frameMs: tile.frameMs });
      skipped += await page.locator('[data-testid=pb-skipped-note]').count();
      await sleep(300);
    }
    expect(await page.locator('[data-testid=playback-page]').count(), 'back on the wall by itself').toBe(0);
    const backMs = Date.now();
    expect(backMs - clickedMs, 'after about 30 s of replay').toBeGreaterThan(REPLAY_MS - 1000);
    expect(skipped, 'no gap skipped in continuous footage').toBe(0);
    expect(seen.length).toBeGreaterThan(30);
    expect(seen[0]!.frameMs).toBeGreaterThanOrEqual(clickedMs - REPLAY_MS - 1000);
    // played up to the click, without going back or jumping ahead
    expect(seen.at(-1)!.frameMs, 'reached the moment of the click').toBeGreaterThan(clickedMs - 2500);
    for (let index = 1; index < seen.length; index++) {
      const step = seen[index]!.frameMs - seen[index - 1]!.frameMs;
      expect(step, `never back (${index})`).toBeGreaterThanOrEqual(0);
      expect(step, `no jump (${index})`).toBeLessThan(seen[index]!.atMs - seen[index - 1]!.atMs + 1500);
    }
    await expect.poll(() => page.locator('[data-testid=tile][data-camera-id="cam-1"]').getAttribute('data-state'), { timeout: 15_000 }).toBe('live');
  });
});
