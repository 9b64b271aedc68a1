import fs from 'node:fs';
import type { Camera, ScheduleWindow, StreamKind } from '../../../common/site';
import type { RecordingProblem, RecordingState, RecordingStatus } from '../../../common/contract';
import type { Clock, TimerHandle } from '../util/clock';
import { nextRevision } from '../util/revision';
import type { Logger } from '../log/logger';
import type { CameraStreamSource, SourceConsumer } from '../media/source';
import { PTS_HZ, ptsDelta } from '../media/pes';
import { forEachVideoFrame, msAfter } from '../media/tsFrames';
import type { GapReason, NewSegment, RecordingIndex } from './recordingIndex';
import { SegmentFile, type DurabilityStats } from './segmentFile';
import { isScheduled } from './schedule';
import { analyzeSegment, CLOSING_PREFIX } from './recovery';
import { segmentFilePath, segmentRelativePath } from '../util/recordingLayout';

/** What the recorder asks of the storage manager. */
export interface StorageGuard {
  /** Deletes old footage until `bytes` more fit above the free-space floor; false if they cannot. */
  makeRoom(bytes: number): boolean;
  hasRoom(bytes: number): boolean;
  /** Runs an index write, freeing the space reserve if the disk is too full for it. */
  guarded<T>(write: () => T): T;
  /** After every segment close: the floor is enforced for the next one, the space reserve re-made. */
  segmentClosed?(nextSegmentBytes: number): void;
  /**
   * The floor is reached and only footage on legal hold is left (issue 17): the recorder stops at
   * its next segment instead of writing into the floor, as on a full disk, and resumes when
   * `makeRoom` succeeds again.
   */
  heldFloorReached?(): boolean;
}

/** Meta key of a stream's journaled open segment (what the recovery pass looks at first). */
export function openJournalKey(cameraId: string, stream: StreamKind): string {
  return `open:${cameraId}/${stream}`;
}

export interface RecorderOptions {
  segmentMs: number;
  /** fdatasync of the open segment this often: what a power cut may lose. */
  flushMs: number;
  /** A PC clock that moved this far off the monotonic clock between segments is a jump. */
  clockJumpMs: number;
  /** Rotation keeps segments contiguous unless the PC clock drifted further than this. */
  reanchorMs: number;
  /** The open segment is closed and indexed after this long without data (a camera gone quiet). */
  silenceMs: number;
}

export const DEFAULT_RECORDER_OPTIONS: RecorderOptions = {
  segmentMs: 60000,
  flushMs: 2000,
  clockJumpMs: 2000,
  reanchorMs: 1000,
  silenceMs: 3000,
};

interface OpenSegment {
  file: SegmentFile;
  relativePath: string;
  startMs: number;
  startMono: number;
  lastDataMono: number;
  firstPts: number | null;
  lastPts: number | null;
  frames: number;
  codec: string | null;
  widthPx: number | null;
  heightPx: number | null;
  /** Bytes handed to the file so far (the next chunk's offset in it). */
  fed: number;
  /** Keyframes as written: offset of the keyframe's first packet, ms after the first frame. */
  keyframes: { offset: number; atMs: number }[];
  psiBytes: number;
}

/** Queued packets are written at least this often. */
const DRAIN_MS = 250;

/** Expected bytes of one segment at a stream's bitrate, for room checks (2 Mbit/s until measured). */
function expectedSegmentBytes(kbps: number, segmentMs: number): number {
  return Math.ceil(((Math.max(kbps, 2000) * 1000) / 8) * (segmentMs / 1000) * 1.2);
}

/**
 * Records one camera stream continuously from its shared pull: MPEG-TS segments of about
 * `segmentMs`, each starting at a keyframe with PAT + PMT, written as they arrive (no ffmpeg of
 * its own, no transcoding), flushed every `flushMs`, and indexed only once durable. Times come
 * from the PC clock at each segment's start and from the stream's own clock (PTS) for its
 * length; per stream they never overlap or go backwards, whatever the PC clock does.
 */
export class StreamRecorder implements SourceConsumer {
  private current: OpenSegment | null = null;
  private closing: Promise<void> = Promise.resolve();
  private unsubscribe: (() => void) | null = null;
  private flushTimer: TimerHandle | null = null;
  private scheduleTimer: TimerHandle | null = null;
  private epoch = -1;
  /** End of the last segment (the recording's own clock: it never goes back). */
  private timelineMs: number;
  private gapStartMs: number | null;
  private gapReason: GapReason;
  /** PC and monotonic time when the last segment opened: a PC clock jump shows between two opens. */
  private anchorWall: number | null = null;
  private anchorMono: number | null = null;
  private scheduled = true;
  /** Rows of durable segments the index could not take yet (disk too full to commit): retried. */
  private readonly unindexed: NewSegment[] = [];
  private state: RecordingState = 'waiting';
  private problem: RecordingProblem | null = null;
  private sinceMs: number;
  private revision = nextRevision();
  segmentsWritten = 0;

  constructor(
    readonly camera: Camera,
    readonly stream: StreamKind,
    private readonly source: CameraStreamSource,
    private readonly deps: {
      index: RecordingIndex;
      storage: StorageGuard;
      clock: Clock;
      log: Logger;
      stats: DurabilityStats;
      root: string;
      timeZone: string;
      schedule?: readonly ScheduleWindow[];
      kbps: () => number;
      onStatus: (status: RecordingStatus) => void;
      /** The end of this stream's footage still waiting for its row (recovery deferred by a full disk). */
      pendingEndMs?: () => number | null;
    },
    private readonly options: RecorderOptions = DEFAULT_RECORDER_OPTIONS,
  ) {
    // Continue after what is already indexed: the time the console was not running is a gap.
    // Rows dated ahead of the PC clock (a clock that once ran ahead, a copied file) are never the
    // base of new footage: the recovery pass reports them.
    // Footage whose row a full disk deferred (deps.pendingEndMs) counts too: new footage and the
    // gap row start after it, and its row comes later.
    const limitMs = deps.clock.now() + options.clockJumpMs;
    const last = deps.index.lastSegmentBefore(camera.id, stream, limitMs);
    const pending = deps.pendingEndMs?.();
    const endMs = Math.max(last?.endMs ?? -1, pending !== undefined && pending !== null && pending <= limitMs ? pending : -1);
    this.timelineMs = Math.max(0, endMs);
    this.gapStartMs = endMs >= 0 ? endMs : null;
    this.gapReason = 'consoleNotRunning';
    this.sinceMs = deps.clock.now();
  }

  get status(): RecordingStatus {
    return { cameraId: this.camera.id, stream: this.stream, state: this.state, sinceMs: this.sinceMs, problem: this.problem, revision: this.revision };
  }

  start(): void {
    this.checkSchedule();
    this.unsubscribe = this.source.subscribe(this);
    let ticks = 0;
    this.tickWall = this.deps.clock.now();
    this.tickMono = this.deps.clock.monotonic();
    const tick = (): void => {
      this.drain();
      this.watchClock();
      this.watchSilence();
      ticks += 1;
      if ((ticks * DRAIN_MS) % this.options.flushMs < DRAIN_MS) void this.current?.file.flush();
      this.flushTimer = this.deps.clock.setTimeout(tick, DRAIN_MS);
    };
    this.flushTimer = this.deps.clock.setTimeout(tick, DRAIN_MS);
    const schedule = (): void => {
      this.checkSchedule();
      this.scheduleTimer = this.deps.clock.setTimeout(schedule, 10000);
    };
    this.scheduleTimer = this.deps.clock.setTimeout(schedule, 10000);
  }

  /** Closes the open segment (durably, indexed) and stops listening. */
  async stop(): Promise<void> {
    this.unsubscribe?.();
    this.unsubscribe = null;
    this.flushTimer?.cancel();
    this.scheduleTimer?.cancel();
    this.closeCurrent();
    await this.closing;
    this.setState('stopped', null);
  }

  /** Resolves once every segment closed so far is durable and indexed. */
  settled(): Promise<void> {
    return this.closing;
  }

  onData(data: Buffer, keyframe: boolean, epoch: number): void {
    if (epoch !== this.epoch) {
      // the pull restarted: what came before ended with the old connection
      this.epoch = epoch;
      if (this.current) {
        this.closeCurrent();
        this.gapReason = 'cameraOffline';
      }
    }
    if (!this.scheduled) return;
    if (!this.current) {
      if (!keyframe) return;
      // after a disk-full stop: any footage left may still go to make room, then recording resumes
      if (this.state === 'diskFull' && !this.deps.storage.makeRoom(expectedSegmentBytes(this.deps.kbps(), this.options.segmentMs))) return;
      if (this.state !== 'diskFull' && this.deps.storage.heldFloorReached?.()) {
        this.stopAtHeldFloor();
        return;
      }
      if (!this.openSegment()) return;
    } else if (keyframe && this.deps.clock.monotonic() - this.current.startMono >= this.options.segmentMs) {
      this.closeCurrent(true);
      if (this.deps.storage.heldFloorReached?.()) {
        this.stopAtHeldFloor();
        return;
      }
      if (!this.openSegment()) return;
    }
    this.write(data);
  }

  private tickWall = 0;
  private tickMono = 0;

  /**
   * The PC clock against the monotonic clock, a few times a second: a jump either way closes the
   * open segment (its length is the stream's own, in the old time base) and what follows is
   * anchored to the new PC time, with a `clockJump` gap row between.
   */
  private watchClock(): void {
    const nowMs = this.deps.clock.now();
    const nowMono = this.deps.clock.monotonic();
    const drift = nowMs - this.tickWall - (nowMono - this.tickMono);
    this.tickWall = nowMs;
    this.tickMono = nowMono;
    if (Math.abs(drift) <= this.options.clockJumpMs) return;
    this.onClockJump(drift, nowMs);
  }

  private onClockJump(drift: number, nowMs: number): void {
    this.indexWrite(() => this.deps.index.addEvent(nowMs, 'clockJump', this.camera.id, { stream: this.stream, driftMs: Math.round(drift) }));
    this.deps.log.warn('the PC clock jumped', { cameraId: this.camera.id, driftMs: Math.round(drift) });
    if (this.current) this.closeCurrent();
    if (this.gapStartMs !== null) this.gapReason = 'clockJump';
    this.clockJumped = true;
    // the anchors of the next open belong to the new time base
    this.anchorWall = null;
    this.anchorMono = null;
  }

  private clockJumped = false;

  /** A camera gone quiet: what it sent is closed and indexed now, playable during the outage. */
  private watchSilence(): void {
    const segment = this.current;
    if (!segment || this.deps.clock.monotonic() - segment.lastDataMono < this.options.silenceMs) return;
    this.deps.log.info('no data from the camera: the open segment is closed', { cameraId: this.camera.id, stream: this.stream });
    this.closeCurrent();
    this.gapReason = 'cameraOffline';
  }

  private checkSchedule(): void {
    const scheduled = isScheduled(this.deps.schedule, this.deps.clock.now(), this.deps.timeZone);
    if (scheduled === this.scheduled) return;
    this.scheduled = scheduled;
    if (!scheduled) {
      this.closeCurrent();
      this.gapReason = 'recordingOff';
      this.setState('off', null);
    } else {
      this.setState('waiting', null);
    }
  }

  private openSegment(): boolean {
    const source = this.source;
    const nowMs = this.deps.clock.now();
    const nowMono = this.deps.clock.monotonic();
    let startMs = nowMs;
    if (this.anchorWall !== null && this.anchorMono !== null) {
      const drift = nowMs - this.anchorWall - (nowMono - this.anchorMono);
      if (Math.abs(drift) > this.options.clockJumpMs && !this.clockJumped) this.onClockJump(drift, nowMs);
    }
    this.anchorWall = nowMs;
    this.anchorMono = nowMono;
    this.tickWall = nowMs;
    this.tickMono = nowMono;
    if (this.gapStartMs === null && Math.abs(nowMs - this.timelineMs) <= this.options.reanchorMs) {
      // a rotation: the new segment starts exactly where the last one ended
      startMs = this.timelineMs;
    } else if (this.timelineMs > nowMs + this.options.reanchorMs) {
      // the PC clock is behind the footage (it went back): new footage follows the PC clock, never
      // the old timeline; the period the clock repeats is marked with a clockJump gap row
      const repeatedFrom = nowMs;
      const repeatedTo = this.timelineMs;
      this.indexWrite(() => this.deps.index.addGap(this.camera.id, this.stream, repeatedFrom, repeatedTo, 'clockJump'));
      if (!this.clockJumped) this.indexWrite(() => this.deps.index.addEvent(nowMs, 'clockJump', this.camera.id, { stream: this.stream, driftMs: repeatedFrom - repeatedTo }));
      this.timelineMs = nowMs;
      this.gapStartMs = null;
    }
    this.clockJumped = false;
    startMs = Math.max(startMs, this.timelineMs);
    const relativePath = segmentRelativePath(this.camera.id, this.stream, startMs, this.deps.timeZone);
    let file: SegmentFile;
    try {
      file = new SegmentFile(segmentFilePath(this.deps.root, relativePath), this.deps.stats, this.deps.clock);
    } catch (error) {
      this.onWriteError(error as NodeJS.ErrnoException);
      return false;
    }
    if (this.gapStartMs !== null && startMs - this.gapStartMs > 1000) {
      const gap = { start: this.gapStartMs, reason: this.gapReason };
      this.indexWrite(() => this.deps.index.addGap(this.camera.id, this.stream, gap.start, startMs, gap.reason));
    }
    this.gapStartMs = null;
    this.gapReason = 'cameraOffline';
    // the journal: the recovery pass finds this file first, whatever its folder's date
    this.indexWrite(() => this.deps.index.setMeta(openJournalKey(this.camera.id, this.stream), relativePath));
    const status = source.status;
    this.current = {
      file,
      relativePath,
      startMs,
      startMono: nowMono,
      lastDataMono: nowMono,
      firstPts: null,
      lastPts: null,
      frames: 0,
      codec: status.codec,
      widthPx: status.widthPx,
      heightPx: status.heightPx,
      fed: 0,
      keyframes: [],
      psiBytes: 0,
    };
    const psi = Buffer.concat(source.psi());
    this.current.psiBytes = psi.length;
    this.write(psi);
    this.setState('recording', null);
    return true;
  }

  private write(data: Buffer): void {
    const segment = this.current;
    if (!segment || data.length === 0) return;
    if (!this.attempt(() => segment.file.write(data))) return;
    segment.lastDataMono = this.deps.clock.monotonic();
    const pid = this.source.videoPid;
    const base = segment.fed;
    segment.fed += data.length;
    if (data.length % 188 !== 0) segment.psiBytes = -1; // not on the packet grid: no stored index
    if (pid !== null) {
      forEachVideoFrame(data, pid, (offset, pts, keyframe) => {
        segment.firstPts ??= pts;
        segment.lastPts = pts;
        segment.frames += 1;
        // the keyframe index, stored with the row (issue 17): export and playback read from it
        // instead of rescanning (the same frame walk, so the same offsets and times as a scan)
        if (keyframe) segment.keyframes.push({ offset: base + offset, atMs: msAfter(segment.firstPts, pts) });
      });
    }
  }

  /** Writes queued packets out (a few times a second, so little is held in memory). */
  private drain(): void {
    const segment = this.current;
    if (segment) this.attempt(() => segment.file.drain());
  }

  /**
   * A write; on a full disk, the oldest footage goes and the write is retried; only if nothing can
   * go does recording stop (cleanly, said why).
   */
  private attempt(write: () => void): boolean {
    try {
      write();
      return true;
    } catch (error) {
      const failure = error as NodeJS.ErrnoException;
      if (failure.code !== 'ENOSPC' || !this.deps.storage.makeRoom(expectedSegmentBytes(this.deps.kbps(), this.options.segmentMs))) {
        this.onWriteError(failure);
        return false;
      }
      try {
        this.current?.file.drain();
        return true;
      } catch (again) {
        this.onWriteError(again as NodeJS.ErrnoException);
        return false;
      }
    }
  }

  private onWriteError(error: NodeJS.ErrnoException): void {
    const diskFull = error.code === 'ENOSPC' || error.code === 'EDQUOT';
    this.deps.log.error(diskFull ? 'disk full: recording stopped' : 'recording write failed', { cameraId: this.camera.id, stream: this.stream, code: error.code });
    if (this.current) this.closeCurrent();
    this.gapReason = diskFull ? 'diskFull' : 'error';
    this.gapStartMs ??= Math.max(this.timelineMs, this.deps.clock.now());
    this.indexWrite(() => this.deps.index.addEvent(this.deps.clock.now(), diskFull ? 'diskFull' : 'writeError', this.camera.id, { stream: this.stream, code: error.code ?? null }));
    this.setState(diskFull ? 'diskFull' : 'error', diskFull ? 'diskFull' : 'writeFailed');
  }

  /** The floor with only held footage left: stop as on a full disk (gap row and event `diskFull`), evidence is not deleted. */
  private stopAtHeldFloor(): void {
    this.deps.log.error('free-space floor reached and only footage on legal hold is left: recording stopped', { cameraId: this.camera.id, stream: this.stream });
    this.gapReason = 'diskFull';
    this.gapStartMs ??= Math.max(this.timelineMs, this.deps.clock.now());
    this.indexWrite(() => this.deps.index.addEvent(this.deps.clock.now(), 'diskFull', this.camera.id, { stream: this.stream, code: 'heldFloor' }));
    this.setState('diskFull', 'diskFull');
  }

  /** Ends the open segment: its index row follows once it is durable (in order, in the background). */
  private closeCurrent(rotation = false): void {
    const segment = this.current;
    if (!segment) return;
    this.current = null;
    const endMs = this.endOf(segment);
    this.timelineMs = Math.max(this.timelineMs, endMs);
    if (!rotation) this.gapStartMs = endMs;
    const row = {
      cameraId: this.camera.id,
      stream: this.stream,
      startMs: segment.startMs,
      endMs,
      path: segment.relativePath,
      codec: segment.codec,
      widthPx: segment.widthPx,
      heightPx: segment.heightPx,
      hasAudio: this.source.audioKept,
      recovered: false,
    };
    const empty = segment.frames === 0;
    // the journal: this file is the console's own until its row is in (the next open moves `open:`)
    const closingKey = CLOSING_PREFIX + row.path;
    if (!empty) this.indexWrite(() => this.deps.index.setMeta(closingKey, row.path));
    this.closing = this.closing.then(async () => {
      try {
        if (empty) {
          segment.file.discard();
          return;
        }
        await segment.file.finish();
        if (segment.file.cut) {
          // the disk refused the tail: the row says what the file holds, not what arrived
          const analysis = analyzeSegment(fs.readFileSync(segment.file.finalPath));
          const keptTo = analysis.keyframes === 0 || analysis.durationMs <= 0 ? row.startMs : Math.min(row.endMs, row.startMs + analysis.durationMs);
          const lostTo = row.endMs;
          this.indexWrite(() => this.deps.index.addGap(this.camera.id, this.stream, keptTo, lostTo, 'diskFull'));
          if (keptTo === row.startMs) {
            fs.rmSync(segment.file.finalPath, { force: true });
            this.indexWrite(() => this.deps.index.deleteMeta(closingKey));
            return;
          }
          row.endMs = keptTo;
        }
        const bytes = segment.file.bytes;
        // packets arrive whole: offsets are in the file's packet grid (a cut file keeps what it holds)
        const aligned = segment.psiBytes >= 0 && segment.psiBytes % 188 === 0;
        this.unindexed.push({
          ...row,
          bytes,
          sha256: segment.file.sha256,
          keyframes: aligned ? segment.keyframes.filter((keyframe) => keyframe.offset + 188 <= bytes) : null,
          psiBytes: aligned ? segment.psiBytes : null,
        });
        this.segmentsWritten += 1;
        // in order; a row the index cannot take yet waits for the next close
        this.flushDeferred();
        while (this.unindexed.length > 0) {
          const next = this.unindexed[0]!;
          this.deps.storage.guarded(() =>
            this.deps.index.transaction(() => {
              this.deps.index.insertSegment(next);
              this.deps.index.deleteMeta(CLOSING_PREFIX + next.path);
            }),
          );
          this.unindexed.shift();
        }
        this.deps.storage.segmentClosed?.(expectedSegmentBytes(this.deps.kbps(), this.options.segmentMs));
      } catch (error) {
        // left on disk as .part: the recovery pass at the next start indexes or removes it
        this.deps.log.error('segment could not be closed', { path: row.path, error });
      }
    });
    if (!rotation && this.state === 'recording') this.setState('waiting', null);
  }

  /** Start plus the stream's own duration (PTS), one frame included; the monotonic clock without PTS. */
  private endOf(segment: OpenSegment): number {
    if (segment.firstPts !== null && segment.lastPts !== null && segment.frames > 1) {
      const spanMs = (ptsDelta(segment.firstPts, segment.lastPts) / PTS_HZ) * 1000;
      const frameMs = spanMs / (segment.frames - 1);
      if (spanMs >= 0 && spanMs < this.options.segmentMs * 10) return Math.round(segment.startMs + spanMs + frameMs);
    }
    return Math.round(segment.startMs + Math.max(1, segment.lastDataMono - segment.startMono));
  }

  /** Index writes (gaps, events) a disk too full to commit delayed: done, in order, once it can. */
  private readonly deferredWrites: (() => void)[] = [];

  /** An index write that must not take recording down with it; kept for later if the disk is full. */
  private indexWrite(write: () => void): void {
    this.deferredWrites.push(write);
    this.flushDeferred();
  }

  private flushDeferred(): void {
    try {
      while (this.deferredWrites.length > 0) {
        this.deps.storage.guarded(this.deferredWrites[0]!);
        this.deferredWrites.shift();
      }
    } catch (error) {
      if (this.deferredWrites.length > 1000) this.deferredWrites.splice(0, this.deferredWrites.length - 1000);
      this.deps.log.warn('recording index write delayed', { cameraId: this.camera.id, waiting: this.deferredWrites.length, error });
    }
  }

  private setState(state: RecordingState, problem: RecordingProblem | null): void {
    if (state === this.state && problem === this.problem) return;
    this.state = state;
    this.problem = problem;
    this.sinceMs = this.deps.clock.now();
    this.revision = nextRevision();
    this.deps.onStatus(this.status);
  }
}
