import fs from 'node:fs';
import path from 'node:path';
import type { Clock, TimerHandle } from '../util/clock';
import type { Logger } from '../log/logger';
import type { RecordingIndex, SegmentRow } from './recordingIndex';
import { fsyncDirectory, type DurabilityStats } from './segmentFile';
import type { StorageGuard } from './streamRecorder';
import { segmentFilePath } from '../util/recordingLayout';

export interface StorageConfig {
  retentionDays: number;
  /** Cameras that keep footage longer or shorter than the site's default. */
  cameraRetentionDays: ReadonlyMap<string, number>;
  quotaBytes: number | null;
  minFreeBytes: number;
}

export interface DiskSpace {
  totalBytes: number;
  freeBytes: number;
}

/** Space kept aside so the index can still commit a deletion on a disk another program filled. */
const RESERVE_BYTES = 4 * 1024 * 1024;

export function isDiskFull(error: unknown): boolean {
  const code = (error as { code?: string }).code;
  return code === 'SQLITE_FULL' || code === 'ENOSPC' || code === 'SQLITE_IOERR_WRITE';
}

const DAY_MS = 86_400_000;

/**
 * Keeps the disk from ever filling: footage older than its retention goes, then the oldest
 * footage while recordings exceed the quota or the disk's free space is below the floor.
 * Footage on legal hold (RecordingIndex holds) is never picked: when only held footage is left
 * below the floor, the `heldFloor` alarm goes off and the recorders stop at their next segment
 * (`heldFloorReached`) instead of writing into the floor.
 * Deletion is durable in three steps (index row → pending-delete record, file, record gone), so a
 * crash in between leaves nothing the recovery pass cannot finish.
 */
export class StorageManager implements StorageGuard {
  private timer: TimerHandle | null = null;
  private lastShortWarningMs = 0;
  deletedSegments = 0;
  deletedBytes = 0;
  private readonly deletedListeners = new Set<(segment: SegmentRow, why: 'retention' | 'quota' | 'diskFloor') => void>();

  /** Footage deleted by a rule (the audit trail records it; a listener's throw never stops recording). */
  onDeleted(listener: (segment: SegmentRow, why: 'retention' | 'quota' | 'diskFloor') => void): () => void {
    this.deletedListeners.add(listener);
    return () => this.deletedListeners.delete(listener);
  }
  /** Segment files an export is reading (path → holders), and those whose deletion waits for them. */
  private readonly pins = new Map<string, number>();
  private readonly deferredFiles = new Set<string>();

  private readonly reservePath: string;

  constructor(
    private readonly index: RecordingIndex,
    readonly root: string,
    private readonly config: StorageConfig,
    private readonly deps: { clock: Clock; log: Logger; stats: DurabilityStats; space?: (dir: string) => DiskSpace },
  ) {
    fs.mkdirSync(root, { recursive: true });
    this.reservePath = path.join(path.dirname(root), '.space-reserve');
  }

  /**
   * Runs an index write; if the disk is too full even for SQLite (another program filled it),
   * gives back the reserve and tries once more.
   */
  guarded<T>(write: () => T): T {
    try {
      return write();
    } catch (error) {
      if (!isDiskFull(error) || !this.releaseReserve()) throw error;
      return write();
    }
  }

  /**
   * Re-makes the reserve file as soon as the disk has room for it, whatever the floor (it is
   * taken before the floor is enforced again on the next segment close), so a disk another
   * program fills again finds it in place.
   */
  ensureReserve(): void {
    try {
      if (fs.existsSync(this.reservePath)) return;
      if (this.space().freeBytes < RESERVE_BYTES + 256 * 1024) return;
      const temporary = `${this.reservePath}.tmp`;
      fs.writeFileSync(temporary, Buffer.alloc(RESERVE_BYTES));
      fs.renameSync(temporary, this.reservePath);
    } catch {
      // no room for it now: next time
    }
  }

  private releaseReserve(): boolean {
    try {
      fs.unlinkSync(this.reservePath);
      this.deps.log.warn('disk full: the space reserve was released so the index can commit');
      return true;
    } catch {
      return false;
    }
  }

  get floorBytes(): number {
    return this.config.minFreeBytes;
  }

  get quotaBytes(): number | null {
    return this.config.quotaBytes;
  }

  retentionOf(cameraId: string): number {
    return this.config.cameraRetentionDays.get(cameraId) ?? this.config.retentionDays;
  }

  get defaultRetentionDays(): number {
    return this.config.retentionDays;
  }

  start(periodMs = 30000): void {
    const run = (): void => {
      try {
        this.enforce();
      } catch (error) {
        this.deps.log.error('storage check failed', { error });
      }
      this.timer = this.deps.clock.setTimeout(run, periodMs);
    };
    run();
  }

  stop(): void {
    this.timer?.cancel();
    this.timer = null;
  }

  space(): DiskSpace {
    if (this.deps.space) return this.deps.space(this.root);
    const stats = fs.statfsSync(this.root);
    return { totalBytes: stats.blocks * stats.bsize, freeBytes: stats.bavail * stats.bsize };
  }

  hasRoom(bytes: number): boolean {
    return this.space().freeBytes >= this.config.minFreeBytes + bytes;
  }

  /**
   * Deletes the oldest footage until `bytes` more fit above the floor. Never needs free space
   * itself: when the index cannot commit, the file goes first (see delete). False when nothing
   * that may go is left (the rest is pinned, or another program filled the disk).
   */
  makeRoom(bytes: number): boolean {
    if (this.unlinked.size > 0) this.retryUnlinked();
    const skipped = new Set<number>();
    try {
      while (!this.hasRoom(bytes)) {
        const oldest = this.index.oldestSegments(skipped.size + this.unlinked.size + 1).find((row) => !skipped.has(row.id) && !this.unlinked.has(row.id));
        if (!oldest) {
          this.noteHeldFloor();
          return false;
        }
        let gone = false;
        try {
          gone = this.delete(oldest, 'diskFloor');
        } catch (error) {
          this.deps.log.error('could not delete a segment to make room', { path: oldest.path, error });
        }
        if (!gone) skipped.add(oldest.id);
      }
      this.heldFloorSinceMs = null;
      return true;
    } catch (error) {
      this.deps.log.error('could not make room on the disk', { error });
      return false;
    }
  }

  /** Since when the floor is reached and only footage under legal hold is left (null: not so). */
  heldFloorSinceMs: number | null = null;
  private readonly heldFloorListeners = new Set<(heldBytes: number) => void>();

  /** For the recorders: stop at the next segment rather than write into the floor (StorageGuard.heldFloorReached). */
  heldFloorReached(): boolean {
    return this.heldFloorSinceMs !== null && !this.hasRoom(0);
  }

  /** The floor is reached and everything left is on legal hold: evidence is not deleted, recording stops (an alarm). */
  onHeldFloor(listener: (heldBytes: number) => void): () => void {
    this.heldFloorListeners.add(listener);
    return () => this.heldFloorListeners.delete(listener);
  }

  private noteHeldFloor(): void {
    if (this.heldFloorSinceMs !== null) return;
    let heldBytes = 0;
    try {
      if (this.index.heldSegments() === 0) return; // nothing held: the disk is full of other things (diskFull says so)
      heldBytes = this.index.heldBytes();
    } catch {
      return;
    }
    this.heldFloorSinceMs = this.deps.clock.now();
    this.deps.log.error('free-space floor reached and only footage on legal hold is left: nothing is deleted, recording stops when the disk is full', { heldBytes });
    try {
      this.guarded(() => this.index.addEvent(this.deps.clock.now(), 'heldFloor', null, { heldBytes }));
    } catch {
      // the alarm still goes to the listeners and the log
    }
    for (const listener of this.heldFloorListeners) {
      try {
        listener(heldBytes);
      } catch (error) {
        this.deps.log.error('held-floor listener failed', { error });
      }
    }
  }

  /**
   * After every segment close: the floor is enforced for the next segment, the reserve re-made.
   * The periodic pass (retention, quota) is only for what does not depend on the disk filling.
   */
  segmentClosed(nextSegmentBytes: number): void {
    this.retryUnlinked();
    this.ensureReserve();
    this.makeRoom(nextSegmentBytes);
  }

  /** Rows whose file went first (a full index) and whose row the index could not yet drop. */
  private readonly unlinked = new Map<number, string>();

  /** True while a row's file is gone on purpose and its row waits (the audit must not call it missing). */
  deleting(rowPath: string): boolean {
    return [...this.unlinked.values()].includes(rowPath);
  }

  private retryUnlinked(): void {
    for (const [id, relative] of [...this.unlinked]) {
      try {
        this.guarded(() => this.index.deleteSegmentRow(id));
        this.unlinked.delete(id);
      } catch {
        this.deps.log.warn('a deleted segment keeps its row a while longer (the index is full)', { path: relative });
        return;
      }
    }
  }

  /** One pass of every rule; returns how many segments went. */
  enforce(): number {
    const before = this.deletedSegments;
    const now = this.deps.clock.now();
    for (const usage of this.index.usage()) {
      const limit = now - this.retentionOf(usage.cameraId) * DAY_MS;
      if (usage.oldestStartMs === null || usage.oldestStartMs >= limit) continue;
      for (;;) {
        const expired = this.index.expiredSegments(usage.cameraId, limit, 200);
        if (expired.length === 0) break;
        for (const segment of expired) this.delete(segment, 'retention');
      }
    }
    if (this.config.quotaBytes !== null) {
      let excess = this.index.totalBytes() - this.config.quotaBytes;
      while (excess > 0) {
        const oldest = this.index.oldestSegments(16);
        if (oldest.length === 0) break;
        for (const segment of oldest) {
          if (excess <= 0) break;
          this.delete(segment, 'quota');
          excess -= segment.bytes;
        }
      }
    }
    this.retryUnlinked();
    this.makeRoom(0);
    // held footage keeps its gaps (a hold is evidence, its holes are part of it)
    const oldestMs = this.index.oldestStartMs();
    // events go with the footage they were about, but the last week stays (the storage page shows it)
    const keepEventsFrom = Math.min(oldestMs ?? now, now - 7 * DAY_MS);
    this.guarded(() => this.index.pruneGaps(keepEventsFrom));
    this.guarded(() => this.index.pruneEvents(keepEventsFrom));
    this.ensureReserve();
    return this.deletedSegments - before;
  }

  /** Finishes deletions a crash interrupted. */
  finishPendingDeletes(): number {
    const pending = this.index.pendingDeletes();
    for (const relative of pending) this.removeFile(relative);
    return pending.length;
  }

  /**
   * Deletes one segment; false if it could not go now. Normally row first (through a
   * pending-delete record, in one transaction), then the file. When the index cannot commit
   * because the disk is full to the last byte, the file goes first (unlinking needs no space),
   * then the row: a crash in between leaves a row without its file, which the start-up check of
   * every row against the disk removes. A pinned file is never unlinked under its reader.
   */
  delete(segment: SegmentRow, why: 'retention' | 'quota' | 'diskFloor'): boolean {
    try {
      this.guarded(() => this.index.markForDeletion(segment, this.deps.clock.now()));
    } catch (error) {
      if (!isDiskFull(error)) throw error;
      if (this.pins.has(segment.path)) return false;
      this.unlinkFirst(segment);
      this.count(segment, why);
      return true;
    }
    // a pinned file loses its row now (so every rule moves on) and its bytes when the reader is done
    if (this.pins.has(segment.path)) this.deferredFiles.add(segment.path);
    else this.removeFile(segment.path);
    this.count(segment, why);
    return true;
  }

  private count(segment: SegmentRow, why: 'retention' | 'quota' | 'diskFloor'): void {
    this.deletedSegments += 1;
    this.deletedBytes += segment.bytes;
    this.deps.log.debug('segment deleted', { path: segment.path, why });
    for (const listener of this.deletedListeners) {
      try {
        listener(segment, why);
      } catch (error) {
        this.deps.log.error('footage-deleted listener failed', { error });
      }
    }
  }

  private unlinkFirst(segment: SegmentRow): void {
    const file = segmentFilePath(this.root, segment.path);
    try {
      fs.unlinkSync(file);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
    fsyncDirectory(path.dirname(file), this.deps.stats, this.deps.clock);
    this.deps.log.warn('disk full to the last byte: a segment file went before its index row', { path: segment.path });
    try {
      this.guarded(() => this.index.deleteSegmentRow(segment.id));
    } catch {
      this.unlinked.set(segment.id, segment.path);
    }
  }

  /**
   * Keeps these segment files (relative paths) on disk while an export reads them. Retention may
   * still drop their rows; the files go when the last holder calls the returned release.
   */
  pin(paths: readonly string[]): () => void {
    const unique = [...new Set(paths)];
    for (const relative of unique) this.pins.set(relative, (this.pins.get(relative) ?? 0) + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      for (const relative of unique) {
        const holders = (this.pins.get(relative) ?? 1) - 1;
        if (holders > 0) {
          this.pins.set(relative, holders);
          continue;
        }
        this.pins.delete(relative);
        if (this.deferredFiles.delete(relative)) this.removeFile(relative);
      }
    };
  }

  /**
   * Days of footage the disk can hold at the measured bitrates: the room recordings may take
   * (quota, or what is recorded plus free space above the floor) over the bytes a day brings.
   */
  projectedDays(bytesPerDay: number): number | null {
    if (bytesPerDay <= 0) return null;
    const recorded = this.index.totalBytes();
    const room = recorded + Math.max(0, this.space().freeBytes - this.config.minFreeBytes);
    const usable = this.config.quotaBytes === null ? room : Math.min(room, this.config.quotaBytes);
    return usable / bytesPerDay;
  }

  /** Records a warning (at most hourly) when the disk cannot keep footage as long as configured. */
  checkProjection(bytesPerDay: number): void {
    const projected = this.projectedDays(bytesPerDay);
    const now = this.deps.clock.now();
    if (projected === null || projected >= this.config.retentionDays || now - this.lastShortWarningMs < 3_600_000) return;
    this.lastShortWarningMs = now;
    this.index.addEvent(now, 'retentionShort', null, { projectedDays: Math.round(projected * 10) / 10, retentionDays: this.config.retentionDays });
    this.deps.log.warn('the disk cannot hold the configured retention', { projectedDays: projected, retentionDays: this.config.retentionDays });
  }

  private removeFile(relative: string): void {
    const file = segmentFilePath(this.root, relative);
    try {
      fs.unlinkSync(file);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
        this.deps.log.warn('could not delete a segment', { path: relative, error });
        return;
      }
    }
    const dir = path.dirname(file);
    fsyncDirectory(dir, this.deps.stats, this.deps.clock);
    try {
      this.guarded(() => this.index.clearPendingDelete(relative));
    } catch (error) {
      // the file is gone; the record is cleared at the next start (finishPendingDeletes)
      this.deps.log.warn('a pending delete stays recorded (the index is full)', { path: relative, error });
    }
    try {
      if (fs.readdirSync(dir).length === 0) fs.rmdirSync(dir);
    } catch {
      // not empty after all, or already gone
    }
  }
}
