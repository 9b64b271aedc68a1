import fs from 'node:fs';
import { TS_PACKET_BYTES } from '../media/mpegts';
import { FrameWalk, readTables } from '../media/tsFrames';

export interface Keyframe {
  /** Byte offset of the keyframe's first packet in the segment file. */
  offset: number;
  /** Ms after the segment's first video frame (the stream's own clock). */
  atMs: number;
}

export interface SegmentKeyframes {
  /** The segment's PAT and PMT packets (put in front of a cut that starts mid-file). */
  psi: Buffer;
  keyframes: Keyframe[];
  bytes: number;
}

/**
 * Where a recorded MPEG-TS segment can be cut without re-encoding: the first packet of every
 * video keyframe (the random-access indicator ffmpeg's muxer sets, read by the one reader of
 * recorded TS, media/tsFrames.ts, as the recorder and playback read it) and its time from the
 * segment's first frame.
 */
export function segmentKeyframes(file: string): SegmentKeyframes {
  return keyframesOf(fs.readFileSync(file));
}

/** The same, read without blocking the core's event loop (live video keeps flowing meanwhile). */
export async function segmentKeyframesAsync(file: string): Promise<SegmentKeyframes> {
  return keyframesOf(await fs.promises.readFile(file));
}

/** From the keyframe index stored with the row: only the PAT + PMT at the file's start are read. */
export async function storedKeyframes(file: string, keyframes: readonly Keyframe[], psiBytes: number, bytes: number): Promise<SegmentKeyframes> {
  const handle = await fs.promises.open(file, 'r');
  try {
    const psi = Buffer.alloc(psiBytes);
    const { bytesRead } = await handle.read(psi, 0, psiBytes, 0);
    return { psi: psi.subarray(0, bytesRead), keyframes: [...keyframes], bytes: bytes - (bytes % TS_PACKET_BYTES) };
  } finally {
    await handle.close();
  }
}

/** An upper bound without reading the file: the whole segment, no keyframe inside (estimates). */
export function wholeSegment(bytes: number): SegmentKeyframes {
  return { psi: Buffer.alloc(0), keyframes: [], bytes };
}

/** The keyframes of a segment held in memory: the frame walk of media/tsFrames.ts, keyframes only. */
export function keyframesOf(data: Buffer): SegmentKeyframes {
  const whole = data.subarray(0, data.length - (data.length % TS_PACKET_BYTES));
  const tables = readTables(whole);
  const keyframes: Keyframe[] = [];
  if (tables.videoPid !== null) {
    const walk = new FrameWalk(tables.videoPid);
    walk.push(whole, 0);
    for (const frame of walk.frames) if (frame.keyframe) keyframes.push({ offset: frame.offset, atMs: frame.atMs });
  }
  return { psi: tables.psi, keyframes, bytes: whole.length };
}
