import type { CameraTimeline, PlaybackGapReason, TimelineGap, TimeRange } from '../../../common/playbackContract';
import type { StreamKind } from '../../../common/site';

/** Segments closer than this are one range on the timeline (rotation is exact; recovery may not be). */
export const RANGE_JOIN_MS = 1500;

/** Pure: merges a camera's segments (sorted by start) into recorded ranges, clipped to [fromMs, toMs]. */
export function mergeRanges(segments: readonly { startMs: number; endMs: number }[], fromMs: number, toMs: number, joinMs = RANGE_JOIN_MS): TimeRange[] {
  const ranges: TimeRange[] = [];
  for (const segment of segments) {
    const startMs = Math.max(fromMs, segment.startMs);
    const endMs = Math.min(toMs, segment.endMs);
    if (endMs <= startMs) continue;
    const last = ranges.at(-1);
    if (last && startMs - last.endMs <= joinMs) last.endMs = Math.max(last.endMs, endMs);
    else ranges.push({ startMs, endMs });
  }
  return ranges;
}

/**
 * Pure: the gaps of a camera between its ranges. A hole the recorder explained keeps its reason
 * (camera offline, recording off, disk full, console off...); a hole nobody explained is `unknown`.
 * Only holes between recorded footage, and explained gaps, are shown: before the first footage
 * there is nothing to explain.
 */
export function timelineGaps(ranges: readonly TimeRange[], recorded: readonly { startMs: number; endMs: number; reason: string }[], fromMs: number, toMs: number): TimelineGap[] {
  const gaps: TimelineGap[] = recorded
    .map((gap) => ({ startMs: Math.max(fromMs, gap.startMs), endMs: Math.min(toMs, gap.endMs), reason: gap.reason as PlaybackGapReason }))
    .filter((gap) => gap.endMs > gap.startMs);
  for (let index = 1; index < ranges.length; index++) {
    const hole = { startMs: ranges[index - 1]!.endMs, endMs: ranges[index]!.startMs };
    const explained = gaps.some((gap) => gap.startMs < hole.endMs && gap.endMs > hole.startMs);
    if (!explained) gaps.push({ ...hole, reason: 'unknown' });
  }
  return gaps.sort((a, b) => a.startMs - b.startMs);
}

export function cameraTimeline(
  cameraId: string,
  stream: StreamKind,
  segments: readonly { startMs: number; endMs: number }[],
  recordedGaps: readonly { startMs: number; endMs: number; reason: string }[],
  fromMs: number,
  toMs: number,
): CameraTimeline {
  const ranges = mergeRanges(segments, fromMs, toMs);
  return { cameraId, stream, ranges, gaps: timelineGaps(ranges, recordedGaps, fromMs, toMs) };
}
