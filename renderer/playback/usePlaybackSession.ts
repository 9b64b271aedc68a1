import { useCallback, useEffect, useMemo, useState } from 'react';
import type { PlaybackControl, PlaybackState } from '../../common/playbackContract';
import type { ContractError } from '../../common/result';
import type { CoreClient } from '../transport/coreClient';

export interface TileWish {
  cameraId: string;
  widthPx: number;
  heightPx: number;
}

export interface PlaybackSessionApi {
  state: PlaybackState | null;
  /** A refused open or control: its code is what the page says (the message is for the log). */
  error: ContractError | null;
  control(control: PlaybackControl): Promise<void>;
  /** The clock now, moved on locally between the core's state messages while playing. */
  positionAt(nowMs: number): number | null;
}

/**
 * A tile whose size changed by less than this (per side) keeps its session: the GPU stretches the
 * decoded picture that little. A note appearing in the controls bar wraps it onto a second line
 * (the wall loses ~5 % of its height); reopening for that lost the session's skipped-gap mark and
 * restarted every decoder. A layout or window change is bigger and reopens at the same place.
 */
export const RESIZE_TOLERANCE = 0.1;
/** The page's tiles settle (a layout change resizes several times) before a session opens. */
const OPEN_DELAY_MS = 150;

/** The session opened for `opened` can show `wanted`: same cameras in the same order, about the same sizes. */
export function keepsSession(opened: readonly TileWish[], wanted: readonly TileWish[]): boolean {
  const near = (was: number, now: number): boolean => Math.abs(now - was) <= was * RESIZE_TOLERANCE;
  return (
    opened.length === wanted.length &&
    opened.every((tile, index) => {
      const other = wanted[index]!;
      return tile.cameraId === other.cameraId && near(tile.widthPx, other.widthPx) && near(tile.heightPx, other.heightPx);
    })
  );
}

interface Opened {
  liveClientId: string;
  wishes: TileWish[];
}

/**
 * One playback session on the core for the page's tiles (no React in here: the unit tests drive
 * it): opened when the tiles are known, opened again (at the same place, same speed, still
 * playing) when the cameras or the tiles' sizes change, closed when the page goes. A control asked
 * while a session is being (re)opened waits for it and goes to the new session: it is never lost,
 * nor sent to a session being closed.
 */
export class PlaybackSessionLink {
  private sessionId: string | null = null;
  private latest: { state: PlaybackState | null; receivedAtMs: number } = { state: null, receivedAtMs: 0 };
  private resume: { atMs: number; playing: boolean; speed: number };
  private opened: Opened | null = null;
  /** Resolves when the session being opened is there (or its opening was given up). */
  private opening: { promise: Promise<void>; done: () => void; timer: ReturnType<typeof setTimeout> | null } | null = null;
  private generation = 0;

  constructor(
    private readonly client: CoreClient,
    private readonly onState: (state: PlaybackState) => void,
    private readonly onError: (error: ContractError | null) => void,
    startAtMs: number,
    startPlaying: boolean,
    private readonly now: () => number = Date.now,
  ) {
    this.resume = { atMs: startAtMs, playing: startPlaying, speed: 1 };
  }

  /** The state of the session shown (call results and `playbackState` events). */
  accept(next: PlaybackState): void {
    if (next.sessionId !== this.sessionId) return;
    const current = this.latest.state;
    if (current && current.sessionId === next.sessionId && next.revision < current.revision) return;
    this.latest = { state: next, receivedAtMs: this.now() };
    this.resume = { atMs: next.positionMs, playing: next.playing, speed: next.speed };
    this.onState(next);
  }

  /** The page's tiles: a session for them, kept when only their sizes moved a little. */
  setTiles(liveClientId: string | null, wishes: TileWish[]): void {
    if (!liveClientId || wishes.length === 0) {
      this.close();
      return;
    }
    const opened = this.opened;
    if (opened && opened.liveClientId === liveClientId && keepsSession(opened.wishes, wishes)) return;
    this.close();
    this.opened = { liveClientId, wishes };
    const generation = this.generation;
    let done = (): void => undefined;
    const promise = new Promise<void>((resolve) => (done = resolve));
    const opening = { promise, done, timer: null as ReturnType<typeof setTimeout> | null };
    this.opening = opening;
    opening.timer = setTimeout(() => {
      opening.timer = null;
      const { atMs, playing, speed } = this.resume;
      void this.client.call('openPlayback', { liveClientId, tiles: wishes, atMs: Math.max(0, Math.round(atMs)), speed: speed as 1, play: playing }).then((result) => {
        if (generation !== this.generation) {
          // given up meanwhile (other tiles, page gone): nobody shows this one
          if (result.ok) void this.client.call('closePlayback', { sessionId: result.value.sessionId });
          return;
        }
        this.opening = null;
        if (result.ok) {
          this.onError(null);
          this.sessionId = result.value.sessionId;
          this.accept(result.value);
        } else {
          this.onError(result.error);
        }
        done();
      });
    }, OPEN_DELAY_MS);
  }

  /** A new request (bookmark, go to, replay) moves the clock without reopening. */
  request(atMs: number, play: boolean): void {
    this.resume = { ...this.resume, atMs, playing: play };
    if (!this.sessionId && !this.opening) return;
    void this.control({ action: 'seek', atMs: Math.round(atMs) }).then(() => (play ? this.control({ action: 'play' }) : undefined));
  }

  async control(body: PlaybackControl): Promise<void> {
    // (a session replaced while the call ran did not keep what it did: the new one is asked)
    for (let attempt = 0; attempt < 3; attempt++) {
      while (this.opening) await this.opening.promise;
      const sessionId = this.sessionId;
      if (!sessionId) {
        // no session (no tiles yet): where the next one opens
        if (body.action === 'seek') this.resume = { ...this.resume, atMs: body.atMs };
        if (body.action === 'play' || body.action === 'pause') this.resume = { ...this.resume, playing: body.action === 'play' };
        return;
      }
      const result = await this.client.call('controlPlayback', { sessionId, control: body });
      if (sessionId !== this.sessionId) continue;
      if (result.ok) this.accept(result.value);
      else this.onError(result.error);
      return;
    }
  }

  positionAt(nowMs: number): number | null {
    const { state: current, receivedAtMs } = this.latest;
    if (!current) return null;
    return current.playing ? current.positionMs + (nowMs - receivedAtMs) * current.speed : current.positionMs;
  }

  /** Closes the session (or gives up the one being opened); the next setTiles opens a new one. */
  close(): void {
    this.generation += 1;
    this.opened = null;
    const opening = this.opening;
    this.opening = null;
    if (opening) {
      if (opening.timer !== null) clearTimeout(opening.timer);
      opening.done();
    }
    const sessionId = this.sessionId;
    this.sessionId = null;
    if (sessionId) void this.client.call('closePlayback', { sessionId });
  }
}

/**
 * The page's playback session (PlaybackSessionLink): the state comes back with every call and as
 * `playbackState` events.
 */
export function usePlaybackSession(client: CoreClient, liveClientId: string | null, tiles: TileWish[], startAtMs: number, startPlaying: boolean, startRevision: number): PlaybackSessionApi {
  const [state, setState] = useState<PlaybackState | null>(null);
  const [error, setError] = useState<ContractError | null>(null);
  // (the first request is where the first session opens; later ones move its clock)
  const [first] = useState({ atMs: startAtMs, playing: startPlaying });
  const link = useMemo(() => new PlaybackSessionLink(client, setState, setError, first.atMs, first.playing), [client, first]);
  const key = JSON.stringify(tiles);

  useEffect(() => client.onEvent((envelope) => {
    if (envelope.event === 'playbackState') link.accept(envelope.payload);
  }), [client, link]);

  useEffect(() => link.request(startAtMs, startPlaying), [link, startAtMs, startPlaying, startRevision]);

  useEffect(() => link.setTiles(liveClientId, JSON.parse(key) as TileWish[]), [link, liveClientId, key]);
  useEffect(() => () => link.close(), [link]);

  const control = useCallback((body: PlaybackControl) => link.control(body), [link]);
  const positionAt = useCallback((nowMs: number) => link.positionAt(nowMs), [link]);
  return { state, error, control, positionAt };
}
