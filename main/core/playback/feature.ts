import { randomUUID } from 'node:crypto';
import path from 'node:path';
import type { playbackMethods, PlaybackState } from '../../../common/playbackContract';
import { recordedStream, type StreamKind } from '../../../common/site';
import { fail, ok, type Result } from '../../../common/result';
import type { CoreFeature, FeatureDeps } from '../features';
import { BookmarkStore } from './bookmarkStore';
import { FootageFinder } from './footage';
import { PlaybackSession, type TileSetup } from './session';
import { SegmentScanCache } from './segmentScan';
import { cameraTimeline } from './timeline';
import { playbackSnapshot } from './snapshot';
import { actorOf } from '../api/dispatch';

let revisionCounter = 0;

/** Composition of the playback feature: creates its services and returns their handlers. */
export function createPlaybackFeature(deps: FeatureDeps): CoreFeature<typeof playbackMethods> & { sessions: Map<string, PlaybackSession> } {
  const scans = new SegmentScanCache();
  const footage = new FootageFinder(deps.recording.index, deps.recording.root, scans);
  const sessions = new Map<string, PlaybackSession>();
  let bookmarks: BookmarkStore | null = null;
  const store = (): BookmarkStore => (bookmarks ??= new BookmarkStore(path.join(deps.dataDir, 'bookmarks.sqlite')));
  const timeZone = deps.site.timeZone ?? 'Asia/Ho_Chi_Minh';

  const streamOf = (cameraId: string): StreamKind | null => {
    const camera = deps.site.cameras.find((candidate) => candidate.id === cameraId);
    return camera ? (recordedStream(camera) ?? 'main') : null;
  };
  const emitState = (state: PlaybackState): void => deps.emit({ event: 'playbackState', payload: state });
  const bookmarksChanged = (): void => deps.emit({ event: 'bookmarksChanged', payload: { revision: ++revisionCounter } });

  async function closeSession(sessionId: string): Promise<void> {
    const session = sessions.get(sessionId);
    if (!session) return;
    sessions.delete(sessionId);
    await session.close();
    for (const viewId of session.viewIds) await deps.live.closeView(viewId);
  }

  const withSession = <T>(sessionId: string, work: (session: PlaybackSession) => Promise<Result<T>> | Result<T>): Promise<Result<T>> | Result<T> => {
    const session = sessions.get(sessionId);
    return session ? work(session) : fail('notFound', `no playback session ${sessionId}`);
  };

  const unsubscribe = deps.onLiveClientGone((liveClientId) => {
    for (const session of [...sessions.values()]) if (session.liveClientId === liveClientId) void closeSession(session.sessionId);
  });

  return {
    sessions,
    handlers: {
      getTimeline({ cameraIds, fromMs, toMs }) {
        if (toMs <= fromMs) return fail('badRequest', 'toMs must be after fromMs');
        const cameras = [];
        for (const cameraId of cameraIds) {
          const stream = streamOf(cameraId);
          if (!stream) return fail('notFound', `unknown camera ${cameraId}`);
          const segments = footage.between(cameraId, stream, fromMs, toMs);
          const gaps = deps.recording.index.gaps(cameraId, stream, fromMs, toMs);
          cameras.push(cameraTimeline(cameraId, stream, segments, gaps, fromMs, toMs));
        }
        const marks = store()
          .list({ fromMs, toMs, limit: 1000 })
          .filter((bookmark) => bookmark.cameraIds.some((cameraId) => cameraIds.includes(cameraId)));
        return ok({ fromMs, toMs, cameras, bookmarks: marks });
      },

      async openPlayback({ liveClientId, tiles, atMs, speed, play }) {
        if (!deps.ffmpeg) return fail('unavailable', 'ffmpeg missing');
        if (!deps.live.hasClient(liveClientId)) return fail('notFound', 'unknown live client');
        const sessionId = randomUUID();
        const setups: TileSetup[] = [];
        for (const spec of tiles) {
          const stream = spec.stream ?? streamOf(spec.cameraId);
          if (!stream || !streamOf(spec.cameraId)) {
            for (const setup of setups) await deps.live.closeView(setup.view.viewId);
            return fail('notFound', `unknown camera ${spec.cameraId}`);
          }
          const view = deps.live.openFedView(liveClientId, spec.widthPx, spec.heightPx, () => undefined);
          if (!view.ok) {
            for (const setup of setups) await deps.live.closeView(setup.view.viewId);
            return view;
          }
          setups.push({ cameraId: spec.cameraId, stream, widthPx: spec.widthPx - (spec.widthPx % 2), heightPx: spec.heightPx - (spec.heightPx % 2), view: view.value });
        }
        const session = new PlaybackSession(sessionId, liveClientId, setups, {
            clock: deps.clock,
            log: deps.log,
            registry: deps.registry,
            ffmpeg: deps.ffmpeg,
            footage,
            scans,
            pin: (files) => deps.recording.storage.pin(files.map((file) => path.relative(deps.recording.root, file).split(path.sep).join('/'))),
          }, emitState);
        sessions.set(sessionId, session);
        if (speed) await session.setSpeed(speed);
        await session.seek(atMs);
        if (play) session.play();
        deps.log.info('playback opened', { sessionId, cameras: tiles.map((tile) => tile.cameraId), atMs });
        return ok(session.state());
      },

      controlPlayback({ sessionId, control }) {
        return withSession(sessionId, async (session) => {
          switch (control.action) {
            case 'play':
              session.play();
              break;
            case 'pause':
              session.pause();
              break;
            case 'seek':
              await session.seek(control.atMs);
              break;
            case 'speed':
              await session.setSpeed(control.speed);
              break;
            case 'step':
              await session.step(control.frames);
              break;
          }
          const state = session.state();
          deps.log.debug('playback control', { sessionId, action: control.action, positionMs: state.positionMs, tiles: state.tiles.map((tile) => tile.state) });
          return ok(state);
        });
      },

      getPlaybackState({ sessionId }) {
        return withSession(sessionId, (session) => {
          deps.log.debug('playback state', { sessionId, tiles: session.describe() });
          return ok(session.state());
        });
      },

      async closePlayback({ sessionId }) {
        if (!sessions.has(sessionId)) return fail('notFound', `no playback session ${sessionId}`);
        await closeSession(sessionId);
        return ok(null);
      },

      takePlaybackSnapshot({ sessionId, cameraId }) {
        return withSession(sessionId, async (session) => {
          const tile = session.tileOf(cameraId);
          const shown = tile?.shownFootage();
          if (!tile || !shown) return fail('unavailable', 'no frame shown for this camera');
          if (!deps.ffmpeg) return fail('unavailable', 'ffmpeg missing');
          // (an indexed segment: read from the keyframe before the frame shown; the snapshot needs no more)
          const scan = await scans.from(shown.footage, Math.max(0, shown.frameMs - shown.footage.startMs - 0.5));
          if (!scan) return fail('unavailable', 'unreadable segment');
          return playbackSnapshot({ ffmpeg: deps.ffmpeg, clock: deps.clock, log: deps.log, registry: deps.registry }, path.join(deps.dataDir, 'snapshots'), cameraId, shown.footage, scan, shown.frameMs, timeZone);
        });
      },

      addBookmark({ bookmark }, principal) {
        for (const cameraId of bookmark.cameraIds) if (!streamOf(cameraId)) return fail('notFound', `unknown camera ${cameraId}`);
        const added = store().add(bookmark, actorOf(principal), deps.clock.now());
        bookmarksChanged();
        return ok(added);
      },

      updateBookmark({ id, title, note }) {
        const updated = store().update(id, { title, note });
        if (!updated) return fail('notFound', `no bookmark ${id}`);
        bookmarksChanged();
        return ok(updated);
      },

      deleteBookmark({ id }) {
        if (!store().delete(id)) return fail('notFound', `no bookmark ${id}`);
        bookmarksChanged();
        return ok(null);
      },

      getBookmark({ id }) {
        const bookmark = store().get(id);
        return bookmark ? ok(bookmark) : fail('notFound', `no bookmark ${id}`);
      },

      listBookmarks(query) {
        return ok(store().list(query));
      },
    },
    async stop() {
      unsubscribe();
      await Promise.all([...sessions.keys()].map((sessionId) => closeSession(sessionId)));
      bookmarks?.close();
      bookmarks = null;
    },
  };
}
