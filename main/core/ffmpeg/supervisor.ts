import { spawn, type ChildProcess } from 'node:child_process';
import type { Clock, TimerHandle } from '../util/clock';
import type { Logger } from '../log/logger';
import { redact } from '../log/redact';

/**
 * The one owner of an ffmpeg child process. Nothing else in the console spawns ffmpeg.
 *
 * - start-up timeout: no stdout byte within `startupTimeoutMs` → killed, reported `startupTimeout`
 * - stall: no stdout byte for `stallTimeoutMs` once data flowed → killed, reported `stalled`
 * - bounded stderr tail (last `stderrTailBytes`), attached to every end report
 * - restart with back-off (`restart.delaysMs`, the last delay repeats; reset after a run that
 *   lasted `restart.resetAfterMs`)
 * - stop(): SIGTERM, then SIGKILL after `killGraceMs`; resolves only once the child is reaped
 *
 * Modelled on go2rtc internal/exec and Moonfire's streamer loop.
 */
export type EndReason = 'exited' | 'startupTimeout' | 'stalled' | 'spawnError' | 'stopped';

export interface RunEnd {
  reason: EndReason;
  code: number | null;
  signal: NodeJS.Signals | null;
  stderrTail: string;
  uptimeMs: number;
  gotData: boolean;
  attempt: number;
  errorMessage: string | null;
}

export interface RestartPolicy {
  delaysMs: readonly number[];
  resetAfterMs: number;
}

export interface FfmpegJob {
  /** For logs, e.g. "pull dk-01/sub". */
  name: string;
  /** Arguments, computed afresh before every start. */
  args: () => string[] | Promise<string[]>;
  stdin?: boolean;
  startupTimeoutMs?: number | null;
  stallTimeoutMs?: number | null;
  restart?: RestartPolicy | null;
  stderrTailBytes?: number;
  killGraceMs?: number;
}

export interface SupervisorEvents {
  onStart?(info: { pid: number; attempt: number }): void;
  onStdout?(chunk: Buffer): void;
  onStderrLine?(line: string): void;
  /** `restartInMs` is null when the supervisor will not start the job again. */
  onEnd?(end: RunEnd, restartInMs: number | null): void;
}

export interface SupervisorDeps {
  binary: string;
  clock: Clock;
  log: Logger;
  registry?: ProcessRegistry;
}

/** Every live ffmpeg child of this process, so shutdown can reap them all and tests can count them. */
export class ProcessRegistry {
  private readonly children = new Set<ChildProcess>();

  add(child: ChildProcess): void {
    this.children.add(child);
    child.once('exit', () => this.children.delete(child));
  }

  get size(): number {
    return this.children.size;
  }

  pids(): number[] {
    return [...this.children].map((child) => child.pid ?? -1).filter((pid) => pid > 0);
  }

  killAll(signal: NodeJS.Signals = 'SIGKILL'): void {
    for (const child of this.children) child.kill(signal);
  }
}

export const defaultRegistry = new ProcessRegistry();

const DEFAULT_TAIL_BYTES = 8192;

export class FfmpegSupervisor {
  private child: ChildProcess | null = null;
  private attempt = 0;
  private consecutiveFailures = 0;
  private stopped = true;
  private startedAtMono = 0;
  private lastDataMono = 0;
  private gotData = false;
  private stderrTail = '';
  private stderrPartial = '';
  private pendingReason: EndReason | null = null;
  private watchdog: TimerHandle | null = null;
  private restartTimer: TimerHandle | null = null;
  private killTimer: TimerHandle | null = null;
  private exitWaiters: (() => void)[] = [];
  private generation = 0;

  constructor(
    private readonly job: FfmpegJob,
    private readonly events: SupervisorEvents,
    private readonly deps: SupervisorDeps,
  ) {}

  get running(): boolean {
    return this.child !== null;
  }

  get pid(): number | null {
    return this.child?.pid ?? null;
  }

  /** Bytes queued for the child's stdin that it has not read yet. */
  get stdinBacklogBytes(): number {
    return this.child?.stdin?.writableLength ?? 0;
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.consecutiveFailures = 0;
    void this.launch();
  }

  /** Kills the current child and starts again at once, without back-off (e.g. the input changed). */
  restartNow(): void {
    if (this.stopped) return;
    this.restartTimer?.cancel();
    this.restartTimer = null;
    if (this.child) {
      this.pendingReason = 'stopped';
      const generation = this.generation;
      this.kill();
      this.exitWaiters.push(() => {
        if (!this.stopped && this.generation === generation) void this.launch();
      });
    } else {
      void this.launch();
    }
  }

  /** Closes the child's stdin (end of input). */
  endInput(): void {
    this.child?.stdin?.end();
  }

  write(chunk: Buffer): boolean {
    const stdin = this.child?.stdin;
    if (!stdin || stdin.destroyed || !stdin.writable) return false;
    return stdin.write(chunk);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.restartTimer?.cancel();
    this.restartTimer = null;
    if (!this.child) return;
    this.pendingReason = this.pendingReason ?? 'stopped';
    const exited = new Promise<void>((resolve) => this.exitWaiters.push(resolve));
    this.kill();
    await exited;
  }

  private async launch(): Promise<void> {
    const generation = ++this.generation;
    this.attempt += 1;
    let args: string[];
    try {
      args = await this.job.args();
    } catch (error) {
      if (this.stopped || generation !== this.generation) return;
      this.finish({ reason: 'spawnError', code: null, signal: null, errorMessage: (error as Error).message });
      return;
    }
    if (this.stopped || generation !== this.generation) return;

    this.gotData = false;
    this.stderrTail = '';
    this.stderrPartial = '';
    this.pendingReason = null;
    this.startedAtMono = this.deps.clock.monotonic();
    this.lastDataMono = this.startedAtMono;

    let child: ChildProcess;
    try {
      child = spawn(this.deps.binary, args, {
        stdio: [this.job.stdin ? 'pipe' : 'ignore', 'pipe', 'pipe'],
        windowsHide: true,
      });
    } catch (error) {
      this.finish({ reason: 'spawnError', code: null, signal: null, errorMessage: (error as Error).message });
      return;
    }
    this.child = child;
    this.deps.registry?.add(child);
    defaultRegistry.add(child);
    this.deps.log.debug(`start ${this.job.name}`, { attempt: this.attempt, args: redact(args.join(' ')) });

    child.stdin?.on('error', () => undefined); // EPIPE when ffmpeg exits first: the exit handler reports it
    child.stdout?.on('data', (chunk: Buffer) => {
      this.lastDataMono = this.deps.clock.monotonic();
      this.gotData = true;
      this.events.onStdout?.(chunk);
    });
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (text: string) => this.onStderr(text));

    let spawnError: Error | null = null;
    child.once('error', (error) => {
      spawnError = error;
    });
    child.once('close', (code, signal) => {
      if (this.child !== child) return;
      this.child = null;
      this.watchdog?.cancel();
      this.watchdog = null;
      this.killTimer?.cancel();
      this.killTimer = null;
      if (this.stderrPartial) this.pushStderrLine(this.stderrPartial);
      const reason: EndReason = spawnError ? 'spawnError' : (this.pendingReason ?? 'exited');
      this.finish({ reason, code, signal, errorMessage: spawnError ? (spawnError as Error).message : null });
      const waiters = this.exitWaiters;
      this.exitWaiters = [];
      for (const waiter of waiters) waiter();
    });

    if (child.pid !== undefined) this.events.onStart?.({ pid: child.pid, attempt: this.attempt });
    this.armWatchdog();
  }

  private armWatchdog(): void {
    const { startupTimeoutMs, stallTimeoutMs } = this.job;
    if (!startupTimeoutMs && !stallTimeoutMs) return;
    const period = Math.max(50, Math.min(startupTimeoutMs ?? Infinity, stallTimeoutMs ?? Infinity) / 4);
    const check = (): void => {
      if (!this.child) return;
      const now = this.deps.clock.monotonic();
      if (!this.gotData && startupTimeoutMs && now - this.startedAtMono >= startupTimeoutMs) {
        this.pendingReason = 'startupTimeout';
        this.kill();
        return;
      }
      if (this.gotData && stallTimeoutMs && now - this.lastDataMono >= stallTimeoutMs) {
        this.pendingReason = 'stalled';
        this.kill();
        return;
      }
      this.watchdog = this.deps.clock.setTimeout(check, period);
    };
    this.watchdog = this.deps.clock.setTimeout(check, period);
  }

  private kill(): void {
    const child = this.child;
    if (!child) return;
    child.stdin?.destroy();
    child.kill('SIGTERM');
    this.killTimer?.cancel();
    this.killTimer = this.deps.clock.setTimeout(() => {
      if (this.child === child) child.kill('SIGKILL');
    }, this.job.killGraceMs ?? 1500);
  }

  private onStderr(text: string): void {
    const lines = (this.stderrPartial + text).split(/\r?\n|\r/);
    this.stderrPartial = lines.pop() ?? '';
    for (const line of lines) this.pushStderrLine(line);
  }

  private pushStderrLine(line: string): void {
    if (!line) return;
    const limit = this.job.stderrTailBytes ?? DEFAULT_TAIL_BYTES;
    this.stderrTail = (this.stderrTail + line + '\n').slice(-limit);
    this.events.onStderrLine?.(line);
  }

  private finish(partial: { reason: EndReason; code: number | null; signal: NodeJS.Signals | null; errorMessage: string | null }): void {
    const uptimeMs = this.deps.clock.monotonic() - this.startedAtMono;
    const end: RunEnd = { ...partial, stderrTail: redact(this.stderrTail), uptimeMs, gotData: this.gotData, attempt: this.attempt };
    const policy = this.job.restart;
    let restartInMs: number | null = null;
    if (!this.stopped && policy && policy.delaysMs.length > 0 && end.reason !== 'stopped') {
      if (uptimeMs >= policy.resetAfterMs && this.gotData) this.consecutiveFailures = 0;
      const index = Math.min(this.consecutiveFailures, policy.delaysMs.length - 1);
      restartInMs = policy.delaysMs[index] ?? 1000;
      this.consecutiveFailures += 1;
    }
    if (end.reason !== 'stopped') {
      this.deps.log.info(`end ${this.job.name}`, {
        reason: end.reason,
        code: end.code,
        signal: end.signal,
        uptimeMs: Math.round(uptimeMs),
        restartInMs,
        stderrTail: end.stderrTail.split('\n').slice(-4).join(' | '),
      });
    }
    this.events.onEnd?.(end, restartInMs);
    if (restartInMs !== null && !this.stopped) {
      const generation = this.generation;
      this.restartTimer = this.deps.clock.setTimeout(() => {
        this.restartTimer = null;
        if (!this.stopped && generation === this.generation && !this.child) void this.launch();
      }, restartInMs);
    } else if (this.job.restart === null || this.job.restart === undefined) {
      this.stopped = true;
    }
  }
}

export interface OnceResult {
  code: number | null;
  stdout: Buffer;
  stderrTail: string;
  reason: EndReason;
}

/** Runs ffmpeg once to completion (probes, clip generation) through the same supervisor. */
export function runFfmpegOnce(
  deps: SupervisorDeps,
  name: string,
  args: string[],
  options: { timeoutMs?: number; maxStdoutBytes?: number; input?: Buffer } = {},
): Promise<OnceResult> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const limit = options.maxStdoutBytes ?? 4 * 1024 * 1024;
    const supervisor = new FfmpegSupervisor(
      { name, args: () => args, stdin: options.input !== undefined, startupTimeoutMs: null, stallTimeoutMs: null, restart: null, stderrTailBytes: 64 * 1024 },
      {
        onStart() {
          if (options.input === undefined) return;
          supervisor.write(options.input);
          supervisor.endInput();
        },
        onStdout(chunk) {
          if (size < limit) chunks.push(chunk);
          size += chunk.length;
        },
        onEnd(end) {
          timer?.cancel();
          resolve({ code: end.code, stdout: Buffer.concat(chunks), stderrTail: end.stderrTail, reason: end.reason });
        },
      },
      deps,
    );
    const timer = options.timeoutMs ? deps.clock.setTimeout(() => void supervisor.stop(), options.timeoutMs) : null;
    supervisor.start();
  });
}
