/**
 * Which bytes an export takes (issue 14: the job's planning in its own module): the stream of
 * each camera, its plan of runs and parts cut at keyframes (plan.ts), and the estimate shown
 * before starting, made without reading any footage.
 */
import fs from 'node:fs';
import { MAX_EXPORT_RANGE_MS, type Estimate } from '../../../common/exportContract';
import { recordedStream, type Camera, type StreamKind } from '../../../common/site';
import type { SegmentRow } from '../recording/recordingIndex';
import { segmentFilePath } from '../util/recordingLayout';
import { maxFileBytesOf } from './drives';
import { ExportFailure, type CameraSelection, type ExportEnv, type ParsedRequest } from './env';
import { segmentKeyframes, segmentKeyframesAsync, storedKeyframes, wholeSegment, type SegmentKeyframes } from './keyframes';
import { planCamera } from './plan';

/** Space left free on the target besides the files (folder entries, the record, the player). */
export const SPARE_BYTES = 2 * 1024 * 1024;

function streamOf(env: ExportEnv, cameraId: string, camera: Camera | null, startMs: number, endMs: number): StreamKind {
  const configured = camera ? recordedStream(camera) : null;
  if (configured) return configured;
  // a camera deleted since (or not recording now): whichever stream has footage in the range
  for (const stream of ['main', 'sub'] as const) if (env.index.segments(cameraId, stream, startMs, endMs).length > 0) return stream;
  return 'main';
}

/**
 * Which bytes each camera contributes: the plan of every camera. `keyframes` gives a segment's
 * keyframes (default: read it now, synchronously).
 */
export function planExport(env: ExportEnv, request: ParsedRequest, maxFileBytes: number | null, keyframes?: (segment: SegmentRow) => SegmentKeyframes): CameraSelection[] {
  if (!(request.endMs > request.startMs)) throw new ExportFailure('badRange', 'end before start');
  if (request.endMs - request.startMs > MAX_EXPORT_RANGE_MS) throw new ExportFailure('badRange', 'range longer than a day');
  const cameras = new Map(env.site.cameras.map((camera) => [camera.id, camera]));
  const ids = [...new Set(request.cameraIds)];
  return ids.map((cameraId) => {
    const camera = cameras.get(cameraId) ?? null;
    const stream = streamOf(env, cameraId, camera, request.startMs, request.endMs);
    const segments = env.index.segments(cameraId, stream, request.startMs, request.endMs);
    if (!camera && segments.length === 0) throw new ExportFailure('unknownCamera', cameraId);
    const gaps = env.index.gaps(cameraId, stream, request.startMs, request.endMs);
    const plan = planCamera(segments, gaps, request.startMs, request.endMs, maxFileBytes, keyframes ?? ((segment: SegmentRow) => segmentKeyframes(segmentFilePath(env.recordingsRoot, segment.path))));
    return { cameraId, camera, stream, plan };
  });
}

/**
 * Plans with the keyframes of only the segments the plan needs (the edges of each run, segments
 * bigger than a part), read asynchronously first: 31 cameras do not stall the live wall.
 */
export async function planExportAsync(env: ExportEnv, request: ParsedRequest, maxFileBytes: number | null): Promise<CameraSelection[]> {
  const needed = new Map<string, SegmentRow>();
  planExport(env, request, maxFileBytes, (segment) => {
    needed.set(segment.path, segment);
    return wholeSegment(segment.bytes);
  });
  const cache = new Map<string, SegmentKeyframes>();
  for (const segment of needed.values()) {
    const file = segmentFilePath(env.recordingsRoot, segment.path);
    // the keyframe index the recorder stored (issue 17): only the PAT + PMT are read; older rows are scanned
    cache.set(segment.path, segment.keyframes && segment.psiBytes ? await storedKeyframes(file, segment.keyframes, segment.psiBytes, segment.bytes) : await segmentKeyframesAsync(file));
  }
  return planExport(env, request, maxFileBytes, (segment) => cache.get(segment.path) ?? segmentKeyframes(segmentFilePath(env.recordingsRoot, segment.path)));
}

/**
 * The size before starting, without reading any footage: each segment's bytes in proportion to
 * the part of it the range covers (the cut at keyframes adds up to a GOP at each end). The job
 * itself checks the exact bytes against the free space before writing.
 */
export function estimate(env: ExportEnv, request: ParsedRequest): Estimate {
  const maxFileBytes = request.maxFileBytes ?? maxFileBytesOf(request.destination);
  const selections = planExport(env, request, maxFileBytes, (segment) => wholeSegment(segment.bytes));
  let freeBytes: number | null = null;
  try {
    const stats = fs.statfsSync(request.destination);
    freeBytes = stats.bavail * stats.bsize;
  } catch {
    freeBytes = null;
  }
  const cameras = selections.map((selection) => {
    const segments = env.index.segments(selection.cameraId, selection.stream, request.startMs, request.endMs);
    let bytes = 0;
    let recordedMs = 0;
    for (const segment of segments) {
      const overlapMs = Math.max(0, Math.min(segment.endMs, request.endMs) - Math.max(segment.startMs, request.startMs));
      recordedMs += overlapMs;
      bytes += segment.endMs > segment.startMs ? Math.round((segment.bytes * overlapMs) / (segment.endMs - segment.startMs)) : segment.bytes;
    }
    return { cameraId: selection.cameraId, bytes, segments: segments.length, recordedMs, gapMs: selection.plan.gaps.reduce((sum, gap) => sum + (gap.endMs - gap.startMs), 0) };
  });
  const totalBytes = cameras.reduce((sum, camera) => sum + camera.bytes, 0);
  return {
    totalBytes,
    cameras,
    freeBytes,
    fits: freeBytes === null ? null : totalBytes + SPARE_BYTES <= freeBytes,
    willSplit: selections.some((selection) => selection.plan.runs.some((run) => run.length > 1)),
    maxFileBytes,
  };
}
