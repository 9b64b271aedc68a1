import fs from 'node:fs';
import type { Page } from 'playwright-core';
import type { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WithDiagnostics } from '../../common/diagnostics';
import { formatDateTime } from '../../common/time';
import { readTimecode } from '../../common/timecode';
import type { FfmpegInfo } from '../../main/core/ffmpeg/probe';
import { scanSegment } from '../../main/core/playback/segmentScan';
import type { SegmentRow } from '../../main/core/recording/recordingIndex';
import { screenshot, type Box } from '../helpers/browser';
import { openConsole, type ConsoleUnderTest } from '../helpers/consoleUnderTest';
import { outputPath } from '../helpers/paths';
import { TIMECODE_ENCODERS } from '../helpers/rtspServer';
import { burnedTimes, encoderRecordings, ffmpegBuilds, indexTimes, segmentFile, type EncoderRecordings } from '../integration/encoderFixture';

const ZONE = 'Asia/Ho_Chi_Minh';

interface TileSeen {
  cameraId: string;
  state: string;
  frameMs: number | null;
  viewId: number | null;
  box: Box;
}

async function playbackTiles(page: Page): Promise<TileSeen[]> {
  return page.evaluate(() =>
    Array.from(document.querySelectorAll<HTMLElement>('[data-testid=pb-tile]')).map((tile) => {
      const rect = tile.getBoundingClientRect();
      return {
        cameraId: tile.dataset.cameraId ?? '',
        state: tile.dataset.state ?? '',
        frameMs: tile.dataset.frameMs ? Number(tile.dataset.frameMs) : null,
        viewId: tile.dataset.viewId ? Number(tile.dataset.viewId) : null,
        box: { x: rect.x, y: rect.y, width: rect.width, height: rect.height },
      };
    }),
  );
}

/**
 * The low 16 bits of the send time burned into the picture drawn in a tile (common/timecode.ts),
 * read from a screenshot. The picture's own edges are found in the screenshot (the test camera's
 * picture is never black below its code band; the decoder's bars are): the wall may stretch the
 * decoded frame a little to the tile. The tile's name may cover the first blocks of the code, so
 * only its right half is used.
 */
function burnedLowBits(png: PNG, box: Box): number {
  const lumaAt = (x: number, y: number): number => {
    const index = (png.width * y + x) * 4;
    return Math.round(0.299 * png.data[index]! + 0.587 * png.data[index + 1]! + 0.114 * png.data[index + 2]!);
  };
  const lit = (x: number, y: number): boolean => lumaAt(x, y) > 30;
  // inside the tile's border
  const x0 = Math.ceil(box.x) + 3;
  const x1 = Math.floor(box.x + box.width) - 4;
  const y0 = Math.ceil(box.y) + 3;
  const y1 = Math.floor(box.y + box.height) - 4;
  const middle = Math.round(box.y + box.height / 2);
  let left = x0;
  while (left < x1 && !lit(left, middle)) left++;
  let right = x1;
  while (right > left && !lit(right, middle)) right--;
  // top: the code band's white blocks in the right half (the name is on the left); bottom: the left half (the clock is on the right)
  let top = y1;
  for (let x = Math.round((left + right) / 2); x <= right; x++) for (let y = y0; y < top; y++) if (lit(x, y)) top = y;
  let bottom = y0;
  for (let x = left; x <= Math.round((left + right) / 2); x++) for (let y = y1; y > bottom; y--) if (lit(x, y)) bottom = y;
  const width = right - left + 1;
  const height = bottom - top + 1;
  const luma = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) luma[y * width + x] = lumaAt(left + x, top + y);
  return readTimecode(luma, width, height) % 2 ** 16;
}

/** A camera's recorded frames: index times (presentation order) and the send times burned into them. */
interface CameraFrames {
  times: number[];
  codes: number[];
}

// The encoder matrix on the playback page in Chromium: real recordings of the time-stamped camera
// under each encoder setting (tests/integration/encoderFixture.ts), all on one wall, sought to a
// few typed times; each tile must show the newest frame at or before the time (read from the
// picture the page drew), never stay loading.
describe('playback page: every encoder setting shows the frame at the typed time', () => {
  let recordings: EncoderRecordings;
  let app: ConsoleUnderTest;
  let page: Page;
  let reference: FfmpegInfo;
  const frames = new Map<string, CameraFrames>();

  beforeAll(async () => {
    recordings = await encoderRecordings();
    reference = (await ffmpegBuilds()).at(-1)!.info;
    app = await openConsole(['--site', recordings.sitePath, '--data', recordings.dataDir, '--port', '0'], { width: 1366, height: 768 });
    page = app.page;
    await page.click('[data-page="playback"]');
    await page.waitForSelector('[data-testid=playback-page]');
    // the page starts with the first four cameras; the fifth joins (the wall becomes 3x3)
    for (const encoder of TIMECODE_ENCODERS) {
      const check = page.locator(`[data-testid=pb-camera-check][data-camera-id="${encoder}"]`);
      if (!(await check.isChecked())) await check.click();
    }
  }, 120_000);

  afterAll(async () => {
    await app?.close();
    recordings?.remove();
  });

  const segmentsOf = (cameraId: string): SegmentRow[] => recordings.segments.filter((segment) => segment.cameraId === cameraId).sort((a, b) => a.startMs - b.startMs);

  /** The frames of the segment holding `atMs` (burned times decoded once per segment). */
  async function framesAround(cameraId: string, atMs: number): Promise<CameraFrames> {
    const segment = segmentsOf(cameraId).filter((candidate) => candidate.startMs <= atMs).at(-1)!;
    const key = `${cameraId} ${segment.startMs}`;
    let found = frames.get(key);
    if (!found) {
      const file = segmentFile(recordings, segment);
      found = { times: indexTimes(file, segment.startMs), codes: await burnedTimes(reference, file) };
      expect(found.codes.length, key).toBe(found.times.length);
      frames.set(key, found);
    }
    return found;
  }

  /** Typed times (whole seconds, as an officer types them): early in a GOP, late in the long GOP, after a segment join, near the end. */
  function targets(): number[] {
    const starts = TIMECODE_ENCODERS.map((encoder) => segmentsOf(encoder)[0]!.startMs);
    const ends = TIMECODE_ENCODERS.map((encoder) => segmentsOf(encoder).at(-1)!.endMs);
    const from = Math.max(...starts);
    const to = Math.min(...ends) - 800;
    const longGop = segmentsOf('x264-longgop')[0]!;
    const keyframes = scanSegment(fs.readFileSync(segmentFile(recordings, longGop)))!.frames.filter((frame) => frame.keyframe).map((frame) => longGop.startMs + frame.atMs);
    const wholeSeconds = Array.from({ length: Math.floor((to - from) / 1000) }, (_, n) => Math.ceil(from / 1000) * 1000 + n * 1000).filter((atMs) => atMs > from + 300 && atMs < to);
    const lateInLongGop = wholeSeconds.find((atMs) => keyframes.some((keyframeMs) => atMs - keyframeMs >= 3800 && atMs - keyframeMs < 4950));
    const join = segmentsOf('x264-sliced')[1]!.startMs;
    const afterJoin = wholeSeconds.find((atMs) => atMs > join + 300);
    const picked = [wholeSeconds[1], lateInLongGop, afterJoin, wholeSeconds.at(-1)].filter((atMs): atMs is number => atMs !== undefined);
    return [...new Set(picked)].sort((a, b) => a - b);
  }

  it('each tile shows the newest frame at or before each typed time (the burned-in send time, within one frame), never left loading', async () => {
    const wanted = targets();
    expect(wanted.length).toBeGreaterThanOrEqual(3);
    const misses: string[] = [];
    let exact = 0;
    let checked = 0;
    for (const [n, atMs] of wanted.entries()) {
      const typed = formatDateTime(atMs, ZONE);
      await page.fill('[data-testid=pb-goto]', typed);
      await page.click('[data-testid=pb-goto-button]');
      await expect.poll(() => page.locator('[data-testid=pb-position]').textContent(), { timeout: 10_000 }).toBe(typed);
      // the newest frame at or before the typed time, per camera (its index time, as the core rounds it)
      const expected = new Map<string, { index: number; frames: CameraFrames }>();
      for (const encoder of TIMECODE_ENCODERS) {
        const cameraFrames = await framesAround(encoder, atMs);
        expected.set(encoder, { index: cameraFrames.times.filter((wallMs) => wallMs <= atMs + 0.5).length - 1, frames: cameraFrames });
      }
      // every tile shows a picture (not loading, not an error), the core's frame is the expected one, and the wall drew it
      const settled = async () => {
        const seen = await playbackTiles(page);
        const stats = await page.evaluate(() => (window as WithDiagnostics).consoleDiagnostics?.stats() ?? {});
        return TIMECODE_ENCODERS.map((encoder) => {
          const tile = seen.find((entry) => entry.cameraId === encoder);
          const { index, frames: cameraFrames } = expected.get(encoder)!;
          const drawnMs = tile?.viewId === null || tile?.viewId === undefined ? null : (stats[tile.viewId]?.lastDecodedAtMs ?? null);
          return { encoder, state: tile?.state, frame: tile?.frameMs === Math.round(cameraFrames.times[index]!), drawn: drawnMs !== null && tile?.frameMs !== null && Math.abs(drawnMs - tile!.frameMs!) < 1 };
        });
      };
      await expect
        .poll(settled, { timeout: 30_000, interval: 250 })
        .toEqual(TIMECODE_ENCODERS.map((encoder) => ({ encoder, state: 'playing', frame: true, drawn: true })));
      await page.waitForTimeout(300);
      const shot = await screenshot(page, n === 1 ? outputPath('e2e', 'playback-encoders-1366x768.png') : undefined);
      const seen = await playbackTiles(page);
      for (const encoder of TIMECODE_ENCODERS) {
        const tile = seen.find((entry) => entry.cameraId === encoder)!;
        const { index, frames: cameraFrames } = expected.get(encoder)!;
        const low = burnedLowBits(shot, tile.box);
        const lowOf = (frame: number) => (cameraFrames.codes[frame] ?? -1) % 2 ** 16;
        checked += 1;
        if (low === lowOf(index)) exact += 1;
        else if (low !== lowOf(index - 1) && low !== lowOf(index + 1)) misses.push(`${encoder} at ${typed}: drew ${low}, expected ${lowOf(index)} (frame ${index})`);
      }
    }
    console.log(`${checked} tiles checked at ${wanted.length} typed times: ${exact} the exact frame, ${checked - exact - misses.length} one frame off, ${misses.length} wrong`);
    expect(misses).toEqual([]);
    expect(exact, 'most tiles drew exactly the expected frame').toBeGreaterThanOrEqual(checked - 2);
  });
});
