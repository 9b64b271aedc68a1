import type { PlaybackState, TimeRange } from '../../../common/playbackContract';
import type { TimerHandle } from '../util/clock';
import { PlaybackTileReader, type SessionDeps, type TileSetup } from './tileReader';

export type { SessionDeps, TileSetup };

/** How often the clock is applied to the tiles while playing. */
const TICK_MS = 10;
/** How often the state goes to the UIs while playing (the timeline's cursor). */
const STATE_PERIOD_MS = 250;
/** From this speed on, only keyframes are decoded (16 tiles x 16 x 15 fps would need 4 cores). */
export const KEYFRAMES_ONLY_FROM_SPEED = 8;

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
      const target = await leading.frameBefore(leading.shownMs ?? atMs, -frames);
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
