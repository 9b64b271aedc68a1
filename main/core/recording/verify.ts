import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { StreamKind } from '../../../common/site';
import { chainRowHash, type RecordingIndex, type SegmentRow } from './recordingIndex';
import { CLOSING_PREFIX } from './recovery';
import { PART_SUFFIX } from './segmentFile';
import { segmentFilePath } from '../util/recordingLayout';

/**
 * Verification of footage (issue 17): every segment re-hashed against its index row, every row
 * against the per-stream chain, every file in the recording folders against the index. What it
 * proves: a file whose SHA-256 matches its row holds exactly the bytes the recorder wrote when it
 * closed the segment; a chain without holes proves no row was removed, replaced or reordered
 * since (the head is kept apart from the rows). It does not prove the rows were not all rewritten
 * by someone with write access to the data folder who also recomputed every hash (the export's
 * signature and the printed chain heads cover that: docs/recording.md).
 */
export type FindingKind = 'altered' | 'missing' | 'foreign' | 'chainBroken';

export interface FootageFinding {
  kind: FindingKind;
  /** altered: hashMismatch | sizeChanged; missing: fileGone | rowsRemoved | headRemoved; chainBroken: rowChanged | linkBroken; foreign: notIndexed. */
  reason: string;
  cameraId: string;
  stream: StreamKind | null;
  /** Relative to the recordings folder. */
  path: string | null;
  startMs: number | null;
  endMs: number | null;
  chainSeq: number | null;
}

export interface FootageReport {
  ok: boolean;
  checkedSegments: number;
  checkedBytes: number;
  /** Rows indexed before hashing existed (schema 1): their bytes cannot be proven. */
  unhashedSegments: number;
  findings: FootageFinding[];
  startedMs: number;
  finishedMs: number;
}

export interface VerifyOptions {
  cameraId?: string;
  fromMs?: number;
  toMs?: number;
  now?: () => number;
  /** Called after each segment (progress, cancellation by throwing). */
  onProgress?: (done: number, total: number) => void;
}

const HASH_CHUNK_BYTES = 1024 * 1024;

/** SHA-256 and size of a file, read in 1 MiB blocks (each read yields to the event loop). */
export async function hashFile(file: string): Promise<{ sha256: string; bytes: number }> {
  const handle = await fs.promises.open(file, 'r');
  try {
    const hash = createHash('sha256');
    const buffer = Buffer.allocUnsafe(HASH_CHUNK_BYTES);
    let bytes = 0;
    for (;;) {
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, null);
      if (bytesRead === 0) break;
      hash.update(buffer.subarray(0, bytesRead));
      bytes += bytesRead;
    }
    return { sha256: hash.digest('hex'), bytes };
  } finally {
    await handle.close();
  }
}

/** Checks one row's file: null when it holds exactly what was indexed, else the finding. */
export async function checkSegment(root: string, row: SegmentRow): Promise<FootageFinding | null> {
  const base = { cameraId: row.cameraId, stream: row.stream, path: row.path, startMs: row.startMs, endMs: row.endMs, chainSeq: row.chainSeq };
  let actual: { sha256: string; bytes: number };
  try {
    actual = await hashFile(segmentFilePath(root, row.path));
  } catch {
    return { ...base, kind: 'missing', reason: 'fileGone' };
  }
  if (row.sha256 === null) return actual.bytes === row.bytes ? null : { ...base, kind: 'altered', reason: 'sizeChanged' };
  if (actual.sha256 !== row.sha256) return { ...base, kind: 'altered', reason: actual.bytes === row.bytes ? 'hashMismatch' : 'sizeChanged' };
  return null;
}

/** Camera streams known to the index (rows or a chain head), optionally one camera. */
function streamsOf(index: RecordingIndex, cameraId: string | undefined): { cameraId: string; stream: StreamKind }[] {
  const seen = new Map<string, { cameraId: string; stream: StreamKind }>();
  for (const entry of index.usage()) seen.set(`${entry.cameraId}/${entry.stream}`, { cameraId: entry.cameraId, stream: entry.stream });
  for (const entry of index.chainHeads()) seen.set(`${entry.cameraId}/${entry.stream}`, { cameraId: entry.cameraId, stream: entry.stream });
  return [...seen.values()].filter((entry) => cameraId === undefined || entry.cameraId === cameraId);
}

/** The chain of one stream's rows (in `rows`, any order): holes, broken links, edited rows. */
export function checkChain(index: RecordingIndex, cameraId: string, stream: StreamKind, rows: readonly SegmentRow[], wholeStream: boolean): FootageFinding[] {
  const findings: FootageFinding[] = [];
  const chained = rows.filter((row) => row.chainSeq !== null).sort((a, b) => a.chainSeq! - b.chainSeq!);
  for (const row of chained) {
    const expected = chainRowHash({ ...row, chainSeq: row.chainSeq! });
    if (row.rowHash !== expected) {
      findings.push({ kind: 'chainBroken', reason: 'rowChanged', cameraId, stream, path: row.path, startMs: row.startMs, endMs: row.endMs, chainSeq: row.chainSeq });
    }
  }
  for (let n = 1; n < chained.length; n++) {
    const previous = chained[n - 1]!;
    const row = chained[n]!;
    if (row.chainSeq! - previous.chainSeq! > 1) {
      findings.push({ kind: 'missing', reason: 'rowsRemoved', cameraId, stream, path: null, startMs: previous.endMs, endMs: row.startMs, chainSeq: previous.chainSeq! + 1 });
    } else if (row.prevHash !== previous.rowHash) {
      findings.push({ kind: 'chainBroken', reason: 'linkBroken', cameraId, stream, path: row.path, startMs: row.startMs, endMs: row.endMs, chainSeq: row.chainSeq });
    }
  }
  if (wholeStream) {
    const first = chained[0];
    const pruned = index.chainPruned(cameraId, stream);
    if (first && first.chainSeq! > pruned + 1) {
      findings.push({ kind: 'missing', reason: 'rowsRemoved', cameraId, stream, path: null, startMs: null, endMs: first.startMs, chainSeq: pruned + 1 });
    }
    const head = index.chainHead(cameraId, stream);
    const last = chained.at(-1);
    if (head && (last?.chainSeq ?? pruned) < head.seq) {
      findings.push({ kind: 'missing', reason: 'headRemoved', cameraId, stream, path: null, startMs: last?.endMs ?? null, endMs: null, chainSeq: (last?.chainSeq ?? pruned) + 1 });
    } else if (head && last && last.chainSeq === head.seq && last.rowHash !== head.rowHash) {
      findings.push({ kind: 'chainBroken', reason: 'linkBroken', cameraId, stream, path: last.path, startMs: last.startMs, endMs: last.endMs, chainSeq: last.chainSeq });
    }
  }
  return findings;
}

const ANY_SEGMENT_NAME = /^\d{2}-\d{2}-\d{2}_(\d{10,16})\.ts(\.part)?$/;

function safeList(dir: string): string[] {
  try {
    return fs.readdirSync(dir);
  } catch {
    return [];
  }
}

/** Files in the recording folders that no row, journal entry or pending deletion accounts for. */
export function findForeignFiles(index: RecordingIndex, root: string, options: VerifyOptions = {}): FootageFinding[] {
  const findings: FootageFinding[] = [];
  const own = (relative: string): boolean => {
    const final = relative.endsWith(PART_SUFFIX) ? relative.slice(0, -PART_SUFFIX.length) : relative;
    if (final === relative && index.segmentByPath(relative)) return true;
    if (index.metaWithPrefix('open:').some((entry) => entry.value === final)) return true;
    if (index.getMeta(CLOSING_PREFIX + final) !== null) return true;
    return index.pendingDeletes().includes(final);
  };
  const cameras = options.cameraId ? [options.cameraId] : safeList(root);
  for (const cameraId of cameras) {
    for (const stream of safeList(path.join(root, cameraId))) {
      for (const day of safeList(path.join(root, cameraId, stream))) {
        for (const name of safeList(path.join(root, cameraId, stream, day))) {
          const relative = [cameraId, stream, day, name].join('/');
          const match = ANY_SEGMENT_NAME.exec(name);
          const startMs = match ? Number(match[1]) : null;
          if (startMs !== null && ((options.fromMs !== undefined && startMs < options.fromMs - 3_600_000) || (options.toMs !== undefined && startMs >= options.toMs))) continue;
          if (own(relative)) continue;
          findings.push({
            kind: 'foreign',
            reason: 'notIndexed',
            cameraId,
            stream: stream === 'main' || stream === 'sub' ? stream : null,
            path: relative,
            startMs,
            endMs: null,
            chainSeq: null,
          });
        }
      }
    }
  }
  return findings;
}

/**
 * The whole check, in the background: rows of the selection re-hashed one file at a time (async
 * reads, so the event loop and live video go on), the chain of each stream, the foreign files.
 * Rows the storage manager deletes meanwhile are not reported as missing.
 */
export async function verifyFootage(index: RecordingIndex, root: string, options: VerifyOptions = {}): Promise<FootageReport> {
  const now = options.now ?? Date.now;
  const startedMs = now();
  const fromMs = options.fromMs ?? 0;
  const toMs = options.toMs ?? Number.MAX_SAFE_INTEGER;
  const wholeStream = options.fromMs === undefined && options.toMs === undefined;
  const findings: FootageFinding[] = [];
  let checkedSegments = 0;
  let checkedBytes = 0;
  let unhashedSegments = 0;
  const selections = streamsOf(index, options.cameraId).map((entry) => ({ ...entry, rows: index.segments(entry.cameraId, entry.stream, fromMs, toMs) }));
  const total = selections.reduce((sum, entry) => sum + entry.rows.length, 0);
  for (const selection of selections) {
    findings.push(...checkChain(index, selection.cameraId, selection.stream, selection.rows, wholeStream));
    for (const row of selection.rows) {
      const finding = await checkSegment(root, row);
      checkedSegments += 1;
      options.onProgress?.(checkedSegments, total);
      if (row.sha256 === null) unhashedSegments += 1;
      if (finding === null) {
        checkedBytes += row.bytes;
        continue;
      }
      // deleted by retention while we looked: not a finding
      if (finding.kind === 'missing' && !index.segmentByPath(row.path)) continue;
      findings.push(finding);
    }
  }
  findings.push(...findForeignFiles(index, root, options));
  findings.sort((a, b) => a.cameraId.localeCompare(b.cameraId) || (a.startMs ?? 0) - (b.startMs ?? 0));
  return { ok: findings.length === 0, checkedSegments, checkedBytes, unhashedSegments, findings, startedMs, finishedMs: now() };
}

/** The audit row's detail of a verification: counts and the first findings. */
export function verificationAuditDetail(report: FootageReport, scope: Record<string, unknown>): Record<string, unknown> {
  const count = (kind: FindingKind): number => report.findings.filter((finding) => finding.kind === kind).length;
  return {
    ...scope,
    ok: report.ok,
    segments: report.checkedSegments,
    bytes: report.checkedBytes,
    unhashed: report.unhashedSegments,
    altered: count('altered'),
    missing: count('missing'),
    foreign: count('foreign'),
    chainBroken: count('chainBroken'),
    first: report.findings.slice(0, 20).map((finding) => ({ kind: finding.kind, reason: finding.reason, cameraId: finding.cameraId, path: finding.path, startMs: finding.startMs, endMs: finding.endMs })),
  };
}
