import { useCallback, useEffect, useRef, useState } from 'react';
import type { PlaybackControl, PlaybackState } from '../../common/playbackContract';
import type { CoreClient } from '../transport/coreClient';

export interface TileWish {
  cameraId: string;
  widthPx: number;
  heightPx: number;
}

export interface PlaybackSessionApi {
  state: PlaybackState | null;
  error: string | null;
  control(control: PlaybackControl): Promise<void>;
  /** The clock now, moved on locally between the core's state messages while playing. */
  positionAt(nowMs: number): number | null;
}

/**
 * One playback session on the core for the page's tiles: opened when the tiles are known, opened
 * again (at the same place, same speed, still playing) when they change, closed when the page
 * goes. The state comes back with every call and as `playbackState` events.
 */
export function usePlaybackSession(client: CoreClient, liveClientId: string | null, tiles: TileWish[], startAtMs: number, startPlaying: boolean, startRevision: number): PlaybackSessionApi {
  const [state, setState] = useState<PlaybackState | null>(null);
  const [error, setError] = useState<string | null>(null);
  const sessionRef = useRef<string | null>(null);
  const latest = useRef<{ state: PlaybackState | null; receivedAtMs: number }>({ state: null, receivedAtMs: 0 });
  const resume = useRef<{ atMs: number; playing: boolean; speed: number }>({ atMs: startAtMs, playing: startPlaying, speed: 1 });
  const key = JSON.stringify(tiles);

  const accept = useCallback((next: PlaybackState) => {
    if (next.sessionId !== sessionRef.current) return;
    const current = latest.current.state;
    if (current && current.sessionId === next.sessionId && next.revision < current.revision) return;
    latest.current = { state: next, receivedAtMs: Date.now() };
    resume.current = { atMs: next.positionMs, playing: next.playing, speed: next.speed };
    setState(next);
  }, []);

  useEffect(() => client.onEvent((envelope) => {
    if (envelope.event === 'playbackState') accept(envelope.payload);
  }), [client, accept]);

  // a new request (bookmark, go to, replay) moves the clock without reopening
  useEffect(() => {
    resume.current = { ...resume.current, atMs: startAtMs, playing: startPlaying };
    const sessionId = sessionRef.current;
    if (!sessionId) return;
    void client.call('controlPlayback', { sessionId, control: { action: 'seek', atMs: Math.round(startAtMs) } }).then((result) => {
      if (result.ok) accept(result.value);
      if (startPlaying) void client.call('controlPlayback', { sessionId, control: { action: 'play' } }).then((played) => played.ok && accept(played.value));
    });
  }, [client, startAtMs, startPlaying, startRevision, accept]);

  useEffect(() => {
    const wishes = JSON.parse(key) as TileWish[];
    if (!liveClientId || wishes.length === 0) return;
    let cancelled = false;
    const timer = window.setTimeout(() => {
      const { atMs, playing, speed } = resume.current;
      void client
        .call('openPlayback', { liveClientId, tiles: wishes, atMs: Math.max(0, Math.round(atMs)), speed: speed as 1, play: playing })
        .then((result) => {
          if (!result.ok) {
            setError(result.error.message);
            return;
          }
          if (cancelled) {
            void client.call('closePlayback', { sessionId: result.value.sessionId });
            return;
          }
          setError(null);
          sessionRef.current = result.value.sessionId;
          accept(result.value);
        });
    }, 150);
    return () => {
      cancelled = true;
      window.clearTimeout(timer);
      const sessionId = sessionRef.current;
      sessionRef.current = null;
      if (sessionId) void client.call('closePlayback', { sessionId });
    };
  }, [client, liveClientId, key, accept]);

  const control = useCallback(
    async (body: PlaybackControl) => {
      const sessionId = sessionRef.current;
      if (!sessionId) {
        if (body.action === 'seek') resume.current = { ...resume.current, atMs: body.atMs };
        return;
      }
      const result = await client.call('controlPlayback', { sessionId, control: body });
      if (result.ok) accept(result.value);
      else setError(result.error.message);
    },
    [client, accept],
  );

  const positionAt = useCallback((nowMs: number) => {
    const { state: current, receivedAtMs } = latest.current;
    if (!current) return null;
    return current.playing ? current.positionMs + (nowMs - receivedAtMs) * current.speed : current.positionMs;
  }, []);

  return { state, error, control, positionAt };
}
