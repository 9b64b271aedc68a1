import type { PlaybackState, PlaybackTile, PlaybackTileState, TimeRange } from '../../../common/playbackContract';
import type { StreamKind } from '../../../common/site';
import type { Clock, TimerHandle } from '../util/clock';
import type { Logger } from '../log/logger';
import type { FfmpegInfo } from '../ffmpeg/probe';
import type { ProcessRegistry } from '../ffmpeg/supervisor';
import type { FedView } from '../media/liveService';
import { DecodeRun } from './decodeRun';
import type { Footage, FootageFinder } from './footage';
import { keyframeBefore, type SegmentScanCache } from './segmentScan';

/** How often the clock is applied to the tiles while playing. */
const TICK_MS = 10;
/** How often the state goes to the UIs while playing (the timeline's cursor). */
const STATE_PERIOD_MS = 250;
/** From this speed on, only keyframes are decoded (16 tiles x 16 x 15 fps would need 4 cores). */
export const KEYFRAMES_ONLY_FROM_SPEED = 8;
/** A decoder silent this long: show the newest frame not later than the clock without waiting for the next. */
const STUCK_AFTER_MS = 600;
/** Frame times this close count as the same time (as `firstTimeAfter` and the frame index do). */
const SAME_TIME_MS = 0.5;
/**
 * The same after a seek, before its picture: the frame index already tells which decoded frame
 * is the one, so this only matters for a decoder that lost frames (on a loaded machine a healthy
 * decoder can pause 600 ms between two pictures, and the picture before the target would show).
 */
const STUCK_AFTER_SEEK_MS = 2500;
/** How far ahead to look for a tile's next footage. */
const HORIZON_MS = 7 * 24 * 3600 * 1000;

export interface SessionDeps {
  clock: Clock;
  log: Logger;
  registry?: ProcessRegistry | undefined;
  ffmpeg: FfmpegInfo;
  footage: FootageFinder;
  scans: SegmentScanCache;
  /** Keeps segment files (absolute paths) from retention while a run reads them, as export does; returns the release. */
  pin?: (files: readonly string[]) => () => void;
}

export interface TileSetup {
  cameraId: string;
  stream: StreamKind;
  widthPx: number;
  heightPx: number;
  view: FedView;
}

interface QueuedFrame {
  wallMs: number;
  frame: Buffer;
}

/**
 * One tile of a playback session: decodes its camera's footage from the session's clock on,
 * keeps a few decoded frames ahead, and shows the newest frame not later than the clock.
 */
class PlaybackTileReader {
  private runs: DecodeRun[] = [];
  private queue: QueuedFrame[] = [];
  shownMs: number | null = null;
  /** The footage being played (null: none at or after the clock). */
  private current: Footage | null = null;
  /** The footage of the newest decode run, and the recorded time of its last frame. */
  private lastFootage: Footage | null = null;
  private lastRunEndMs = 0;
  private lastFootageLookupMono = -Infinity;
  state: PlaybackTileState = 'loading';
  /** A decoder of this tile ended without any picture, twice (reset by a seek). */
  private undecodable = false;
  /** Monotonic ms when the last seek asked, and how long until its frame was shown. */
  seekAskedAtMono: number | null = null;
  lastSeekLatencyMs: number | null = null;
  private generation = 0;
  /** When the last picture came out of a decoder (monotonic ms), and its recorded time. */
  private lastDecodedAtMono: number | null = null;
  private lastDecodedWallMs: number | null = null;
  /** Playing faster than this machine decodes: this tile decodes keyframes only until the next seek. */
  private behind = false;
  private lastCatchUpMono = -Infinity;

  constructor(
    readonly setup: TileSetup,
    private readonly session: PlaybackSession,
    private readonly deps: SessionDeps,
  ) {}

  /** Throws away everything decoded and starts decoding at `atMs`. */
  async seek(atMs: number, keyframesOnly: boolean, keepPicture = false): Promise<void> {
    this.generation += 1;
    const runs = this.runs;
    this.runs = [];
    this.queue = [];
    if (!keepPicture) {
      this.shownMs = null;
      this.behind = false;
    }
    this.lastDecodedWallMs = null;
    this.lastDecodedAtMono = this.deps.clock.monotonic();
    this.lastFootage = null;
    this.undecodable = false;
    this.seekAskedAtMono = this.deps.clock.monotonic();
    const stopping = Promise.all(runs.map((run) => this.stopRun(run)));
    this.current = this.deps.footage.atOrAfter(this.setup.cameraId, this.setup.stream, atMs, HORIZON_MS);
    this.lastFootageLookupMono = this.deps.clock.monotonic();
    this.state = this.current && this.current.startMs <= atMs ? 'loading' : 'noFootage';
    if (this.current) this.startRun(this.current, Math.max(0, atMs - this.current.startMs), keyframesOnly);
    await stopping;
  }

  /** The footage at `atMs` or the next, as known now (looked up again now and then: the open segment grows). */
  footageAt(atMs: number): Footage | null {
    const now = this.deps.clock.monotonic();
    const current = this.current;
    const sinceLookup = now - this.lastFootageLookupMono;
    const inside = current !== null && current.startMs <= atMs && atMs < current.endMs;
    const ahead = current !== null && current.startMs > atMs;
    const fresh = sinceLookup < (current?.open ? 1000 : 5000);
    if ((inside || ahead) && fresh) return current;
    if (!inside && !ahead && sinceLookup < 200) return current;
    this.lastFootageLookupMono = now;
    this.current = this.deps.footage.atOrAfter(this.setup.cameraId, this.setup.stream, atMs, HORIZON_MS);
    return this.current;
  }

  hasFootageAt(atMs: number): boolean {
    const footage = this.footageAt(atMs);
    return footage !== null && footage.startMs <= atMs && atMs < footage.endMs;
  }

  /** First recorded time after `atMs` this tile could show (for skipping a gap of the whole wall). */
  nextFootageAfter(atMs: number): number | null {
    const footage = this.footageAt(atMs);
    return footage ? Math.max(footage.startMs, atMs) : null;
  }

  /** Applies the clock: shows the newest decoded frame not later than it; feeds the decoders. */
  present(clockMs: number): void {
    // times on the contract are whole ms, recorded frame times are not: a frame within half a
    // millisecond of the clock is at it (a seek to a frame's shown time shows that frame)
    const atMs = clockMs + SAME_TIME_MS;
    // The newest frame not later than the clock is only known once a later frame was decoded (or
    // nothing more is coming): after a seek the frames between the keyframe and the target are
    // decoded, never shown.
    // (a decoder that gave nothing for a while is not waited for: better the newest frame we have)
    // The segment's frame index says which frame comes next: a decoded frame whose next planned
    // frame is later than the clock is the one, without waiting for that next frame.
    const silentMs = this.lastDecodedAtMono === null ? 0 : this.deps.clock.monotonic() - this.lastDecodedAtMono;
    const waitedTooLong = silentMs > (this.seekAskedAtMono === null ? STUCK_AFTER_MS : STUCK_AFTER_SEEK_MS);
    const candidate = this.queue.filter((queued) => queued.wallMs <= atMs).at(-1);
    const final =
      this.runs.length === 0 ||
      waitedTooLong ||
      this.queue.some((queued) => queued.wallMs > atMs) ||
      (candidate !== undefined && this.nextPlannedAfter(candidate.wallMs) > atMs);
    let show: QueuedFrame | null = null;
    while (final && this.queue.length > 0 && this.queue[0]!.wallMs <= atMs) show = this.queue.shift()!;
    // the decoder could not give the frames before the clock (it lost its first keyframe): the
    // nearest later picture is better than none (its time is shown as it is)
    if (!show && this.shownMs === null && waitedTooLong && this.queue.length > 0 && this.queue[0]!.wallMs - atMs < 2000) show = this.queue.shift()!;
    if (show && (this.shownMs === null || show.wallMs > this.shownMs)) {
      this.setup.view.push(show.frame, show.wallMs);
      this.shownMs = show.wallMs;
      if (this.seekAskedAtMono !== null) {
        this.lastSeekLatencyMs = this.deps.clock.monotonic() - this.seekAskedAtMono;
        this.seekAskedAtMono = null;
      }
    }
    const inFootage = this.hasFootageAt(clockMs);
    this.state = !inFootage ? 'noFootage' : this.shownMs !== null && clockMs - this.shownMs < 2000 * Math.max(1, this.session.speed) ? 'playing' : this.undecodable ? 'error' : 'loading';
    this.catchUp(clockMs, inFootage);
    this.pump(clockMs);
  }

  /** Recorded time of the next frame any decoder of this tile will give after `wallMs` (-Infinity: none planned). */
  private nextPlannedAfter(wallMs: number): number {
    let next = Infinity;
    for (const run of this.runs) next = Math.min(next, run.plannedAfter(wallMs) ?? Infinity);
    return next === Infinity ? -Infinity : next;
  }

  /**
   * The clock ran away from this tile's decoder (more tiles x speed than the machine decodes):
   * start again just ahead of the clock, keyframes only, so the tile keeps moving with the wall
   * (fewer pictures) instead of showing nothing.
   */
  private catchUp(atMs: number, inFootage: boolean): void {
    if (!this.session.playing || !inFootage || this.session.speed <= 1) return;
    const now = this.deps.clock.monotonic();
    if (now - this.lastCatchUpMono < 2000) return;
    // (just sought: give the decoder a moment for its first picture)
    if (this.lastDecodedWallMs === null && now - (this.lastDecodedAtMono ?? now) < 1500) return;
    const decodedMs = this.lastDecodedWallMs ?? -Infinity;
    if (atMs - decodedMs < Math.max(1000, 500 * this.session.speed)) return;
    this.lastCatchUpMono = now;
    this.behind = true;
    this.deps.log.info('playback tile behind the clock: keyframes only', { cameraId: this.setup.cameraId, behindMs: Math.round(atMs - decodedMs), speed: this.session.speed });
    void this.seek(atMs + 500 * this.session.speed, true, true);
  }

  /** The recorded time of the k-th decoded frame after the shown one (frame step), if decoded. */
  frameAfter(atMs: number): number | null {
    return this.queue.find((queued) => queued.wallMs > atMs)?.wallMs ?? null;
  }

  /**
   * Recorded time of the frame `count` frames before the one at `atMs` (from the segments' frame
   * index; frames with the same time count once: a clock cannot show them apart).
   */
  frameBefore(atMs: number, count: number): number | null {
    let footage = this.deps.footage.atOrAfter(this.setup.cameraId, this.setup.stream, atMs, 1);
    let remaining = count;
    let current = atMs;
    for (let hops = 0; footage && hops < 8; hops++) {
      const scan = this.deps.scans.get(footage.file);
      if (!scan) return null;
      for (let index = scan.frames.length - 1; index >= 0; index--) {
        const time = footage.startMs + scan.frames[index]!.atMs;
        if (time >= current - 0.5) continue;
        remaining -= 1;
        current = time;
        if (remaining === 0) return time;
      }
      const startMs: number = footage.startMs;
      footage = this.deps.footage.between(this.setup.cameraId, this.setup.stream, startMs - 3600_000, startMs).filter((other) => other.endMs <= startMs + 1).at(-1) ?? null;
    }
    return null;
  }

  /** Keeps enough decoded frames ahead of the clock, and starts the next segment in time. */
  pump(atMs: number): void {
    const speed = this.session.speed;
    const wanted = Math.min(48, Math.max(6, Math.ceil(speed * 8)));
    const ahead = this.queue.length + this.runs.reduce((sum, run) => sum + run.pending, 0);
    const feeding = this.runs.find((run) => !run.allFed);
    if (feeding) {
      if (ahead < wanted) feeding.feed(wanted - ahead);
      return;
    }
    // everything of the current segment was fed: start the next one ahead of time
    // the next segment's decoder starts once this one gave its last picture: pictures then come
    // in order (a frame step or the clock never passes a picture still to come)
    const last = this.lastFootage;
    if (!last || this.runs.length > 0) return;
    const next = this.deps.footage.atOrAfter(this.setup.cameraId, this.setup.stream, last.open ? this.lastRunEndMs : last.endMs, HORIZON_MS);
    if (!next) return;
    if (last.open && next.startMs === last.startMs) {
      // the open segment grew since its run started (instant replay near the live edge), or was
      // closed meanwhile (renamed from .part, another file name): go on after the last frame fed
      if (this.framesAfter(next, this.lastRunEndMs)) this.startRun(next, this.lastRunEndMs - next.startMs + 1, this.session.keyframesOnly || this.behind);
      // (closed with nothing more: the segment after it comes next)
      else if (!next.open) this.lastFootage = next;
      return;
    }
    if (next.startMs - atMs > 60_000 * Math.max(1, speed)) return; // far away: when the clock comes closer
    this.startRun(next, 0, this.session.keyframesOnly || this.behind);
  }

  /** The footage has a frame after `wallMs` a run could decode (the open segment's last one may be half-written). */
  private framesAfter(footage: Footage, wallMs: number): boolean {
    const frames = this.deps.scans.get(footage.file)?.frames ?? [];
    const after = frames.filter((frame) => footage.startMs + frame.atMs > wallMs + 0.5).length;
    return after > (footage.open ? 1 : 0);
  }

  async close(): Promise<void> {
    this.generation += 1;
    const runs = this.runs;
    this.runs = [];
    this.queue = [];
    await Promise.all(runs.map((run) => this.stopRun(run)));
  }

  tile(): PlaybackTile {
    return { cameraId: this.setup.cameraId, stream: this.setup.stream, viewId: this.setup.view.viewId, state: this.state, frameMs: this.shownMs === null ? null : Math.round(this.shownMs) };
  }

  /** For the debug log: what the tile holds against the clock. */
  describe(atMs: number): Record<string, unknown> {
    return {
      cameraId: this.setup.cameraId,
      state: this.state,
      shownAgoMs: this.shownMs === null ? null : Math.round(atMs - this.shownMs),
      queue: this.queue.length,
      queueFromMs: this.queue.length > 0 ? Math.round(this.queue[0]!.wallMs - atMs) : null,
      queueToMs: this.queue.length > 0 ? Math.round(this.queue.at(-1)!.wallMs - atMs) : null,
      runs: this.runs.map((run) => ({ pending: run.pending, allFed: run.allFed })),
    };
  }

  /** The file and recorded time of the frame shown (snapshots). */
  shownFootage(): { footage: Footage; frameMs: number } | null {
    if (this.shownMs === null) return null;
    const footage = this.deps.footage.atOrAfter(this.setup.cameraId, this.setup.stream, this.shownMs, 1);
    return footage && footage.startMs <= this.shownMs ? { footage, frameMs: this.shownMs } : null;
  }

  private startRun(footage: Footage, offsetMs: number, keyframesOnly: boolean): void {
    const scan = this.deps.scans.get(footage.file);
    if (!scan) {
      this.deps.log.warn('unreadable segment', { file: footage.file });
      this.state = 'error';
      return;
    }
    const from = keyframeBefore(scan, offsetMs);
    const plan: number[] = [];
    for (let index = from; index < scan.frames.length; index++) if (!keyframesOnly || scan.frames[index]!.keyframe) plan.push(index);
    // the open segment's last frame may still be being written
    if (footage.open && plan.length > 1) plan.pop();
    if (plan.length === 0) return;
    this.lastFootage = footage;
    this.lastRunEndMs = footage.startMs + scan.frames[plan.at(-1)!]!.atMs;
    this.deps.log.debug('playback run', { cameraId: this.setup.cameraId, file: footage.file.split(/[\\/]/).at(-1), open: footage.open, fromMs: Math.round(footage.startMs + scan.frames[plan[0]!]!.atMs), toMs: Math.round(this.lastRunEndMs), frames: plan.length });
    const generation = this.generation;
    // the file stays on disk while the run reads it, whatever retention decides meanwhile
    const release = footage.open ? () => undefined : (this.deps.pin?.([footage.file]) ?? (() => undefined));
    const run = new DecodeRun(
      footage.file,
      footage.startMs,
      scan,
      plan,
      this.setup.widthPx,
      this.setup.heightPx,
      this.deps.ffmpeg,
      this.deps,
      (_run, wallMs, frame) => {
        if (generation !== this.generation) return;
        this.onDecoded(wallMs, frame);
      },
      (done) => {
        this.pinReleases.get(done)?.();
        this.pinReleases.delete(done);
        if (generation !== this.generation) return;
        // a decoder that gave no picture even when retried: the tile says so instead of loading
        if (done.noPicture) this.undecodable = true;
        this.runs = this.runs.filter((other) => other !== done);
        this.pump(this.session.position());
      },
    );
    this.pinReleases.set(run, release);
    this.runs.push(run);
  }

  private readonly pinReleases = new Map<DecodeRun, () => void>();

  private async stopRun(run: DecodeRun): Promise<void> {
    try {
      await run.stop();
    } finally {
      this.pinReleases.get(run)?.();
      this.pinReleases.delete(run);
    }
  }

  private onDecoded(wallMs: number, frame: Buffer): void {
    this.lastDecodedAtMono = this.deps.clock.monotonic();
    this.lastDecodedWallMs = wallMs;
    const atMs = this.session.position();
    // a frame older than the clock is only worth keeping if it is the newest such frame
    if (wallMs <= atMs + SAME_TIME_MS) {
      this.queue = this.queue.filter((queued) => queued.wallMs > wallMs || queued.wallMs > atMs + SAME_TIME_MS);
    }
    let index = this.queue.length;
    while (index > 0 && this.queue[index - 1]!.wallMs > wallMs) index -= 1;
    this.queue.splice(index, 0, { wallMs, frame });
    this.present(atMs);
  }
}

/**
 * Synchronized playback: one clock (position, speed, playing) for every tile. The core paces the
 * frames: every tick each tile shows its newest frame not later than the clock, on the live socket
 * (flow control as live: only the newest frame waits for the page's acknowledgement). A tile with
 * no footage at the clock says so (`noFootage`); when no tile has footage the clock jumps to the
 * next footage of any tile and reports the skipped gap.
 */
export class PlaybackSession {
  private readonly tiles: PlaybackTileReader[];
  private anchorPositionMs: number;
  private anchorMono: number;
  playing = false;
  speed = 1;
  private skippedGap: TimeRange | null = null;
  private ended = false;
  private timer: TimerHandle | null = null;
  private watchTimer: TimerHandle | null = null;
  private publishedSignature = '';
  private lastStateMono = -Infinity;
  private revision = 0;
  private closed = false;
  keyframesOnly = false;

  constructor(
    readonly sessionId: string,
    readonly liveClientId: string,
    setups: TileSetup[],
    private readonly deps: SessionDeps,
    private readonly emitState: (state: PlaybackState) => void,
  ) {
    this.tiles = setups.map((setup) => new PlaybackTileReader(setup, this, deps));
    this.scheduleWatch();
    this.anchorPositionMs = 0;
    this.anchorMono = deps.clock.monotonic();
  }

  get viewIds(): number[] {
    return this.tiles.map((tile) => tile.setup.view.viewId);
  }

  position(): number {
    if (!this.playing) return this.anchorPositionMs;
    return this.anchorPositionMs + (this.deps.clock.monotonic() - this.anchorMono) * this.speed;
  }

  async seek(atMs: number): Promise<void> {
    this.setAnchor(atMs);
    this.ended = false;
    this.skippedGap = null;
    await Promise.all(this.tiles.map((tile) => tile.seek(atMs, this.keyframesOnly)));
    // nothing at this moment on any tile: go to the next footage (the gap is marked)
    if (!this.tiles.some((tile) => tile.hasFootageAt(atMs))) this.skipGap(atMs);
    this.publish(true);
  }

  play(): void {
    if (this.playing) return;
    if (this.ended) return;
    this.setAnchor(this.position());
    this.playing = true;
    this.schedule();
    this.publish(true);
  }

  pause(): void {
    if (!this.playing) return;
    const atMs = this.position();
    this.playing = false;
    this.setAnchor(atMs);
    this.timer?.cancel();
    this.timer = null;
    // a frame that fell due since the last tick is shown now (else the wall would stop a frame short)
    for (const tile of this.tiles) tile.present(atMs);
    this.publish(true);
  }

  async setSpeed(speed: number): Promise<void> {
    const atMs = this.position();
    this.setAnchor(atMs);
    const keyframesOnly = speed >= KEYFRAMES_ONLY_FROM_SPEED;
    this.speed = speed;
    if (keyframesOnly !== this.keyframesOnly) {
      this.keyframesOnly = keyframesOnly;
      await Promise.all(this.tiles.map((tile) => tile.seek(atMs, keyframesOnly)));
    }
    this.publish(true);
  }

  /**
   * Pauses, then moves the clock by whole frames of the leading tile (the first with footage at
   * the clock; the other tiles follow the clock): forward through its decoded frames (shown once,
   * at the end), back to its n-th recorded frame before the picture (a seek: decoding goes
   * forward only).
   */
  async step(frames: number): Promise<void> {
    this.pause();
    const atMs = this.position();
    const leading = this.tiles.find((tile) => tile.hasFootageAt(atMs)) ?? this.tiles[0]!;
    if (frames > 0) {
      let target = leading.shownMs ?? atMs;
      for (let count = 0; count < frames; count++) {
        const next = await this.waitForNextFrame(leading, target);
        if (next === null) break;
        target = next;
      }
      this.setAnchor(target);
      for (const tile of this.tiles) tile.present(target);
    } else {
      const target = leading.frameBefore(leading.shownMs ?? atMs, -frames);
      if (target !== null) {
        await this.seek(target);
        await this.waitShown(3000);
      }
    }
    this.publish(true);
  }

  state(): PlaybackState {
    return {
      sessionId: this.sessionId,
      liveClientId: this.liveClientId,
      positionMs: Math.max(0, Math.round(this.position())),
      playing: this.playing,
      speed: this.speed,
      skippedGap: this.skippedGap,
      ended: this.ended,
      tiles: this.tiles.map((tile) => tile.tile()),
      revision: this.revision,
    };
  }

  describe(): Record<string, unknown>[] {
    const atMs = this.position();
    return this.tiles.map((tile) => tile.describe(atMs));
  }

  /** Latency of the last seek per tile (monotonic ms from the ask to the frame handed to the socket). */
  seekLatencies(): (number | null)[] {
    return this.tiles.map((tile) => tile.lastSeekLatencyMs);
  }

  tileOf(cameraId: string): PlaybackTileReader | undefined {
    return this.tiles.find((tile) => tile.setup.cameraId === cameraId);
  }

  /** Resolves when every tile with footage at the clock shows a frame (or after `timeoutMs`). */
  async waitShown(timeoutMs: number): Promise<void> {
    const deadline = this.deps.clock.monotonic() + timeoutMs;
    while (this.deps.clock.monotonic() < deadline && !this.closed) {
      const atMs = this.position();
      if (this.tiles.every((tile) => tile.shownMs !== null || !tile.hasFootageAt(atMs))) return;
      await new Promise<void>((resolve) => this.deps.clock.setTimeout(resolve, 10));
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    this.playing = false;
    this.timer?.cancel();
    this.timer = null;
    this.watchTimer?.cancel();
    this.watchTimer = null;
    await Promise.all(this.tiles.map((tile) => tile.close()));
  }

  private async waitForNextFrame(tile: PlaybackTileReader, atMs: number): Promise<number | null> {
    const deadline = this.deps.clock.monotonic() + 3000;
    while (this.deps.clock.monotonic() < deadline && !this.closed) {
      const next = tile.frameAfter(atMs);
      if (next !== null) return next;
      // nothing decoded after it: at the end of the footage there is no next frame
      if (!tile.hasFootageAt(atMs + 1) && tile.nextFootageAfter(atMs + 1) === null) return null;
      tile.pump(atMs);
      await new Promise<void>((resolve) => this.deps.clock.setTimeout(resolve, 10));
    }
    return null;
  }

  private setAnchor(atMs: number): void {
    this.anchorPositionMs = atMs;
    this.anchorMono = this.deps.clock.monotonic();
  }

  private skipGap(atMs: number): void {
    const nexts = this.tiles.map((tile) => tile.nextFootageAfter(atMs)).filter((value): value is number => value !== null && value > atMs);
    if (nexts.length === 0) {
      this.ended = this.tiles.every((tile) => tile.nextFootageAfter(atMs) === null);
      if (this.ended && this.playing) this.pause();
      return;
    }
    const toMs = Math.min(...nexts);
    this.skippedGap = { startMs: Math.round(atMs), endMs: Math.round(toMs) };
    this.deps.log.info('gap skipped', { sessionId: this.sessionId, fromMs: atMs, toMs });
    this.setAnchor(toMs);
  }

  /** Paused or playing: a tile still waiting for its picture is looked at again now and then. */
  private scheduleWatch(): void {
    this.watchTimer = this.deps.clock.setTimeout(() => {
      this.watchTimer = null;
      if (this.closed) return;
      if (!this.playing) {
        const atMs = this.position();
        for (const tile of this.tiles) tile.present(atMs);
        // paused: the UIs hear when a tile got its picture (or lost its footage) after a seek
        if (this.tilesSignature() !== this.publishedSignature) this.publish(true);
      }
      this.scheduleWatch();
    }, 100);
  }

  private schedule(): void {
    this.timer = this.deps.clock.setTimeout(() => {
      this.timer = null;
      if (!this.playing || this.closed) return;
      this.tick();
      if (this.playing) this.schedule();
    }, TICK_MS);
  }

  private tick(): void {
    const atMs = this.position();
    for (const tile of this.tiles) tile.present(atMs);
    if (!this.tiles.some((tile) => tile.hasFootageAt(atMs))) {
      this.skipGap(atMs);
      const toMs = this.position();
      if (toMs !== atMs) for (const tile of this.tiles) tile.present(toMs);
      this.publish(true);
      return;
    }
    this.publish(false);
  }

  private publish(force: boolean): void {
    const now = this.deps.clock.monotonic();
    if (!force && now - this.lastStateMono < STATE_PERIOD_MS) return;
    this.lastStateMono = now;
    this.revision += 1;
    this.publishedSignature = this.tilesSignature();
    this.emitState(this.state());
  }

  private tilesSignature(): string {
    return this.tiles.map((tile) => `${tile.state}:${tile.shownMs ?? ''}`).join('|');
  }
}
