import path from 'node:path';
import { Worker, type ResourceLimits } from 'node:worker_threads';
import type { Logger } from '../log/logger';
import type { Clock, TimerHandle } from '../util/clock';
import { appRoot } from '../paths';
import type { TileArchiveInfo, TileArchiveProblem } from './tiles';
import type { FromTileWorker, ToTileWorker } from './tileWorkerProtocol';

/**
 * Owns the map worker (one worker thread, `tileWorker.ts`): the one place where imported tile
 * files are parsed, away from the core's heap and event loop (issue 19; docs/architecture.md,
 * "Isolation"). The worker has a small heap (resourceLimits); every request has a deadline;
 * a request past its deadline terminates the worker, a crash (out of memory included) fails
 * every pending request, and the next request starts a fresh worker. A layer whose requests
 * failed that way `maxFailures` times is reported through `onLayerFailed` and then refused at
 * once: a hostile file is never retried forever.
 */
export interface TileWorkerOptions {
  /** The built worker (dist/core/mapWorker.cjs). */
  script: string;
  resourceLimits: ResourceLimits;
  tileDeadlineMs: number;
  checkDeadlineMs: number;
  /** Timeouts and crashes of one layer before it is disabled. */
  maxFailures: number;
}

/** The built worker; in the packaged app it is unpacked next to the asar (build/electron-builder.yml). */
function workerScript(): string {
  const file = path.join(appRoot(), 'dist', 'core', 'mapWorker.cjs');
  return file.replace(`${path.sep}app.asar${path.sep}`, `${path.sep}app.asar.unpacked${path.sep}`);
}

export const DEFAULT_TILE_WORKER_OPTIONS: TileWorkerOptions = {
  script: workerScript(),
  resourceLimits: { maxOldGenerationSizeMb: 128, maxYoungGenerationSizeMb: 16, codeRangeSizeMb: 16, stackSizeMb: 4 },
  tileDeadlineMs: 5000,
  checkDeadlineMs: 120_000,
  maxFailures: 3,
};

export type WorkerFailure = 'timeout' | 'crashed' | 'disabled';

export type TileReply = { ok: true; data: Buffer | null } | { ok: false; failure: WorkerFailure | null; problem: TileArchiveProblem | null; detail: string };
export type CheckReply = { ok: true; info: TileArchiveInfo } | { ok: false; failure: WorkerFailure | null; problem: TileArchiveProblem | null; detail: string };

type ToTileWorkerBody = ToTileWorker extends infer M ? (M extends { id: number } ? Omit<M, 'id'> : never) : never;

interface Pending {
  /** The layer (file) the request reads: what a timeout or crash is counted against. */
  file: string;
  timer: TimerHandle;
  settle(reply: FromTileWorker | { failure: WorkerFailure; detail: string }): void;
}

export class TileWorkerHost {
  private worker: Worker | null = null;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly failures = new Map<string, number>();
  private readonly disabled = new Set<string>();
  private stopped = false;
  /** Told once when a layer is disabled (the store keeps it in layers.json). */
  onLayerFailed: ((file: string, detail: string) => void) | null = null;
  /** Worker starts and ends, for tests and the log. */
  readonly stats = { started: 0, crashed: 0, timedOut: 0 };

  constructor(
    private readonly deps: { log: Logger; clock: Clock },
    private readonly options: TileWorkerOptions = DEFAULT_TILE_WORKER_OPTIONS,
  ) {}

  isDisabled(file: string): boolean {
    return this.disabled.has(file);
  }

  /** A layer disabled earlier (kept in layers.json) is refused without asking the worker. */
  disable(file: string): void {
    this.disabled.add(file);
  }

  private start(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(this.options.script, { resourceLimits: this.options.resourceLimits, stdout: false, stderr: false });
    this.stats.started++;
    worker.unref();
    worker.on('message', (reply: FromTileWorker) => {
      const pending = this.pending.get(reply?.id);
      if (!pending) return;
      this.pending.delete(reply.id);
      pending.timer.cancel();
      pending.settle(reply);
    });
    worker.on('error', (error: Error & { code?: string }) => {
      this.deps.log.warn('map worker failed', { code: error.code ?? null, error: String(error.message).slice(0, 200) });
    });
    worker.on('exit', (code) => {
      if (this.worker !== worker) return;
      this.worker = null;
      if (this.stopped) return;
      this.stats.crashed++;
      this.deps.log.warn('map worker ended', { code, pending: this.pending.size });
      this.failAll('crashed', `map worker ended (${code})`, true);
    });
    this.worker = worker;
    return worker;
  }

  private failAll(failure: WorkerFailure, detail: string, countAgainstLayers: boolean): void {
    const pending = [...this.pending.values()];
    this.pending.clear();
    for (const request of pending) {
      request.timer.cancel();
      if (countAgainstLayers) this.countFailure(request.file, detail);
      request.settle({ failure, detail });
    }
  }

  private countFailure(file: string, detail: string): void {
    const count = (this.failures.get(file) ?? 0) + 1;
    this.failures.set(file, count);
    if (count >= this.options.maxFailures && !this.disabled.has(file)) {
      this.disabled.add(file);
      this.deps.log.warn('map layer disabled', { layer: path.basename(file), failures: count, detail });
      this.onLayerFailed?.(file, detail);
    }
  }

  private request(message: ToTileWorkerBody, file: string, deadlineMs: number): Promise<FromTileWorker | { failure: WorkerFailure; detail: string }> {
    if (this.stopped) return Promise.resolve({ failure: 'crashed', detail: 'map worker stopped' });
    const id = this.nextId++;
    return new Promise((settle) => {
      let worker: Worker;
      try {
        worker = this.start();
      } catch (error) {
        this.countFailure(file, String(error));
        settle({ failure: 'crashed', detail: String(error) });
        return;
      }
      const timer = this.deps.clock.setTimeout(() => this.onDeadline(id), deadlineMs);
      this.pending.set(id, { file, timer, settle });
      worker.postMessage({ ...message, id } as ToTileWorker);
    });
  }

  /** Past its deadline: the worker is stuck on this file (a loop, a query that never ends). */
  private onDeadline(id: number): void {
    const request = this.pending.get(id);
    if (!request) return;
    this.pending.delete(id);
    this.stats.timedOut++;
    this.deps.log.warn('map worker request timed out', { layer: path.basename(request.file) });
    this.countFailure(request.file, 'timeout');
    request.settle({ failure: 'timeout', detail: 'timeout' });
    // Others waiting behind it are not to blame: they fail this once and are not counted.
    this.failAll('crashed', 'map worker restarted', false);
    const worker = this.worker;
    this.worker = null;
    // terminate() cannot stop native code (a SQLite query) at once; the thread ends when it
    // returns to JavaScript. Nothing waits for it: the next request gets a new worker.
    void worker?.terminate().catch(() => undefined);
  }

  async tile(kind: 'pmtiles' | 'mbtiles', file: string, z: number, x: number, y: number): Promise<TileReply> {
    if (this.disabled.has(file)) return { ok: false, failure: 'disabled', problem: null, detail: 'layer disabled' };
    const reply = await this.request({ op: 'tile', kind, file, z, x, y }, file, this.options.tileDeadlineMs);
    if ('failure' in reply) return { ok: false, failure: reply.failure, problem: null, detail: reply.detail };
    if (!reply.ok) {
      this.countFailure(file, reply.detail);
      return { ok: false, failure: null, problem: reply.problem, detail: reply.detail };
    }
    return { ok: true, data: reply.data ? Buffer.from(reply.data.buffer, reply.data.byteOffset, reply.data.byteLength) : null };
  }

  async check(kind: 'pmtiles' | 'mbtiles', file: string): Promise<CheckReply> {
    const reply = await this.request({ op: 'check', kind, file }, file, this.options.checkDeadlineMs);
    // The file checked is an upload, removed after: nothing to remember about it.
    this.failures.delete(file);
    this.disabled.delete(file);
    if ('failure' in reply) return { ok: false, failure: reply.failure, problem: null, detail: reply.detail };
    if (!reply.ok) return { ok: false, failure: null, problem: reply.problem, detail: reply.detail };
    if (!reply.info) return { ok: false, failure: null, problem: kind === 'pmtiles' ? 'badPmtiles' : 'badMbtiles', detail: 'no info' };
    return { ok: true, info: reply.info };
  }

  /** A removed layer: the worker closes the file (a no-op when no worker runs). */
  forget(file: string): void {
    this.failures.delete(file);
    this.disabled.delete(file);
    if (this.worker) void this.request({ op: 'close', file }, file, this.options.tileDeadlineMs);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.failAll('crashed', 'map worker stopped', false);
    const worker = this.worker;
    this.worker = null;
    // A thread stuck in native code may never end: stopping does not wait for it past 1 s.
    if (worker) await Promise.race([worker.terminate().catch(() => undefined), new Promise((done) => setTimeout(done, 1000).unref())]);
  }
}
