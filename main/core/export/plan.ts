import type { GapRow, SegmentRow } from '../recording/recordingIndex';
import type { SegmentKeyframes } from './keyframes';

/** A byte range of one segment file (end exclusive). */
export interface Piece {
  /** Relative segment path, as in the index. */
  path: string;
  start: number;
  end: number;
}

/** One output file: pieces cut at keyframes, in order, that play as one MP4. */
export interface PartPlan {
  pieces: Piece[];
  /** PAT + PMT to put in front when the first piece starts inside a segment. */
  psi: Buffer | null;
  startMs: number;
  endMs: number;
  bytes: number;
}

export interface SpanGap {
  startMs: number;
  endMs: number;
  /** A reason of the recording index, or `noRecording` when the index has none. */
  reason: string;
}

export interface CameraPlan {
  /** Continuous runs of footage; each becomes one MP4, or several parts when too big. */
  runs: PartPlan[][];
  gaps: SpanGap[];
  bytes: number;
}

/** Segments closer than this are one continuous run (the recorder's rotation is exact). */
const CONTINUOUS_MS = 1000;
/** MP4 is smaller than the MPEG-TS it comes from; this margin keeps parts under the limit. */
export const PART_BUDGET_RATIO = 0.9;

/**
 * Which bytes of which segments make the export of one camera for [startMs, endMs): from the last
 * keyframe at or before the start to the first keyframe at or after the end (stream copy can only
 * cut at keyframes), one file per continuous run, split at keyframes into parts that stay under
 * `maxFileBytes` (FAT32). The uncovered spans inside the range are listed with the index's reason.
 */
export function planCamera(
  segments: readonly SegmentRow[],
  gaps: readonly GapRow[],
  startMs: number,
  endMs: number,
  maxFileBytes: number | null,
  keyframesOf: (segment: SegmentRow) => SegmentKeyframes,
): CameraPlan {
  const inRange = segments.filter((segment) => segment.endMs > startMs && segment.startMs < endMs).sort((a, b) => a.startMs - b.startMs);
  const runs: SegmentRow[][] = [];
  for (const segment of inRange) {
    const last = runs.at(-1)?.at(-1);
    if (last && Math.abs(segment.startMs - last.endMs) <= CONTINUOUS_MS) runs.at(-1)!.push(segment);
    else runs.push([segment]);
  }
  const budget = maxFileBytes === null ? Number.POSITIVE_INFINITY : Math.floor(maxFileBytes * PART_BUDGET_RATIO);
  const plannedRuns = runs.map((run) => planRun(run, startMs, endMs, budget, keyframesOf));
  const covered = plannedRuns.map((parts) => ({ startMs: parts[0]!.startMs, endMs: parts.at(-1)!.endMs }));
  return {
    runs: plannedRuns,
    gaps: uncovered(covered, startMs, endMs, gaps),
    bytes: plannedRuns.flat().reduce((sum, part) => sum + part.bytes, 0),
  };
}

interface Cut {
  segment: SegmentRow;
  start: number;
  end: number;
  startMs: number;
  endMs: number;
}

function planRun(run: SegmentRow[], startMs: number, endMs: number, budget: number, keyframesOf: (segment: SegmentRow) => SegmentKeyframes): PartPlan[] {
  const cache = new Map<string, SegmentKeyframes>();
  const info = (segment: SegmentRow): SegmentKeyframes => {
    let found = cache.get(segment.path);
    if (!found) {
      found = keyframesOf(segment);
      cache.set(segment.path, found);
    }
    return found;
  };
  const cuts: Cut[] = run.map((segment) => ({ segment, start: 0, end: segment.bytes, startMs: segment.startMs, endMs: segment.endMs }));
  const first = cuts[0]!;
  if (startMs > first.segment.startMs) {
    const { keyframes } = info(first.segment);
    const before = keyframes.filter((keyframe) => first.segment.startMs + keyframe.atMs <= startMs).at(-1);
    if (before) {
      first.start = before.offset;
      first.startMs = Math.floor(first.segment.startMs + before.atMs);
    }
  }
  const last = cuts.at(-1)!;
  if (endMs < last.segment.endMs) {
    const { keyframes, bytes } = info(last.segment);
    const after = keyframes.find((keyframe) => keyframe.offset > last.start && last.segment.startMs + keyframe.atMs >= endMs);
    if (after) {
      last.end = after.offset;
      last.endMs = Math.ceil(last.segment.startMs + after.atMs);
    } else {
      last.end = Math.min(last.end, bytes);
    }
  }
  const parts: PartPlan[] = [];
  let current: PartPlan | null = null;
  const close = (): void => {
    if (current && current.pieces.length > 0) parts.push(current);
    current = null;
  };
  for (const cut of cuts) {
    const size = cut.end - cut.start;
    if (current && current.bytes + size > budget) close();
    if (size <= budget) {
      current ??= { pieces: [], psi: cut.start > 0 ? info(cut.segment).psi : null, startMs: cut.startMs, endMs: cut.startMs, bytes: 0 };
      current.pieces.push({ path: cut.segment.path, start: cut.start, end: cut.end });
      current.bytes += size;
      current.endMs = cut.endMs;
      continue;
    }
    // one segment bigger than a part: split it at its own keyframes
    const { keyframes, psi } = info(cut.segment);
    const points = keyframes.filter((keyframe) => keyframe.offset > cut.start && keyframe.offset < cut.end);
    let pieceStart = cut.start;
    let pieceStartMs = cut.startMs;
    for (let n = 0; n <= points.length; n++) {
      const next = points[n];
      const nextEnd = next ? next.offset : cut.end;
      const following = points[n + 1]?.offset ?? cut.end;
      if (next && following - pieceStart <= budget) continue;
      const end = nextEnd;
      const endAtMs = next ? Math.round(cut.segment.startMs + next.atMs) : cut.endMs;
      parts.push({ pieces: [{ path: cut.segment.path, start: pieceStart, end }], psi: pieceStart > 0 ? psi : null, startMs: pieceStartMs, endMs: endAtMs, bytes: end - pieceStart });
      pieceStart = end;
      pieceStartMs = endAtMs;
    }
  }
  close();
  return parts;
}

/** The spans of [startMs, endMs) no run covers, each with the index's reason when it has one. */
function uncovered(covered: { startMs: number; endMs: number }[], startMs: number, endMs: number, gaps: readonly GapRow[]): SpanGap[] {
  const spans: { startMs: number; endMs: number }[] = [];
  let cursor = startMs;
  for (const run of covered) {
    if (run.startMs - cursor > CONTINUOUS_MS) spans.push({ startMs: cursor, endMs: Math.min(run.startMs, endMs) });
    cursor = Math.max(cursor, run.endMs);
  }
  if (endMs - cursor > CONTINUOUS_MS) spans.push({ startMs: cursor, endMs });
  return spans.map((span) => {
    let best: GapRow | null = null;
    let bestOverlap = 0;
    for (const gap of gaps) {
      const overlap = Math.min(gap.endMs, span.endMs) - Math.max(gap.startMs, span.startMs);
      if (overlap > bestOverlap) {
        best = gap;
        bestOverlap = overlap;
      }
    }
    return { ...span, reason: best?.reason ?? 'noRecording' };
  });
}
