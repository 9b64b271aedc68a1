import type { Camera, Site, StreamKind } from '../../../common/site';
import type { StreamStatus } from '../../../common/contract';
import type { TimerHandle } from '../util/clock';
import { nextRevision } from '../util/revision';
import { CameraStreamSource, sourceKey, type SourceDeps, type SourceOptions } from './source';

interface HubEntry {
  source: CameraStreamSource;
  users: number;
  lingerTimer: TimerHandle | null;
  rateBytes: number;
  rateAtMono: number;
  kbps: number;
}

/**
 * Every camera stream the console pulls, one pull each, shared by whoever needs it: live views,
 * warm-ups, snapshots and the recorder. A stream is pulled while it has users, then stays warm
 * for `lingerMs` (so a tile that comes back starts at once), then stops.
 */
export class SourceHub {
  private readonly cameras: Map<string, Camera>;
  private readonly entries = new Map<string, HubEntry>();
  private readonly statusListeners = new Set<(status: StreamStatus) => void>();
  private stopped = false;

  constructor(
    site: Site,
    private readonly deps: SourceDeps,
    private readonly options: { source: SourceOptions; lingerMs: number },
  ) {
    this.cameras = new Map(site.cameras.map((camera) => [camera.id, camera]));
  }

  camera(cameraId: string): Camera | undefined {
    return this.cameras.get(cameraId);
  }

  allCameras(): Camera[] {
    return [...this.cameras.values()];
  }

  /** A camera added while running (devices page, issue 5): its pulls start when something asks. */
  addCamera(camera: Camera): void {
    if (!this.cameras.has(camera.id)) this.cameras.set(camera.id, camera);
  }

  onStatus(listener: (status: StreamStatus) => void): () => void {
    this.statusListeners.add(listener);
    return () => this.statusListeners.delete(listener);
  }

  /** Takes a share of a stream's pull (starting it if needed). Give it back with release(). */
  acquire(camera: Camera, stream: StreamKind): CameraStreamSource {
    if (this.stopped) throw new Error('source hub stopped');
    const key = sourceKey(camera.id, stream);
    let entry = this.entries.get(key);
    if (!entry) {
      const source = new CameraStreamSource(camera, stream, this.deps, this.options.source, (status) => this.emit(status));
      entry = { source, users: 0, lingerTimer: null, rateBytes: 0, rateAtMono: this.deps.clock.monotonic(), kbps: 0 };
      this.entries.set(key, entry);
      source.start();
    }
    entry.users += 1;
    entry.lingerTimer?.cancel();
    entry.lingerTimer = null;
    return entry.source;
  }

  release(source: CameraStreamSource): void {
    const entry = this.entries.get(source.key);
    if (!entry || entry.source !== source) return;
    entry.users = Math.max(0, entry.users - 1);
    if (entry.users > 0 || this.stopped) return;
    entry.lingerTimer?.cancel();
    entry.lingerTimer = this.deps.clock.setTimeout(() => {
      entry.lingerTimer = null;
      if (entry.users > 0 || this.entries.get(source.key) !== entry) return;
      this.entries.delete(source.key);
      void source.stop();
    }, this.options.lingerMs);
  }

  get(cameraId: string, stream: StreamKind): CameraStreamSource | undefined {
    return this.entries.get(sourceKey(cameraId, stream))?.source;
  }

  /** Current status of every stream of every camera (idle when nobody pulls it). */
  statuses(): StreamStatus[] {
    const list: StreamStatus[] = [];
    for (const camera of this.cameras.values()) {
      for (const stream of ['main', 'sub'] as const) {
        if (stream === 'sub' && !camera.streams.sub) continue;
        const entry = this.entries.get(sourceKey(camera.id, stream));
        list.push(
          entry?.source.status ?? { cameraId: camera.id, stream, state: 'idle', sinceMs: this.deps.clock.now(), problem: null, codec: null, widthPx: null, heightPx: null, revision: nextRevision() },
        );
      }
    }
    return list;
  }

  /** Measures each pull's bitrate; call about once a second. */
  measure(): void {
    const now = this.deps.clock.monotonic();
    for (const entry of this.entries.values()) {
      const elapsed = now - entry.rateAtMono;
      if (elapsed < 1000) continue;
      entry.kbps = ((entry.source.bytesIn - entry.rateBytes) * 8) / elapsed;
      entry.rateBytes = entry.source.bytesIn;
      entry.rateAtMono = now;
    }
  }

  rates(): { cameraId: string; stream: StreamKind; kbps: number; users: number }[] {
    return [...this.entries.values()].map((entry) => ({ cameraId: entry.source.camera.id, stream: entry.source.stream, kbps: entry.kbps, users: entry.users }));
  }

  get size(): number {
    return this.entries.size;
  }

  pids(): number[] {
    return [...this.entries.values()].map((entry) => entry.source.pid).filter((pid): pid is number => pid !== null);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await Promise.all(
      [...this.entries.values()].map((entry) => {
        entry.lingerTimer?.cancel();
        return entry.source.stop();
      }),
    );
    this.entries.clear();
  }

  private emit(status: StreamStatus): void {
    for (const listener of this.statusListeners) listener(status);
  }
}
