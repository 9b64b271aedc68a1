import type { Camera, StreamKind } from '../../../common/site';
import type { StreamProblem, StreamState, StreamStatus } from '../../../common/contract';
import type { Clock, TimerHandle } from '../util/clock';
import type { Logger } from '../log/logger';
import type { FfmpegInfo } from '../ffmpeg/probe';
import { FfmpegSupervisor, type ProcessRegistry, type RunEnd } from '../ffmpeg/supervisor';
import { demoPullArgs, pullArgs } from '../ffmpeg/args';
import { classifyPullFailure, InputInfoParser } from '../ffmpeg/probeParse';
import { GopCache, TsChunker, TsStreamParser } from './mpegts';

export interface SourceOptions {
  /** No byte from the camera for this long → the pull is killed and restarted. */
  stallTimeoutMs: number;
  /** No byte within this long after start (connect + first keyframe) → restart. */
  startupTimeoutMs: number;
  /** How long a lost stream may say "reconnecting" before it says "offline". */
  offlineAfterMs: number;
  restartDelaysMs: readonly number[];
  gopCacheMaxBytes: number;
}

export const DEFAULT_SOURCE_OPTIONS: SourceOptions = {
  stallTimeoutMs: 2000,
  startupTimeoutMs: 10000,
  offlineAfterMs: 1000,
  // Fast at first (a glitch), then every 3 s: a camera that returns is live again within seconds.
  restartDelaysMs: [250, 500, 1000, 2000, 3000],
  gopCacheMaxBytes: 8 * 1024 * 1024,
};

export interface SourceDeps {
  ffmpeg: FfmpegInfo | null;
  clock: Clock;
  log: Logger;
  registry?: ProcessRegistry;
  /** Path of the generated clip for a demo:// stream. */
  demoClip: (camera: Camera, stream: StreamKind) => Promise<string>;
}

export interface SourceConsumer {
  /** `epoch` changes whenever the pull restarted: a new MPEG-TS stream begins (at a keyframe). */
  onData(data: Buffer, keyframe: boolean, epoch: number): void;
}

/**
 * One camera stream pulled once (ffmpeg -c copy to MPEG-TS) and fanned out to every consumer:
 * the camera sees exactly one RTSP session for it, whatever the number of tiles or windows.
 */
export class CameraStreamSource {
  readonly key: string;
  private readonly supervisor: FfmpegSupervisor | null;
  private readonly consumers = new Set<SourceConsumer>();
  private chunker = new TsChunker();
  private parser = new TsStreamParser();
  private readonly cache: GopCache;
  private infoParser = new InputInfoParser();
  private offlineTimer: TimerHandle | null = null;
  private lostAtMs: number | null = null;
  private currentStatus: StreamStatus;
  epoch = 0;
  bytesIn = 0;

  constructor(
    readonly camera: Camera,
    readonly stream: StreamKind,
    private readonly deps: SourceDeps,
    private readonly options: SourceOptions,
    private readonly onStatus: (status: StreamStatus) => void,
  ) {
    this.key = sourceKey(camera.id, stream);
    this.cache = new GopCache(options.gopCacheMaxBytes);
    this.currentStatus = {
      cameraId: camera.id,
      stream,
      state: 'idle',
      sinceMs: deps.clock.now(),
      problem: null,
      codec: null,
      widthPx: null,
      heightPx: null,
    };
    const ffmpeg = deps.ffmpeg;
    const url = stream === 'main' ? camera.streams.main : camera.streams.sub;
    if (!ffmpeg || !url) {
      this.supervisor = null;
      return;
    }
    this.supervisor = new FfmpegSupervisor(
      {
        name: `pull ${this.key}`,
        args: async () => (url.startsWith('demo://') ? demoPullArgs(await deps.demoClip(camera, stream)) : pullArgs(ffmpeg, url)),
        startupTimeoutMs: options.startupTimeoutMs,
        stallTimeoutMs: options.stallTimeoutMs,
        restart: { delaysMs: options.restartDelaysMs, resetAfterMs: 10000 },
      },
      {
        onStart: () => this.onRunStart(),
        onStdout: (chunk) => this.onChunk(chunk),
        onStderrLine: (line) => this.onStderrLine(line),
        onEnd: (end, restartInMs) => this.onRunEnd(end, restartInMs),
      },
      { binary: ffmpeg.path, clock: deps.clock, log: deps.log, registry: deps.registry },
    );
  }

  get status(): StreamStatus {
    return this.currentStatus;
  }

  get consumerCount(): number {
    return this.consumers.size;
  }

  get pid(): number | null {
    return this.supervisor?.pid ?? null;
  }

  start(): void {
    if (!this.supervisor) {
      this.setState('offline', this.deps.clock.now(), this.deps.ffmpeg ? 'notFound' : 'ffmpegMissing');
      return;
    }
    if (this.currentStatus.state === 'idle') this.setState('connecting', this.deps.clock.now(), null);
    this.supervisor.start();
  }

  async stop(): Promise<void> {
    this.offlineTimer?.cancel();
    this.offlineTimer = null;
    await this.supervisor?.stop();
    this.cache.clear();
    this.setState('idle', this.deps.clock.now(), null);
  }

  /** Adds a consumer; it first receives PAT/PMT and the packets since the last keyframe. */
  subscribe(consumer: SourceConsumer): () => void {
    this.consumers.add(consumer);
    const snapshot = this.cache.snapshot(this.parser.psi());
    if (snapshot.length > 0) consumer.onData(Buffer.concat(snapshot), true, this.epoch);
    return () => this.consumers.delete(consumer);
  }

  /** The late-joiner prefix, for a consumer that restarted its own process. */
  snapshot(): Buffer | null {
    const parts = this.cache.snapshot(this.parser.psi());
    return parts.length > 0 ? Buffer.concat(parts) : null;
  }

  private onRunStart(): void {
    this.epoch += 1;
    this.chunker = new TsChunker();
    this.parser = new TsStreamParser();
    this.infoParser = new InputInfoParser();
    this.cache.clear();
  }

  private onChunk(chunk: Buffer): void {
    this.bytesIn += chunk.length;
    const aligned = this.chunker.push(chunk);
    if (!aligned) return;
    for (const piece of this.parser.parse(aligned)) {
      this.cache.add(piece);
      for (const consumer of this.consumers) consumer.onData(piece.data, piece.keyframe, this.epoch);
    }
    if (this.currentStatus.state !== 'live') {
      this.offlineTimer?.cancel();
      this.offlineTimer = null;
      this.lostAtMs = null;
      this.setState('live', this.deps.clock.now(), null);
    }
  }

  private onStderrLine(line: string): void {
    const info = this.infoParser.pushLine(line);
    if (info) {
      this.currentStatus = { ...this.currentStatus, codec: info.codec, widthPx: info.widthPx, heightPx: info.heightPx };
      if (this.currentStatus.state === 'live') this.onStatus(this.currentStatus);
    }
  }

  private onRunEnd(end: RunEnd, restartInMs: number | null): void {
    if (end.reason === 'stopped') return;
    const problem: StreamProblem =
      end.reason === 'spawnError' && end.errorMessage?.includes('ENOENT') ? 'ffmpegMissing' : classifyPullFailure(end.stderrTail, end.reason, end.gotData);
    const now = this.deps.clock.now();
    if (this.currentStatus.state === 'live') {
      this.lostAtMs = now;
      this.setState('reconnecting', now, problem);
    } else {
      this.currentStatus = { ...this.currentStatus, problem };
    }
    // A wrong password or a wrong path will not fix itself in a second: say so at once.
    const definitive = problem === 'authFailed' || problem === 'notFound' || problem === 'ffmpegMissing' || restartInMs === null;
    const since = this.lostAtMs ?? this.currentStatus.sinceMs;
    if (definitive) {
      this.goOffline(since, problem);
    } else if (!this.offlineTimer && this.currentStatus.state !== 'offline') {
      const waitMs = Math.max(0, this.options.offlineAfterMs - (now - since));
      this.offlineTimer = this.deps.clock.setTimeout(() => {
        this.offlineTimer = null;
        if (this.currentStatus.state !== 'live') this.goOffline(since, this.currentStatus.problem ?? problem);
      }, waitMs);
    }
  }

  private goOffline(sinceMs: number, problem: StreamProblem): void {
    this.offlineTimer?.cancel();
    this.offlineTimer = null;
    if (this.currentStatus.state === 'offline' && this.currentStatus.problem === problem) return;
    this.setState('offline', sinceMs, problem);
  }

  private setState(state: StreamState, sinceMs: number, problem: StreamProblem | null): void {
    const previous = this.currentStatus;
    if (previous.state === state && previous.problem === problem) return;
    this.currentStatus = { ...previous, state, sinceMs, problem };
    if (state !== previous.state) this.deps.log.info(`stream ${this.key} ${previous.state} → ${state}`, { problem });
    this.onStatus(this.currentStatus);
  }
}

export function sourceKey(cameraId: string, stream: StreamKind): string {
  return `${cameraId}/${stream}`;
}
