import { randomUUID } from 'node:crypto';
import type { StreamKind } from '../../../common/site';
import type { LiveStats, ViewHealth } from '../../../common/contract';
import { writeFrameHeader, type ServerTextMessage } from '../../../common/liveProtocol';
import { fail, ok, type Result } from '../../../common/result';
import type { Clock, TimerHandle } from '../util/clock';
import type { Logger } from '../log/logger';
import type { FfmpegInfo } from '../ffmpeg/probe';
import type { ProcessRegistry } from '../ffmpeg/supervisor';
import { evenClamp } from '../ffmpeg/args';
import { DEFAULT_SOURCE_OPTIONS, type CameraStreamSource, type SourceOptions } from './source';
import type { SourceHub } from './sourceHub';
import { LiveDecoder } from './decoder';

/** What the live service needs from a connected page: a way to send it things. */
export interface LiveClientPort {
  sendText(message: ServerTextMessage): void;
  sendFrame(frame: Buffer): void;
}

export interface LiveServiceOptions {
  source: SourceOptions;
  /** How long a pull stays warm after its last user left. */
  lingerMs: number;
  /** An unacknowledged frame is considered lost after this long (the page may have dropped it). */
  ackTimeoutMs: number;
  /** A view of a connected camera with no new frame for this long is `stalled` (frozen). */
  stallAfterMs: number;
  /** How often views are checked and rates measured. */
  healthPeriodMs: number;
}

export const DEFAULT_LIVE_OPTIONS: LiveServiceOptions = {
  source: DEFAULT_SOURCE_OPTIONS,
  lingerMs: 30000,
  ackTimeoutMs: 3000,
  stallAfterMs: 3000,
  healthPeriodMs: 500,
};

interface LiveClient {
  id: string;
  port: LiveClientPort;
  views: Set<number>;
}

interface View {
  id: number;
  client: LiveClient;
  /** Null for a fed view (openFedView): its frames come from a feature, not from a pull. */
  source: CameraStreamSource | null;
  decoder: LiveDecoder | null;
  /** Fed views: called once when the view closes (its client went away, or stop). */
  onClosed?: () => void;
  widthPx: number;
  heightPx: number;
  seq: number;
  inFlightSinceMono: number | null;
  pending: Buffer | null;
  framesSent: number;
  framesDropped: number;
  openedAtMono: number;
  lastFrameAtMono: number | null;
  health: ViewHealth;
  /** Decoded-frame count at the last health check, for the fps figure. */
  rateSeq: number;
  fps: number;
}

/** A view fed by a feature (playback): same header, acknowledgement and socket as a live view. */
export interface FedView {
  viewId: number;
  /** A whole frame from a FrameAssembler (header room in front), and the time to put in its header. */
  push(frame: Buffer, frameTimeMs: number): void;
  /** True while the page has not acknowledged the last frame sent (the feeder may wait). */
  readonly busy: boolean;
}

export interface LiveCounts {
  sources: number;
  views: number;
  clients: number;
}

/**
 * Live view for the wall: one decoder per view on the shared pull of its camera stream (from the
 * SourceHub), and flow control per view: a frame goes to the page only when the page acknowledged
 * the previous one; meanwhile only the newest frame is kept. A slow page therefore sees fewer
 * frames, never older ones.
 */
export class LiveService {
  private readonly clients = new Map<string, LiveClient>();
  private readonly views = new Map<number, View>();
  private readonly healthListeners = new Set<(health: ViewHealth) => void>();
  private nextViewId = 1;
  private stopped = false;
  private healthTimer: TimerHandle | null = null;

  constructor(
    private readonly hub: SourceHub,
    private readonly deps: { ffmpeg: FfmpegInfo | null; clock: Clock; log: Logger; registry?: ProcessRegistry },
    private readonly options: LiveServiceOptions = DEFAULT_LIVE_OPTIONS,
  ) {
    this.scheduleHealth();
  }

  private readonly clientGoneListeners = new Set<(clientId: string) => void>();

  onViewHealth(listener: (health: ViewHealth) => void): () => void {
    this.healthListeners.add(listener);
    return () => this.healthListeners.delete(listener);
  }

  stats(): LiveCounts {
    return { sources: this.hub.size, views: this.views.size, clients: this.clients.size };
  }

  connectClient(port: LiveClientPort): string {
    const id = randomUUID();
    this.clients.set(id, { id, port, views: new Set() });
    port.sendText({ t: 'hello', liveClientId: id, protocol: 'ccc-live.v1' });
    return id;
  }

  disconnectClient(clientId: string): void {
    const client = this.clients.get(clientId);
    if (!client) return;
    for (const viewId of [...client.views]) void this.closeView(viewId);
    this.clients.delete(clientId);
    for (const listener of this.clientGoneListeners) listener(clientId);
  }

  /** The client's session locked (issue 15): every view of it closes at once; the socket stays. */
  closeViewsOfClient(clientId: string): void {
    const client = this.clients.get(clientId);
    if (!client) return;
    for (const viewId of [...client.views]) void this.closeView(viewId);
  }

  /** A UI window or tab closed its live socket (or lost it): what it held must be released. */
  onClientGone(listener: (clientId: string) => void): () => void {
    this.clientGoneListeners.add(listener);
    return () => this.clientGoneListeners.delete(listener);
  }

  hasClient(clientId: string): boolean {
    return this.clients.has(clientId);
  }

  openView(clientId: string, cameraId: string, stream: StreamKind, widthPx: number, heightPx: number): Result<{ viewId: number; status: CameraStreamSource['status'] }> {
    if (this.stopped) return fail('unavailable', 'live service stopped');
    const client = this.clients.get(clientId);
    if (!client) return fail('notFound', 'unknown live client');
    const camera = this.hub.camera(cameraId);
    if (!camera) return fail('notFound', `unknown camera ${cameraId}`);
    if (!this.deps.ffmpeg) return fail('unavailable', 'ffmpeg missing');
    const source = this.hub.acquire(camera, stream === 'sub' && !camera.streams.sub ? 'main' : stream);
    const width = evenClamp(widthPx, 16, 3840);
    const height = evenClamp(heightPx, 16, 2160);
    const viewId = this.nextViewId++;
    const decoder = new LiveDecoder(source, width, height, this.deps.ffmpeg, this.deps, (frame) => this.onFrame(viewId, frame));
    this.addView({ id: viewId, client, source, decoder, widthPx: width, heightPx: height });
    decoder.start();
    return ok({ viewId, status: source.status });
  }

  /** A new view, live or fed, with its counters at zero, registered with its client. */
  private addView(base: Pick<View, 'id' | 'client' | 'source' | 'decoder' | 'widthPx' | 'heightPx'> & Partial<Pick<View, 'onClosed'>>): View {
    const view: View = {
      ...base,
      seq: 0,
      inFlightSinceMono: null,
      pending: null,
      framesSent: 0,
      framesDropped: 0,
      openedAtMono: this.deps.clock.monotonic(),
      lastFrameAtMono: null,
      health: { viewId: base.id, health: 'waiting', sinceMs: this.deps.clock.now(), problem: null },
      rateSeq: 0,
      fps: 0,
    };
    this.views.set(view.id, view);
    base.client.views.add(view.id);
    return view;
  }

  async closeView(viewId: number): Promise<Result<null>> {
    const view = this.views.get(viewId);
    if (!view) return fail('notFound', `unknown view ${viewId}`);
    this.views.delete(viewId);
    view.client.views.delete(viewId);
    view.pending = null;
    if (view.decoder) await view.decoder.stop();
    if (view.source) this.hub.release(view.source);
    view.onClosed?.();
    return ok(null);
  }

  /**
   * A view whose frames a feature produces (playback decodes recordings): it travels the same
   * socket with the same header and the same acknowledgement as a live view, so the wall draws it
   * like any other. The header's time is the frame's recorded time. `onClosed` runs when the view
   * closes for any reason (closeView, the page's socket gone, stop).
   */
  openFedView(clientId: string, widthPx: number, heightPx: number, onClosed: () => void): Result<FedView> {
    if (this.stopped) return fail('unavailable', 'live service stopped');
    const client = this.clients.get(clientId);
    if (!client) return fail('notFound', 'unknown live client');
    const viewId = this.nextViewId++;
    const view = this.addView({
      id: viewId,
      client,
      source: null,
      decoder: null,
      onClosed,
      widthPx: evenClamp(widthPx, 16, 3840),
      heightPx: evenClamp(heightPx, 16, 2160),
    });
    const ackTimeoutMs = this.options.ackTimeoutMs;
    const clock = this.deps.clock;
    return ok({
      viewId,
      push: (frame, frameTimeMs) => this.onFrame(viewId, frame, frameTimeMs),
      get busy() {
        return view.inFlightSinceMono !== null && clock.monotonic() - view.inFlightSinceMono < ackTimeoutMs;
      },
    });
  }

  /** Keeps a stream pulled for the linger time without a view (the next camera of a tour). */
  warm(cameraId: string, stream: StreamKind): Result<null> {
    const camera = this.hub.camera(cameraId);
    if (!camera) return fail('notFound', `unknown camera ${cameraId}`);
    if (!this.deps.ffmpeg) return fail('unavailable', 'ffmpeg missing');
    this.hub.release(this.hub.acquire(camera, stream === 'sub' && !camera.streams.sub ? 'main' : stream));
    return ok(null);
  }

  /**
   * The packets since the last keyframe of a stream (PAT + PMT + GOP), pulling it for a moment
   * if nobody does, waiting up to `waitMs` for its first keyframe.
   */
  async keyframeData(cameraId: string, stream: StreamKind, waitMs: number): Promise<Result<{ data: Buffer; stream: StreamKind }>> {
    const camera = this.hub.camera(cameraId);
    if (!camera) return fail('notFound', `unknown camera ${cameraId}`);
    if (!this.deps.ffmpeg) return fail('unavailable', 'ffmpeg missing');
    const effective: StreamKind = stream === 'sub' && !camera.streams.sub ? 'main' : stream;
    const source = this.hub.acquire(camera, effective);
    try {
      const deadline = this.deps.clock.monotonic() + waitMs;
      for (;;) {
        const data = source.snapshot();
        if (data) return ok({ data, stream: effective });
        if (this.deps.clock.monotonic() >= deadline || this.stopped) return fail('unavailable', 'no picture from the camera');
        await new Promise<void>((resolve) => this.deps.clock.setTimeout(resolve, 100));
      }
    } finally {
      this.hub.release(source);
    }
  }

  liveStats(): LiveStats {
    const viewers = new Map<string, number>();
    for (const view of this.views.values()) if (view.source) viewers.set(view.source.key, (viewers.get(view.source.key) ?? 0) + 1);
    return {
      streams: this.hub.rates().map((rate) => ({
        cameraId: rate.cameraId,
        stream: rate.stream,
        kbps: Math.round(rate.kbps),
        viewers: viewers.get(`${rate.cameraId}/${rate.stream}`) ?? 0,
      })),
      views: [...this.views.values()].map((view) => ({ viewId: view.id, fps: Math.round(view.fps * 10) / 10, dropped: view.framesDropped })),
    };
  }

  /** The page drew the frame `seq` of `viewId`: the next (newest) frame may go. */
  ack(clientId: string, viewId: number, seq: number): void {
    const view = this.views.get(viewId);
    if (!view || view.client.id !== clientId || seq > view.seq) return;
    view.inFlightSinceMono = null;
    const pending = view.pending;
    if (pending) {
      view.pending = null;
      this.send(view, pending);
    }
  }

  viewStats(viewId: number): { framesDecoded: number; framesSent: number; framesDropped: number } | null {
    const view = this.views.get(viewId);
    return view ? { framesDecoded: view.seq, framesSent: view.framesSent, framesDropped: view.framesDropped } : null;
  }

  /** PIDs of every ffmpeg the live path runs (pulls and decoders), for tests and benchmarks. */
  pids(): { pulls: number[]; decoders: number[] } {
    const decoders = [...this.views.values()].map((view) => view.decoder?.pid ?? null).filter((pid): pid is number => pid !== null);
    return { pulls: this.hub.pids(), decoders };
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.healthTimer?.cancel();
    this.healthTimer = null;
    await Promise.all([...this.views.keys()].map((viewId) => this.closeView(viewId)));
    this.clients.clear();
  }

  private scheduleHealth(): void {
    this.healthTimer = this.deps.clock.setTimeout(() => {
      if (this.stopped) return;
      this.checkHealth();
      this.scheduleHealth();
    }, this.options.healthPeriodMs);
  }

  /** Rates, and whether each view's picture still moves. */
  private checkHealth(): void {
    const nowMono = this.deps.clock.monotonic();
    this.hub.measure();
    for (const view of this.views.values()) {
      view.fps = view.fps * 0.5 + (((view.seq - view.rateSeq) * 1000) / this.options.healthPeriodMs) * 0.5;
      view.rateSeq = view.seq;
      this.updateHealth(view, nowMono);
    }
  }

  private updateHealth(view: View, nowMono: number): void {
    // a fed view's feeder says itself what its tile shows (playback pauses: no frames is normal)
    if (!view.source || !view.decoder) return;
    const sourceLive = view.source.status.state === 'live';
    const recentFrame = view.lastFrameAtMono !== null && nowMono - view.lastFrameAtMono < this.options.stallAfterMs;
    const decoderError =
      view.decoder.lastError && nowMono - view.decoder.lastError.atMono < this.options.stallAfterMs * 2 ? view.decoder.lastError.problem : null;
    let health: ViewHealth['health'];
    let problem: ViewHealth['problem'] = null;
    let sinceMs = this.deps.clock.now();
    if (recentFrame) {
      health = 'playing';
    } else if (view.lastFrameAtMono === null) {
      health = 'waiting';
      // Connected, bytes flowing, yet nothing to decode from: no keyframe came, or the decoder
      // refuses the stream, or the pull already found it undecodable (then it may not even be live).
      const undecodable = view.source.undecodable ? 'badStream' : null;
      if ((sourceLive || undecodable) && nowMono - view.openedAtMono > this.options.stallAfterMs) {
        problem = decoderError ?? undecodable ?? (view.source.snapshot() ? 'badStream' : 'noKeyframe');
      }
    } else {
      health = sourceLive ? 'stalled' : 'waiting';
      if (health === 'stalled') {
        problem = decoderError ?? 'badStream';
        sinceMs = this.deps.clock.now() - (nowMono - view.lastFrameAtMono);
      }
    }
    if (health === view.health.health && problem === view.health.problem) return;
    if (health === view.health.health && health !== 'waiting') sinceMs = view.health.sinceMs;
    view.health = { viewId: view.id, health, sinceMs, problem };
    for (const listener of this.healthListeners) listener(view.health);
  }

  private onFrame(viewId: number, frame: Buffer, frameTimeMs?: number): void {
    const view = this.views.get(viewId);
    if (!view) return;
    view.seq += 1;
    view.lastFrameAtMono = this.deps.clock.monotonic();
    if (view.health.health !== 'playing') this.updateHealth(view, view.lastFrameAtMono);
    writeFrameHeader(frame, { viewId, seq: view.seq, width: view.widthPx, height: view.heightPx, decodedAtMs: frameTimeMs ?? this.deps.clock.now() });
    const inFlight = view.inFlightSinceMono;
    if (inFlight !== null && this.deps.clock.monotonic() - inFlight < this.options.ackTimeoutMs) {
      if (view.pending) view.framesDropped += 1;
      view.pending = frame;
      return;
    }
    this.send(view, frame);
  }

  private send(view: View, frame: Buffer): void {
    view.inFlightSinceMono = this.deps.clock.monotonic();
    view.framesSent += 1;
    view.client.port.sendFrame(frame);
  }
}
