import fs from 'node:fs';
import path from 'node:path';
import { Worker, type ResourceLimits } from 'node:worker_threads';
import type { Logger } from '../log/logger';
import { appRoot } from '../paths';

/**
 * Heavy work of the core's own (the PDFs: the biên bản and the audit report) done in a worker
 * thread, one worker per job, with a capped heap and a deadline, so a large document neither
 * blocks the event loop that indexes the recordings nor grows the core's heap (issue 19 item 5;
 * docs/architecture.md, "Isolation"). The tasks live in `main/core/jobWorker.ts` (built to
 * dist/core/jobWorker.cjs); each feature says which task it runs and with what input.
 *
 * A job past its deadline is terminated; a worker that ends without an answer (out of memory
 * included) fails its job: both as a `WorkerJobError` the feature reports like any failure.
 */
export interface WorkerJobsOptions {
  /** The built worker (dist/core/jobWorker.cjs). */
  script: string;
  resourceLimits: ResourceLimits;
  deadlineMs: number;
  /** Jobs at once (the others wait their turn): each holds a heap of its own. */
  concurrency: number;
}

export type WorkerJobFailure = 'timeout' | 'crashed' | 'failed';

export class WorkerJobError extends Error {
  constructor(
    readonly failure: WorkerJobFailure,
    message: string,
  ) {
    super(message);
    this.name = 'WorkerJobError';
  }
}

/** What the worker posts back: the task's bytes, or its error's message. */
export type WorkerJobReply = { ok: true; data: Uint8Array } | { ok: false; error: string };

/** The built worker; in the packaged app it is unpacked next to the asar (build/electron-builder.json). */
export function jobWorkerScript(): string {
  const file = path.join(appRoot(), 'dist', 'core', 'jobWorker.cjs');
  return file.replace(`${path.sep}app.asar${path.sep}`, `${path.sep}app.asar.unpacked${path.sep}`);
}

export const DEFAULT_WORKER_JOBS_OPTIONS: WorkerJobsOptions = {
  script: jobWorkerScript(),
  // a 10,000-row audit report (the page's most) peaks near 300 MiB of heap in pdf-lib
  resourceLimits: { maxOldGenerationSizeMb: 1024, maxYoungGenerationSizeMb: 32, codeRangeSizeMb: 16, stackSizeMb: 4 },
  deadlineMs: 120_000,
  concurrency: 1,
};

export class WorkerJobs {
  private running = 0;
  private readonly waiting: (() => void)[] = [];
  /** Jobs started, and those that ended by timeout or crash (tests and diagnostics). */
  readonly stats = { started: 0, timedOut: 0, crashed: 0 };

  constructor(
    private readonly log: Logger,
    private readonly options: WorkerJobsOptions = DEFAULT_WORKER_JOBS_OPTIONS,
  ) {}

  /** Whether the worker was built (a console run from sources without a build runs jobs in-process). */
  available(): boolean {
    return fs.existsSync(this.options.script);
  }

  /** Runs `task` with `input` (structured-cloned) in a fresh worker; the bytes it makes. */
  async run(task: string, input: unknown): Promise<Buffer> {
    if (this.running >= this.options.concurrency) await new Promise<void>((resolve) => this.waiting.push(resolve));
    this.running++;
    try {
      return await this.once(task, input);
    } finally {
      this.running--;
      this.waiting.shift()?.();
    }
  }

  private once(task: string, input: unknown): Promise<Buffer> {
    const started = Date.now();
    this.stats.started++;
    return new Promise<Buffer>((resolve, reject) => {
      let settled = false;
      const worker = new Worker(this.options.script, { workerData: { task, input }, resourceLimits: this.options.resourceLimits, stdout: false, stderr: false });
      const settle = (outcome: { data: Buffer } | { error: WorkerJobError }): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        if ('data' in outcome) {
          this.log.debug('worker job done', { task, ms: Date.now() - started, bytes: outcome.data.length });
          resolve(outcome.data);
        } else {
          this.log.warn('worker job failed', { task, failure: outcome.error.failure, ms: Date.now() - started, error: outcome.error.message.slice(0, 200) });
          reject(outcome.error);
        }
        void worker.terminate();
      };
      const timer = setTimeout(() => {
        this.stats.timedOut++;
        settle({ error: new WorkerJobError('timeout', `${task}: no answer within ${this.options.deadlineMs} ms`) });
      }, this.options.deadlineMs);
      worker.on('message', (reply: WorkerJobReply) => {
        if (reply?.ok === true && reply.data instanceof Uint8Array) settle({ data: Buffer.from(reply.data.buffer, reply.data.byteOffset, reply.data.byteLength) });
        else settle({ error: new WorkerJobError('failed', `${task}: ${reply?.ok === false ? reply.error : 'unreadable answer'}`) });
      });
      worker.on('error', (error: Error & { code?: string }) => {
        this.stats.crashed++;
        settle({ error: new WorkerJobError('crashed', `${task}: ${error.code ?? ''} ${error.message}`.trim()) });
      });
      worker.on('exit', (code) => {
        if (settled) return;
        this.stats.crashed++;
        settle({ error: new WorkerJobError('crashed', `${task}: the worker ended (${code}) without an answer`) });
      });
    });
  }
}

/**
 * Runs a task in the job worker when there is one (the console), else here (unit tests, benches,
 * a console run from sources before a build): the same function either way.
 */
export function inWorkerOrHere<Input>(jobs: WorkerJobs | null | undefined, task: string, input: Input, here: (input: Input) => Promise<Buffer>): Promise<Buffer> {
  return jobs?.available() ? jobs.run(task, input) : here(input);
}
