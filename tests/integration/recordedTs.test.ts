import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FRAME_HEADER_BYTES } from '../../common/liveProtocol';
import { readTimecode } from '../../common/timecode';
import { keyframesOf } from '../../main/core/export/keyframes';
import type { FfmpegInfo } from '../../main/core/ffmpeg/probe';
import { silentLogger } from '../../main/core/log/logger';
import { DecodeRun } from '../../main/core/playback/decodeRun';
import { keyframeBefore, scanFromKeyframe, scanSegment, SegmentScanCache, storedIndexOf, storedKeyframeBefore, type SegmentScan } from '../../main/core/playback/segmentScan';
import type { SegmentRow } from '../../main/core/recording/recordingIndex';
import { systemClock } from '../../main/core/util/clock';
import { tempDir } from '../helpers/paths';
import { burnedTimes, encoderRecordings, ffmpegBuilds, indexTimes, parameterSetsOnlyAtStart, segmentFile, TC_H, TC_W, type EncoderRecordings } from './encoderFixture';

/**
 * The first picture later than `untilMs` of a playback decoder fed `plan` of `scan` a frame per
 * picture (as a tile does), and the pictures before it.
 */
function decode(ffmpeg: FfmpegInfo, file: string, segment: SegmentRow, scan: SegmentScan, plan: number[], untilMs: number): Promise<{ wallMs: number; code: number }[]> {
  return new Promise((resolve) => {
    const pictures: { wallMs: number; code: number }[] = [];
    let done = false;
    const finish = (): void => {
      if (done) return;
      done = true;
      resolve(pictures);
    };
    new DecodeRun(
      file, segment.startMs, scan, plan, TC_W, TC_H, ffmpeg, { clock: systemClock, log: silentLogger },
      (run, wallMs, frame) => {
        pictures.push({ wallMs, code: readTimecode(frame.subarray(FRAME_HEADER_BYTES), TC_W, TC_H) });
        if (wallMs > untilMs) void run.stop().then(finish);
        else run.feed(1);
      },
      finish,
    );
  });
}

// Issue 17: the recorder's stored keyframe index, export's keyframes and playback's scans agree on
// real recordings of the RTSP test cameras under every encoder setting (B-frames, H.265, sliced,
// parameter sets out of band), and a seek read from the stored index decodes the right picture.
describe('one reader of recorded TS on real recordings of the encoder matrix', () => {
  let recordings: EncoderRecordings;
  let ffmpeg: FfmpegInfo;
  let indexed: SegmentRow[];

  beforeAll(async () => {
    recordings = await encoderRecordings();
    ffmpeg = (await ffmpegBuilds()).at(-1)!.info;
    indexed = recordings.segments.filter((segment) => storedIndexOf(segment) !== null);
  }, 180_000);
  afterAll(() => recordings?.remove());

  it('every closed segment has its keyframe index, and the recorder, export and playback find the same keyframes', () => {
    expect(indexed.length).toBe(recordings.segments.length);
    expect(new Set(indexed.map((segment) => segment.cameraId)).size).toBeGreaterThanOrEqual(4);
    for (const segment of indexed) {
      const data = fs.readFileSync(segmentFile(recordings, segment));
      const exported = keyframesOf(data).keyframes;
      const played = scanSegment(data)!.frames.filter((frame) => frame.keyframe);
      expect(segment.keyframes!.map((keyframe) => keyframe.offset), segment.path).toEqual(exported.map((keyframe) => keyframe.offset));
      expect(played.map((frame) => frame.offset), segment.path).toEqual(exported.map((keyframe) => keyframe.offset));
      // (times within 0.01 ms: the recorder of these recordings computed them in another order)
      segment.keyframes!.forEach((keyframe, n) => expect(Math.abs(keyframe.atMs - exported[n]!.atMs), segment.path).toBeLessThan(0.01));
      played.forEach((frame, n) => expect(frame.atMs, segment.path).toBe(exported[n]!.atMs));
    }
  });

  it('a scan from each stored keyframe equals the whole-file scan from there on, reading only PAT + PMT and the bytes from the keyframe', async () => {
    for (const segment of indexed) {
      const file = segmentFile(recordings, segment);
      const whole = scanSegment(fs.readFileSync(file))!;
      const index = storedIndexOf(segment)!;
      for (const keyframe of index.keyframes) {
        let read = 0;
        const window = await scanFromKeyframe(file, index, keyframe, (bytes) => (read += bytes));
        expect(window, `${segment.path} @${keyframe.offset}`).not.toBeNull();
        const tail = whole.frames.slice(whole.frames.findIndex((frame) => frame.offset === keyframe.offset));
        // the same offsets, PTS, flags and times (exactly: from the stored times of an older
        // recorder too, which differ from a scan's in the last bits)
        expect(window!.frames).toEqual(tail);
        expect(read).toBe(index.psiBytes + (segment.bytes - keyframe.offset));
      }
    }
  });

  it('a seek from the stored index (the cache reads from the keyframe) shows the newest frame at the target, read from the picture', async () => {
    const scans = new SegmentScanCache();
    for (const cameraId of new Set(indexed.map((segment) => segment.cameraId))) {
      const segment = indexed.find((candidate) => candidate.cameraId === cameraId && candidate.endMs - candidate.startMs > 5000)!;
      const file = segmentFile(recordings, segment);
      const codes = await burnedTimes(ffmpeg, file);
      const times = indexTimes(file, segment.startMs);
      expect(codes.length, cameraId).toBe(times.length);
      let windowStart: number | null = null;
      for (const pick of [Math.floor(times.length * 0.55), times.length - 4]) {
        const target = (times[pick]! + times[pick + 1]!) / 2;
        const before = scans.bytesRead;
        const scan = (await scans.from({ file, open: false, index: storedIndexOf(segment) }, target - segment.startMs))!;
        const keyframe = segment.keyframes!.filter((candidate) => candidate.atMs <= target - segment.startMs).at(-1)!;
        // read from that keyframe, or reused: the window read for the earlier target in the segment
        const reused = windowStart !== null && windowStart <= keyframe.offset;
        expect(scan.windowStart, cameraId).toBe(reused ? windowStart : keyframe.offset);
        expect(scans.bytesRead - before, cameraId).toBe(reused ? 0 : segment.psiBytes! + (segment.bytes - keyframe.offset));
        windowStart = scan.windowStart;
        const from = keyframeBefore(scan, target - segment.startMs);
        const plan = Array.from({ length: scan.frames.length - from }, (_, n) => from + n);
        const pictures = await decode(ffmpeg, file, segment, scan, plan, target);
        const shown = pictures.filter((picture) => picture.wallMs <= target + 0.5).at(-1);
        expect(shown, `${cameraId} +${Math.round(target - segment.startMs)} ms`).toBeDefined();
        expect(shown!.code, `${cameraId} +${Math.round(target - segment.startMs)} ms`).toBe(codes[pick]);
      }
    }
  }, 300_000);

  it('a window that starts after the segment’s first keyframe still gives a camera that sends its parameter sets once the first keyframe’s (a seek into a later GOP decodes)', async () => {
    const dir = tempDir('recorded-ts-once');
    try {
      for (const encoder of ['x264-oob', 'x264-bframes', 'h265']) {
        const segment = indexed.find((candidate) => candidate.cameraId === encoder && candidate.endMs - candidate.startMs > 5000)!;
        const file = segmentFile(recordings, segment);
        // the later parameter sets turned into filler of the same size: every offset as recorded,
        // so the row's stored index fits the copy
        const made = path.join(dir, `${encoder}.ts`);
        parameterSetsOnlyAtStart(file, made);
        const codes = await burnedTimes(ffmpeg, file);
        const times = indexTimes(file, segment.startMs);
        const index = storedIndexOf(segment)!;
        const pick = Math.floor(times.length * 0.6);
        const keyframe = storedKeyframeBefore(index, times[pick]! - segment.startMs)!;
        expect(keyframe.offset, encoder).toBeGreaterThan(index.keyframes[0]!.offset);
        const scan = (await new SegmentScanCache().from({ file: made, open: false, index }, times[pick]! - segment.startMs))!;
        expect(scan.windowStart, encoder).toBe(keyframe.offset);
        const from = keyframeBefore(scan, times[pick]! - segment.startMs);
        const plan = Array.from({ length: scan.frames.length - from }, (_, n) => from + n);
        const pictures = await decode(ffmpeg, made, segment, scan, plan, times[pick]!);
        const shown = pictures.filter((picture) => picture.wallMs <= times[pick]! + 0.5).at(-1);
        expect(shown, encoder).toBeDefined();
        expect(shown!.code, encoder).toBe(codes[pick]);
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 300_000);
});
