import fs from 'node:fs';
import path from 'node:path';
import type { StreamKind } from '../../../common/site';
import type { Clock } from '../util/clock';
import type { Logger } from '../log/logger';
import { TS_PACKET_BYTES, TsStreamParser } from '../media/mpegts';
import { forEachPts, PTS_HZ, ptsDelta } from '../media/pes';
import type { RecordingIndex } from './recordingIndex';
import { PART_SUFFIX, fsyncDirectory, type DurabilityStats } from './segmentFile';

export interface RecoveryReport {
  pendingDeletesFinished: number;
  indexed: { path: string; bytes: number; durationMs: number }[];
  removed: { path: string; reason: string }[];
  missingRows: string[];
}

const SEGMENT_NAME = /^(\d{2}-\d{2}-\d{2})_(\d{10,16})\.ts$/;

export interface SegmentAnalysis {
  /** Bytes up to the last complete packet. */
  usableBytes: number;
  durationMs: number;
  keyframes: number;
  codec: string | null;
}

/** What a segment file holds, read with the console's own parsers (no ffmpeg needed). */
export function analyzeSegment(data: Buffer): SegmentAnalysis {
  const usableBytes = data.length - (data.length % TS_PACKET_BYTES);
  const whole = data.subarray(0, usableBytes);
  const parser = new TsStreamParser();
  parser.parse(whole);
  let first: number | null = null;
  let last: number | null = null;
  let frames = 0;
  if (parser.videoPid !== null) {
    forEachPts(whole, parser.videoPid, (pts) => {
      first ??= pts;
      last = pts;
      frames += 1;
    });
  }
  let durationMs = 0;
  if (first !== null && last !== null && frames > 1) {
    const span = (ptsDelta(first, last) / PTS_HZ) * 1000;
    durationMs = Math.round(span + span / (frames - 1));
  }
  return { usableBytes, durationMs, keyframes: parser.keyframes, codec: parser.videoCodec };
}

/**
 * The start-up pass over what a crash (or a power cut) left: finish interrupted deletions, index
 * segments that were being written (playable up to their last complete packet) or remove what
 * cannot be read, and drop rows whose file is gone. Only the last days are walked: a crash
 * touches only what was being written.
 */
export function recover(
  index: RecordingIndex,
  root: string,
  finishPendingDeletes: () => number,
  deps: { clock: Clock; log: Logger; stats: DurabilityStats; recentDays?: number },
): RecoveryReport {
  const report: RecoveryReport = { pendingDeletesFinished: finishPendingDeletes(), indexed: [], removed: [], missingRows: [] };
  const recentDays = deps.recentDays ?? 3;
  if (!fs.existsSync(root)) return report;
  const now = deps.clock.now();

  for (const cameraId of safeList(root)) {
    for (const stream of safeList(path.join(root, cameraId))) {
      if (stream !== 'main' && stream !== 'sub') continue;
      const days = safeList(path.join(root, cameraId, stream)).filter((day) => /^\d{4}-\d{2}-\d{2}$/.test(day)).sort().slice(-recentDays);
      for (const day of days) {
        const dir = path.join(root, cameraId, stream, day);
        for (const name of safeList(dir)) {
          const file = path.join(dir, name);
          if (name.endsWith('.tmp')) {
            fs.rmSync(file, { force: true });
            continue;
          }
          const finalName = name.endsWith(PART_SUFFIX) ? name.slice(0, -PART_SUFFIX.length) : name;
          const match = SEGMENT_NAME.exec(finalName);
          const finalRelative = [cameraId, stream, day, finalName].join('/');
          if (!match) continue;
          if (!name.endsWith(PART_SUFFIX) && index.segmentByPath(finalRelative)) continue;
          recoverOne(index, file, path.join(dir, finalName), finalRelative, cameraId, stream as StreamKind, Number(match[2]), report, deps);
        }
      }
      // rows of the recent days whose file is gone
      const since = now - recentDays * 86_400_000;
      for (const row of index.segments(cameraId, stream as StreamKind, since, Number.MAX_SAFE_INTEGER)) {
        if (fs.existsSync(path.join(root, ...row.path.split('/')))) continue;
        index.markForDeletion(row, now);
        index.clearPendingDelete(row.path);
        report.missingRows.push(row.path);
        index.addEvent(now, 'segmentMissing', cameraId, { path: row.path });
      }
    }
  }
  if (report.indexed.length || report.removed.length || report.missingRows.length || report.pendingDeletesFinished) {
    deps.log.warn('recovery after an unclean stop', {
      indexed: report.indexed.length,
      removed: report.removed.length,
      missingRows: report.missingRows.length,
      pendingDeletes: report.pendingDeletesFinished,
    });
  }
  return report;
}

function recoverOne(
  index: RecordingIndex,
  file: string,
  finalFile: string,
  relative: string,
  cameraId: string,
  stream: StreamKind,
  startMs: number,
  report: RecoveryReport,
  deps: { clock: Clock; log: Logger; stats: DurabilityStats },
): void {
  const now = deps.clock.now();
  let analysis: SegmentAnalysis;
  try {
    analysis = analyzeSegment(fs.readFileSync(file));
  } catch (error) {
    report.removed.push({ path: relative, reason: `unreadable: ${(error as Error).message}` });
    fs.rmSync(file, { force: true });
    index.addEvent(now, 'segmentRemoved', cameraId, { path: relative, reason: 'unreadable' });
    return;
  }
  if (analysis.keyframes === 0 || analysis.durationMs <= 0) {
    report.removed.push({ path: relative, reason: 'no playable picture' });
    fs.rmSync(file, { force: true });
    index.addEvent(now, 'segmentRemoved', cameraId, { path: relative, reason: 'noPicture' });
    return;
  }
  // keep it up to its last complete packet
  if (fs.statSync(file).size !== analysis.usableBytes) fs.truncateSync(file, analysis.usableBytes);
  const handle = fs.openSync(file, 'r+');
  try {
    deps.stats.time(deps.clock, () => fs.fsyncSync(handle));
  } finally {
    fs.closeSync(handle);
  }
  if (file !== finalFile) fs.renameSync(file, finalFile);
  fsyncDirectory(path.dirname(finalFile), deps.stats, deps.clock);
  // never overlap what is indexed already (a clock that went back before the crash)
  const previous = index.lastSegment(cameraId, stream);
  const start = previous && previous.endMs > startMs && previous.startMs <= startMs ? previous.endMs : startMs;
  index.insertSegment({
    cameraId,
    stream,
    startMs: start,
    endMs: start + analysis.durationMs,
    bytes: analysis.usableBytes,
    path: relative,
    codec: analysis.codec,
    widthPx: null,
    heightPx: null,
    hasAudio: false,
    recovered: true,
  });
  index.addEvent(now, 'segmentRecovered', cameraId, { path: relative, durationMs: analysis.durationMs });
  report.indexed.push({ path: relative, bytes: analysis.usableBytes, durationMs: analysis.durationMs });
}

function safeList(dir: string): string[] {
  try {
    return fs.readdirSync(dir);
  } catch {
    return [];
  }
}
