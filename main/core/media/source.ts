import type { Camera, StreamKind } from '../../../common/site';
import { nextRevision } from '../util/revision';
import type { StreamProblem, StreamState, StreamStatus } from '../../../common/contract';
import type { Clock, TimerHandle } from '../util/clock';
import type { Logger } from '../log/logger';
import type { FfmpegInfo } from '../ffmpeg/probe';
import { FfmpegSupervisor, type ProcessRegistry, type RunEnd } from '../ffmpeg/supervisor';
import { demoPullArgs, pullArgs } from '../ffmpeg/args';
import { classifyDecodeError, classifyPullFailure, InputInfoParser } from '../ffmpeg/probeParse';
import { GopCache, TsChunker, TsStreamParser } from './mpegts';
import { KeyframeParameterSets } from './keyframeSets';
import { describeStream, type VideoCodec } from './rtspClient';

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

/**
 * Decode errors the pull's own probe may report before its first output byte before the camera
 * is called undecodable (a sound camera joined mid-GOP reports none, or a few).
 */
const PROBE_ERRORS_FOR_BAD_STREAM = 10;

export interface SourceDeps {
  ffmpeg: FfmpegInfo | null;
  clock: Clock;
  log: Logger;
  registry?: ProcessRegistry;
  /** The demo's input of a `demo://` stream: a clip file or a loopback URL, and how long the pull plays it (demo/trouble.ts). */
  demoClip: (camera: Camera, stream: StreamKind) => Promise<string | { input: string; durationS?: number }>;
  /** The camera stream's video codec from its SDP (default: an RTSP DESCRIBE of our own, rtspClient.ts). */
  describeCodec?: (url: string) => Promise<VideoCodec | null>;
}

/** How long the pull's start waits for the camera's DESCRIBE before it starts without knowing the codec. */
const DESCRIBE_TIMEOUT_MS = 2000;

const describeCodec = async (url: string): Promise<VideoCodec | null> => (await describeStream(url, DESCRIBE_TIMEOUT_MS)).videoCodec;

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
  /** Every keyframe handed out carries the parameter sets (issue 20; kept across pull runs). */
  private readonly keyframeSets = new KeyframeParameterSets();
  private readonly cache: GopCache;
  private infoParser = new InputInfoParser();
  private offlineTimer: TimerHandle | null = null;
  private lostAtMs: number | null = null;
  private currentStatus: StreamStatus;
  private outputThisRun = false;
  private probeErrors = 0;
  private lastLineWasProbeError = false;
  epoch = 0;
  bytesIn = 0;
  private audio: 'copy' | 'none' = 'copy';
  private audioCodec: string | null = null;
  /**
   * The camera's video codec, learned from its SDP before the first pull and from the pull's PMT
   * after: the pull takes the camera's delimiters out by codec (ffmpeg/args.ts pullArgs).
   */
  private videoCodec: VideoCodec | null = null;
  /** The codec the running pull's arguments were made for. */
  private runCodec: VideoCodec | null = null;
  /** The running pull was made for another codec and is being replaced: its output goes nowhere. */
  private dropRun = false;
  /**
   * The camera sends data that ffmpeg cannot decode (its probe said so before any output): set
   * from the pull's stderr, cleared by the first keyframe. Views say `badStream` meanwhile.
   */
  undecodable = false;

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
      revision: nextRevision(),
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
        args: async () => {
          if (url.startsWith('demo://')) return demoPullArgs(await deps.demoClip(camera, stream));
          this.runCodec = await this.codecForPull(url);
          return pullArgs(ffmpeg, url, { audio: this.audio === 'copy', videoCodec: this.runCodec });
        },
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

  /** The latest PAT and PMT packets (a new recording segment starts with them). */
  psi(): Buffer[] {
    return this.parser.psi();
  }

  get videoPid(): number | null {
    return this.parser.videoPid;
  }

  /** Keyframes given the stream's kept parameter sets, and those that lacked them with none kept yet. */
  get parameterSetRepairs(): { inserted: number; missing: number } {
    return { inserted: this.keyframeSets.inserted, missing: this.keyframeSets.missing };
  }

  /** Whether the pull carries the camera's audio (dropped when MPEG-TS cannot hold its codec). */
  get audioKept(): boolean {
    return this.audio === 'copy' && this.audioCodec !== null;
  }

  /** The late-joiner prefix, for a consumer that restarted its own process. */
  snapshot(): Buffer | null {
    const parts = this.cache.snapshot(this.parser.psi());
    return parts.length > 0 ? Buffer.concat(parts) : null;
  }

  /**
   * Asked once (a DESCRIBE, no session made); after that the pull's own PMT keeps it true. A camera
   * that does not answer is pulled without knowing (its delimiters kept), and ffmpeg says why.
   */
  private async codecForPull(url: string): Promise<VideoCodec | null> {
    if (this.videoCodec !== null) return this.videoCodec;
    try {
      this.videoCodec = await (this.deps.describeCodec ?? describeCodec)(url);
    } catch (error) {
      this.deps.log.info(`stream ${this.key}: codec not known before the pull`, { error: error instanceof Error ? error.message : String(error) });
    }
    return this.videoCodec;
  }

  /**
   * The pull's PMT names its codec: learned for the next pull. A pull made for another codec
   * (the camera was set from H.264 to H.265 between two pulls) starts again at once: true.
   */
  private pullForOtherCodec(): boolean {
    const seen = this.parser.videoCodec;
    if (seen !== 'h264' && seen !== 'hevc') return false;
    this.videoCodec = seen;
    if (this.runCodec === null || this.runCodec === seen) return false;
    this.deps.log.warn(`stream ${this.key}: the camera sends ${seen}, its pull was made for ${this.runCodec}; pulled again`);
    this.supervisor?.restartNow();
    return true;
  }

  private onRunStart(): void {
    this.outputThisRun = false;
    this.dropRun = false;
    this.probeErrors = 0;
    this.lastLineWasProbeError = false;
    this.epoch += 1;
    this.chunker = new TsChunker();
    this.parser = new TsStreamParser();
    this.keyframeSets.reset();
    this.infoParser = new InputInfoParser();
    this.cache.clear();
  }

  private onChunk(chunk: Buffer): void {
    if (this.dropRun) return;
    this.bytesIn += chunk.length;
    this.outputThisRun = true;
    const parts = this.chunker.pushParts(chunk);
    if (parts.length === 0) return;
    for (const aligned of parts) {
      const packets = this.parser.parse(aligned);
      // a pull made for another codec is dropped before any of its video goes out
      if (this.parser.videoCodec !== this.videoCodec && this.pullForOtherCodec()) {
        this.dropRun = true;
        return;
      }
      for (const piece of this.keyframeSets.push(packets, this.parser.videoPid, this.parser.videoCodec)) {
        if (piece.keyframe) this.undecodable = false;
        this.cache.add(piece);
        for (const consumer of this.consumers) consumer.onData(piece.data, piece.keyframe, this.epoch);
      }
    }
    if (this.currentStatus.state !== 'live') {
      this.offlineTimer?.cancel();
      this.offlineTimer = null;
      this.lostAtMs = null;
      this.setState('live', this.deps.clock.now(), null);
    }
  }

  private onStderrLine(line: string): void {
    const audio = /Stream #\d+:\d+.*?: Audio: (\w+)/.exec(line);
    if (audio?.[1] && this.audioCodec === null) this.audioCodec = audio[1];
    const info = this.infoParser.pushLine(line);
    if (info) {
      this.currentStatus = { ...this.currentStatus, codec: info.codec, widthPx: info.widthPx, heightPx: info.heightPx, revision: nextRevision() };
      if (this.currentStatus.state === 'live') this.onStatus(this.currentStatus);
    }
    if (!this.outputThisRun && !this.undecodable) this.countProbeError(line);
  }

  /**
   * Before its first output byte the pull probes the stream by decoding it. A camera sending data
   * that never decodes keeps ffmpeg probing (no output, nothing for a view to show) until the
   * start-up timeout: its stderr is the only early sign. ffmpeg folds repeats into "Last message
   * repeated N times".
   */
  private countProbeError(line: string): void {
    const repeated = /Last message repeated (\d+) times/.exec(line);
    if (repeated) {
      if (this.lastLineWasProbeError) this.probeErrors += Number(repeated[1]);
    } else {
      this.lastLineWasProbeError = classifyDecodeError(line) === 'badStream';
      if (this.lastLineWasProbeError) this.probeErrors += 1;
      if (/Could not find codec parameters/.test(line)) this.probeErrors += PROBE_ERRORS_FOR_BAD_STREAM;
    }
    if (this.probeErrors < PROBE_ERRORS_FOR_BAD_STREAM) return;
    this.undecodable = true;
    this.deps.log.info(`stream ${this.key} cannot be decoded`, { line });
    if (this.currentStatus.state !== 'live') this.setState(this.currentStatus.state, this.currentStatus.sinceMs, 'badStream');
  }

  private onRunEnd(end: RunEnd, restartInMs: number | null): void {
    if (end.reason === 'stopped') return;
    // G.711 and other codecs MPEG-TS cannot hold make the copy fail at once: drop the audio and say why.
    if (this.audio === 'copy' && !end.gotData && /not currently supported in container|Could not write header/i.test(end.stderrTail)) {
      this.audio = 'none';
      this.deps.log.warn(`stream ${this.key}: audio dropped, its codec cannot be stored in MPEG-TS`, { codec: this.audioCodec });
      return;
    }
    const problem: StreamProblem =
      end.reason === 'spawnError' && end.errorMessage?.includes('ENOENT')
        ? 'ffmpegMissing'
        : // timed out while receiving what it could not decode: the stream is bad, data did come
          this.undecodable && (end.reason === 'startupTimeout' || end.reason === 'stalled')
          ? 'badStream'
          : classifyPullFailure(end.stderrTail, end.reason, end.gotData);
    const now = this.deps.clock.now();
    if (this.currentStatus.state === 'live') {
      this.lostAtMs = now;
      this.setState('reconnecting', now, problem);
    } else {
      this.currentStatus = { ...this.currentStatus, problem, revision: nextRevision() };
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
    this.currentStatus = { ...previous, state, sinceMs, problem, revision: nextRevision() };
    if (state !== previous.state) this.deps.log.info(`stream ${this.key} ${previous.state} → ${state}`, { problem });
    this.onStatus(this.currentStatus);
  }
}

export function sourceKey(cameraId: string, stream: StreamKind): string {
  return `${cameraId}/${stream}`;
}
