import { createHash } from 'node:crypto';
import Database from 'better-sqlite3';
import type { StreamKind } from '../../../common/site';
import type { HOLD_SOURCES } from '../../../common/contract';

/**
 * The recording index: one SQLite file (better-sqlite3, WAL, synchronous=FULL so a committed row
 * survives a power cut). A row is inserted only after its segment file and directory were
 * fsynced; a deletion goes through `pending_deletes` so a crash between the row and the file
 * leaves something the recovery pass can finish. See docs/recording.md.
 */
export const GAP_REASONS = ['cameraOffline', 'recordingOff', 'diskFull', 'consoleNotRunning', 'clockJump', 'footageMissing', 'error'] as const;
export type GapReason = (typeof GAP_REASONS)[number];

export interface SegmentRow {
  id: number;
  cameraId: string;
  stream: StreamKind;
  startMs: number;
  endMs: number;
  bytes: number;
  /** Relative to the recordings folder, with '/' separators. */
  path: string;
  codec: string | null;
  widthPx: number | null;
  heightPx: number | null;
  hasAudio: boolean;
  /** Indexed by the recovery pass (the console died while writing it). */
  recovered: boolean;
  /**
   * SHA-256 of the file's bytes, computed while they were written (recovered: of the bytes that
   * survived). Null only for rows indexed before hashing existed (schema 1): never filled in later.
   */
  sha256: string | null;
  /** Recovered rows: the bytes that survived, as `0-N/M` (N kept of M found on disk). */
  recoveredRange: string | null;
  /** Position in the stream's chain (1, 2, …); null for rows older than the chain. */
  chainSeq: number | null;
  /** rowHash of the previous row of the same camera stream (null: the chain starts here). */
  prevHash: string | null;
  /** SHA-256 over this row's fields and prevHash (see chainRowHash). */
  rowHash: string | null;
  /**
   * The segment's keyframes as the recorder wrote them (byte offset of the keyframe's first
   * packet, ms after the segment's first video frame); null: not stored (older or recovered rows),
   * read the file. Wall time of a keyframe = startMs + atMs.
   */
  keyframes: { offset: number; atMs: number }[] | null;
  /** Bytes of PAT + PMT at the start of the file (what a cut from mid-file puts in front). */
  psiBytes: number | null;
}

export type NewSegment = Omit<SegmentRow, 'id' | 'chainSeq' | 'prevHash' | 'rowHash' | 'sha256' | 'recoveredRange' | 'keyframes' | 'psiBytes'> & {
  sha256?: string | null;
  recoveredRange?: string | null;
  keyframes?: { offset: number; atMs: number }[] | null;
  psiBytes?: number | null;
};

/** Hash of an empty chain's predecessor is not used: the first row's prevHash is null. */
export function chainRowHash(row: { cameraId: string; stream: string; startMs: number; endMs: number; bytes: number; path: string; sha256: string | null; recovered: boolean; chainSeq: number; prevHash: string | null }): string {
  const canonical = JSON.stringify([row.chainSeq, row.cameraId, row.stream, row.path, row.startMs, row.endMs, row.bytes, row.sha256, row.recovered ? 1 : 0, row.prevHash]);
  return createHash('sha256').update(canonical).digest('hex');
}

export interface ChainHead {
  seq: number;
  rowHash: string;
}

function chainKey(cameraId: string, stream: string): string {
  return `chain:${cameraId}/${stream}`;
}

/** Highest chain position deleted by retention, quota or the floor (legitimately gone). */
function prunedKey(cameraId: string, stream: string): string {
  return `chainPruned:${cameraId}/${stream}`;
}

export interface GapRow {
  id: number;
  cameraId: string;
  stream: StreamKind;
  startMs: number;
  endMs: number;
  reason: GapReason;
}

export interface EventRow {
  id: number;
  atMs: number;
  kind: string;
  cameraId: string | null;
  detail: Record<string, unknown>;
}

export interface CameraUsage {
  cameraId: string;
  stream: StreamKind;
  segments: number;
  bytes: number;
  oldestStartMs: number | null;
  newestEndMs: number | null;
  recordedMs: number;
}

const SCHEMA_VERSION = 3;

export const MIGRATIONS: Record<number, string> = {
  1: `
    CREATE TABLE segments (
      id INTEGER PRIMARY KEY,
      camera_id TEXT NOT NULL,
      stream TEXT NOT NULL CHECK (stream IN ('main', 'sub')),
      start_ms INTEGER NOT NULL,
      end_ms INTEGER NOT NULL CHECK (end_ms >= start_ms),
      bytes INTEGER NOT NULL,
      path TEXT NOT NULL UNIQUE,
      codec TEXT,
      width_px INTEGER,
      height_px INTEGER,
      has_audio INTEGER NOT NULL DEFAULT 0,
      recovered INTEGER NOT NULL DEFAULT 0
    );
    CREATE INDEX segments_by_camera_time ON segments (camera_id, stream, start_ms);
    CREATE INDEX segments_by_start ON segments (start_ms);
    CREATE TABLE gaps (
      id INTEGER PRIMARY KEY,
      camera_id TEXT NOT NULL,
      stream TEXT NOT NULL,
      start_ms INTEGER NOT NULL,
      end_ms INTEGER NOT NULL CHECK (end_ms >= start_ms),
      reason TEXT NOT NULL
    );
    CREATE INDEX gaps_by_camera_time ON gaps (camera_id, stream, start_ms);
    CREATE TABLE pending_deletes (path TEXT PRIMARY KEY, requested_ms INTEGER NOT NULL);
    CREATE TABLE events (
      id INTEGER PRIMARY KEY,
      at_ms INTEGER NOT NULL,
      kind TEXT NOT NULL,
      camera_id TEXT,
      detail TEXT NOT NULL DEFAULT '{}'
    );
    CREATE INDEX events_by_time ON events (at_ms);
    CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
  `,
  // issue 17: hashes at the source and the per-stream chain; older rows keep NULL (unhashed)
  2: `
    ALTER TABLE segments ADD COLUMN sha256 TEXT;
    ALTER TABLE segments ADD COLUMN recovered_range TEXT;
    ALTER TABLE segments ADD COLUMN chain_seq INTEGER;
    ALTER TABLE segments ADD COLUMN prev_hash TEXT;
    ALTER TABLE segments ADD COLUMN row_hash TEXT;
    ALTER TABLE segments ADD COLUMN keyframes TEXT;
    ALTER TABLE segments ADD COLUMN psi_bytes INTEGER;
    CREATE INDEX segments_by_chain ON segments (camera_id, stream, chain_seq);
  `,
  // issue 17 item 7: legal hold. A camera's footage in [start_ms, end_ms) is never deleted by
  // days, quota or the floor while its hold is not released (released_ms NULL).
  3: `
    CREATE TABLE holds (
      id INTEGER PRIMARY KEY,
      camera_id TEXT NOT NULL,
      start_ms INTEGER NOT NULL,
      end_ms INTEGER NOT NULL CHECK (end_ms > start_ms),
      reason TEXT NOT NULL,
      source TEXT NOT NULL CHECK (source IN ('export', 'bookmark', 'manual')),
      source_ref TEXT,
      created_by TEXT NOT NULL,
      created_ms INTEGER NOT NULL,
      released_by TEXT,
      released_ms INTEGER,
      release_reason TEXT
    );
    CREATE INDEX holds_active ON holds (camera_id, start_ms) WHERE released_ms IS NULL;
  `,
};

/** Footage under legal hold (issue 17): what a bookmark or an export asked to keep as evidence. */
export type HoldSource = (typeof HOLD_SOURCES)[number];

export interface HoldRow {
  id: number;
  cameraId: string;
  startMs: number;
  endMs: number;
  reason: string;
  source: HoldSource;
  sourceRef: string | null;
  createdBy: string;
  createdMs: number;
  releasedBy: string | null;
  releasedMs: number | null;
  releaseReason: string | null;
}

export type NewHold = Pick<HoldRow, 'cameraId' | 'startMs' | 'endMs' | 'reason' | 'source' | 'sourceRef' | 'createdBy' | 'createdMs'>;

/** A segment row that no active hold covers (SQL, for the statements that pick what may be deleted). */
const NOT_HELD = `NOT EXISTS (SELECT 1 FROM holds h WHERE h.released_ms IS NULL AND h.camera_id = segments.camera_id AND h.start_ms < segments.end_ms AND h.end_ms > segments.start_ms)`;

/**
 * Longest a segment row can span (segments are at most 600 s; `endOf` caps a span at ten times
 * the segment length): lets the hold queries below use the (camera, stream, start) index from both
 * ends instead of reading a camera's whole history.
 */
const LONGEST_SEGMENT_MS = 86_400_000;

/**
 * Ids of the segments under at least one active hold, found from the holds (a handful) through
 * the index, not by testing every segment of the disk (the storage page asks every 5 s): 0.8 ms
 * instead of 74 ms for 620,000 rows. What may be deleted is decided by NOT_HELD, without the bound.
 */
const HELD_IDS = `SELECT s.id FROM holds h JOIN segments s ON s.camera_id = h.camera_id AND s.stream IN ('main', 'sub') AND s.start_ms >= h.start_ms - ${LONGEST_SEGMENT_MS} AND s.start_ms < h.end_ms AND s.end_ms > h.start_ms WHERE h.released_ms IS NULL`;

interface HoldRecord {
  id: number;
  camera_id: string;
  start_ms: number;
  end_ms: number;
  reason: string;
  source: HoldSource;
  source_ref: string | null;
  created_by: string;
  created_ms: number;
  released_by: string | null;
  released_ms: number | null;
  release_reason: string | null;
}

function toHold(record: HoldRecord): HoldRow {
  return {
    id: record.id,
    cameraId: record.camera_id,
    startMs: record.start_ms,
    endMs: record.end_ms,
    reason: record.reason,
    source: record.source,
    sourceRef: record.source_ref,
    createdBy: record.created_by,
    createdMs: record.created_ms,
    releasedBy: record.released_by,
    releasedMs: record.released_ms,
    releaseReason: record.release_reason,
  };
}

interface SegmentRecord {
  id: number;
  camera_id: string;
  stream: StreamKind;
  start_ms: number;
  end_ms: number;
  bytes: number;
  path: string;
  codec: string | null;
  width_px: number | null;
  height_px: number | null;
  has_audio: number;
  recovered: number;
  sha256: string | null;
  recovered_range: string | null;
  chain_seq: number | null;
  prev_hash: string | null;
  row_hash: string | null;
  keyframes: string | null;
  psi_bytes: number | null;
}

function toSegment(record: SegmentRecord): SegmentRow {
  return {
    id: record.id,
    cameraId: record.camera_id,
    stream: record.stream,
    startMs: record.start_ms,
    endMs: record.end_ms,
    bytes: record.bytes,
    path: record.path,
    codec: record.codec,
    widthPx: record.width_px,
    heightPx: record.height_px,
    hasAudio: record.has_audio === 1,
    recovered: record.recovered === 1,
    sha256: record.sha256,
    recoveredRange: record.recovered_range,
    chainSeq: record.chain_seq,
    prevHash: record.prev_hash,
    rowHash: record.row_hash,
    keyframes: record.keyframes === null ? null : (JSON.parse(record.keyframes) as [number, number][]).map(([offset, atMs]) => ({ offset, atMs })),
    psiBytes: record.psi_bytes,
  };
}

export class RecordingIndex {
  private readonly db: Database.Database;
  private readonly statements;

  constructor(file: string) {
    this.db = new Database(file);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = FULL');
    this.db.pragma('foreign_keys = ON');
    this.migrate();
    const db = this.db;
    this.statements = {
      insertSegment: db.prepare(
        `INSERT INTO segments (camera_id, stream, start_ms, end_ms, bytes, path, codec, width_px, height_px, has_audio, recovered, sha256, recovered_range, chain_seq, prev_hash, row_hash, keyframes, psi_bytes)
         VALUES (@cameraId, @stream, @startMs, @endMs, @bytes, @path, @codec, @widthPx, @heightPx, @hasAudio, @recovered, @sha256, @recoveredRange, @chainSeq, @prevHash, @rowHash, @keyframes, @psiBytes)`,
      ),
      segmentsBetween: db.prepare<[string, string, number, number]>(
        'SELECT * FROM segments WHERE camera_id = ? AND stream = ? AND end_ms > ? AND start_ms < ? ORDER BY start_ms',
      ),
      allSegments: db.prepare('SELECT * FROM segments ORDER BY camera_id, stream, start_ms'),
      segmentByPath: db.prepare<[string]>('SELECT * FROM segments WHERE path = ?'),
      oldest: db.prepare<[number]>(`SELECT * FROM segments WHERE ${NOT_HELD} ORDER BY start_ms LIMIT ?`),
      oldestAny: db.prepare('SELECT MIN(start_ms) AS startMs FROM segments'),
      oldestOfCamera: db.prepare<[string, number, number]>(`SELECT * FROM segments WHERE camera_id = ? AND end_ms < ? AND ${NOT_HELD} ORDER BY start_ms LIMIT ?`),
      heldSegmentCount: db.prepare(`SELECT COUNT(*) AS count FROM segments WHERE id IN (${HELD_IDS})`),
      insertHold: db.prepare(
        'INSERT INTO holds (camera_id, start_ms, end_ms, reason, source, source_ref, created_by, created_ms) VALUES (@cameraId, @startMs, @endMs, @reason, @source, @sourceRef, @createdBy, @createdMs)',
      ),
      releaseHold: db.prepare<[string, number, string, number]>('UPDATE holds SET released_by = ?, released_ms = ?, release_reason = ? WHERE id = ? AND released_ms IS NULL'),
      holdById: db.prepare<[number]>('SELECT * FROM holds WHERE id = ?'),
      holdsSince: db.prepare<[number, number]>('SELECT * FROM holds WHERE released_ms IS NULL OR released_ms >= ? ORDER BY released_ms IS NOT NULL, created_ms DESC LIMIT ?'),
      heldBytesOf: db.prepare<[string, number, number, number]>(
        `SELECT COALESCE(SUM(bytes), 0) AS bytes, COUNT(*) AS segments FROM segments WHERE camera_id = ? AND stream IN ('main', 'sub') AND start_ms >= ? - ${LONGEST_SEGMENT_MS} AND end_ms > ? AND start_ms < ?`,
      ),
      heldBytes: db.prepare(`SELECT COALESCE(SUM(bytes), 0) AS bytes FROM segments WHERE id IN (${HELD_IDS})`),
      totalBytes: db.prepare('SELECT COALESCE(SUM(bytes), 0) AS bytes FROM segments'),
      lastSegment: db.prepare<[string, string]>('SELECT * FROM segments WHERE camera_id = ? AND stream = ? ORDER BY start_ms DESC LIMIT 1'),
      lastSegmentBefore: db.prepare<[string, string, number]>('SELECT * FROM segments WHERE camera_id = ? AND stream = ? AND start_ms <= ? ORDER BY start_ms DESC LIMIT 1'),
      segmentsSince: db.prepare<[number]>('SELECT * FROM segments WHERE end_ms >= ? ORDER BY id'),
      segmentsAfterId: db.prepare<[number, number]>('SELECT * FROM segments WHERE id > ? ORDER BY id LIMIT ?'),
      futureSegments: db.prepare<[number]>('SELECT * FROM segments WHERE start_ms > ? ORDER BY start_ms LIMIT 1000'),
      updateSegmentSize: db.prepare<[number, number, number]>('UPDATE segments SET bytes = ?, end_ms = ? WHERE id = ?'),
      deleteEventsBefore: db.prepare<[number]>('DELETE FROM events WHERE at_ms < ?'),
      metaByPrefix: db.prepare<[string, string]>('SELECT key, value FROM meta WHERE substr(key, 1, length(?)) = ?'),
      deleteMeta: db.prepare<[string]>('DELETE FROM meta WHERE key = ?'),
      insertGap: db.prepare('INSERT INTO gaps (camera_id, stream, start_ms, end_ms, reason) VALUES (?, ?, ?, ?, ?)'),
      gapsBetween: db.prepare<[string, string, number, number]>(
        'SELECT id, camera_id, stream, start_ms, end_ms, reason FROM gaps WHERE camera_id = ? AND stream = ? AND end_ms > ? AND start_ms < ? ORDER BY start_ms',
      ),
      deleteSegment: db.prepare<[number]>('DELETE FROM segments WHERE id = ?'),
      // per camera stream: a gap before that stream's oldest footage; one with no footage: before the bound
      deleteGapsBefore: db.prepare<[number]>(
        'DELETE FROM gaps WHERE end_ms < COALESCE((SELECT MIN(s.start_ms) FROM segments s WHERE s.camera_id = gaps.camera_id AND s.stream = gaps.stream), ?)',
      ),
      insertPending: db.prepare<[string, number]>('INSERT OR REPLACE INTO pending_deletes (path, requested_ms) VALUES (?, ?)'),
      pending: db.prepare('SELECT path FROM pending_deletes'),
      clearPending: db.prepare<[string]>('DELETE FROM pending_deletes WHERE path = ?'),
      insertEvent: db.prepare('INSERT INTO events (at_ms, kind, camera_id, detail) VALUES (?, ?, ?, ?)'),
      events: db.prepare<[number, number]>('SELECT * FROM events WHERE at_ms >= ? ORDER BY at_ms DESC LIMIT ?'),
      setMeta: db.prepare<[string, string]>('INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)'),
      getMeta: db.prepare<[string]>('SELECT value FROM meta WHERE key = ?'),
      usage: db.prepare(
        `SELECT camera_id, stream, COUNT(*) AS segments, SUM(bytes) AS bytes, MIN(start_ms) AS oldest, MAX(end_ms) AS newest,
                SUM(end_ms - start_ms) AS recorded
         FROM segments GROUP BY camera_id, stream ORDER BY camera_id, stream`,
      ),
      daily: db.prepare<[number, number, number]>(
        'SELECT CAST((start_ms + ?) / 86400000 AS INTEGER) AS day, SUM(bytes) AS bytes FROM segments WHERE start_ms >= ? GROUP BY day ORDER BY day LIMIT ?',
      ),
      bytesSince: db.prepare<[number]>(
        'SELECT camera_id, stream, SUM(bytes) AS bytes, SUM(end_ms - start_ms) AS recorded FROM segments WHERE start_ms >= ? GROUP BY camera_id, stream',
      ),
    };
  }

  private migrate(): void {
    const current = this.db.pragma('user_version', { simple: true }) as number;
    if (current > SCHEMA_VERSION) throw new Error(`recording index is version ${current}, newer than this console (${SCHEMA_VERSION})`);
    for (let version = current + 1; version <= SCHEMA_VERSION; version++) {
      this.db.transaction(() => {
        this.db.exec(MIGRATIONS[version] ?? '');
        this.db.pragma(`user_version = ${version}`);
      })();
    }
  }

  /**
   * Inserts a closed segment's row as the next link of its stream's chain (the head is kept in
   * `meta`, so a chain whose rows were all deleted still continues, and a removed head shows).
   */
  insertSegment(segment: NewSegment): number {
    return this.db.transaction(() => {
      const head = this.chainHead(segment.cameraId, segment.stream);
      const chainSeq = (head?.seq ?? 0) + 1;
      const prevHash = head?.rowHash ?? null;
      const sha256 = segment.sha256 ?? null;
      const rowHash = chainRowHash({ ...segment, sha256, chainSeq, prevHash });
      const info = this.statements.insertSegment.run({
        ...segment,
        sha256,
        recoveredRange: segment.recoveredRange ?? null,
        keyframes: segment.keyframes ? JSON.stringify(segment.keyframes.map((keyframe) => [keyframe.offset, Math.round(keyframe.atMs * 1000) / 1000])) : null,
        psiBytes: segment.psiBytes ?? null,
        chainSeq,
        prevHash,
        rowHash,
        hasAudio: segment.hasAudio ? 1 : 0,
        recovered: segment.recovered ? 1 : 0,
      });
      this.statements.setMeta.run(chainKey(segment.cameraId, segment.stream), JSON.stringify({ seq: chainSeq, rowHash } satisfies ChainHead));
      return Number(info.lastInsertRowid);
    })();
  }

  /** The last link of a camera stream's chain (null: no hashed row yet). */
  chainHead(cameraId: string, stream: string): ChainHead | null {
    const value = this.getMeta(chainKey(cameraId, stream));
    return value ? (JSON.parse(value) as ChainHead) : null;
  }

  /** Every camera stream that has a chain, with its head. */
  chainHeads(): { cameraId: string; stream: StreamKind; head: ChainHead }[] {
    return this.metaWithPrefix('chain:').map((entry) => {
      const [cameraId, stream] = entry.key.slice('chain:'.length).split('/') as [string, StreamKind];
      return { cameraId, stream, head: JSON.parse(entry.value) as ChainHead };
    });
  }

  /** Highest chain position deleted by retention, quota or the floor (0: none). */
  chainPruned(cameraId: string, stream: string): number {
    return Number(this.getMeta(prunedKey(cameraId, stream)) ?? 0);
  }

  segments(cameraId: string, stream: StreamKind, fromMs: number, toMs: number): SegmentRow[] {
    return (this.statements.segmentsBetween.all(cameraId, stream, fromMs, toMs) as SegmentRecord[]).map(toSegment);
  }

  allSegments(): SegmentRow[] {
    return (this.statements.allSegments.all() as SegmentRecord[]).map(toSegment);
  }

  segmentByPath(path: string): SegmentRow | null {
    const record = this.statements.segmentByPath.get(path) as SegmentRecord | undefined;
    return record ? toSegment(record) : null;
  }

  lastSegment(cameraId: string, stream: StreamKind): SegmentRow | null {
    const record = this.statements.lastSegment.get(cameraId, stream) as SegmentRecord | undefined;
    return record ? toSegment(record) : null;
  }

  /** The stream's last segment that starts at or before `ms` (rows dated after it are not a base for new footage). */
  lastSegmentBefore(cameraId: string, stream: StreamKind, ms: number): SegmentRow | null {
    const record = this.statements.lastSegmentBefore.get(cameraId, stream, ms) as SegmentRecord | undefined;
    return record ? toSegment(record) : null;
  }

  /** Rows that end at or after `ms`, every camera (the running audit's recent window). */
  segmentsSince(ms: number): SegmentRow[] {
    return (this.statements.segmentsSince.all(ms) as SegmentRecord[]).map(toSegment);
  }

  /** Rows by id after `afterId` (the running audit walks all rows a batch at a time). */
  segmentsAfterId(afterId: number, limit: number): SegmentRow[] {
    return (this.statements.segmentsAfterId.all(afterId, limit) as SegmentRecord[]).map(toSegment);
  }

  /** Rows that start after `ms` (footage dated in the future: a PC clock that ran ahead, a copied file). */
  futureSegments(ms: number): SegmentRow[] {
    return (this.statements.futureSegments.all(ms) as SegmentRecord[]).map(toSegment);
  }

  /** A row's file is shorter than indexed (truncated): the row follows the file. */
  updateSegmentSize(id: number, bytes: number, endMs: number): void {
    this.statements.updateSegmentSize.run(bytes, endMs, id);
  }

  /** Removes a row whose file is already gone (no pending-delete step needed). */
  deleteSegmentRow(id: number): void {
    this.statements.deleteSegment.run(id);
  }

  /** Events older than `beforeMs` go with the footage they were about. */
  pruneEvents(beforeMs: number): number {
    return this.statements.deleteEventsBefore.run(beforeMs).changes;
  }

  metaWithPrefix(prefix: string): { key: string; value: string }[] {
    return this.statements.metaByPrefix.all(prefix, prefix) as { key: string; value: string }[];
  }

  deleteMeta(key: string): void {
    this.statements.deleteMeta.run(key);
  }

  /** Oldest segments no hold covers first, of every camera (disk quota, free-space floor). */
  oldestSegments(limit: number): SegmentRow[] {
    return (this.statements.oldest.all(limit) as SegmentRecord[]).map(toSegment);
  }

  /** A camera's segments no hold covers that ended before `beforeMs`, oldest first (retention by days). */
  expiredSegments(cameraId: string, beforeMs: number, limit: number): SegmentRow[] {
    return (this.statements.oldestOfCamera.all(cameraId, beforeMs, limit) as SegmentRecord[]).map(toSegment);
  }

  totalBytes(): number {
    return (this.statements.totalBytes.get() as { bytes: number }).bytes;
  }

  /** Start of the oldest footage, held or not (gaps older than it carry no information). */
  oldestStartMs(): number | null {
    return (this.statements.oldestAny.get() as { startMs: number | null }).startMs;
  }

  /** Puts footage on legal hold; returns the new hold's id. */
  addHold(hold: NewHold): number {
    return Number(this.statements.insertHold.run(hold).lastInsertRowid);
  }

  /** Releases a hold (false: no such hold, or released already). The row stays, with who and why. */
  releaseHold(id: number, by: string, atMs: number, reason: string): boolean {
    return this.statements.releaseHold.run(by, atMs, reason, id).changes === 1;
  }

  hold(id: number): HoldRow | null {
    const record = this.statements.holdById.get(id) as HoldRecord | undefined;
    return record ? toHold(record) : null;
  }

  /** Active holds, then those released since `releasedSinceMs`, newest first. */
  holds(releasedSinceMs: number, limit = 500): HoldRow[] {
    return (this.statements.holdsSince.all(releasedSinceMs, limit) as HoldRecord[]).map(toHold);
  }

  /** Footage a hold's range covers now (its camera's segments of both streams). */
  footageOf(hold: Pick<HoldRow, 'cameraId' | 'startMs' | 'endMs'>): { bytes: number; segments: number } {
    return this.statements.heldBytesOf.get(hold.cameraId, hold.startMs, hold.startMs, hold.endMs) as { bytes: number; segments: number };
  }

  /** Bytes of footage under at least one active hold (each segment once). */
  heldBytes(): number {
    return (this.statements.heldBytes.get() as { bytes: number }).bytes;
  }

  /** Segments under at least one active hold. */
  heldSegments(): number {
    return (this.statements.heldSegmentCount.get() as { count: number }).count;
  }

  addGap(cameraId: string, stream: StreamKind, startMs: number, endMs: number, reason: GapReason): void {
    if (endMs <= startMs) return;
    this.statements.insertGap.run(cameraId, stream, startMs, endMs, reason);
  }

  gaps(cameraId: string, stream: StreamKind, fromMs: number, toMs: number): GapRow[] {
    return (this.statements.gapsBetween.all(cameraId, stream, fromMs, toMs) as { id: number; camera_id: string; stream: StreamKind; start_ms: number; end_ms: number; reason: GapReason }[]).map(
      (record) => ({ id: record.id, cameraId: record.camera_id, stream: record.stream, startMs: record.start_ms, endMs: record.end_ms, reason: record.reason }),
    );
  }

  /** Step 1 of a deletion: the row goes and a pending-delete record comes, in one transaction. */
  markForDeletion(segment: SegmentRow, atMs: number): void {
    this.db.transaction(() => {
      if (segment.chainSeq !== null && segment.chainSeq > this.chainPruned(segment.cameraId, segment.stream)) {
        this.statements.setMeta.run(prunedKey(segment.cameraId, segment.stream), String(segment.chainSeq));
      }
      this.statements.insertPending.run(segment.path, atMs);
      this.statements.deleteSegment.run(segment.id);
    })();
  }

  pendingDeletes(): string[] {
    return (this.statements.pending.all() as { path: string }[]).map((record) => record.path);
  }

  /** Step 3 of a deletion, once the file is gone and its directory fsynced. */
  clearPendingDelete(path: string): void {
    this.statements.clearPending.run(path);
  }

  /**
   * Gaps that ended before their camera stream's oldest footage carry no information any more.
   * Per stream, not against the oldest footage of any camera: a camera's gap before its first
   * segment after a stop (a full disk) ends when that segment starts, and that segment's row
   * comes only once it is closed; another camera's newer row must not take the gap away (it did
   * on a full disk, issue 20's run). A stream with no footage keeps gaps that ended from
   * `noFootageBeforeMs` on.
   */
  pruneGaps(noFootageBeforeMs: number): void {
    this.statements.deleteGapsBefore.run(noFootageBeforeMs);
  }

  addEvent(atMs: number, kind: string, cameraId: string | null, detail: Record<string, unknown> = {}): void {
    this.statements.insertEvent.run(atMs, kind, cameraId, JSON.stringify(detail));
  }

  events(sinceMs: number, limit = 200): EventRow[] {
    return (this.statements.events.all(sinceMs, limit) as { id: number; at_ms: number; kind: string; camera_id: string | null; detail: string }[]).map((record) => ({
      id: record.id,
      atMs: record.at_ms,
      kind: record.kind,
      cameraId: record.camera_id,
      detail: JSON.parse(record.detail) as Record<string, unknown>,
    }));
  }

  setMeta(key: string, value: string): void {
    this.statements.setMeta.run(key, value);
  }

  getMeta(key: string): string | null {
    return (this.statements.getMeta.get(key) as { value: string } | undefined)?.value ?? null;
  }

  usage(): CameraUsage[] {
    return (this.statements.usage.all() as { camera_id: string; stream: StreamKind; segments: number; bytes: number; oldest: number | null; newest: number | null; recorded: number }[]).map(
      (record) => ({
        cameraId: record.camera_id,
        stream: record.stream,
        segments: record.segments,
        bytes: record.bytes,
        oldestStartMs: record.oldest,
        newestEndMs: record.newest,
        recordedMs: record.recorded,
      }),
    );
  }

  /** Bytes and recorded time per camera stream since `sinceMs` (measured bitrates). */
  bytesSince(sinceMs: number): { cameraId: string; stream: StreamKind; bytes: number; recordedMs: number }[] {
    return (this.statements.bytesSince.all(sinceMs) as { camera_id: string; stream: StreamKind; bytes: number; recorded: number }[]).map((record) => ({
      cameraId: record.camera_id,
      stream: record.stream,
      bytes: record.bytes,
      recordedMs: record.recorded,
    }));
  }

  /** Bytes of footage per day since `sinceMs`, days cut at midnight of a zone `offsetMs` from UTC. */
  dailyBytes(sinceMs: number, offsetMs: number, maxDays = 400): { dayIndex: number; bytes: number }[] {
    return (this.statements.daily.all(offsetMs, sinceMs, maxDays) as { day: number; bytes: number }[]).map((record) => ({ dayIndex: Math.floor(record.day), bytes: record.bytes }));
  }

  transaction<T>(work: () => T): T {
    return this.db.transaction(work)();
  }

  close(): void {
    this.db.close();
  }
}
