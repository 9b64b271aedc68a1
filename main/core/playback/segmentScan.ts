import fs from 'node:fs';
import { TS_PACKET_BYTES } from '../media/mpegts';
import { FrameWalk, readTables, type TimedFrame, type TsTables } from '../media/tsFrames';

/**
 * The frame index of one recorded MPEG-TS segment: where every video frame (PES) starts in the
 * file, its PTS and whether it is a keyframe (the random-access flag ffmpeg's muxer sets), read by
 * the one reader of recorded TS (media/tsFrames.ts). A seek starts a decoder on the keyframe
 * before the target by writing PAT + PMT and the bytes from that keyframe's offset: no demuxer
 * search, no probing of the whole file. A closed segment whose row has the recorder's keyframe
 * index is read only from the keyframe before the target (`SegmentScanCache.from`).
 */
export type SegmentFrame = TimedFrame;

export interface SegmentScan {
  /** PAT + PMT packets: the start of what a decoder is fed. */
  psi: Buffer;
  videoPid: number;
  codec: string | null;
  /** Every frame of the file, or (a windowed scan) every frame from `windowStart` on. */
  frames: SegmentFrame[];
  /** Bytes of the file (whole packets). */
  bytes: number;
  /** Median frame interval (ms), for stepping and pacing; 1000/15 when unknown. */
  frameIntervalMs: number;
  /**
   * Byte offset of the stored keyframe a windowed scan starts at (the bytes before it, but the
   * PAT + PMT, were not read); null: the whole file was scanned.
   */
  windowStart: number | null;
  /**
   * Byte offset of the segment's first keyframe (where a camera that sends its parameter sets
   * once has them): the first keyframe of `frames` for a whole scan, the stored index's first for
   * a windowed one, whose `frames` do not hold it when the window starts later.
   */
  firstKeyframeOffset: number | null;
}

/** A closed segment's keyframe index as the recorder stored it with its row (`keyframes`, `psiBytes`). */
export interface StoredIndex {
  keyframes: readonly { offset: number; atMs: number }[];
  psiBytes: number;
}

/** What `SegmentScanCache.from` reads: a file, and its stored index when it is a closed, indexed segment. */
export interface ScanTarget {
  file: string;
  open: boolean;
  index: StoredIndex | null;
}

/** The row's keyframe index when it is usable: stored (not an older or recovered row) and on the packet grid. */
export function storedIndexOf(row: { keyframes: readonly { offset: number; atMs: number }[] | null; psiBytes: number | null }): StoredIndex | null {
  if (!row.keyframes || row.keyframes.length === 0 || !row.psiBytes || row.psiBytes % TS_PACKET_BYTES !== 0) return null;
  return { keyframes: row.keyframes, psiBytes: row.psiBytes };
}

function scanOf(tables: TsTables & { videoPid: number }, frames: SegmentFrame[], bytes: number, window: { start: number; firstKeyframeOffset: number } | null): SegmentScan {
  const steps = frames
    .slice(1, 200)
    .map((frame, index) => frame.atMs - frames[index]!.atMs)
    .filter((step) => step > 0)
    .sort((a, b) => a - b);
  const frameIntervalMs = steps.length > 0 ? steps[Math.floor(steps.length / 2)]! : 1000 / 15;
  const firstKeyframeOffset = window ? window.firstKeyframeOffset : (frames.find((frame) => frame.keyframe)?.offset ?? null);
  return { psi: tables.psi, videoPid: tables.videoPid, codec: tables.codec, frames, bytes, frameIntervalMs, windowStart: window?.start ?? null, firstKeyframeOffset };
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
  if (walk.frames.length === 0) return null;
  return scanOf({ ...tables, videoPid }, walk.frames, whole.length, null);
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

/** The last stored keyframe at or before `atMs` (ms after the segment's first frame); null if none. */
export function storedKeyframeBefore(index: StoredIndex, atMs: number): { offset: number; atMs: number } | null {
  let found: { offset: number; atMs: number } | null = null;
  for (const keyframe of index.keyframes) {
    if (keyframe.atMs > atMs) break;
    found = keyframe;
  }
  return found;
}

/** Bytes a windowed scan reads at a time (whole packets, ~0.75 MB): one buffer, however long the segment. */
const WINDOW_READ_BYTES = TS_PACKET_BYTES * 4096;

/**
 * The frames of `file` from a stored keyframe to its end, read without blocking: the PAT + PMT
 * (the first `psiBytes`), then only the bytes from the keyframe's offset on, walked a chunk at a
 * time. Times are the keyframe's stored `atMs` plus PTS differences (counted from the segment's
 * first PTS, found back in whole ticks): the very numbers a whole-file scan gives. Null when the
 * file does not match the index (no video PID in the PAT + PMT, or the frame at the offset is
 * not that keyframe): the caller scans the whole file.
 */
export async function scanFromKeyframe(file: string, index: StoredIndex, keyframe: { offset: number; atMs: number }, onRead: (bytes: number) => void = () => undefined): Promise<SegmentScan | null> {
  const handle = await fs.promises.open(file, 'r');
  try {
    const { size } = await handle.stat();
    const bytes = size - (size % TS_PACKET_BYTES);
    if (keyframe.offset % TS_PACKET_BYTES !== 0 || keyframe.offset + TS_PACKET_BYTES > bytes) return null;
    const head = Buffer.alloc(index.psiBytes);
    const { bytesRead: headBytes } = await handle.read(head, 0, head.length, 0);
    onRead(headBytes);
    const tables = readTables(head.subarray(0, headBytes));
    const videoPid = tables.videoPid;
    if (videoPid === null || tables.psi.length === 0) return null;
    const walk = new FrameWalk(videoPid, keyframe.atMs);
    const chunk = Buffer.allocUnsafe(Math.min(WINDOW_READ_BYTES, bytes - keyframe.offset));
    for (let position = keyframe.offset; position < bytes; ) {
      const { bytesRead } = await handle.read(chunk, 0, Math.min(chunk.length, bytes - position), position);
      onRead(bytesRead);
      const whole = bytesRead - (bytesRead % TS_PACKET_BYTES);
      if (whole <= 0) break;
      walk.push(chunk.subarray(0, whole), position);
      position += whole;
    }
    const first = walk.frames[0];
    if (!first || first.offset !== keyframe.offset || !first.keyframe) return null;
    return scanOf({ ...tables, videoPid }, walk.frames, bytes, { start: keyframe.offset, firstKeyframeOffset: index.keyframes[0]!.offset });
  } finally {
    await handle.close();
  }
}

interface CachedScan {
  scan: SegmentScan | null;
  mtimeMs: number;
  size: number;
}

/**
 * Scans of recently used segments, by file path (a seek back and forth reads once): whole-file
 * scans, and windowed scans of indexed segments, each reused by any later request that starts at
 * or after its first keyframe (an earlier one replaces it with a longer window).
 */
export class SegmentScanCache {
  private readonly scans = new Map<string, CachedScan>();
  /** Bytes read from segment files by the scans so far (tests and benchmarks count them). */
  bytesRead = 0;

  constructor(private readonly maxEntries = 256) {}

  /** The whole-file scan, read now (synchronously): the open segment, whose end the footage finder needs. */
  get(file: string): SegmentScan | null {
    let stat: fs.Stats;
    try {
      stat = fs.statSync(file);
    } catch {
      return null;
    }
    const cached = this.fresh(file, stat);
    if (cached && (cached.scan === null || cached.scan.windowStart === null)) return cached.scan;
    let scan: SegmentScan | null = null;
    try {
      const data = fs.readFileSync(file);
      this.bytesRead += data.length;
      scan = scanSegment(data);
    } catch {
      scan = null;
    }
    this.keep(file, { scan, mtimeMs: stat.mtimeMs, size: stat.size });
    return scan;
  }

  /**
   * The frames a decoder needs to start at `offsetMs` (ms after the segment's first frame): of a
   * closed segment with a stored keyframe index, only from the stored keyframe at or before it
   * (PAT + PMT and the bytes from that keyframe on, read asynchronously); of the open segment, or
   * a row without an index (older schema, recovered), the whole file (as `get`, but read
   * asynchronously).
   */
  async from(target: ScanTarget, offsetMs: number): Promise<SegmentScan | null> {
    const keyframe = target.open || !target.index ? null : storedKeyframeBefore(target.index, offsetMs);
    let stat: fs.Stats;
    try {
      stat = await fs.promises.stat(target.file);
    } catch {
      return null;
    }
    const cached = this.fresh(target.file, stat);
    if (cached && (cached.scan === null || cached.scan.windowStart === null || (keyframe !== null && cached.scan.windowStart <= keyframe.offset))) return cached.scan;
    let scan: SegmentScan | null = null;
    if (keyframe && target.index) {
      try {
        scan = await scanFromKeyframe(target.file, target.index, keyframe, (bytes) => (this.bytesRead += bytes));
      } catch {
        scan = null;
      }
    }
    // no usable index (or the file does not match it): the whole file
    if (!scan) {
      try {
        const data = await fs.promises.readFile(target.file);
        this.bytesRead += data.length;
        scan = scanSegment(data);
      } catch {
        scan = null;
      }
    }
    this.keep(target.file, { scan, mtimeMs: stat.mtimeMs, size: stat.size });
    return scan;
  }

  /** The cached scan of this file as it is now (marked recently used), if any. */
  private fresh(file: string, stat: fs.Stats): CachedScan | undefined {
    const cached = this.scans.get(file);
    if (!cached || cached.mtimeMs !== stat.mtimeMs || cached.size !== stat.size) return undefined;
    this.scans.delete(file);
    this.scans.set(file, cached);
    return cached;
  }

  private keep(file: string, entry: CachedScan): void {
    this.scans.delete(file);
    this.scans.set(file, entry);
    while (this.scans.size > this.maxEntries) this.scans.delete(this.scans.keys().next().value!);
  }
}
