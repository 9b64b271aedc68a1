import { spawnSync } from 'node:child_process';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FRAME_HEADER_BYTES } from '../../common/liveProtocol';
import { readTimecode } from '../../common/timecode';
import type { FfmpegInfo } from '../../main/core/ffmpeg/probe';
import { runFfmpegOnce } from '../../main/core/ffmpeg/supervisor';
import { silentLogger } from '../../main/core/log/logger';
import { DecodeRun } from '../../main/core/playback/decodeRun';
import { playbackSnapshot } from '../../main/core/playback/snapshot';
import { keyframeBefore, SegmentScanCache, type SegmentScan } from '../../main/core/playback/segmentScan';
import type { SegmentRow } from '../../main/core/recording/recordingIndex';
import { systemClock } from '../../main/core/util/clock';
import { TIMECODE_ENCODERS } from '../helpers/rtspServer';
import { burnedTimes, delayMs, ENCODER_FPS, encoderRecordings, ffmpegBuilds, indexTimes, parameterSetsOnlyAtStart, segmentFile, TC_H, TC_W, type EncoderRecordings } from './encoderFixture';

const FRAME_MS = 1000 / ENCODER_FPS;

interface Decoded {
  pictures: { wallMs: number; code: number }[];
  failed: boolean;
  noPicture: boolean;
  /** 1: the decoder was retried (parameterSets or probing trouble). */
  attempt: number;
}

/** SPS NAL units ffmpeg's trace_headers sees in a file (the stream's extradata first, then the packets'). */
function sequenceParameterSets(ffmpeg: FfmpegInfo, file: string): number {
  // the whole trace (MBs: every slice header), not the supervisor's bounded stderr tail
  const trace = spawnSync(ffmpeg.path, ['-hide_banner', '-i', file, '-map', '0:v:0', '-c', 'copy', '-bsf:v', 'trace_headers', '-f', 'null', '-'], { encoding: 'utf8', maxBuffer: 512 * 1024 * 1024 });
  return (trace.stderr.match(/\] Sequence Parameter Set\s*$/gm) ?? []).length;
}

/** Pictures ffmpeg decodes from MPEG-TS bytes given on its stdin. */
async function framesDecoded(ffmpeg: FfmpegInfo, bytes: Buffer): Promise<number> {
  const result = await runFfmpegOnce({ binary: ffmpeg.path, clock: systemClock, log: silentLogger }, 'count', ['-hide_banner', '-loglevel', 'quiet', '-f', 'mpegts', '-i', 'pipe:0', '-map', '0:v:0', '-f', 'framecrc', 'pipe:1'], { input: bytes });
  return result.stdout.toString().split('\n').filter((line) => line.length > 0 && !line.startsWith('#')).length;
}

/**
 * One playback decoder as the session runs it: the plan's frames fed a few at a time (one more per
 * picture), stopped once a picture later than `untilMs` came out.
 */
function decode(ffmpeg: FfmpegInfo, file: string, segment: SegmentRow, scan: SegmentScan, plan: number[], untilMs = Infinity): Promise<Decoded> {
  return new Promise((resolve) => {
    const pictures: Decoded['pictures'] = [];
    let done = false;
    const finish = (run: DecodeRun): void => {
      if (done) return;
      done = true;
      resolve({ pictures, failed: run.failed, noPicture: run.noPicture, attempt: run.attempt });
    };
    new DecodeRun(
      file, segment.startMs, scan, plan, TC_W, TC_H, ffmpeg, { clock: systemClock, log: silentLogger },
      (run, wallMs, frame) => {
        pictures.push({ wallMs, code: readTimecode(frame.subarray(FRAME_HEADER_BYTES), TC_W, TC_H) });
        if (wallMs > untilMs) void run.stop().then(() => finish(run));
        else run.feed(1);
      },
      finish,
    );
  });
}

// Real recordings of the time-stamped camera under each encoder setting, decoded with both ffmpeg builds.
describe('playback shows every camera’s footage: encoder matrix × ffmpeg builds, checked against the burned-in send times', () => {
  let recordings: EncoderRecordings;
  let builds: { label: string; info: FfmpegInfo }[];
  const scans = new SegmentScanCache();
  /** The first closed segment of each encoder, its reference send times (presentation order) and index times. */
  const cases = new Map<string, { segment: SegmentRow; file: string; scan: SegmentScan; codes: number[]; times: number[] }>();

  beforeAll(async () => {
    recordings = await encoderRecordings();
    builds = await ffmpegBuilds();
    for (const encoder of TIMECODE_ENCODERS) {
      const segment = recordings.segments.find((candidate) => candidate.cameraId === encoder && candidate.endMs - candidate.startMs > 5000);
      if (!segment) continue;
      const file = segmentFile(recordings, segment);
      cases.set(encoder, { segment, file, scan: scans.get(file)!, codes: await burnedTimes(builds.at(-1)!.info, file), times: indexTimes(file, segment.startMs) });
    }
  }, 180_000);
  afterAll(() => recordings?.remove());

  it('every encoder setting was recorded, and both ffmpeg builds are here', () => {
    expect(builds.map((build) => build.label)).toEqual(['bundled', 'system']);
    expect([...cases.keys()].sort()).toEqual([...TIMECODE_ENCODERS].sort());
  });

  it('index times: each frame’s recorded time is its send time plus the delivery delay, steady within one frame', () => {
    for (const [encoder, { codes, times }] of cases) {
      expect(codes.length, encoder).toBe(times.length);
      const delays = times.map((wallMs, index) => delayMs(wallMs, codes[index]!));
      const sorted = [...delays].sort((a, b) => a - b);
      // the PC time when the console received the keyframe: never before it was sent
      expect(sorted[0]!, encoder).toBeGreaterThanOrEqual(0);
      expect(sorted.at(-1)!, encoder).toBeLessThan(1000);
      // frame times come from the stream clock: the delay stays the same within a frame's time (+ send jitter)
      const median = sorted[Math.floor(sorted.length / 2)]!;
      expect(sorted[Math.floor(sorted.length * 0.02)]!, encoder).toBeGreaterThan(median - FRAME_MS);
      expect(sorted[Math.floor(sorted.length * 0.98)]!, encoder).toBeLessThan(median + FRAME_MS);
      console.log(`${encoder}: index time − send time median ${median} ms, range ${sorted[0]}…${sorted.at(-1)} ms over ${sorted.length} frames`);
    }
  });

  it('a seek shows the newest frame at or before the target (read from the picture), with both builds', async () => {
    for (const build of builds) {
      for (const [encoder, { segment, file, scan, codes, times }] of cases) {
        // targets: on a frame, just before one, mid-GOP, right after a keyframe, near the end, and
        // the last frame before the second keyframe (late in a GOP: 74 frames to decode first
        // with x264-longgop)
        const secondKeyframeAt = scan.frames.filter((frame) => frame.keyframe)[1]?.atMs;
        const lateInGop = secondKeyframeAt === undefined ? -1 : times.filter((wallMs) => wallMs < segment.startMs + secondKeyframeAt - 0.5).length - 1;
        const picks = [3, 16, 22, 37, 61, 75, lateInGop, times.length - 3].filter((index) => index > 0 && index < times.length);
        const targets = picks.flatMap((index) => [times[index]!, times[index]! - 1, (times[index]! + times[index + 1]!) / 2].filter(Number.isFinite));
        for (const target of targets) {
          const from = keyframeBefore(scan, target - segment.startMs);
          const plan = Array.from({ length: scan.frames.length - from }, (_, n) => from + n);
          const result = await decode(build.info, file, segment, scan, plan, target);
          const label = `${encoder} ${build.label} target +${Math.round(target - segment.startMs)} ms`;
          expect(result.failed, label).toBe(false);
          const shown = result.pictures.filter((picture) => picture.wallMs <= target + 0.5).at(-1);
          expect(shown, label).toBeDefined();
          const expected = times.filter((wallMs) => wallMs <= target + 0.5).length - 1;
          expect(shown!.code, label).toBe(codes[expected]);
        }
      }
    }
  }, 300_000);

  it('the long-GOP camera is one: its keyframes 5 s apart (the seek above to the frame before its second keyframe decoded the whole GOP first)', () => {
    const { scan } = cases.get('x264-longgop')!;
    const keyframes = scan.frames.map((frame, index) => (frame.keyframe ? index : -1)).filter((index) => index >= 0);
    expect(keyframes.length).toBeGreaterThanOrEqual(2);
    for (let n = 1; n < keyframes.length; n++) expect(keyframes[n]! - keyframes[n - 1]!).toBeGreaterThanOrEqual(70);
  });

  it('parameter sets: the recordings of the camera that sends them only in the SDP have them before every keyframe (ffmpeg’s muxer adds them: its access units begin without a delimiter)', () => {
    const { file, scan } = cases.get('x264-oob')!;
    const keyframes = scan.frames.filter((frame) => frame.keyframe).length;
    // trace_headers prints the stream's extradata first, then every SPS in the packets
    expect(sequenceParameterSets(builds.at(-1)!.info, file)).toBe(keyframes + 1);
  });

  it('a seek to a later keyframe of a segment whose parameter sets come only before its first keyframe shows the right frame, with both builds (and so does its snapshot)', async () => {
    const fs = await import('node:fs');
    const path = await import('node:path');
    const { tempDir } = await import('../helpers/paths');
    const dir = tempDir('sets-once');
    try {
      for (const encoder of ['x264-oob', 'x264-bframes', 'h265'] as const) {
        const { segment, file, codes, times } = cases.get(encoder)!;
        const made = path.join(dir, `${encoder}.ts`);
        const turned = parameterSetsOnlyAtStart(file, made);
        const scan = new SegmentScanCache().get(made)!;
        const keyframes = scan.frames.map((frame, index) => (frame.keyframe ? index : -1)).filter((index) => index >= 0);
        expect(keyframes.length, encoder).toBeGreaterThanOrEqual(8);
        expect(turned, encoder).toBeGreaterThanOrEqual((keyframes.length - 1) * (encoder === 'h265' ? 3 : 2));
        // the stream's extradata and the first keyframe's: nothing before the later keyframes
        expect(sequenceParameterSets(builds.at(-1)!.info, made), encoder).toBe(2);
        // the case is real: PAT + PMT + a later keyframe and its GOP, as recorded, decode to nothing
        const later = keyframes[2]!;
        const bytes = Buffer.concat([scan.psi, fs.readFileSync(made).subarray(scan.frames[later]!.offset, scan.frames[later + 8]!.offset)]);
        for (const build of builds) expect(await framesDecoded(build.info, bytes), `${encoder} ${build.label} without help`).toBe(0);
        // seeks to later keyframes and into their GOPs (a keyframe, 4 frames on; the middle and last GOPs)
        for (const build of builds) {
          for (const keyframe of [keyframes[1]!, keyframes[Math.floor(keyframes.length / 2)]!, keyframes.at(-1)!]) {
            for (const step of [0, 4]) {
              if (keyframe + step >= scan.frames.length) continue;
              const target = segment.startMs + scan.frames[keyframe + step]!.atMs;
              const from = keyframeBefore(scan, scan.frames[keyframe + step]!.atMs);
              expect(from, encoder).toBe(keyframe);
              const plan = Array.from({ length: scan.frames.length - from }, (_, n) => from + n);
              const result = await decode(build.info, made, segment, scan, plan, target);
              const label = `${encoder} ${build.label} keyframe ${keyframe} + ${step}`;
              expect(result.failed, label).toBe(false);
              expect(result.attempt, label).toBe(0);
              const shown = result.pictures.filter((picture) => picture.wallMs <= target + 0.5).at(-1);
              expect(shown, label).toBeDefined();
              expect(shown!.code, label).toBe(codes[times.filter((wallMs) => wallMs <= target + 0.5).length - 1]);
            }
          }
        }
        // the still picture of a frame in a later GOP (playback's snapshot button) too
        const frame = keyframes[Math.floor(keyframes.length / 2)]! + 4;
        const frameMs = segment.startMs + scan.frames[frame]!.atMs;
        const footage = { file: made, startMs: segment.startMs, endMs: segment.endMs, open: false, index: null };
        const still = await playbackSnapshot({ ffmpeg: builds[0]!.info, clock: systemClock, log: silentLogger }, dir, encoder, footage, scan, frameMs, 'Asia/Ho_Chi_Minh');
        expect(still.ok, encoder).toBe(true);
        const png = PNG.sync.read(fs.readFileSync(path.join(dir, still.ok ? still.value.fileName : '')));
        const red = Uint8Array.from({ length: png.width * png.height }, (_, pixel) => png.data[pixel * 4]!);
        expect(readTimecode(red, png.width, png.height), `${encoder} snapshot`).toBe(codes[times.filter((wallMs) => wallMs <= frameMs + 0.5).length - 1]);
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 300_000);

  it('short runs (the open segment’s edge: a keyframe alone, or with one frame) give their pictures with both builds — ffmpeg 4.1 failed them with a 32-byte probe', async () => {
    for (const build of builds) {
      for (const [encoder, { segment, file, scan, codes, times }] of cases) {
        const keyframes = scan.frames.map((frame, index) => (frame.keyframe ? index : -1)).filter((index) => index >= 0);
        for (const keyframe of keyframes) {
          for (const length of [1, 2]) {
            const plan = Array.from({ length: Math.min(length, scan.frames.length - keyframe) }, (_, n) => keyframe + n);
            const result = await decode(build.info, file, segment, scan, plan);
            const label = `${encoder} ${build.label} keyframe ${keyframe} × ${plan.length}`;
            expect(result.noPicture, label).toBe(false);
            // B-frames: a lone keyframe is one picture; with the next frame in decode order, whatever it decodes
            expect(result.pictures.length, label).toBeGreaterThanOrEqual(1);
            const first = result.pictures[0]!;
            expect(first.code, label).toBe(codes[times.findIndex((wallMs) => Math.abs(wallMs - first.wallMs) < 0.5)]);
          }
        }
      }
    }
  }, 300_000);

  it('a segment nothing can decode ends with noPicture (the tile says so in Vietnamese), not loading forever', async () => {
    const { segment, file, scan } = cases.get('x264-sliced')!;
    // the frames' bytes replaced by noise after each TS header: PAT/PMT fine, no picture anywhere
    const fs = await import('node:fs');
    const path = await import('node:path');
    const { tempDir } = await import('../helpers/paths');
    const dir = tempDir('undecodable');
    try {
      const data = fs.readFileSync(file);
      for (let offset = scan.frames[0]!.offset; offset + 188 <= data.length; offset += 188) {
        for (let byte = offset + 20; byte < offset + 188; byte++) data[byte] = (byte * 7919) & 0xff;
      }
      const broken = path.join(dir, 'broken.ts');
      fs.writeFileSync(broken, data);
      const plan = scan.frames.slice(0, 30).map((_, index) => index);
      const result = await decode(builds[0]!.info, broken, segment, scan, plan);
      expect(result.pictures).toHaveLength(0);
      expect(result.noPicture).toBe(true);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
