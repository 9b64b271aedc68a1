import path from 'node:path';
import { formatFileStamp } from '../../../common/time';

/**
 * The recording folder layout, the one place that knows it (the recorder writes it; recovery,
 * retention, playback and export read it):
 *
 *   RECORDINGS/<cameraId>/<main|sub>/<yyyy-MM-dd>/<HH-mm-ss>_<startMs>.ts
 *
 * The day and time are the segment's start on the site's wall clock; `startMs` (UTC ms) is the
 * truth. While it is written the file is `NAME.ts.part`. The index stores the relative path with
 * '/' on every OS. Tested in tests/unit/sharedHelpers.test.ts.
 */

export const PART_SUFFIX = '.part';

/** A day folder: "2026-11-30". */
export const DAY_FOLDER = /^\d{4}-\d{2}-\d{2}$/;

/** A closed segment's name; group 1 the wall-clock time, group 2 the start in ms. */
export const SEGMENT_NAME = /^(\d{2}-\d{2}-\d{2})_(\d{10,16})\.ts$/;

/** A segment being written: group 1 the start in ms. */
export const OPEN_SEGMENT_NAME = /^\d{2}-\d{2}-\d{2}_(\d{10,16})\.ts\.part$/;

/** "cam-01/main/2026-11-30/07-41-05_1796000465000.ts" for a segment starting at `startMs`. */
export function segmentRelativePath(cameraId: string, stream: string, startMs: number, timeZone: string): string {
  const stamp = formatFileStamp(startMs, timeZone); // yyyy-MM-dd_HH-mm-ss
  return [cameraId, stream, stamp.slice(0, 10), `${stamp.slice(11)}_${startMs}.ts`].join('/');
}

/** The parts of a relative segment path, or null when it is not one. */
export function parseSegmentPath(relative: string): { cameraId: string; stream: 'main' | 'sub'; day: string; name: string; startMs: number } | null {
  const parts = relative.split('/');
  if (parts.length !== 4) return null;
  const [cameraId, stream, day, name] = parts as [string, string, string, string];
  const match = SEGMENT_NAME.exec(name);
  if (!match || (stream !== 'main' && stream !== 'sub') || !DAY_FOLDER.test(day)) return null;
  return { cameraId, stream, day, name, startMs: Number(match[2]) };
}

/** The file of a relative segment path under the recordings root. */
export function segmentFilePath(root: string, relative: string): string {
  return path.join(root, ...relative.split('/'));
}

/** The folder of one camera's stream ("RECORDINGS/cam-01/main"). */
export function streamFolder(root: string, cameraId: string, stream: string): string {
  return path.join(root, cameraId, stream);
}
