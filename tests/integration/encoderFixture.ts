import fs from 'node:fs';
import path from 'node:path';
import { readTimecode } from '../../common/timecode';
import { startCore, type RunningCore } from '../../main/core/core';
import { probeFfmpeg, type FfmpegInfo } from '../../main/core/ffmpeg/probe';
import { runFfmpegOnce } from '../../main/core/ffmpeg/supervisor';
import { silentLogger } from '../../main/core/log/logger';
import { RecordingIndex, type SegmentRow } from '../../main/core/recording/recordingIndex';
import { scanSegment } from '../../main/core/playback/segmentScan';
import { systemClock } from '../../main/core/util/clock';
import { RtspTestServer, TIMECODE_ENCODERS, type TimecodeEncoder } from '../helpers/rtspServer';
import { cacheDir, repoRoot, tempDir } from '../helpers/paths';

/**
 * Real recordings of the time-stamped test camera (kind `timecode`: every frame carries its send
 * time in ms) under each encoder setting of the matrix (x264 sliced zerolatency, x264 with
 * B-frames, parameter sets only in the SDP, parameter sets once in band with delimiters, a 5-s
 * GOP, H.265;
 * tests/helpers/rtspServer.ts TIMECODE_ENCODERS), 640x360 at 15 fps, recorded by the real
 * recorder with 10 s segments for ~24 s. Made once, kept under test-results/cache; every user
 * gets its own copy. Camera id = encoder name.
 */
export const ENCODER_FPS = 15;
const VERSION = 'encoders-v3';
const RECORD_MS = 24_000;

export interface EncoderRecordings {
  dataDir: string;
  sitePath: string;
  segments: SegmentRow[];
  /** Removes the copy. */
  remove(): void;
}

async function record(target: string): Promise<void> {
  const rtsp = await RtspTestServer.start(TIMECODE_ENCODERS.map((encoder) => ({ path: `/${encoder}`, kind: 'timecode' as const, width: 640, height: 360, fps: ENCODER_FPS, encoder })));
  const work = tempDir('enc-record');
  try {
    const sitePath = path.join(work, 'site.json');
    fs.writeFileSync(sitePath, JSON.stringify({ schemaVersion: 1, name: 'Mã hóa', recording: { segmentSeconds: 10, minFreeGb: 0.05 }, cameras: TIMECODE_ENCODERS.map((encoder) => ({ id: encoder, name: encoder, streams: { main: rtsp.url(`/${encoder}`) } })) }));
    const dataDir = path.join(work, 'data');
    let core: RunningCore | null = null;
    try {
      core = await startCore({ sitePath, dataDir, port: 0, host: 'browser', language: 'vi', staticDir: null, stderrLevel: null });
      await new Promise((resolve) => setTimeout(resolve, RECORD_MS));
    } finally {
      await core?.stop();
      await rtsp.close();
    }
    fs.rmSync(target, { recursive: true, force: true });
    fs.cpSync(dataDir, target, { recursive: true });
    fs.writeFileSync(path.join(target, 'fixture.json'), JSON.stringify({ version: VERSION, madeAtMs: Date.now() }));
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

let making: Promise<void> | null = null;

export async function encoderRecordings(): Promise<EncoderRecordings> {
  const cached = path.join(cacheDir, VERSION);
  if (!fs.existsSync(path.join(cached, 'fixture.json'))) {
    making ??= record(cached);
    await making;
  }
  const work = tempDir('enc');
  const dataDir = path.join(work, 'data');
  fs.cpSync(cached, dataDir, { recursive: true });
  const sitePath = path.join(work, 'site.json');
  fs.writeFileSync(sitePath, JSON.stringify({ schemaVersion: 1, name: 'Mã hóa', recording: { segmentSeconds: 10, minFreeGb: 0.05 }, cameras: TIMECODE_ENCODERS.map((encoder) => ({ id: encoder, name: encoder, streams: { main: `rtsp://127.0.0.1:9/${encoder}` }, recording: { stream: 'off' } })) }));
  const index = new RecordingIndex(path.join(dataDir, 'recordings.sqlite'));
  try {
    return { dataDir, sitePath, segments: index.allSegments(), remove: () => fs.rmSync(work, { recursive: true, force: true }) };
  } finally {
    index.close();
  }
}

export function segmentFile(recordings: EncoderRecordings, segment: SegmentRow): string {
  return path.join(recordings.dataDir, 'recordings', ...segment.path.split('/'));
}

/**
 * A segment whose parameter sets come only before its first keyframe, made from a real recording.
 * The recorder does not write such a segment from a camera that sends them once: ffmpeg's pull
 * (-fflags +nobuffer) drops the packets its probe read, the session's first keyframe with its
 * parameter sets among them, and its MPEG-TS muxer adds the SDP's only before a keyframe that
 * does not begin with an access unit delimiter: such a camera (`x264-once`) is recorded with no
 * parameter sets at all (docs/recording.md). So `source` (a recording whose keyframes all carry
 * them) is copied with each parameter-set NAL unit after its first keyframe turned into a
 * filler-data NAL unit of the same size, which decoders skip: every other byte, packet,
 * timestamp and continuity counter stays as recorded. Returns how many were turned.
 */
export function parameterSetsOnlyAtStart(source: string, target: string): number {
  const data = fs.readFileSync(source);
  const scan = scanSegment(data);
  if (!scan || (scan.codec !== 'h264' && scan.codec !== 'hevc')) throw new Error(`${source}: not an H.264/H.265 segment`);
  const hevc = scan.codec === 'hevc';
  const firstKeyframe = scan.frames.findIndex((frame) => frame.keyframe);
  let turned = 0;
  for (let index = firstKeyframe + 1; index < scan.frames.length; index++) {
    const end = scan.frames[index + 1]?.offset ?? scan.bytes;
    // the frame's PES payload bytes, each with its position in the file
    const positions: number[] = [];
    for (let offset = scan.frames[index]!.offset; offset < end; offset += 188) {
      if ((((data[offset + 1]! & 0x1f) << 8) | data[offset + 2]!) !== scan.videoPid) continue;
      const control = (data[offset + 3]! >> 4) & 0x3;
      if ((control & 0x1) === 0) continue;
      for (let at = offset + 4 + ((control & 0x2) !== 0 ? 1 + data[offset + 4]! : 0); at < offset + 188; at++) positions.push(at);
    }
    const payload = Buffer.from(positions.map((at) => data[at]!));
    const headerBytes = 9 + payload[8]!;
    for (let at = headerBytes; at + 3 < payload.length; at++) {
      if (payload[at] !== 0 || payload[at + 1] !== 0 || payload[at + 2] !== 1) continue;
      const header = at + 3;
      const type = hevc ? (payload[header]! >> 1) & 0x3f : payload[header]! & 0x1f;
      let next = header;
      while (next + 2 < payload.length && !(payload[next] === 0 && payload[next + 1] === 0 && payload[next + 2] === 1)) next++;
      if (next + 2 >= payload.length) next = payload.length;
      if ((hevc ? [32, 33, 34] : [7, 8]).includes(type)) {
        // the unit up to its last non-zero byte (the zeros before the next start code are that code's)
        let last = next - 1;
        while (last > header && payload[last] === 0) last--;
        const filler = hevc ? [38 << 1, 0x01] : [12];
        for (let byte = header; byte <= last; byte++) data[positions[byte]!] = byte === last ? 0x80 : (filler[byte - header] ?? 0xff);
        turned += 1;
      }
      at = next - 1;
    }
  }
  fs.writeFileSync(target, data);
  return turned;
}

/** Both ffmpeg builds this machine has: the bundled 4.1 (@ffmpeg-installer) and the system's (Debian 5.1). */
export async function ffmpegBuilds(): Promise<{ label: string; info: FfmpegInfo }[]> {
  const builds: { label: string; info: FfmpegInfo }[] = [];
  const bundled = path.join(repoRoot, 'node_modules', '@ffmpeg-installer', 'linux-x64', 'ffmpeg');
  for (const [label, binary] of [['bundled', bundled], ['system', '/usr/bin/ffmpeg']] as const) {
    if (!fs.existsSync(binary)) continue;
    builds.push({ label, info: await probeFfmpeg({ clock: systemClock, log: silentLogger }, { configuredPath: binary }) });
  }
  return builds;
}

export const TC_W = 320;
export const TC_H = 180;

/**
 * The burned-in send times of every frame of a file, in presentation order, decoded whole by
 * ffmpeg (no probe limits): the reference a test compares with.
 */
export async function burnedTimes(ffmpeg: FfmpegInfo, file: string): Promise<number[]> {
  const result = await runFfmpegOnce({ binary: ffmpeg.path, clock: systemClock, log: silentLogger }, 'timecodes', [
    '-hide_banner', '-loglevel', 'error', '-i', file, '-map', '0:v:0', '-vf', `scale=${TC_W}:${TC_H}`,
    ...(ffmpeg.fpsModeOption === 'fps_mode' ? ['-fps_mode', 'passthrough'] : ['-vsync', 'passthrough']),
    '-pix_fmt', 'yuv420p', '-f', 'rawvideo', 'pipe:1',
  ], { maxStdoutBytes: 1024 * 1024 * 1024 });
  const frameBytes = (TC_W * TC_H * 3) / 2;
  const codes: number[] = [];
  for (let offset = 0; offset + frameBytes <= result.stdout.length; offset += frameBytes) codes.push(readTimecode(result.stdout.subarray(offset, offset + frameBytes), TC_W, TC_H));
  return codes;
}

/** Index times (wall ms) of a segment's frames in presentation order. */
export function indexTimes(file: string, segmentStartMs: number): number[] {
  const scan = scanSegment(fs.readFileSync(file));
  if (!scan) return [];
  return scan.frames.map((frame) => segmentStartMs + frame.atMs).sort((a, b) => a - b);
}

/** `wallMs - code` undoing the code's modulo 2^32 (the code is the send time, before the index time). */
export function delayMs(wallMs: number, code: number): number {
  const wrapped = (Math.round(wallMs) - code) % 2 ** 32;
  const positive = (wrapped + 2 ** 32) % 2 ** 32;
  return positive > 2 ** 31 ? positive - 2 ** 32 : positive;
}

export type { TimecodeEncoder };
