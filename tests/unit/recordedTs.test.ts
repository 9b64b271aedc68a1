import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StreamStatus } from '../../common/contract';
import { keyframesOf } from '../../main/core/export/keyframes';
import { runFfmpegOnce } from '../../main/core/ffmpeg/supervisor';
import { createLogger, silentLogger } from '../../main/core/log/logger';
import { TS_PACKET_BYTES, TsChunker, TsStreamParser } from '../../main/core/media/mpegts';
import { packetPts } from '../../main/core/media/pes';
import type { CameraStreamSource, SourceConsumer } from '../../main/core/media/source';
import { forEachVideoFrame, FrameWalk, isRandomAccess, readTables, startsPes } from '../../main/core/media/tsFrames';
import { FootageFinder } from '../../main/core/playback/footage';
import { scanFromKeyframe, scanSegment, SegmentScanCache, storedIndexOf } from '../../main/core/playback/segmentScan';
import { PlaybackSession } from '../../main/core/playback/session';
import { RecordingIndex, type SegmentRow } from '../../main/core/recording/recordingIndex';
import { DurabilityStats } from '../../main/core/recording/segmentFile';
import { StreamRecorder } from '../../main/core/recording/streamRecorder';
import { ManualClock, systemClock } from '../../main/core/util/clock';
import { deps as ffmpegDeps, testFfmpeg } from '../helpers/ffmpeg';
import { cacheDir, tempDir } from '../helpers/paths';

// Issue 17: one reader of recorded MPEG-TS (main/core/media/tsFrames.ts) for the recorder,
// playback and export; playback reads an indexed segment only from the stored keyframe on.

const START = Date.UTC(2026, 10, 30, 1, 0, 0);

/**
 * 45 s of 320x180 at 15 fps, a keyframe every second and two B-frames between references (PTS not
 * in file order), in MPEG-TS: what a pull delivers.
 */
async function bframeClip(): Promise<Buffer> {
  const file = path.join(cacheDir, 'recorded-ts-unit-320x180-15fps-45s-g15-b2.ts');
  if (!fs.existsSync(file)) {
    fs.mkdirSync(cacheDir, { recursive: true });
    const ffmpeg = await testFfmpeg();
    const result = await runFfmpegOnce({ binary: ffmpeg.path, ...ffmpegDeps }, 'clip', [
      '-hide_banner', '-loglevel', 'error', '-y', '-f', 'lavfi', '-i', 'testsrc2=size=320x180:rate=15', '-t', '45',
      '-c:v', 'libx264', '-preset', 'veryfast', '-pix_fmt', 'yuv420p', '-x264-params', 'keyint=15:min-keyint=15:scenecut=0:bframes=2', '-f', 'mpegts', `${file}.${process.pid}.tmp`,
    ]);
    expect(result.code).toBe(0);
    fs.renameSync(`${file}.${process.pid}.tmp`, file);
  }
  return fs.readFileSync(file);
}

interface Recorded {
  root: string;
  index: RecordingIndex;
  rows: SegmentRow[];
  fileOf(row: SegmentRow): string;
}

function firstPtsOf(data: Buffer, videoPid: number): number | null {
  const walk = new FrameWalk(videoPid);
  walk.push(data, 0);
  return walk.frames[0]?.pts ?? null;
}

/**
 * The clip recorded by the real recorder (20 s segments), fed a GOP at a time as a pull gives it,
 * the simulated clock following the stream's own clock.
 */
async function record(clip: Buffer, dir: string): Promise<Recorded> {
  const clock = new ManualClock(START);
  const index = new RecordingIndex(path.join(dir, 'index.sqlite'));
  const parser = new TsStreamParser();
  const pieces = parser.parse(new TsChunker().push(clip)!);
  const status: StreamStatus = { cameraId: 'cam-1', stream: 'main', state: 'live', sinceMs: 0, problem: null, codec: 'h264', widthPx: 320, heightPx: 180, revision: 1 };
  let consumer: SourceConsumer | null = null;
  const source = {
    status,
    audioKept: false,
    videoPid: parser.videoPid,
    psi: () => parser.psi(),
    subscribe: (next: SourceConsumer) => {
      consumer = next;
      return () => (consumer = null);
    },
  };
  const root = path.join(dir, 'recordings');
  const recorder = new StreamRecorder(
    { id: 'cam-1', name: 'Cam 1', streams: { main: 'rtsp://h/1' } },
    'main',
    source as unknown as CameraStreamSource,
    { index, storage: { makeRoom: () => true, hasRoom: () => true, guarded: (write) => write() }, clock, log: silentLogger, stats: new DurabilityStats(), root, timeZone: 'Asia/Ho_Chi_Minh', kbps: () => 100, onStatus: () => undefined },
    { segmentMs: 20000, flushMs: 2000, clockJumpMs: 2000, reanchorMs: 1000, silenceMs: 3000 },
  );
  recorder.start();
  let previousPts: number | null = null;
  for (const piece of pieces) {
    const pts = firstPtsOf(piece.data, parser.videoPid!);
    if (previousPts !== null && pts !== null) clock.advance(((pts - previousPts) / 90000) * 1000);
    if (pts !== null) previousPts = pts;
    (consumer as SourceConsumer | null)?.onData(piece.data, piece.keyframe, 1);
  }
  await recorder.stop();
  const rows = index.segments('cam-1', 'main', 0, Number.MAX_SAFE_INTEGER);
  return { root, index, rows, fileOf: (row) => path.join(root, ...row.path.split('/')) };
}

let clip: Buffer;
let recorded: Recorded;
const dir = tempDir('recorded-ts');

beforeAll(async () => {
  clip = await bframeClip();
  recorded = await record(clip, dir);
}, 120_000);

afterAll(() => {
  recorded?.index.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('the one reader of recorded MPEG-TS (media/tsFrames.ts)', () => {
  it('a video frame starts where a PES with a PTS starts on the video PID; its first packet carries the random-access flag on a keyframe', () => {
    const whole = clip.subarray(0, clip.length - (clip.length % TS_PACKET_BYTES));
    const { videoPid } = readTables(whole);
    expect(videoPid).not.toBeNull();
    const starts: number[] = [];
    forEachVideoFrame(whole, videoPid!, (offset, pts, keyframe) => {
      starts.push(offset);
      expect(pts).toBe(packetPts(whole, offset));
      expect(keyframe).toBe(isRandomAccess(whole, offset));
    });
    expect(starts).toHaveLength(45 * 15);
    const keyframes = starts.filter((offset) => isRandomAccess(whole, offset));
    expect(keyframes).toHaveLength(45);
    // the same packet on another PID, or without payload_unit_start, starts no frame
    const packet = Buffer.from(whole.subarray(keyframes[1]!, keyframes[1]! + TS_PACKET_BYTES));
    expect(startsPes(packet, 0, videoPid!)).toBe(true);
    const otherPid = Buffer.from(packet);
    otherPid[2] = (otherPid[2]! + 1) & 0xff;
    expect(startsPes(otherPid, 0, videoPid!)).toBe(false);
    const continuation = Buffer.from(packet);
    continuation[1] = continuation[1]! & ~0x40;
    expect(startsPes(continuation, 0, videoPid!)).toBe(false);
    let found = 0;
    forEachVideoFrame(Buffer.concat([otherPid, continuation]), videoPid!, () => (found += 1));
    expect(found).toBe(0);
  });

  it('walked a range at a time (any packet-aligned cut), gives the frames and times of one walk of the whole', () => {
    const whole = clip.subarray(0, clip.length - (clip.length % TS_PACKET_BYTES));
    const videoPid = readTables(whole).videoPid!;
    const once = new FrameWalk(videoPid);
    once.push(whole, 0);
    const pieces = new FrameWalk(videoPid);
    for (let position = 0, size = 7; position < whole.length; position += size * TS_PACKET_BYTES, size = (size * 13) % 97 + 1) {
      pieces.push(whole.subarray(position, Math.min(whole.length, position + size * TS_PACKET_BYTES)), position);
    }
    expect(pieces.frames).toEqual(once.frames);
    // B-frames: presentation times are not in file order, and the walk keeps each one's own
    expect(once.frames.some((frame, index) => index > 0 && frame.atMs < once.frames[index - 1]!.atMs)).toBe(true);
  });

  it('the recorder, export and playback give the same keyframes (offsets and times) for the same file', () => {
    expect(recorded.rows).toHaveLength(3); // 20 + 20 + 5 s
    for (const row of recorded.rows) {
      const data = fs.readFileSync(recorded.fileOf(row));
      const exported = keyframesOf(data).keyframes;
      const played = scanSegment(data)!.frames.filter((frame) => frame.keyframe).map((frame) => ({ offset: frame.offset, atMs: frame.atMs }));
      expect(row.keyframes!.length, row.path).toBeGreaterThanOrEqual(5);
      expect(row.keyframes, row.path).toEqual(exported);
      expect(played, row.path).toEqual(exported);
      expect(row.psiBytes).toBe(2 * TS_PACKET_BYTES);
    }
  });

  it('a scan from each stored keyframe equals the whole-file scan from there on, and reads only the PAT + PMT and the bytes from the keyframe', async () => {
    for (const row of recorded.rows) {
      const file = recorded.fileOf(row);
      const whole = scanSegment(fs.readFileSync(file))!;
      const index = storedIndexOf(row)!;
      for (const keyframe of index.keyframes) {
        let read = 0;
        const window = (await scanFromKeyframe(file, index, keyframe, (bytes) => (read += bytes)))!;
        const from = whole.frames.findIndex((frame) => frame.offset === keyframe.offset);
        const tail = whole.frames.slice(from);
        expect(window.windowStart).toBe(keyframe.offset);
        // offsets, PTS, keyframe flags and times: the same numbers, not only within rounding
        // (a tile's frame times are compared exactly with the clock's)
        expect(window.frames).toEqual(tail);
        // the same PAT + PMT packets (the continuity counter, byte 3, differs when the muxer repeated them early in the file)
        expect(window.psi.length).toBe(whole.psi.length);
        for (let at = 0; at < whole.psi.length; at += TS_PACKET_BYTES) {
          expect(Buffer.concat([window.psi.subarray(at, at + 3), window.psi.subarray(at + 4, at + TS_PACKET_BYTES)])).toEqual(Buffer.concat([whole.psi.subarray(at, at + 3), whole.psi.subarray(at + 4, at + TS_PACKET_BYTES)]));
        }
        expect([window.videoPid, window.codec, window.bytes]).toEqual([whole.videoPid, whole.codec, whole.bytes]);
        expect(read).toBe(index.psiBytes + (row.bytes - keyframe.offset));
      }
    }
  });

  it('a stored index that does not match the file is not trusted: the whole file is scanned', async () => {
    const row = recorded.rows[0]!;
    const file = recorded.fileOf(row);
    const index = storedIndexOf(row)!;
    const wrong = { offset: index.keyframes[2]!.offset + TS_PACKET_BYTES * 3, atMs: index.keyframes[2]!.atMs };
    expect(await scanFromKeyframe(file, index, wrong)).toBeNull();
    const scans = new SegmentScanCache();
    const scan = await scans.from({ file, open: false, index: { ...index, keyframes: [index.keyframes[0]!, wrong] } }, wrong.atMs + 10);
    expect(scan?.windowStart).toBeNull();
    expect(scan?.frames).toHaveLength(scanSegment(fs.readFileSync(file))!.frames.length);
  });
});

describe('playback of an indexed segment reads from the keyframe, not the whole file', () => {
  /** A playback session of cam-1 on the recording, rows as given; its scans, frames shown and decoder runs. */
  async function session(rows: (cameraId: string, stream: string, fromMs: number, toMs: number) => SegmentRow[]) {
    const scans = new SegmentScanCache();
    const runs: { file: string; fromMs: number }[] = [];
    const log = createLogger({
      level: 'debug',
      console: null,
      file: {
        write: (line) => {
          const entry = JSON.parse(line) as Record<string, unknown>;
          if (entry.message === 'playback run') runs.push({ file: entry.file as string, fromMs: entry.fromMs as number });
        },
      },
    });
    const shown: number[] = [];
    const view = { viewId: 1, busy: false, push: (_frame: Buffer, wallMs: number) => void shown.push(wallMs) };
    const index = { segments: rows, lastSegment: () => recorded.rows.at(-1) ?? null };
    const played = new PlaybackSession(
      'session-1',
      'client-1',
      [{ cameraId: 'cam-1', stream: 'main', widthPx: 320, heightPx: 180, view }],
      { clock: systemClock, log, ffmpeg: await testFfmpeg(), footage: new FootageFinder(index, recorded.root, scans), scans },
      () => undefined,
    );
    return { played, scans, runs, shown };
  }

  /** Recorded times of every frame of the recording (whole-file scans), in presentation order. */
  const recordedTimes = (): number[] =>
    recorded.rows.flatMap((row) => scanSegment(fs.readFileSync(recorded.fileOf(row)))!.frames.map((frame) => row.startMs + frame.atMs)).sort((a, b) => a - b);
  const newestAtOrBefore = (atMs: number): number => recordedTimes().filter((time) => time <= atMs + 0.5).at(-1)!;

  it('a seek reads PAT + PMT and the bytes from the keyframe before the target, starts there, and shows the newest frame at the target', async () => {
    const row = recorded.rows[1]!;
    const target = row.startMs + 12_345;
    const keyframe = row.keyframes!.filter((candidate) => candidate.atMs <= 12_345).at(-1)!;
    expect(keyframe.offset).toBeGreaterThan(row.bytes / 2);
    const { played, scans, runs, shown } = await session((camera, stream, fromMs, toMs) => recorded.index.segments(camera, stream as 'main', fromMs, toMs));
    try {
      await played.seek(target);
      await played.waitShown(5000);
      expect(scans.bytesRead).toBe(row.psiBytes! + (row.bytes - keyframe.offset));
      expect(runs).toEqual([{ file: path.basename(row.path), fromMs: Math.round(row.startMs + keyframe.atMs) }]);
      expect(shown.at(-1)).toBeCloseTo(newestAtOrBefore(target), 6);
      // a later seek in the same segment reuses what was read
      await played.seek(target + 3000);
      await played.waitShown(5000);
      expect(scans.bytesRead).toBe(row.psiBytes! + (row.bytes - keyframe.offset));
      expect(shown.at(-1)).toBeCloseTo(newestAtOrBefore(target + 3000), 6);
      // a frame step back across the keyframe reads the GOP before it too, and lands on the frame
      // just before the keyframe in time (B-frames: not the last one before it in the file)
      await played.seek(row.startMs + keyframe.atMs);
      await played.waitShown(5000);
      await played.step(-1);
      expect(shown.at(-1)).toBeCloseTo(newestAtOrBefore(row.startMs + keyframe.atMs - 1), 6);
      const before = row.keyframes!.filter((candidate) => candidate.atMs < keyframe.atMs).at(-1)!;
      expect(scans.bytesRead).toBe(2 * row.psiBytes! + (row.bytes - keyframe.offset) + (row.bytes - before.offset));
    } finally {
      await played.close();
    }
  });

  it('a row without an index (older schema, recovered) still plays: its whole file is scanned', async () => {
    const row = recorded.rows[1]!;
    const target = row.startMs + 12_345;
    const { played, scans, shown } = await session((camera, stream, fromMs, toMs) => recorded.index.segments(camera, stream as 'main', fromMs, toMs).map((other) => ({ ...other, keyframes: null, psiBytes: null })));
    try {
      await played.seek(target);
      await played.waitShown(5000);
      expect(scans.bytesRead).toBe(row.bytes);
      expect(shown.at(-1)).toBeCloseTo(newestAtOrBefore(target), 6);
      // frame step back from a keyframe: the frame before it in time, not the last before it in
      // the file (B-frames: it stepped two frames back)
      const keyframeMs = row.startMs + row.keyframes!.filter((candidate) => candidate.atMs <= 12_345).at(-1)!.atMs;
      await played.seek(keyframeMs);
      await played.waitShown(5000);
      await played.step(-1);
      expect(shown.at(-1)).toBeCloseTo(newestAtOrBefore(keyframeMs - 1), 6);
    } finally {
      await played.close();
    }
  });

  it('plays on from an indexed segment into the next, every frame once and in order', async () => {
    const first = recorded.rows[0]!;
    const { played, shown } = await session((camera, stream, fromMs, toMs) => recorded.index.segments(camera, stream as 'main', fromMs, toMs));
    try {
      await played.seek(first.endMs - 1500);
      await played.waitShown(5000);
      await played.setSpeed(2);
      played.play();
      const deadline = Date.now() + 15_000;
      while (Date.now() < deadline && (shown.at(-1) ?? 0) < first.endMs + 1500) await new Promise((resolve) => setTimeout(resolve, 50));
      expect(shown.at(-1)!).toBeGreaterThanOrEqual(first.endMs + 1500);
      for (let n = 1; n < shown.length; n++) expect(shown[n]!).toBeGreaterThan(shown[n - 1]!);
    } finally {
      await played.close();
    }
  });
});
