import { TS_PACKET_BYTES } from '../media/mpegts';
import { parameterSetsOf, withParameterSets } from '../media/parameterSets';
import { forEachVideoFrame } from '../media/tsFrames';
import type { SegmentScan } from './segmentScan';

/**
 * A decoder started on a later keyframe of a recorded segment that does not carry the parameter
 * sets gets the segment's first ones in that keyframe's access unit (media/parameterSets.ts does
 * the TS-level rebuild). The recorder now writes them into every keyframe (issue 20:
 * media/keyframeSets.ts); this is for segments recorded before that.
 */

/**
 * Frame `index` of a scanned segment as a decoder started on it must get it: a keyframe after the
 * segment's first that carries no parameter sets gets those of the segment's first keyframe in
 * its access unit (the decoder keeps them for the frames after it); any other frame, or a segment
 * with no parameter sets at all, is `bytes` as recorded. `read(start, end)` reads the segment.
 */
export function withSegmentParameterSets(scan: SegmentScan, index: number, bytes: Buffer, read: (start: number, end: number) => Buffer): Buffer {
  const frame = scan.frames[index];
  const first = scan.firstKeyframeOffset;
  if (!frame?.keyframe || first === null || first === frame.offset) return bytes;
  if (parameterSetsOf(bytes, scan.videoPid, scan.codec)) return bytes;
  const sets = parameterSetsOf(firstKeyframeBytes(scan, first, read), scan.videoPid, scan.codec);
  return (sets && withParameterSets(bytes, scan.videoPid, scan.codec, sets)) ?? bytes;
}

/** How much of the segment's first keyframe is read when the scan does not say where it ends. */
const FIRST_KEYFRAME_HEAD_BYTES = TS_PACKET_BYTES * 348;

/**
 * The TS packets of the segment's first keyframe (at `offset`): up to the frame after it when the
 * scan holds it; else (a scan from a stored keyframe further on, issue 17) its first ~64 KB, cut
 * at the next frame if that starts sooner: its parameter sets lead its access unit, before any
 * slice.
 */
function firstKeyframeBytes(scan: SegmentScan, offset: number, read: (start: number, end: number) => Buffer): Buffer {
  const at = scan.frames.findIndex((frame) => frame.offset === offset);
  if (at >= 0) return read(offset, at + 1 < scan.frames.length ? scan.frames[at + 1]!.offset : scan.bytes);
  const head = read(offset, Math.min(scan.bytes, offset + FIRST_KEYFRAME_HEAD_BYTES));
  let end = head.length - (head.length % TS_PACKET_BYTES);
  forEachVideoFrame(head.subarray(0, end), scan.videoPid, (start) => {
    if (start > 0 && start < end) end = start;
  });
  return head.subarray(0, end);
}
