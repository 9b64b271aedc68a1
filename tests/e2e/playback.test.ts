import fs from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PlaybackState } from '../../common/playbackContract';
import type { WithDiagnostics } from '../../common/diagnostics';
import { formatDateTime } from '../../common/time';
import { scanSegment } from '../../main/core/playback/segmentScan';
import { openConsole, type ConsoleUnderTest } from '../helpers/consoleUnderTest';
import { regionChange, regionStats, screenshot, type Box } from '../helpers/browser';
import { outputPath } from '../helpers/paths';
import { PLAYBACK_CAMERAS, playbackRecordings, type PlaybackRecordings } from '../integration/playbackFixture';

const NAMES = ['QL47 – Cầu Khê', 'Chợ Đông Khê – Cổng chính', 'Trường THCS – Cổng trường', 'UBND xã – Sân trước'];

async function tiles(page: Page): Promise<{ cameraId: string; state: string; frameMs: number | null; box: { x: number; y: number; width: number; height: number } }[]> {
  const result = [];
  for (const tile of await page.$$('[data-testid=pb-tile]')) {
    const box = await tile.boundingBox();
    const frame = await tile.getAttribute('data-frame-ms');
    if (box) result.push({ cameraId: (await tile.getAttribute('data-camera-id')) ?? '', state: (await tile.getAttribute('data-state')) ?? '', frameMs: frame ? Number(frame) : null, box });
  }
  return result;
}

/** The core's own state of the page's playback session (the exact clock, not the page's seconds). */
async function coreState(page: Page): Promise<PlaybackState> {
  const sessionId = await page.getAttribute('[data-testid=pb-wall]', 'data-session-id');
  const result = await page.evaluate(async (id) => {
    const response = await fetch('/api/call', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ method: 'getPlaybackState', params: { sessionId: id } }), credentials: 'same-origin' });
    return (await response.json()) as { ok: boolean; value?: PlaybackState; error?: unknown };
  }, sessionId);
  if (!result.ok || !result.value) throw new Error(`getPlaybackState: ${JSON.stringify(result.error)}`);
  return result.value;
}

/** Frames drawn by the page's wall, per view: how many, and the recorded time of the last one. */
async function drawn(page: Page): Promise<Record<number, { framesDrawn: number; lastDecodedAtMs: number }>> {
  return page.evaluate(() => (window as WithDiagnostics).consoleDiagnostics?.stats() ?? {});
}

/**
 * The right half of the time-code band the test camera burns into the top eighth of its picture
 * (common/timecode.ts: the low 16 bits of its send time in ms): it changes with every frame sent,
 * unlike the moving checkerboard below, which looks the same again every 8 frames. (The left half
 * holds the tile's name.)
 */
function timecodeBand(box: Box): Box {
  return { x: box.x + box.width / 2, y: box.y + 2, width: box.width / 2 - 4, height: box.height / 8 - 4 };
}

// The playback page (Xem lại) in Chromium, on real recordings made by the recorder from the RTSP
// test server: 4 cameras, one of them offline for 12 s.
describe('playback page in Chromium', () => {
  let recordings: PlaybackRecordings;
  let app: ConsoleUnderTest;
  let page: Page;

  beforeAll(async () => {
    recordings = await playbackRecordings();
    const sitePath = path.join(path.dirname(recordings.dataDir), 'site-e2e.json');
    fs.writeFileSync(
      sitePath,
      JSON.stringify({
        schemaVersion: 1,
        name: 'Đông Khê',
        cameras: PLAYBACK_CAMERAS.map((id, index) => ({ id, name: NAMES[index], streams: { main: `rtsp://127.0.0.1:9/cam${index + 1}` }, recording: { stream: 'off' } })),
      }),
    );
    app = await openConsole(['--site', sitePath, '--data', recordings.dataDir, '--port', '0'], { width: 1400, height: 900 });
    page = app.page;
    await page.click('[data-page="playback"]');
    await page.waitForSelector('[data-testid=playback-page]');
  });

  /** Recorded times of every frame of a camera (segment start + PTS offset: what playback shows). */
  const frameTimes = new Map<string, number[]>();
  /**
   * Whether `frameMs` (rounded, as in the state) is the newest recorded frame not later than the
   * clock at `positionMs` (the state's clock, rounded: a frame within half a millisecond of it
   * may or may not be due).
   */
  const isNewestAt = (cameraId: string, frameMs: number | null, positionMs: number): boolean => {
    let times = frameTimes.get(cameraId);
    if (!times) {
      times = recordings.segments
        .filter((segment) => segment.cameraId === cameraId)
        .flatMap((segment) => scanSegment(fs.readFileSync(path.join(recordings.dataDir, 'recordings', ...segment.path.split('/'))))!.frames.map((frame) => segment.startMs + frame.atMs))
        .sort((a, b) => a - b);
      frameTimes.set(cameraId, times);
    }
    const newest = (atMs: number): number | undefined => times.filter((time) => time <= atMs).at(-1);
    return frameMs !== null && [newest(positionMs - 0.5), newest(positionMs + 0.5)].some((time) => time !== undefined && Math.round(time) === frameMs);
  };

  afterAll(async () => {
    await app?.close();
    if (recordings) fs.rmSync(path.dirname(recordings.dataDir), { recursive: true, force: true });
  });

  it('4 cameras in sync at a typed time: the camera in its gap says so, the timeline shows the gap and a bookmark', async () => {
    const gap = recordings.gaps.find((entry) => entry.cameraId === 'cam-3' && entry.reason === 'cameraOffline')!;
    const atMs = gap.startMs + 4000;
    // a bookmark made from the page, 8 s before
    await page.fill('[data-testid=pb-goto]', formatDateTime(gap.startMs - 8000, 'Asia/Ho_Chi_Minh'));
    await page.click('[data-testid=pb-goto-button]');
    await expect.poll(async () => (await tiles(page)).filter((tile) => tile.state === 'playing').length, { timeout: 60000 }).toBe(4);
    await page.click('[data-testid=pb-bookmark-add]');
    await page.fill('[data-testid=pb-bookmark-title]', 'Xe máy vượt đèn đỏ');
    await page.fill('[data-testid=pb-bookmark-note]', 'Biển số 36B1-123.45, hướng về chợ');
    await page.click('[data-testid=pb-bookmark-save]');
    await expect.poll(() => page.locator('[data-testid=pb-bookmark-item]').count()).toBe(1);

    // go to a moment inside cam-3's gap, typed the Vietnamese way
    const typed = formatDateTime(atMs, 'Asia/Ho_Chi_Minh');
    expect(typed).toMatch(/^\d{2}\/\d{2}\/\d{4} \d{2}:\d{2}:\d{2}$/);
    await page.fill('[data-testid=pb-goto]', typed);
    await page.click('[data-testid=pb-goto-button]');
    // the timeline down to one minute
    for (let index = 0; index < 3; index++) await page.click('[data-testid=pb-zoom-in]');
    await expect.poll(async () => (await tiles(page)).map((tile) => tile.state), { timeout: 30000 }).toEqual(['playing', 'playing', 'noFootage', 'playing']);
    // the typed time has whole seconds; each tile shows its newest frame not later than it (the
    // test cameras send about every 67 ms, sometimes with a pause of a few hundred ms)
    const wanted = Math.floor(atMs / 1000) * 1000;
    await expect.poll(async () => (await tiles(page)).filter((tile) => tile.frameMs !== null && tile.frameMs <= wanted && wanted - tile.frameMs < 500).length, { timeout: 15000 }).toBe(3);
    await expect.poll(() => page.locator('[data-testid=pb-tile][data-camera-id="cam-3"]').textContent()).toContain('Không có dữ liệu ghi hình');
    await expect.poll(() => page.locator('[data-testid=pb-position]').textContent()).toBe(typed);

    // the timeline: 4 camera rows, the gap coloured as "camera offline", the bookmark
    expect(await page.locator('[data-testid=pb-row]').count()).toBe(4);
    await expect.poll(() => page.locator('[data-testid=pb-row][data-camera-id="cam-3"] [data-testid=pb-gap][data-reason=cameraOffline]').count()).toBe(1);
    expect(await page.locator('[data-testid=pb-row][data-camera-id="cam-1"] [data-testid=pb-gap]').count()).toBe(0);
    expect(await page.locator('[data-testid=pb-bookmark-mark]').count()).toBeGreaterThanOrEqual(4);
    await page.waitForTimeout(800);
    const shot = await screenshot(page, outputPath('e2e', 'playback-2x2.png'));
    const boxes = await tiles(page);
    for (const tile of boxes) {
      const stats = regionStats(shot, tile.box);
      if (tile.cameraId === 'cam-3') expect(stats.meanLuma, 'no stale picture in the gap').toBeLessThan(40);
      else expect(stats.spread, `${tile.cameraId} shows a picture`).toBeGreaterThan(15);
    }

    // play: every tile moves, on one clock
    const drawnBefore = await drawn(page);
    await page.click('[data-testid=pb-play]');
    await page.waitForTimeout(2500);
    await page.click('[data-testid=pb-play]');
    // paused: each tile shows the newest recorded frame not later than the one clock (the test
    // cameras paused up to ~450 ms between frames, so the tiles' times may differ that much)
    const inSync = async () => {
      const state = await coreState(page);
      const shown = await tiles(page);
      return {
        playing: state.playing,
        tiles: state.tiles.map((tile, index) => ({
          cameraId: tile.cameraId,
          state: tile.state,
          newest: tile.state === 'playing' && isNewestAt(tile.cameraId, tile.frameMs, state.positionMs) && shown[index]!.frameMs === tile.frameMs,
        })),
      };
    };
    const synced = [0, 1, 3].map((index) => ({ cameraId: PLAYBACK_CAMERAS[index], state: 'playing', newest: true }));
    await expect.poll(async () => (await inSync()).tiles.filter((tile) => tile.cameraId !== 'cam-3'), { timeout: 10000 }).toEqual(synced);
    expect((await inSync()).playing).toBe(false);
    const played = await tiles(page);
    const times = played.filter((tile) => tile.state === 'playing').map((tile) => tile.frameMs!);
    expect(Math.min(...times)).toBeGreaterThan(wanted + 1500);
    expect(Math.max(...times) - Math.min(...times), 'tiles on one clock').toBeLessThan(500);
    // the wall drew those frames (its own figures), and the pictures on screen moved: the time
    // code burned in by the camera changed (software GL on a loaded machine may lag on one tile)
    const shownTiles = (await coreState(page)).tiles.filter((entry) => entry.cameraId !== 'cam-3');
    await expect.poll(async () => {
      const stats = await drawn(page);
      return shownTiles.map((tile) => ({ cameraId: tile.cameraId, drewTheFrameShown: Math.abs((stats[tile.viewId]?.lastDecodedAtMs ?? 0) - tile.frameMs!) < 1 }));
    }).toEqual(shownTiles.map((tile) => ({ cameraId: tile.cameraId, drewTheFrameShown: true })));
    const drawnAfter = await drawn(page);
    for (const tile of shownTiles) expect(drawnAfter[tile.viewId]!.framesDrawn, `${tile.cameraId} drew frames while playing`).toBeGreaterThan((drawnBefore[tile.viewId]?.framesDrawn ?? 0) + 10);
    await page.waitForTimeout(300);
    const after = await screenshot(page);
    const moved = boxes.filter((entry) => entry.cameraId !== 'cam-3' && regionChange(shot, after, timecodeBand(entry.box), 0) > 0.05);
    expect(moved.length).toBeGreaterThanOrEqual(2);
  });

  // (flaky once: the wall shrank a little when the "gap skipped" note wrapped the controls bar,
  // and the page reopened its session for the new tile size, which lost the skipped gap; a go-to
  // or play clicked while the session was being reopened after the cameras changed was lost)
  it('the clock jumps a gap no camera has footage in, and marks it on the timeline', async () => {
    // cam-3 alone
    for (const cameraId of ['cam-1', 'cam-2', 'cam-4']) await page.click(`[data-testid=pb-camera-check][data-camera-id="${cameraId}"]`);
    await page.click('[data-testid=pb-layout-1]');
    const gap = recordings.gaps.find((entry) => entry.cameraId === 'cam-3' && entry.reason === 'cameraOffline')!;
    const before = recordings.segments.filter((segment) => segment.cameraId === 'cam-3' && segment.endMs <= gap.startMs + 1500).at(-1)!;
    const resume = recordings.segments.filter((segment) => segment.cameraId === 'cam-3' && segment.startMs >= gap.endMs - 1500)[0]!;
    // (typed with whole seconds)
    const startMs = Math.floor((before.endMs - 3000) / 1000) * 1000;
    await page.fill('[data-testid=pb-goto]', formatDateTime(startMs, 'Asia/Ho_Chi_Minh'));
    await page.click('[data-testid=pb-goto-button]');
    // the tile shows the typed moment, before the gap (not only "playing" somewhere)
    await expect
      .poll(async () => (await tiles(page)).map((tile) => ({ state: tile.state, atTypedTime: isNewestAt('cam-3', tile.frameMs, startMs) })), { timeout: 20000 })
      .toEqual([{ state: 'playing', atTypedTime: true }])
      .catch(async (error: unknown) => {
        await screenshot(page, outputPath('e2e', 'playback-gap-failed.png'));
        throw error;
      });
    const sessionId = await page.getAttribute('[data-testid=pb-wall]', 'data-session-id');
    await page.selectOption('[data-testid=pb-speed]', '2');
    const play = page.locator('[data-testid=pb-play]');
    await play.click();
    await expect.poll(() => play.getAttribute('data-playing')).toBe('yes');
    await expect.poll(() => page.locator('[data-testid=pb-skipped-note]').count(), { timeout: 40000 }).toBe(1);
    // the gap jumped is cam-3's: from its last frame before the gap to its first after it
    const skipped = (await coreState(page)).skippedGap!;
    expect(skipped.startMs).toBeGreaterThanOrEqual(before.endMs - 200);
    expect(skipped.startMs).toBeLessThanOrEqual(gap.startMs + 1500);
    expect(skipped.endMs).toBe(resume.startMs);
    expect(await page.locator('[data-testid=pb-skipped-note]').textContent()).toContain(formatDateTime(resume.startMs, 'Asia/Ho_Chi_Minh'));
    // (a click racing a state message may toggle the old state: click until paused)
    for (let attempt = 0; attempt < 4 && (await play.getAttribute('data-playing')) === 'yes'; attempt++) {
      await play.click();
      await page.waitForTimeout(700);
    }
    expect(await play.getAttribute('data-playing')).toBe('no');
    // the jumped gap is marked on the wall's row (a wider window: the clock may have left the
    // one-minute window), and the camera plays on after it; still the same session, and the
    // note stays until the next seek
    await page.click('[data-testid=pb-zoom-out]');
    await expect.poll(() => page.locator('[data-testid=pb-skipped]').count()).toBe(1);
    await expect.poll(async () => (await tiles(page))[0]!.frameMs ?? 0, { timeout: 10000 }).toBeGreaterThan(gap.endMs - 1500);
    await expect.poll(async () => (await tiles(page))[0]!.state).toBe('playing');
    expect(await page.getAttribute('[data-testid=pb-wall]', 'data-session-id')).toBe(sessionId);
    expect(await page.locator('[data-testid=pb-skipped-note]').count()).toBe(1);
    await page.waitForTimeout(500);
    await screenshot(page, outputPath('e2e', 'playback-gap-skipped.png'));
  });
});
