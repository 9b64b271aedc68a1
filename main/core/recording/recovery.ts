import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { StreamKind } from '../../../common/site';
import type { Clock } from '../util/clock';
import type { Logger } from '../log/logger';
import { TS_PACKET_BYTES, TsStreamParser } from '../media/mpegts';
import { PTS_HZ, ptsDelta } from '../media/pes';
import { forEachVideoFrame } from '../media/tsFrames';
import { formatFileStamp } from '../../../common/time';
import type { RecordingIndex, SegmentRow } from './recordingIndex';
import { PART_SUFFIX, fsyncDirectory, type DurabilityStats } from './segmentFile';
import { DAY_FOLDER, parseSegmentPath, segmentFilePath } from '../util/recordingLayout';

export interface RecoveryReport {
  pendingDeletesFinished: number;
  /** Journaled segments completed and indexed (`recovered`): bytes kept of foundBytes on disk. */
  indexed: { path: string; bytes: number; durationMs: number; foundBytes: number; cameraId: string; startMs: number; endMs: number }[];
  removed: { path: string; reason: string }[];
  missingRows: string[];
  /** Rows whose file is shorter (or longer) than indexed: fixed to what the file holds. */
  resizedRows: string[];
  /** Day folders and rows dated ahead of the PC clock: reported, never the base of new footage. */
  futureFolders: string[];
  futureRows: number;
  /** Segments whose row a disk full to the last byte refused: their files stay, a later pass indexes them. */
  deferred: string[];
  /**
   * Where the footage of each deferred segment ends (its name's start plus what it holds): the
   * recorder of that stream continues after it, so the time between it and new footage gets its
   * gap row even though the segment's own row comes later (a power cut on a full disk).
   */
  deferredEnds: DeferredEnd[];
  /**
   * Files in a recording folder this console was not writing (no journal entry, no row): moved to
   * DATA/quarantine/, never indexed (issue 17). `startMs` from a valid name, else null.
   */
  quarantined: QuarantinedFile[];
}

export interface DeferredEnd {
  cameraId: string;
  stream: StreamKind;
  endMs: number;
}

export interface QuarantinedFile {
  /** Where it was, relative to the recordings folder. */
  path: string;
  /** Where it is now, relative to the data folder (`quarantine/…`). */
  to: string;
  bytes: number;
  cameraId: string;
  startMs: number | null;
}

export interface RecoveryDeps {
  clock: Clock;
  log: Logger;
  stats: DurabilityStats;
  /** The site's zone: day folders are named by its dates. */
  timeZone?: string;
  /** Index writes go through this (the storage manager frees its reserve on a full disk). */
  guarded?: <T>(write: () => T) => T;
  /** Retry only these closed segment files (relative paths; see RecoveryReport.deferred). */
  only?: readonly string[];
  /** Where foreign files go (default: `quarantine` next to the recordings folder). */
  quarantineDir?: string;
}

/** Meta key prefix of a segment closed but not yet indexed (its finish and row are in flight). */
export const CLOSING_PREFIX = 'closing:';

/** Allowed lead of a row or folder over the PC clock before it counts as dated in the future. */
const FUTURE_SLACK_MS = 60_000;


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
    forEachVideoFrame(whole, parser.videoPid, (_offset, pts) => {
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

/** Rows read per batch when recovery checks every row against the disk at start-up. */
export const START_AUDIT_BATCH_ROWS = 2000;

/**
 * The start-up pass over what a crash (or a power cut) left: finish interrupted deletions;
 * complete and index (marked `recovered`, with the byte range that survived) only the segments
 * the journal says this console was writing (`closing:` rows in flight, the `open:` segment of
 * every stream), playable up to their last complete packet, or remove what cannot be read; any
 * other unindexed file in today's and yesterday's folders (and future-dated ones) is moved to
 * DATA/quarantine/ and never indexed (issue 17: recovery never launders); then every
 * row is checked against the disk (gone → row removed and a `footageMissing` gap; another size →
 * the row follows the file). Future-dated folders and rows are reported.
 */
export function recover(index: RecordingIndex, root: string, finishPendingDeletes: () => number, deps: RecoveryDeps): RecoveryReport {
  const guarded = deps.guarded ?? (<T>(write: () => T): T => write());
  const report: RecoveryReport = { pendingDeletesFinished: finishPendingDeletes(), indexed: [], removed: [], missingRows: [], resizedRows: [], futureFolders: [], futureRows: 0, deferred: [], deferredEnds: [], quarantined: [] };
  if (!fs.existsSync(root)) return report;
  const now = deps.clock.now();
  const zone = deps.timeZone ?? 'UTC';
  const today = formatFileStamp(now, zone).slice(0, 10);
  const yesterday = formatFileStamp(now - 86_400_000, zone).slice(0, 10);
  const futureLimit = formatFileStamp(now + FUTURE_SLACK_MS, zone).slice(0, 10);

  const tryRecover = (relative: string): void => {
    try {
      recoverPath(relative);
    } catch (error) {
      if (!isFull(error)) throw error;
      report.deferred.push(relative);
      const end = deferredEnd(root, relative);
      if (end) report.deferredEnds.push(end);
    }
  };
  const recoverPath = (relative: string): void => {
    const parsed = parseSegmentPath(relative);
    if (!parsed) return;
    const { cameraId, stream, day, name: finalName, startMs } = parsed;
    const dir = path.join(root, cameraId, stream, day);
    const finalFile = path.join(dir, finalName);
    const partFile = finalFile + PART_SUFFIX;
    if (!deps.only && fs.existsSync(partFile)) {
      if (fs.existsSync(finalFile)) {
        // both: the rename happened and a stale .part remains? keep the closed one
        fs.rmSync(partFile, { force: true });
        return;
      }
      recoverOne(index, partFile, finalFile, relative, cameraId, stream, startMs, report, deps, guarded);
    } else if (fs.existsSync(finalFile) && !index.segmentByPath(relative)) {
      recoverOne(index, finalFile, finalFile, relative, cameraId, stream, startMs, report, deps, guarded);
    }
  };

  // 0. only retrying closed files whose row a full disk refused (recorders are running: their
  //    open .part files are never touched)
  if (deps.only) {
    for (const relative of deps.only) {
      const file = segmentFilePath(root, relative);
      if (fs.existsSync(file) && !index.segmentByPath(relative)) tryRecover(relative);
    }
    return report;
  }

  // 1. the journaled segments (whatever the date of their folder): closed but not yet indexed,
  //    then the open one of each stream. Only these are ever completed and indexed.
  const journaled = new Set<string>();
  for (const entry of index.metaWithPrefix(CLOSING_PREFIX)) {
    journaled.add(entry.value);
    tryRecover(entry.value);
    if (!report.deferred.includes(entry.value)) tolerateFull(() => index.deleteMeta(entry.key));
  }
  for (const entry of index.metaWithPrefix('open:')) {
    journaled.add(entry.value);
    tryRecover(entry.value);
  }
  const quarantineDir = deps.quarantineDir ?? path.join(path.dirname(root), 'quarantine');

  // 2. today's and yesterday's folders, and reported future-dated ones
  for (const cameraId of safeList(root)) {
    for (const stream of safeList(path.join(root, cameraId))) {
      if (stream !== 'main' && stream !== 'sub') continue;
      const days = safeList(path.join(root, cameraId, stream)).filter((day) => DAY_FOLDER.test(day));
      for (const day of days) {
        const future = day > futureLimit;
        if (future) report.futureFolders.push([cameraId, stream, day].join('/'));
        if (day !== today && day !== yesterday && !future) continue;
        const dir = path.join(root, cameraId, stream, day);
        for (const name of safeList(dir)) {
          if (name.endsWith('.tmp')) {
            fs.rmSync(path.join(dir, name), { force: true });
            continue;
          }
          const finalName = name.endsWith(PART_SUFFIX) ? name.slice(0, -PART_SUFFIX.length) : name;
          const relative = [cameraId, stream, day, finalName].join('/');
          if (journaled.has(relative)) continue;
          if (finalName === name && index.segmentByPath(relative)) continue;
          // not written by this console (or not any more): never indexed, kept aside as found
          try {
            report.quarantined.push(quarantine(index, root, quarantineDir, [cameraId, stream, day, name].join('/'), { clock: deps.clock, stats: deps.stats, guarded }));
          } catch (error) {
            deps.log.error('a foreign file could not be moved to quarantine', { path: relative, error });
          }
        }
      }
    }
  }

  // 3. every row against the disk, a batch of rows at a time: the index of weeks of footage (31
  //    cameras × 30 days of 60-s segments: 1.3 million rows, each with its keyframe index) is
  //    never held in memory at once (it was, whole, at every start)
  for (let cursor = 0; ; ) {
    const batch = index.segmentsAfterId(cursor, START_AUDIT_BATCH_ROWS);
    if (batch.length === 0) break;
    const audit = auditRows(index, root, batch, { ...deps, guarded: (write) => guarded(write) });
    report.missingRows.push(...audit.missing);
    report.resizedRows.push(...audit.resized);
    if (batch.length < START_AUDIT_BATCH_ROWS) break;
    cursor = batch.at(-1)!.id;
  }

  // 4. footage dated in the future
  report.futureRows = index.futureSegments(now + FUTURE_SLACK_MS).length;
  if (report.futureRows > 0 || report.futureFolders.length > 0) {
    tolerateFull(() => index.addEvent(now, 'futureFootage', null, { rows: report.futureRows, folders: report.futureFolders.slice(0, 20) }));
    deps.log.warn('footage dated in the future (a PC clock that ran ahead, or copied files): not used as the base of new footage', {
      rows: report.futureRows,
      folders: report.futureFolders.length,
    });
  }
  if (report.indexed.length || report.removed.length || report.missingRows.length || report.pendingDeletesFinished || report.resizedRows.length) {
    deps.log.warn('recovery after an unclean stop', {
      indexed: report.indexed.length,
      removed: report.removed.length,
      missingRows: report.missingRows.length,
      resizedRows: report.resizedRows.length,
      pendingDeletes: report.pendingDeletesFinished,
    });
  }
  return report;
}

/**
 * Checks rows against their files: a file gone → the row goes and its time becomes a
 * `footageMissing` gap (event `segmentMissing`); a file of another size → what it holds now is
 * read: still playable → the row follows the file (bytes, end; the lost tail a gap), otherwise the
 * file and row go. Used at start-up (every row) and while running (recent rows, then the rest a
 * batch at a time).
 */
function isFull(error: unknown): boolean {
  const code = (error as { code?: string }).code;
  return code === 'SQLITE_FULL' || code === 'ENOSPC' || code === 'SQLITE_IOERR_WRITE';
}

/** An index write a disk full to the last byte may refuse (an event): dropped then, not fatal. */
function tolerateFull(write: () => void): void {
  try {
    write();
  } catch (error) {
    if (!isFull(error)) throw error;
  }
}

export function auditRows(
  index: RecordingIndex,
  root: string,
  rows: readonly SegmentRow[],
  deps: { clock: Clock; log: Logger; guarded?: <T>(write: () => T) => T; skip?: (relative: string) => boolean },
): { missing: string[]; resized: string[] } {
  const guarded = deps.guarded ?? (<T>(write: () => T): T => write());
  const result = { missing: [] as string[], resized: [] as string[] };
  const now = deps.clock.now();
  for (const row of rows) {
    if (deps.skip?.(row.path)) continue;
    const file = segmentFilePath(root, row.path);
    let size: number | null = null;
    try {
      size = fs.statSync(file).size;
    } catch {
      size = null;
    }
    if (size === row.bytes) continue;
    // the storage manager may have just deleted it (row first, then file): look again
    if (!index.segmentByPath(row.path)) continue;
    try {
      auditOne(row, file, size);
    } catch (error) {
      if (!isFull(error)) throw error;
      deps.log.warn('a row could not be fixed yet (the disk is full)', { path: row.path });
    }
  }
  function auditOne(row: SegmentRow, file: string, size: number | null): void {
    if (size !== null) {
      let analysis: SegmentAnalysis | null = null;
      try {
        analysis = analyzeSegment(fs.readFileSync(file));
      } catch {
        analysis = null;
      }
      if (analysis && analysis.keyframes > 0 && analysis.durationMs > 0) {
        const endMs = Math.min(row.endMs, row.startMs + analysis.durationMs);
        guarded(() =>
          index.transaction(() => {
            index.updateSegmentSize(row.id, size, endMs);
            index.addGap(row.cameraId, row.stream, endMs, row.endMs, 'footageMissing');
            index.addEvent(now, 'segmentSizeChanged', row.cameraId, { path: row.path, indexedBytes: row.bytes, bytes: size });
          }),
        );
        result.resized.push(row.path);
        return;
      }
      fs.rmSync(file, { force: true });
    }
    guarded(() =>
      index.transaction(() => {
        index.deleteSegmentRow(row.id);
        index.addGap(row.cameraId, row.stream, row.startMs, row.endMs, 'footageMissing');
        index.addEvent(now, 'segmentMissing', row.cameraId, { path: row.path, bytes: size });
      }),
    );
    result.missing.push(row.path);
  }
  if (result.missing.length || result.resized.length) deps.log.warn('segment files missing or changed on disk', { missing: result.missing.length, resized: result.resized.length });
  return result;
}

/** The end of a deferred segment's footage: reading needs no free space (its start when unreadable). */
function deferredEnd(root: string, relative: string): DeferredEnd | null {
  const parsed = parseSegmentPath(relative);
  if (!parsed) return null;
  const file = segmentFilePath(root, relative);
  let durationMs = 0;
  for (const candidate of [file, file + PART_SUFFIX]) {
    try {
      durationMs = Math.max(0, analyzeSegment(fs.readFileSync(candidate)).durationMs);
      break;
    } catch {
      // not this name (renamed already, or not yet), or unreadable: try the other, else its start
    }
  }
  return { cameraId: parsed.cameraId, stream: parsed.stream, endMs: parsed.startMs + durationMs };
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
  guarded: <T>(write: () => T) => T,
): void {
  const now = deps.clock.now();
  let analysis: SegmentAnalysis;
  let data: Buffer;
  try {
    data = fs.readFileSync(file);
    analysis = analyzeSegment(data);
  } catch (error) {
    report.removed.push({ path: relative, reason: `unreadable: ${(error as Error).message}` });
    fs.rmSync(file, { force: true });
    guarded(() => index.addEvent(now, 'segmentRemoved', cameraId, { path: relative, reason: 'unreadable' }));
    return;
  }
  if (analysis.keyframes === 0 || analysis.durationMs <= 0) {
    report.removed.push({ path: relative, reason: 'no playable picture' });
    fs.rmSync(file, { force: true });
    guarded(() => index.addEvent(now, 'segmentRemoved', cameraId, { path: relative, reason: 'noPicture' }));
    return;
  }
  // keep it up to its last complete packet; hashed from what survived (it was read anyway)
  const foundBytes = data.length;
  if (foundBytes !== analysis.usableBytes) fs.truncateSync(file, analysis.usableBytes);
  const sha256 = createHash('sha256').update(data.subarray(0, analysis.usableBytes)).digest('hex');
  const handle = fs.openSync(file, 'r+');
  try {
    deps.stats.time(deps.clock, () => fs.fsyncSync(handle));
  } finally {
    fs.closeSync(handle);
  }
  if (file !== finalFile) fs.renameSync(file, finalFile);
  fsyncDirectory(path.dirname(finalFile), deps.stats, deps.clock);
  // never overlap what is indexed already (a clock that went back before the crash)
  const previous = index.lastSegmentBefore(cameraId, stream, startMs);
  const start = previous && previous.endMs > startMs ? previous.endMs : startMs;
  guarded(() => index.insertSegment({
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
    sha256,
    recoveredRange: `0-${analysis.usableBytes}/${foundBytes}`,
  }));
  guarded(() => index.addEvent(now, 'segmentRecovered', cameraId, { path: relative, durationMs: analysis.durationMs, bytes: analysis.usableBytes, foundBytes }));
  report.indexed.push({ path: relative, bytes: analysis.usableBytes, durationMs: analysis.durationMs, foundBytes, cameraId, startMs: start, endMs: start + analysis.durationMs });
}

const ANY_SEGMENT_NAME = /^\d{2}-\d{2}-\d{2}_(\d{10,16})\.ts(\.part)?$/;

/**
 * Moves a file found in a recording folder that the console did not write to
 * `quarantine/<camera>/<stream>/<day>/<name>` (a numbered name if one is there already), fsyncs
 * both folders and records a `fileQuarantined` event. Never indexed, never exportable.
 */
export function quarantine(
  index: RecordingIndex,
  root: string,
  quarantineDir: string,
  relative: string,
  deps: { clock: Clock; stats: DurabilityStats; guarded?: <T>(write: () => T) => T },
): QuarantinedFile {
  const now = deps.clock.now();
  const guarded = deps.guarded ?? (<T>(write: () => T): T => write());
  const parts = relative.split('/');
  const from = segmentFilePath(root, relative);
  const bytes = fs.statSync(from).size;
  const targetDir = path.join(quarantineDir, ...parts.slice(0, -1));
  fs.mkdirSync(targetDir, { recursive: true, mode: 0o700 });
  const name = parts.at(-1)!;
  let target = path.join(targetDir, name);
  for (let n = 1; fs.existsSync(target); n++) target = path.join(targetDir, `${name}.${n}`);
  try {
    fs.renameSync(from, target);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EXDEV') throw error;
    fs.copyFileSync(from, target);
    fs.rmSync(from);
  }
  fsyncDirectory(targetDir, deps.stats, deps.clock);
  fsyncDirectory(path.dirname(from), deps.stats, deps.clock);
  const match = ANY_SEGMENT_NAME.exec(name);
  const entry: QuarantinedFile = {
    path: relative,
    to: path.relative(path.dirname(quarantineDir), target).split(path.sep).join('/'),
    bytes,
    cameraId: parts[0] ?? '',
    startMs: match ? Number(match[1]) : null,
  };
  tolerateFull(() => guarded(() => index.addEvent(now, 'fileQuarantined', entry.cameraId || null, { path: entry.path, to: entry.to, bytes, startMs: entry.startMs })));
  return entry;
}

function safeList(dir: string): string[] {
  try {
    return fs.readdirSync(dir);
  } catch {
    return [];
  }
}
