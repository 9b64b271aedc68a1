import { TS_PACKET_BYTES, TsStreamParser } from './mpegts';
import { packetPid, packetPts, ptsDelta, PTS_HZ, PTS_WRAP } from './pes';

/**
 * The one reader of recorded MPEG-TS (issue 17): which packet starts a video frame, its PTS,
 * whether it is a keyframe, and the walk of those frames over any byte range of a segment. The
 * recorder indexes keyframes with it as it writes, recovery times what a crash left, export plans
 * its cuts with it, and playback scans frames with it (the whole file, or only from a stored
 * keyframe on), so all of them agree on every file.
 */

/** The packet at `offset` starts a PES on `pid`: sync byte, that PID, payload_unit_start. */
export function startsPes(data: Uint8Array, offset: number, pid: number): boolean {
  return data[offset] === 0x47 && ((data[offset + 1] ?? 0) & 0x40) !== 0 && packetPid(data, offset) === pid;
}

/**
 * The packet's adaptation field has the random-access indicator: ffmpeg's muxer sets it on the
 * first packet of every keyframe (the live path's GOP cache cuts at the same flag).
 */
export function isRandomAccess(data: Uint8Array, offset: number): boolean {
  const adaptation = ((data[offset + 3] ?? 0) >> 4) & 0x3;
  return (adaptation & 0x2) !== 0 && (data[offset + 4] ?? 0) > 0 && ((data[offset + 5] ?? 0) & 0x40) !== 0;
}

/**
 * Milliseconds from `fromPts` to `pts` on the stream's 90 kHz clock, across the 33-bit wrap. One
 * formula for every reader: the recorder's stored times and a scan's are then the same numbers.
 */
export function msAfter(fromPts: number, pts: number): number {
  return (ptsDelta(fromPts, pts) * 1000) / PTS_HZ;
}

/**
 * The frame walk: every video frame that starts in the whole packets of `data` (a PES start on
 * `videoPid` that carries a PTS), with its offset in `data` and whether it is a keyframe. `data`
 * may be any range of a segment that begins on the packet grid.
 */
export function forEachVideoFrame(data: Uint8Array, videoPid: number, visit: (offset: number, pts: number, keyframe: boolean) => void): void {
  for (let offset = 0; offset + TS_PACKET_BYTES <= data.length; offset += TS_PACKET_BYTES) {
    if (!startsPes(data, offset, videoPid)) continue;
    const pts = packetPts(data, offset);
    if (pts !== null) visit(offset, pts, isRandomAccess(data, offset));
  }
}

export interface TsTables {
  /** The PAT and PMT packets (the last of each in the bytes read): what a decoder is fed first. */
  psi: Buffer;
  videoPid: number | null;
  codec: string | null;
}

/** PAT + PMT, the video PID and codec of the whole packets of `data`. */
export function readTables(data: Buffer): TsTables {
  const parser = new TsStreamParser();
  parser.parse(data.subarray(0, data.length - (data.length % TS_PACKET_BYTES)));
  return { psi: Buffer.concat(parser.psi()), videoPid: parser.videoPid, codec: parser.videoCodec };
}

export interface TimedFrame {
  /** Byte offset of the frame's first TS packet in the file. */
  offset: number;
  pts: number;
  keyframe: boolean;
  /** Milliseconds after the segment's first frame (stream clock). */
  atMs: number;
}

/**
 * Frames of one segment, walked a byte range at a time in file order and timed from the first
 * frame found: it is at `firstAtMs` (0 for a walk from the file's start; a stored keyframe's
 * `atMs` for a walk from that keyframe), every later frame at `firstAtMs` + its PTS after the
 * first one's. The times are counted from the segment's first frame's PTS, found back from
 * `firstAtMs` in whole 90 kHz ticks: a walk from a keyframe gives the very numbers a walk of
 * the whole file gives, not only equal within rounding (recorded times are compared exactly).
 */
export class FrameWalk {
  readonly frames: TimedFrame[] = [];
  /** PTS of the segment's first frame. */
  private originPts: number | null = null;

  constructor(
    private readonly videoPid: number,
    private readonly firstAtMs = 0,
  ) {}

  /** Walks `data`, the bytes of the file from byte `base` on (on the packet grid). */
  push(data: Uint8Array, base: number): void {
    forEachVideoFrame(data, this.videoPid, (offset, pts, keyframe) => {
      this.originPts ??= (((pts - Math.round((this.firstAtMs * PTS_HZ) / 1000)) % PTS_WRAP) + PTS_WRAP) % PTS_WRAP;
      this.frames.push({ offset: base + offset, pts, keyframe, atMs: msAfter(this.originPts, pts) });
    });
  }
}
