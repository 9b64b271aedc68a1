import fs from 'node:fs';
import { TS_PACKET_BYTES, TsStreamParser } from '../media/mpegts';
import { PTS_HZ, packetPts, ptsDelta } from '../media/pes';

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
 * video keyframe (the random-access indicator ffmpeg's muxer sets, as the recorder and the live
 * path read it) and its time from the segment's first frame.
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

export function keyframesOf(data: Buffer): SegmentKeyframes {
  const whole = data.subarray(0, data.length - (data.length % TS_PACKET_BYTES));
  const parser = new TsStreamParser();
  parser.parse(whole);
  const videoPid = parser.videoPid;
  const keyframes: Keyframe[] = [];
  let firstPts: number | null = null;
  if (videoPid !== null) {
    for (let offset = 0; offset + TS_PACKET_BYTES <= whole.length; offset += TS_PACKET_BYTES) {
      const b1 = whole[offset + 1] ?? 0;
      const pid = ((b1 & 0x1f) << 8) | (whole[offset + 2] ?? 0);
      if (pid !== videoPid || (b1 & 0x40) === 0) continue;
      const pts = packetPts(whole, offset);
      if (pts === null) continue;
      firstPts ??= pts;
      const adaptation = ((whole[offset + 3] ?? 0) >> 4) & 0x3;
      const randomAccess = (adaptation & 0x2) !== 0 && (whole[offset + 4] ?? 0) > 0 && ((whole[offset + 5] ?? 0) & 0x40) !== 0;
      if (randomAccess) keyframes.push({ offset, atMs: (ptsDelta(firstPts, pts) / PTS_HZ) * 1000 });
    }
  }
  return { psi: Buffer.concat(parser.psi()), keyframes, bytes: whole.length };
}
