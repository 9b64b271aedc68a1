import fs from 'node:fs';
import path from 'node:path';
import { fail, ok, type Result } from '../../../common/result';
import { formatFileStamp } from '../../../common/time';
import type { Clock } from '../util/clock';
import type { Logger } from '../log/logger';
import type { FfmpegInfo } from '../ffmpeg/probe';
import { runFfmpegOnce, type ProcessRegistry } from '../ffmpeg/supervisor';
import type { Footage } from './footage';
import { withSegmentParameterSets } from './parameterSets';
import type { SegmentScan } from './segmentScan';
import { keyframeBefore } from './segmentScan';

/**
 * A PNG of one recorded frame at the recording's own resolution: PAT + PMT and the frames from
 * the keyframe before it (with the segment's parameter sets if it lacks them: parameterSets.ts)
 * up to the frame itself go to ffmpeg, which keeps overwriting one image (the last written is
 * the frame asked for). Named like live snapshots (DATA/snapshots, served by the same route),
 * with the RECORDED time: CAMERA_yyyy-MM-dd_HH-mm-ss.png.
 */
export async function playbackSnapshot(
  deps: { ffmpeg: FfmpegInfo; clock: Clock; log: Logger; registry?: ProcessRegistry | undefined },
  folder: string,
  cameraId: string,
  footage: Footage,
  scan: SegmentScan,
  frameMs: number,
  timeZone: string,
): Promise<Result<{ fileName: string; cameraId: string; frameMs: number; bytes: number }>> {
  const offsetMs = frameMs - footage.startMs;
  let target = scan.frames.findIndex((frame) => frame.atMs >= offsetMs - 0.5);
  if (target < 0) target = scan.frames.length - 1;
  const from = keyframeBefore(scan, scan.frames[target]!.atMs);
  const end = target + 1 < scan.frames.length ? scan.frames[target + 1]!.offset : scan.bytes;
  const fd = fs.openSync(footage.file, 'r');
  const read = (start: number, stop: number): Buffer => {
    const bytes = Buffer.allocUnsafe(stop - start);
    return bytes.subarray(0, fs.readSync(fd, bytes, 0, bytes.length, start));
  };
  let body: Buffer;
  try {
    const start = scan.frames[from]!.offset;
    body = read(start, end);
    // a keyframe without parameter sets (a camera that does not repeat them) gets the segment's first
    const keyframeEnd = (from + 1 < scan.frames.length ? scan.frames[from + 1]!.offset : scan.bytes) - start;
    const recorded = body.subarray(0, keyframeEnd);
    const keyframe = withSegmentParameterSets(scan, from, recorded, read);
    if (keyframe !== recorded) body = Buffer.concat([keyframe, body.subarray(keyframeEnd)]);
  } finally {
    fs.closeSync(fd);
  }
  fs.mkdirSync(folder, { recursive: true });
  const stamp = formatFileStamp(frameMs, timeZone);
  let fileName = `${cameraId}_${stamp}.png`;
  for (let index = 2; fs.existsSync(path.join(folder, fileName)); index++) fileName = `${cameraId}_${stamp}-${index}.png`;
  const file = path.join(folder, fileName);
  const temporary = `${file}.${process.pid}.tmp.png`;
  const result = await runFfmpegOnce(
    { binary: deps.ffmpeg.path, clock: deps.clock, log: deps.log, registry: deps.registry },
    `playback snapshot ${cameraId}`,
    ['-hide_banner', '-loglevel', 'error', '-f', 'mpegts', '-i', 'pipe:0', '-map', '0:v:0', '-an', '-update', '1', '-f', 'image2', '-y', temporary],
    { input: Buffer.concat([scan.psi, body]), timeoutMs: 15000 },
  );
  if (result.code !== 0 || !fs.existsSync(temporary)) {
    fs.rmSync(temporary, { force: true });
    deps.log.warn('playback snapshot failed', { cameraId, stderr: result.stderrTail.slice(-300) });
    return fail('unavailable', 'snapshot could not be decoded');
  }
  fs.renameSync(temporary, file);
  return ok({ fileName, cameraId, frameMs: Math.round(frameMs), bytes: fs.statSync(file).size });
}
