import fs from 'node:fs';
import path from 'node:path';
import type { FootageVerification, Hold, RecordingStatus, StorageInfo } from '../../../common/contract';
import {
  DEFAULT_MIN_FREE_GB,
  DEFAULT_RETENTION_DAYS,
  DEFAULT_SEGMENT_SECONDS,
  DEFAULT_TIME_ZONE,
  recordedStream,
  type Camera,
  type Site,
} from '../../../common/site';
import { formatDate, zoneOffsetMs } from '../../../common/time';
import type { Clock, TimerHandle } from '../util/clock';
import { nextRevision } from '../util/revision';
import type { Logger } from '../log/logger';
import type { CameraStreamSource } from '../media/source';
import type { SourceHub } from '../media/sourceHub';
import { RecordingIndex, type HoldRow, type HoldSource } from './recordingIndex';
import { DurabilityStats } from './segmentFile';
import { StorageManager, type DiskSpace } from './storageManager';
import { DEFAULT_RECORDER_OPTIONS, StreamRecorder, type RecorderOptions } from './streamRecorder';
import { auditRows, recover, type RecoveryReport } from './recovery';
import { verifyFootage, type FootageReport, type VerifyOptions } from './verify';

const GB = 1024 ** 3;
const DAY_MS = 86_400_000;

export interface RecordingOptions {
  recorder?: Partial<RecorderOptions>;
  storagePeriodMs?: number;
  /** How often rows are checked against the disk while running (recent rows each time, the rest in batches). */
  auditPeriodMs?: number;
  /** Replaces statfs (tests that simulate a disk). */
  space?: (dir: string) => DiskSpace;
}

/**
 * Recording 24/7: a StreamRecorder per camera on its recorded stream's shared pull, the SQLite
 * index, the storage manager (retention, quota, free-space floor) and the start-up recovery pass.
 * Layout on disk and write order: docs/recording.md.
 */
export class RecordingService {
  readonly index: RecordingIndex;
  private started = false;
  readonly storage: StorageManager;
  readonly stats = new DurabilityStats();
  readonly root: string;
  private readonly recorders = new Map<string, { recorder: StreamRecorder; source: CameraStreamSource }>();
  private readonly listeners = new Set<(status: RecordingStatus) => void>();
  private readonly timeZone: string;
  private projectionTimer: TimerHandle | null = null;
  recovery: RecoveryReport | null = null;

  constructor(
    private readonly site: Site,
    private readonly hub: SourceHub,
    dataDir: string,
    private readonly deps: { clock: Clock; log: Logger },
    private readonly options: RecordingOptions = {},
  ) {
    this.root = path.join(dataDir, 'recordings');
    fs.mkdirSync(this.root, { recursive: true });
    this.index = new RecordingIndex(path.join(dataDir, 'recordings.sqlite'));
    this.timeZone = site.timeZone ?? DEFAULT_TIME_ZONE;
    const settings = site.recording ?? {};
    this.storage = new StorageManager(
      this.index,
      this.root,
      {
        retentionDays: settings.retentionDays ?? DEFAULT_RETENTION_DAYS,
        cameraRetentionDays: new Map(site.cameras.filter((camera) => camera.recording?.retentionDays).map((camera) => [camera.id, camera.recording?.retentionDays ?? 0])),
        quotaBytes: settings.quotaGb === undefined ? null : Math.round(settings.quotaGb * GB),
        minFreeBytes: Math.round((settings.minFreeGb ?? DEFAULT_MIN_FREE_GB) * GB),
      },
      { clock: deps.clock, log: deps.log.child('storage'), stats: this.stats, space: options.space },
    );
  }

  onStatus(listener: (status: RecordingStatus) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  start(): void {
    // a full disk (a power cut while another program filled it) first gets room, then recovery
    const log = this.deps.log.child('recovery');
    let pending = 0;
    try {
      pending = this.storage.finishPendingDeletes();
      this.storage.makeRoom(0);
      this.storage.ensureReserve();
    } catch (error) {
      log.error('could not make room before recovery', { error });
    }
    const recoveryDeps = { clock: this.deps.clock, log, stats: this.stats, timeZone: this.timeZone, guarded: <T>(write: () => T): T => this.storage.guarded(write) };
    this.recovery = recover(this.index, this.root, () => pending, recoveryDeps);
    // segments a disk full to the last byte would not let us index: again until they are
    let waiting = this.recovery.deferred;
    const retry = (): void => {
      if (!this.started) return;
      try {
        this.storage.makeRoom(0);
        const again = recover(this.index, this.root, () => 0, { ...recoveryDeps, only: waiting });
        waiting = again.deferred;
        if (waiting.length === 0) return;
      } catch (error) {
        log.error('recovery retry failed', { error });
      }
      this.recoveryRetry = this.deps.clock.setTimeout(retry, 5000);
    };
    if (this.recovery.deferred.length > 0) this.recoveryRetry = this.deps.clock.setTimeout(retry, 5000);
    this.storage.start(this.options.storagePeriodMs);
    this.startAudit();
    this.started = true;
    for (const camera of this.site.cameras) this.startRecorder(camera);
    const project = (): void => {
      this.storage.checkProjection(this.bytesPerDay());
      this.projectionTimer = this.deps.clock.setTimeout(project, 600_000);
    };
    this.projectionTimer = this.deps.clock.setTimeout(project, 60_000);
  }

  private auditTimer: TimerHandle | null = null;
  private recoveryRetry: TimerHandle | null = null;
  private auditCursor = 0;

  /**
   * Rows checked against the disk while running: the last two hours of every stream each time,
   * then the next batch of older rows, so a file deleted, truncated or renamed under the console
   * gets its `footageMissing` gap row within one period, and the whole index within a few hours.
   */
  private startAudit(): void {
    const period = this.options.auditPeriodMs ?? 10_000;
    const log = this.deps.log.child('audit');
    const run = (): void => {
      try {
        this.auditOnce();
      } catch (error) {
        log.error('audit of the recordings failed', { error });
      }
      this.auditTimer = this.deps.clock.setTimeout(run, period);
    };
    this.auditTimer = this.deps.clock.setTimeout(run, period);
  }

  /** One audit pass; returns the paths found missing or changed. */
  auditOnce(): { missing: string[]; resized: string[] } {
    const deps = { clock: this.deps.clock, log: this.deps.log.child('audit'), guarded: <T>(write: () => T) => this.storage.guarded(write), skip: (relative: string) => this.storage.deleting(relative) };
    const recent = auditRows(this.index, this.root, this.index.segmentsSince(this.deps.clock.now() - 2 * 3_600_000), deps);
    const batch = this.index.segmentsAfterId(this.auditCursor, 500);
    this.auditCursor = batch.length < 500 ? 0 : batch.at(-1)!.id;
    const older = auditRows(this.index, this.root, batch, deps);
    return { missing: [...recent.missing, ...older.missing], resized: [...recent.resized, ...older.resized] };
  }

  /** A camera added while the console runs (devices page): recorded from now on. */
  addCamera(camera: Camera): void {
    if (this.started) this.startRecorder(camera);
  }

  private startRecorder(camera: Camera): void {
    const segmentMs = (this.site.recording?.segmentSeconds ?? DEFAULT_SEGMENT_SECONDS) * 1000;
    const stream = recordedStream(camera);
    if (!stream || this.recorders.has(camera.id)) return;
    const source = this.hub.acquire(camera, stream);
    const recorder = new StreamRecorder(
      camera,
      stream,
      source,
      {
        index: this.index,
        storage: this.storage,
        clock: this.deps.clock,
        log: this.deps.log.child('recorder'),
        stats: this.stats,
        root: this.root,
        timeZone: this.timeZone,
        schedule: camera.recording?.schedule,
        kbps: () => this.hub.rates().find((rate) => rate.cameraId === camera.id && rate.stream === stream)?.kbps ?? 0,
        onStatus: (status) => this.listeners.forEach((listener) => listener(status)),
        pendingEndMs: () => {
          const ends = (this.recovery?.deferredEnds ?? []).filter((end) => end.cameraId === camera.id && end.stream === stream);
          return ends.length > 0 ? Math.max(...ends.map((end) => end.endMs)) : null;
        },
      },
      { ...DEFAULT_RECORDER_OPTIONS, segmentMs, ...this.options.recorder },
    );
    this.recorders.set(camera.id, { recorder, source });
    recorder.start();
  }

  statuses(): RecordingStatus[] {
    return this.site.cameras.map((camera) => {
      const entry = this.recorders.get(camera.id);
      return entry?.recorder.status ?? { cameraId: camera.id, stream: recordedStream(camera) ?? 'main', state: 'disabled', sinceMs: this.deps.clock.now(), problem: null, revision: nextRevision() };
    });
  }

  /** Bytes a day at the bitrates measured over the last day of footage (or the live pulls). */
  bytesPerDay(): number {
    let total = 0;
    const measured = new Map(this.index.bytesSince(this.deps.clock.now() - DAY_MS).map((entry) => [`${entry.cameraId}/${entry.stream}`, entry]));
    for (const [cameraId, entry] of this.recorders) {
      const recorded = measured.get(`${cameraId}/${entry.recorder.stream}`);
      const bytesPerMs = recorded && recorded.recordedMs > 60_000 ? recorded.bytes / recorded.recordedMs : this.liveKbps(cameraId) / 8;
      total += bytesPerMs * DAY_MS;
    }
    return total;
  }

  storageInfo(): StorageInfo {
    const now = this.deps.clock.now();
    const space = this.storage.space();
    const usage = new Map(this.index.usage().map((entry) => [entry.cameraId, entry]));
    const measured = new Map(this.index.bytesSince(now - DAY_MS).map((entry) => [entry.cameraId, entry]));
    const offsetMs = zoneOffsetMs(this.timeZone, now);
    const daily = this.index.dailyBytes(now - 60 * DAY_MS, offsetMs).map((entry) => ({ day: formatDate(entry.dayIndex * DAY_MS + DAY_MS / 2, 'UTC'), bytes: entry.bytes }));
    const statuses = new Map(this.statuses().map((status) => [status.cameraId, status]));
    const bytesPerDay = this.bytesPerDay();
    return {
      disk: { totalBytes: space.totalBytes, freeBytes: space.freeBytes, floorBytes: this.storage.floorBytes, quotaBytes: this.storage.quotaBytes },
      recordingBytes: this.index.totalBytes(),
      retentionDays: this.storage.defaultRetentionDays,
      projectedDays: this.storage.projectedDays(bytesPerDay),
      cameras: this.site.cameras.map((camera) => {
        const entry = usage.get(camera.id);
        const recent = measured.get(camera.id);
        const status = statuses.get(camera.id);
        const bitrate = recent && recent.recordedMs > 10_000 ? (recent.bytes * 8) / recent.recordedMs : this.recorders.has(camera.id) ? this.liveKbps(camera.id) || null : null;
        return {
          cameraId: camera.id,
          stream: recordedStream(camera),
          state: status?.state ?? 'disabled',
          problem: status?.problem ?? null,
          bytes: entry?.bytes ?? 0,
          bitrateKbps: bitrate === null ? null : Math.round(bitrate),
          oldestMs: entry?.oldestStartMs ?? null,
          daysKept: entry?.oldestStartMs ? (now - entry.oldestStartMs) / DAY_MS : 0,
          retentionDays: this.storage.retentionOf(camera.id),
        };
      }),
      daily,
      warnings: this.index
        .events(now - 7 * DAY_MS, 50)
        .filter((event) => ['diskFull', 'heldFloor', 'writeError', 'retentionShort', 'clockJump', 'segmentRemoved', 'segmentMissing', 'segmentSizeChanged', 'futureFootage', 'fileQuarantined'].includes(event.kind))
        .map((event) => ({ atMs: event.atMs, kind: event.kind, cameraId: event.cameraId })),
      quarantined: this.index
        .events(now - 30 * DAY_MS, 200)
        .filter((event) => event.kind === 'fileQuarantined')
        .slice(0, 50)
        .map((event) => ({
          atMs: event.atMs,
          cameraId: event.cameraId,
          path: String(event.detail.path ?? ''),
          to: String(event.detail.to ?? ''),
          bytes: Number(event.detail.bytes ?? 0),
          startMs: typeof event.detail.startMs === 'number' ? event.detail.startMs : null,
        })),
      verification: this.verification ? { ...this.verification } : null,
      holds: this.holds(),
      heldBytes: this.index.heldBytes(),
      heldFloorSinceMs: this.storage.heldFloorSinceMs,
    };
  }

  private verification: FootageVerification | null = null;
  private running: Promise<FootageReport | null> | null = null;
  private readonly verifiedListeners = new Set<(report: FootageReport, actor: string, options: VerifyOptions) => void>();

  /** A finished verification (the core audits it). */
  onVerified(listener: (report: FootageReport, actor: string, options: VerifyOptions) => void): () => void {
    this.verifiedListeners.add(listener);
    return () => this.verifiedListeners.delete(listener);
  }

  /**
   * Starts a verification of the footage in the background (async reads, one file at a time; the
   * storage page shows its progress); false if one is running already.
   */
  startVerification(actor: string, options: VerifyOptions = {}): boolean {
    if (this.running) return false;
    const state: FootageVerification = { state: 'running', startedMs: this.deps.clock.now(), finishedMs: null, done: 0, total: 0, checkedBytes: 0, unhashedSegments: 0, findings: [], findingCount: 0 };
    this.verification = state;
    this.running = verifyFootage(this.index, this.root, {
      ...options,
      now: () => this.deps.clock.now(),
      onProgress: (done, total) => {
        state.done = done;
        state.total = total;
      },
    }).then(
      (report) => {
        this.verification = {
          ...state,
          state: 'done',
          finishedMs: report.finishedMs,
          checkedBytes: report.checkedBytes,
          unhashedSegments: report.unhashedSegments,
          findings: report.findings.slice(0, 200),
          findingCount: report.findings.length,
        };
        this.running = null;
        for (const listener of this.verifiedListeners) listener(report, actor, options);
        return report;
      },
      (error: unknown) => {
        this.deps.log.error('verification of the footage failed', { error });
        this.verification = { ...state, state: 'failed', finishedMs: this.deps.clock.now() };
        this.running = null;
        return null;
      },
    );
    return true;
  }

  /**
   * Puts each camera's footage in [startMs, endMs) on legal hold, in one transaction (issue 17
   * item 7). Checking who may and auditing it is the caller's (the handler, the export feature).
   */
  placeHolds(request: { cameraIds: readonly string[]; startMs: number; endMs: number; reason: string; source: HoldSource; sourceRef: string | null }, actor: string): Hold[] {
    const createdMs = this.deps.clock.now();
    const ids = this.storage.guarded(() =>
      this.index.transaction(() =>
        [...new Set(request.cameraIds)].map((cameraId) =>
          this.index.addHold({ cameraId, startMs: request.startMs, endMs: request.endMs, reason: request.reason, source: request.source, sourceRef: request.sourceRef, createdBy: actor, createdMs }),
        ),
      ),
    );
    this.deps.log.info('footage put on legal hold', { holds: ids, cameras: request.cameraIds, startMs: request.startMs, endMs: request.endMs, source: request.source, by: actor });
    return ids.map((id) => this.holdOf(this.index.hold(id)!));
  }

  /** Releases a hold: its footage goes by the usual rules from the next storage pass. */
  releaseHold(id: number, actor: string, reason: string): Hold | 'notFound' | 'released' {
    const before = this.index.hold(id);
    if (!before) return 'notFound';
    if (before.releasedMs !== null) return 'released';
    if (!this.storage.guarded(() => this.index.releaseHold(id, actor, this.deps.clock.now(), reason))) return 'released';
    this.deps.log.info('legal hold released', { hold: id, by: actor });
    return this.holdOf(this.index.hold(id)!);
  }

  /** Active holds, then those released in the last 30 days, each with the footage it covers now. */
  holds(): Hold[] {
    return this.index.holds(this.deps.clock.now() - 30 * DAY_MS).map((row) => this.holdOf(row));
  }

  private holdOf(row: HoldRow): Hold {
    return { ...row, ...this.index.footageOf(row) };
  }

  /** The running verification's result (null if none runs). */
  verificationDone(): Promise<FootageReport | null> {
    return this.running ?? Promise.resolve(null);
  }

  /** Resolves once every recorder's closed segments are durable and indexed. */
  async settled(): Promise<void> {
    await Promise.all([...this.recorders.values()].map((entry) => entry.recorder.settled()));
  }

  async stop(): Promise<void> {
    await this.running;
    this.projectionTimer?.cancel();
    this.auditTimer?.cancel();
    this.recoveryRetry?.cancel();
    this.started = false;
    this.storage.stop();
    await Promise.all(
      [...this.recorders.values()].map(async (entry) => {
        await entry.recorder.stop();
        this.hub.release(entry.source);
      }),
    );
    this.recorders.clear();
    this.index.close();
  }

  private liveKbps(cameraId: string): number {
    const entry = this.recorders.get(cameraId);
    return this.hub.rates().find((rate) => rate.cameraId === cameraId && rate.stream === entry?.recorder.stream)?.kbps ?? 0;
  }
}
