import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CameraTimelineSchema } from '../../common/playbackContract';
import { FootageFinder } from '../../main/core/playback/footage';
import { scanSegment, SegmentScanCache } from '../../main/core/playback/segmentScan';
import { PlaybackSession } from '../../main/core/playback/session';
import { cameraTimeline } from '../../main/core/playback/timeline';
import type { SegmentRow } from '../../main/core/recording/recordingIndex';
import { createLogger } from '../../main/core/log/logger';
import { systemClock } from '../../main/core/util/clock';
import { runFfmpegOnce } from '../../main/core/ffmpeg/supervisor';
import { deps as ffmpegDeps, testFfmpeg } from '../helpers/ffmpeg';
import { cacheDir, tempDir } from '../helpers/paths';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const START = Date.UTC(2026, 10, 30, 3, 0, 0);
const DAY = '2026-11-30';

/** A recordings folder the way the recorder leaves it: indexed segments, and `.part` files being written or closed. */
function recordings() {
  const root = tempDir('pb-footage');
  const rows: SegmentRow[] = [];
  const dir = path.join(root, 'cam-1', 'main', DAY);
  fs.mkdirSync(dir, { recursive: true });
  const name = (startMs: number) => `10-00-00_${startMs}.ts`;
  return {
    root,
    index: {
      segments: (_camera: string, _stream: string, fromMs: number, toMs: number) => rows.filter((row) => row.endMs > fromMs && row.startMs < toMs),
      lastSegment: () => rows.at(-1) ?? null,
    },
    /** A segment being written (or closed: fsync, rename), holding `bytes` of `clip`. */
    part(startMs: number, data: Buffer) {
      fs.writeFileSync(path.join(dir, `${name(startMs)}.part`), data);
    },
    /** The recorder closed it: renamed to its final name, then indexed. */
    close(startMs: number, data: Buffer, endMs: number) {
      fs.writeFileSync(path.join(dir, name(startMs)), data);
      fs.rmSync(path.join(dir, `${name(startMs)}.part`), { force: true });
      rows.push({ id: rows.length + 1, cameraId: 'cam-1', stream: 'main', startMs, endMs, bytes: data.length, path: `cam-1/main/${DAY}/${name(startMs)}`, codec: 'h264', widthPx: 160, heightPx: 90, hasAudio: false, recovered: false, sha256: null, recoveredRange: null, chainSeq: null, prevHash: null, rowHash: null, keyframes: null, psiBytes: null });
    },
  };
}

/**
 * 6 s of 160x90 at 15 fps, a keyframe every second with its SPS/PPS (as cameras send them), in
 * MPEG-TS: stands in for a recorded segment.
 */
async function segmentClip(): Promise<Buffer> {
  const file = path.join(cacheDir, 'playback-unit-160x90-15fps-6s-g15.ts');
  if (!fs.existsSync(file)) {
    fs.mkdirSync(cacheDir, { recursive: true });
    const ffmpeg = await testFfmpeg();
    const result = await runFfmpegOnce({ binary: ffmpeg.path, ...ffmpegDeps }, 'clip', [
      '-hide_banner', '-loglevel', 'error', '-y', '-f', 'lavfi', '-i', 'testsrc2=size=160x90:rate=15', '-t', '6',
      '-c:v', 'libx264', '-preset', 'ultrafast', '-tune', 'zerolatency', '-pix_fmt', 'yuv420p', '-x264-params', 'keyint=15:min-keyint=15:scenecut=0:repeat-headers=1', '-f', 'mpegts', `${file}.${process.pid}.tmp`,
    ]);
    expect(result.code).toBe(0);
    fs.renameSync(`${file}.${process.pid}.tmp`, file);
  }
  return fs.readFileSync(file);
}

/** The first `frames` frames of a clip, cut on a frame boundary (as a segment being written is read). */
function firstFrames(clip: Buffer, frames: number): Buffer {
  const scan = scanSegment(clip)!;
  return clip.subarray(0, scan.frames[frames]!.offset);
}

const folders: string[] = [];
afterAll(() => {
  for (const folder of folders) fs.rmSync(folder, { recursive: true, force: true });
});

describe('footage of a camera still recording (instant replay)', () => {
  it('puts the segment being written on the timeline in whole milliseconds (the contract refused it, and the whole timeline with it)', async () => {
    const clip = await segmentClip();
    const folder = recordings();
    folders.push(folder.root);
    // 37 frames: the last at 36 x 66.67 ms, so the end is not a whole millisecond
    folder.part(START, firstFrames(clip, 37));
    const finder = new FootageFinder(folder.index, folder.root, new SegmentScanCache());
    const footage = finder.between('cam-1', 'main', START - 60_000, START + 60_000);
    expect(footage).toHaveLength(1);
    expect(footage[0]).toMatchObject({ startMs: START, open: true });
    expect(Number.isInteger(footage[0]!.endMs)).toBe(true);
    expect(footage[0]!.endMs - START).toBeGreaterThanOrEqual(Math.floor((37 * 1000) / 15));
    const timeline = cameraTimeline('cam-1', 'main', footage, [], START - 60_000, START + 60_000);
    expect(CameraTimelineSchema.safeParse(timeline).success).toBe(true);
  });

  it('still finds a segment being closed while the next one is already written', async () => {
    const clip = await segmentClip();
    const folder = recordings();
    folders.push(folder.root);
    // the recorder rotated: the old .part is being fsynced (not renamed, not indexed yet), the new one grows
    folder.part(START, clip);
    folder.part(START + 6000, firstFrames(clip, 20));
    const finder = new FootageFinder(folder.index, folder.root, new SegmentScanCache());
    expect(finder.atOrAfter('cam-1', 'main', START + 3000, 60_000)).toMatchObject({ startMs: START, open: true });
    expect(finder.atOrAfter('cam-1', 'main', START + 6500, 60_000)).toMatchObject({ startMs: START + 6000, open: true });
    // closed and indexed: found once, under its final name
    folder.close(START, clip, START + 6000);
    const footage = finder.between('cam-1', 'main', START, START + 60_000);
    expect(footage.map((entry) => [entry.startMs - START, entry.open, path.basename(entry.file)])).toEqual([
      [0, false, `10-00-00_${START}.ts`],
      [6000, true, `10-00-00_${START + 6000}.ts.part`],
    ]);
  });

  /** A playback session of cam-1 on `folder`, its frames shown and the decoder runs it started (its debug log). */
  async function replaySession(folder: ReturnType<typeof recordings>, pin?: (files: readonly string[]) => () => void) {
    const scans = new SegmentScanCache();
    const runs: { file: unknown; open: unknown; fromMs: number }[] = [];
    const log = createLogger({
      level: 'debug',
      console: null,
      file: {
        write: (line) => {
          const entry = JSON.parse(line) as Record<string, unknown>;
          if (entry.message === 'playback run') runs.push({ file: entry.file, open: entry.open, fromMs: (entry.fromMs as number) - START });
        },
      },
    });
    const shown: number[] = [];
    const view = { viewId: 1, busy: false, push: (_frame: Buffer, wallMs: number) => void shown.push(wallMs) };
    const session = new PlaybackSession(
      'session-1',
      'client-1',
      [{ cameraId: 'cam-1', stream: 'main', widthPx: 160, heightPx: 90, view }],
      { clock: systemClock, log, ffmpeg: await testFfmpeg(), footage: new FootageFinder(folder.index, folder.root, scans), scans, pin },
      () => undefined,
    );
    return { session, runs, shown };
  }

  it('at the end of what was written so far, waits for more without decoding the last second again and again', async () => {
    const clip = await segmentClip();
    const folder = recordings();
    folders.push(folder.root);
    folder.part(START, firstFrames(clip, 45));
    const { session, runs, shown } = await replaySession(folder);
    try {
      // paused near the end of what is written: every frame of it is decoded, and nothing comes
      await session.seek(START + 2850);
      await session.waitShown(5000);
      await sleep(1000);
      expect(Math.round(shown.at(-1)! - START)).toBe(2800);
      expect(runs).toEqual([{ file: `10-00-00_${START}.ts.part`, open: true, fromMs: 2000 }]);
      // written on, played on: one more decoder, from the keyframe before what is new
      folder.part(START, firstFrames(clip, 75));
      session.play();
      const deadline = Date.now() + 10_000;
      while (Date.now() < deadline && (shown.at(-1) ?? 0) < START + 3500) await sleep(50);
      expect(shown.at(-1)! - START).toBeGreaterThanOrEqual(3500);
      expect(runs).toEqual([
        { file: `10-00-00_${START}.ts.part`, open: true, fromMs: 2000 },
        { file: `10-00-00_${START}.ts.part`, open: true, fromMs: 2000 },
      ]);
    } finally {
      await session.close();
    }
  });

  it('keeps a closed segment on disk (pinned against retention) while a decoder reads it, never the one being written, and lets go of it', async () => {
    const clip = await segmentClip();
    const folder = recordings();
    folders.push(folder.root);
    folder.close(START, clip, START + 6000);
    folder.part(START + 6000, firstFrames(clip, 45));
    const held = new Map<string, number>();
    const log: string[] = [];
    const pin = (files: readonly string[]) => {
      for (const file of files) held.set(file, (held.get(file) ?? 0) + 1);
      log.push(`pin ${files.map((file) => path.basename(file)).join(',')}`);
      let released = false;
      return () => {
        if (released) return;
        released = true;
        for (const file of files) held.set(file, (held.get(file) ?? 1) - 1);
      };
    };
    const { session, shown } = await replaySession(folder, pin);
    try {
      await session.seek(START + 1500);
      await session.waitShown(5000);
      expect(log).toEqual([`pin 10-00-00_${START}.ts`]);
      expect(held.get(path.join(folder.root, 'cam-1', 'main', DAY, `10-00-00_${START}.ts`))).toBe(1);
      // played on into the segment being written: read without a pin (it is not retention's yet)
      await session.seek(START + 7000);
      session.play();
      const deadline = Date.now() + 10_000;
      while (Date.now() < deadline && (shown.at(-1) ?? 0) < START + 7200) await sleep(50);
      expect(shown.at(-1)! - START).toBeGreaterThanOrEqual(7200);
      expect(log.every((entry) => !entry.includes('.part'))).toBe(true);
    } finally {
      await session.close();
    }
    // closed: every pin is released (the files may go by the usual rules again)
    await expect.poll(() => [...held.values()].every((count) => count === 0), { timeout: 5000 }).toBe(true);
  });

  it('a replay reading the segment being written goes on where it was when that segment is closed (renamed), not from its start', async () => {
    const clip = await segmentClip();
    const folder = recordings();
    folders.push(folder.root);
    // 3 s written so far (keyframes every second)
    folder.part(START, firstFrames(clip, 45));
    const { session, runs, shown } = await replaySession(folder);
    try {
      await session.seek(START + 2100);
      await session.waitShown(5000);
      session.play();
      await sleep(200);
      // the recorder closes the segment: 6 s in all, now under its final name and indexed
      folder.close(START, clip, START + 6000);
      // the clock crosses the 3 s that were written when the replay started, and goes on
      const deadline = Date.now() + 15_000;
      while (Date.now() < deadline && (shown.at(-1) ?? 0) < START + 4500) await sleep(50);
      expect(shown.at(-1)! - START, 'played on into what was written after').toBeGreaterThanOrEqual(4500);
      // the closed file: from the keyframe before the last frame fed (2.87 s), not from 0; and
      // no decoder again and again on the last second of the .part while nothing new was written
      expect(runs).toEqual([
        { file: `10-00-00_${START}.ts.part`, open: true, fromMs: 2000 },
        { file: `10-00-00_${START}.ts`, open: false, fromMs: 2000 },
      ]);
      for (let index = 1; index < shown.length; index++) expect(shown[index]!).toBeGreaterThan(shown[index - 1]!);
    } finally {
      await session.close();
    }
  });
});
