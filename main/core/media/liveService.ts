import { randomUUID } from 'node:crypto';
import type { Camera, Site, StreamKind } from '../../../common/site';
import type { StreamStatus } from '../../../common/contract';
import { writeFrameHeader, type ServerTextMessage } from '../../../common/liveProtocol';
import { fail, ok, type Result } from '../../../common/result';
import type { Clock, TimerHandle } from '../util/clock';
import type { Logger } from '../log/logger';
import type { FfmpegInfo } from '../ffmpeg/probe';
import type { ProcessRegistry } from '../ffmpeg/supervisor';
import { evenClamp } from '../ffmpeg/args';
import { CameraStreamSource, DEFAULT_SOURCE_OPTIONS, sourceKey, type SourceOptions } from './source';
import { LiveDecoder } from './decoder';

/** What the live service needs from a connected page: a way to send it things. */
export interface LiveClientPort {
  sendText(message: ServerTextMessage): void;
  sendFrame(frame: Buffer): void;
}

export interface LiveServiceOptions {
  source: SourceOptions;
  /** How long a pull stays warm after its last viewer left. */
  lingerMs: number;
  /** An unacknowledged frame is considered lost after this long (the page may have dropped it). */
  ackTimeoutMs: number;
}

export const DEFAULT_LIVE_OPTIONS: LiveServiceOptions = {
  source: DEFAULT_SOURCE_OPTIONS,
  lingerMs: 30000,
  ackTimeoutMs: 3000,
};

interface LiveClient {
  id: string;
  port: LiveClientPort;
  views: Set<number>;
}

interface View {
  id: number;
  client: LiveClient;
  source: CameraStreamSource;
  decoder: LiveDecoder;
  widthPx: number;
  heightPx: number;
  seq: number;
  inFlightSinceMono: number | null;
  pending: Buffer | null;
  framesSent: number;
  framesDropped: number;
}

interface SourceEntry {
  source: CameraStreamSource;
  views: Set<number>;
  lingerTimer: TimerHandle | null;
}

export interface LiveStats {
  sources: number;
  views: number;
  clients: number;
}

/**
 * Live view for the wall: one pull per camera stream (shared), one decoder per view, and flow
 * control per view: a frame goes to the page only when the page acknowledged the previous one;
 * meanwhile only the newest frame is kept. A slow page therefore sees fewer frames, never older ones.
 */
export class LiveService {
  private readonly cameras: Map<string, Camera>;
  private readonly sources = new Map<string, SourceEntry>();
  private readonly clients = new Map<string, LiveClient>();
  private readonly views = new Map<number, View>();
  private readonly statusListeners = new Set<(status: StreamStatus) => void>();
  private nextViewId = 1;
  private stopped = false;

  constructor(
    site: Site,
    private readonly deps: {
      ffmpeg: FfmpegInfo | null;
      clock: Clock;
      log: Logger;
      registry?: ProcessRegistry;
      demoClip: (camera: Camera, stream: StreamKind) => Promise<string>;
    },
    private readonly options: LiveServiceOptions = DEFAULT_LIVE_OPTIONS,
  ) {
    this.cameras = new Map(site.cameras.map((camera) => [camera.id, camera]));
  }

  onStatus(listener: (status: StreamStatus) => void): () => void {
    this.statusListeners.add(listener);
    return () => this.statusListeners.delete(listener);
  }

  /** Current status of every stream of every camera (idle when nobody pulls it). */
  statuses(): StreamStatus[] {
    const list: StreamStatus[] = [];
    for (const camera of this.cameras.values()) {
      for (const stream of ['main', 'sub'] as const) {
        if (stream === 'sub' && !camera.streams.sub) continue;
        const entry = this.sources.get(sourceKey(camera.id, stream));
        list.push(
          entry?.source.status ?? {
            cameraId: camera.id,
            stream,
            state: 'idle',
            sinceMs: this.deps.clock.now(),
            problem: null,
            codec: null,
            widthPx: null,
            heightPx: null,
          },
        );
      }
    }
    return list;
  }

  stats(): LiveStats {
    return { sources: this.sources.size, views: this.views.size, clients: this.clients.size };
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
  }

  hasClient(clientId: string): boolean {
    return this.clients.has(clientId);
  }

  openView(clientId: string, cameraId: string, stream: StreamKind, widthPx: number, heightPx: number): Result<{ viewId: number; status: StreamStatus }> {
    if (this.stopped) return fail('unavailable', 'live service stopped');
    const client = this.clients.get(clientId);
    if (!client) return fail('notFound', 'unknown live client');
    const camera = this.cameras.get(cameraId);
    if (!camera) return fail('notFound', `unknown camera ${cameraId}`);
    const effectiveStream: StreamKind = stream === 'sub' && !camera.streams.sub ? 'main' : stream;
    if (!this.deps.ffmpeg) return fail('unavailable', 'ffmpeg missing');

    const entry = this.acquireSource(camera, effectiveStream);
    const width = evenClamp(widthPx, 16, 3840);
    const height = evenClamp(heightPx, 16, 2160);
    const viewId = this.nextViewId++;
    const decoder = new LiveDecoder(entry.source, width, height, this.deps.ffmpeg, this.deps, (frame) => this.onFrame(viewId, frame));
    const view: View = {
      id: viewId,
      client,
      source: entry.source,
      decoder,
      widthPx: width,
      heightPx: height,
      seq: 0,
      inFlightSinceMono: null,
      pending: null,
      framesSent: 0,
      framesDropped: 0,
    };
    this.views.set(viewId, view);
    client.views.add(viewId);
    entry.views.add(viewId);
    decoder.start();
    return ok({ viewId, status: entry.source.status });
  }

  async closeView(viewId: number): Promise<Result<null>> {
    const view = this.views.get(viewId);
    if (!view) return fail('notFound', `unknown view ${viewId}`);
    this.views.delete(viewId);
    view.client.views.delete(viewId);
    view.pending = null;
    const entry = this.sources.get(view.source.key);
    await view.decoder.stop();
    if (entry) {
      entry.views.delete(viewId);
      if (entry.views.size === 0) this.scheduleRelease(entry);
    }
    return ok(null);
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

  /** PIDs of every ffmpeg this service runs (pulls and decoders), for tests and benchmarks. */
  pids(): { pulls: number[]; decoders: number[] } {
    const pulls = [...this.sources.values()].map((entry) => entry.source.pid).filter((pid): pid is number => pid !== null);
    const decoders = [...this.views.values()].map((view) => view.decoder.pid).filter((pid): pid is number => pid !== null);
    return { pulls, decoders };
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await Promise.all([...this.views.keys()].map((viewId) => this.closeView(viewId)));
    await Promise.all(
      [...this.sources.values()].map((entry) => {
        entry.lingerTimer?.cancel();
        return entry.source.stop();
      }),
    );
    this.sources.clear();
    this.clients.clear();
  }

  private acquireSource(camera: Camera, stream: StreamKind): SourceEntry {
    const key = sourceKey(camera.id, stream);
    let entry = this.sources.get(key);
    if (!entry) {
      const source = new CameraStreamSource(camera, stream, this.deps, this.options.source, (status) => this.emitStatus(status));
      entry = { source, views: new Set(), lingerTimer: null };
      this.sources.set(key, entry);
      source.start();
    }
    entry.lingerTimer?.cancel();
    entry.lingerTimer = null;
    return entry;
  }

  private scheduleRelease(entry: SourceEntry): void {
    entry.lingerTimer?.cancel();
    entry.lingerTimer = this.deps.clock.setTimeout(() => {
      entry.lingerTimer = null;
      if (entry.views.size > 0 || this.sources.get(entry.source.key) !== entry) return;
      this.sources.delete(entry.source.key);
      void entry.source.stop();
    }, this.options.lingerMs);
  }

  private emitStatus(status: StreamStatus): void {
    for (const listener of this.statusListeners) listener(status);
  }

  private onFrame(viewId: number, frame: Buffer): void {
    const view = this.views.get(viewId);
    if (!view) return;
    view.seq += 1;
    writeFrameHeader(frame, { viewId, seq: view.seq, width: view.widthPx, height: view.heightPx, decodedAtMs: this.deps.clock.now() });
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
