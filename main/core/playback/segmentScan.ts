import fs from 'node:fs';
import { TS_PACKET_BYTES } from '../media/mpegts';
import { FrameWalk, readTables, type TimedFrame } from '../media/tsFrames';

/**
 * The frame index of one recorded MPEG-TS segment: where every video frame (PES) starts in the
 * file, its PTS and whether it is a keyframe (the random-access flag ffmpeg's muxer sets). A seek
 * starts a decoder on the keyframe before the target by writing PAT + PMT and the bytes from that
 * keyframe's offset: no demuxer search, no probing of the whole file. The frame walk is the one
 * reader of recorded TS (media/tsFrames.ts), as the recorder's and export's.
 */
export type SegmentFrame = TimedFrame;

export interface SegmentScan {
  /** PAT + PMT packets: the start of what a decoder is fed. */
  psi: Buffer;
  videoPid: number;
  codec: string | null;
  frames: SegmentFrame[];
  /** Bytes of the file (whole packets). */
  bytes: number;
  /** Median frame interval (ms), for stepping and pacing; 1000/15 when unknown. */
  frameIntervalMs: number;
}

/** Scans a whole segment held in memory. Returns null when it has no PAT/PMT or no video frame. */
export function scanSegment(data: Buffer): SegmentScan | null {
  const whole = data.subarray(0, data.length - (data.length % TS_PACKET_BYTES));
  // PAT and PMT come first in every segment (docs/recording.md); a few KB are enough to find them
  let tables = readTables(whole.subarray(0, TS_PACKET_BYTES * 64));
  if (tables.videoPid === null) tables = readTables(whole);
  const videoPid = tables.videoPid;
  if (videoPid === null || tables.psi.length === 0) return null;
  const walk = new FrameWalk(videoPid);
  walk.push(whole, 0);
  const frames = walk.frames;
  if (frames.length === 0) return null;
  const steps = frames
    .slice(1, 200)
    .map((frame, index) => frame.atMs - frames[index]!.atMs)
    .filter((step) => step > 0)
    .sort((a, b) => a - b);
  const frameIntervalMs = steps.length > 0 ? steps[Math.floor(steps.length / 2)]! : 1000 / 15;
  return { psi: tables.psi, videoPid, codec: tables.codec, frames, bytes: whole.length, frameIntervalMs };
}

/** Index of the last keyframe at or before `atMs` (ms after the segment's first frame); 0 if none. */
export function keyframeBefore(scan: SegmentScan, atMs: number): number {
  let found = 0;
  for (let index = 0; index < scan.frames.length; index++) {
    const frame = scan.frames[index]!;
    if (frame.atMs > atMs) break;
    if (frame.keyframe) found = index;
  }
  return found;
}

/** Scans of recently used segments, by file path (a seek back and forth scans once). */
export class SegmentScanCache {
  private readonly scans = new Map<string, { scan: SegmentScan | null; mtimeMs: number; size: number }>();

  constructor(private readonly maxEntries = 256) {}

  get(file: string): SegmentScan | null {
    let stat: fs.Stats;
    try {
      stat = fs.statSync(file);
    } catch {
      return null;
    }
    const cached = this.scans.get(file);
    if (cached && cached.mtimeMs === stat.mtimeMs && cached.size === stat.size) {
      this.scans.delete(file);
      this.scans.set(file, cached);
      return cached.scan;
    }
    let scan: SegmentScan | null = null;
    try {
      scan = scanSegment(fs.readFileSync(file));
    } catch {
      scan = null;
    }
    this.scans.set(file, { scan, mtimeMs: stat.mtimeMs, size: stat.size });
    while (this.scans.size > this.maxEntries) this.scans.delete(this.scans.keys().next().value!);
    return scan;
  }
}
