import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { DEFAULT_TIME_ZONE } from '../../common/site';
import { PLAYBACK_SPEEDS, type Bookmark, type PlaybackControl, type Timeline as TimelineData, type TimeRange } from '../../common/playbackContract';
import { formatDateTime, parseTypedDateTime } from '../../common/time';
import { useConsole } from '../store';
import { useRuntime } from '../runtime';
import { openExport } from '../services/exportDraft';
import { playbackExportRange } from '../services/exportRange';
import { BookmarkDialog, BookmarkList } from './BookmarkPanel';
import { layoutFor, usePlaybackUi } from './playbackStore';
import { PlaybackWall } from './PlaybackWall';
import { Timeline } from './Timeline';
import { usePlaybackSession, type TileWish } from './usePlaybackSession';
import { startOfDay, TIMELINE_SPANS_MS, DAY_MS } from './timeMath';

const LAYOUTS = [1, 4, 9, 16] as const;

/** The PC clock, for handlers (typed times without a date mean today). */
function currentTimeMs(): number {
  return Date.now();
}
const SPEED_LABELS: Record<number, string> = { 0.25: '¼×', 0.5: '½×', 1: '1×', 2: '2×', 4: '4×', 8: '8×', 16: '16×' };

function PlayIcon({ playing }: { playing: boolean }) {
  return (
    <svg width="16" height="16" viewBox="0 0 24 24" aria-hidden="true">
      {playing ? <path d="M7 5h3v14H7z M14 5h3v14h-3z" fill="currentColor" /> : <path d="M7 4l13 8-13 8z" fill="currentColor" />}
    </svg>
  );
}

function StepIcon({ back }: { back: boolean }) {
  return (
    <svg width="16" height="16" viewBox="0 0 24 24" aria-hidden="true">
      {back ? <path d="M6 5h2v14H6z M19 5L9 12l10 7z" fill="currentColor" /> : <path d="M16 5h2v14h-2z M5 5l10 7-10 7z" fill="currentColor" />}
    </svg>
  );
}

/**
 * "Xem lại": cameras picked on the left, a wall of 1/4/9/16 tiles following one clock, the
 * controls (play, pause, frame step, speed ¼× to 16×, go to a typed date and time, today,
 * yesterday, snapshot, bookmark), and the timeline of the wall and of each camera.
 */
export function PlaybackPage() {
  const { t } = useTranslation();
  const { client } = useRuntime();
  const cameras = useConsole((state) => state.cameras);
  const liveClientId = useConsole((state) => state.liveClientId);
  const timeZone = useConsole((state) => state.site?.timeZone ?? DEFAULT_TIME_ZONE);
  const request = usePlaybackUi((state) => state.request);
  const selection = usePlaybackUi((state) => state.selection);
  const layout = usePlaybackUi((state) => state.layout);
  const canExport = useConsole((state) => state.session?.permissions.includes('export') ?? false);
  const ui = usePlaybackUi.getState;

  // what the page starts on: the last request (bookmark, replay), else a minute ago
  const [start] = useState(() => ({ atMs: request?.atMs ?? Date.now() - 60_000, play: request?.play ?? false, revision: request?.revision ?? 0 }));
  const target = request ?? { atMs: start.atMs, play: start.play, revision: start.revision, cameraIds: [], replay: null };
  useEffect(() => {
    if (request && request.cameraIds.length > 0) {
      ui().setSelection(request.cameraIds);
      ui().setLayout(layoutFor(request.cameraIds.length));
    } else if (ui().selection.length === 0 && cameras.length > 0) {
      ui().setSelection(cameras.slice(0, 4).map((camera) => camera.id));
    }
  }, [request, cameras, ui]);

  const [wishes, setWishes] = useState<TileWish[]>([]);
  const session = usePlaybackSession(client, liveClientId, wishes, target.atMs, target.play, target.revision);
  const { state, control, positionAt } = session;
  const [selectedCamera, setSelectedCamera] = useState<string | null>(null);
  const shownCameras = selection.slice(0, layout);
  const focusCamera = selectedCamera && shownCameras.includes(selectedCamera) ? selectedCamera : (shownCameras[0] ?? null);

  // the timeline's window: an hour by default; it follows the clock when the clock leaves it
  const [chosenView, setView] = useState(() => ({ fromMs: start.atMs - 30 * 60_000, toMs: start.atMs + 30 * 60_000 }));
  const position = state?.positionMs ?? null;
  const view = useMemo(() => {
    if (position === null || (position >= chosenView.fromMs && position <= chosenView.toMs)) return chosenView;
    const span = chosenView.toMs - chosenView.fromMs;
    return { fromMs: position - span / 2, toMs: position + span / 2 };
  }, [chosenView, position]);

  const [timeline, setTimeline] = useState<TimelineData | null>(null);
  /** The range marked on the timeline (Shift + drag): what "Trích xuất đoạn này" takes first. */
  const [marked, setMarked] = useState<TimeRange | null>(null);
  const [timelineRevision, setTimelineRevision] = useState(0);
  useEffect(() => client.onEvent((envelope) => {
    if (envelope.event === 'bookmarksChanged') setTimelineRevision((value) => value + 1);
  }), [client]);
  useEffect(() => {
    const timer = window.setInterval(() => setTimelineRevision((value) => value + 1), 10_000);
    return () => window.clearInterval(timer);
  }, []);
  const timelineKey = `${Math.round(view.fromMs)}:${Math.round(view.toMs)}:${shownCameras.join(',')}:${timelineRevision}`;
  useEffect(() => {
    if (shownCameras.length === 0) return;
    const span = view.toMs - view.fromMs;
    // ask a little more than shown, so a small scroll needs no new request
    const timer = window.setTimeout(() => {
      void client.call('getTimeline', { cameraIds: shownCameras, fromMs: Math.max(0, Math.round(view.fromMs - span / 4)), toMs: Math.round(view.toMs + span / 4) }).then((result) => {
        if (result.ok) setTimeline(result.value);
      });
    }, 100);
    return () => window.clearTimeout(timer);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [client, timelineKey]);

  // scrubbing: one seek at a time, the newest wanted position next
  const scrub = useRef<{ inFlight: boolean; next: number | null }>({ inFlight: false, next: null });
  const seek = useCallback(
    (atMs: number) => {
      const scrubbing = scrub.current;
      const run = (target: number): void => {
        scrubbing.inFlight = true;
        void control({ action: 'seek', atMs: Math.max(0, Math.round(target)) }).finally(() => {
          scrubbing.inFlight = false;
          const next = scrubbing.next;
          scrubbing.next = null;
          if (next !== null) run(next);
        });
      };
      if (scrubbing.inFlight) scrubbing.next = atMs;
      else run(atMs);
    },
    [control],
  );

  const act = useCallback((body: PlaybackControl) => void control(body), [control]);
  const [goTo, setGoTo] = useState('');
  const [goToError, setGoToError] = useState<string | null>(null);
  const [bookmarkAt, setBookmarkAt] = useState<number | null>(null);

  function goToTyped(): void {
    const atMs = parseTypedDateTime(goTo, timeZone, currentTimeMs());
    if (atMs === null) {
      setGoToError(t('playback.badDateTime'));
      return;
    }
    setGoToError(null);
    jump(atMs);
  }

  function jump(atMs: number, span?: number): void {
    const width = span ?? view.toMs - view.fromMs;
    setView({ fromMs: atMs - width / 2, toMs: atMs + width / 2 });
    seek(atMs);
  }

  function day(daysBack: number): void {
    const dayStart = startOfDay(currentTimeMs(), timeZone, daysBack);
    setView({ fromMs: dayStart, toMs: dayStart + DAY_MS });
    seek(dayStart);
  }

  function openBookmark(bookmark: Bookmark): void {
    ui().ask({ cameraIds: bookmark.cameraIds.slice(0, 16), atMs: bookmark.startMs, play: false, replay: null });
    const span = Math.max(TIMELINE_SPANS_MS[7], (bookmark.endMs - bookmark.startMs) * 3);
    setView({ fromMs: bookmark.startMs - span / 3, toMs: bookmark.startMs - span / 3 + span });
  }

  async function snapshot(): Promise<void> {
    if (!state || !focusCamera) return;
    const result = await client.call('takePlaybackSnapshot', { sessionId: state.sessionId, cameraId: focusCamera });
    if (result.ok) useConsole.getState().toast('info', t('playback.snapshotSaved', { name: result.value.fileName }), result.value.fileName);
    else useConsole.getState().toast('error', t(`errors.${result.error.code}`));
  }

  /** "Trích xuất đoạn này": the cameras on the wall and the range the officer is looking at (playbackExportRange). */
  function exportThis(): void {
    if (shownCameras.length === 0) return;
    const atMs = positionAt(Date.now()) ?? position;
    const { startMs, endMs, rule } = playbackExportRange(view, atMs, Date.now(), marked);
    // coming back to Xem lại finds the same cameras and moment
    if (atMs !== null) ui().ask({ cameraIds: shownCameras, atMs, play: false, replay: null });
    openExport({ origin: { kind: 'playback', rule }, cameraIds: shownCameras, startMs, endMs });
  }

  function backToLive(): void {
    usePlaybackUi.setState({ request: null });
    useConsole.getState().setPage('wall');
  }

  // instant replay: back to the live wall at the moment the replay was asked, or on request
  const replay = request?.replay ?? null;
  useEffect(() => {
    if (replay && position !== null && (position >= replay.untilMs || state?.ended)) backToLive();
  }, [replay, position, state?.ended]);

  useEffect(() => {
    const onKey = (event: KeyboardEvent): void => {
      if (event.target instanceof HTMLInputElement || event.target instanceof HTMLTextAreaElement || bookmarkAt !== null) return;
      if (event.key === ' ') {
        event.preventDefault();
        act({ action: state?.playing ? 'pause' : 'play' });
      } else if (event.key === 'ArrowRight') act({ action: 'step', frames: 1 });
      else if (event.key === 'ArrowLeft') act({ action: 'step', frames: -1 });
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [act, state?.playing, bookmarkAt]);

  const toggleCamera = (cameraId: string): void => {
    const current = ui().selection;
    if (current.includes(cameraId)) ui().setSelection(current.filter((id) => id !== cameraId));
    else if (current.length < 16) {
      const next = [...current, cameraId];
      ui().setSelection(next);
      if (next.length > ui().layout) ui().setLayout(layoutFor(next.length));
    }
  };

  const rows = useMemo(() => shownCameras.map((cameraId) => ({ cameraId, name: cameras.find((camera) => camera.id === cameraId)?.name ?? cameraId })), [shownCameras, cameras]);
  const replayCamera = replay ? cameras.find((camera) => camera.id === replay.cameraId)?.name ?? replay.cameraId : '';

  return (
    <div className="pb-page" data-testid="playback-page">
      <aside className="pb-side">
        <div className="pb-side-title">{t('playback.cameras')}</div>
        <div className="pb-muted">{t('playback.camerasHint')}</div>
        <div className="pb-layouts">
          <span className="pb-muted">{t('playback.layout')}</span>
          {LAYOUTS.map((value) => (
            <button key={value} type="button" className={`tool${layout === value ? ' tool-active' : ''}`} onClick={() => ui().setLayout(value)} data-testid={`pb-layout-${value}`}>
              {value}
            </button>
          ))}
        </div>
        <ul className="pb-camera-list">
          {cameras.map((camera) => (
            <li key={camera.id}>
              <label className="pb-camera">
                <input type="checkbox" checked={selection.includes(camera.id)} onChange={() => toggleCamera(camera.id)} data-testid="pb-camera-check" data-camera-id={camera.id} />
                <span>{camera.name}</span>
              </label>
            </li>
          ))}
        </ul>
        <BookmarkList client={client} timeZone={timeZone} onOpen={openBookmark} />
      </aside>
      <section className="pb-main">
        {replay && (
          <div className="pb-replay-bar" data-testid="pb-replay-bar">
            <span>{t('playback.replayTitle', { camera: replayCamera })}</span>
            <button type="button" className="tool tool-active" onClick={backToLive} data-testid="pb-back-to-live">
              {t('playback.backToLive')}
            </button>
          </div>
        )}
        {session.error && <div className="banner banner-error" title={session.error.message}>{t('playback.failed', { message: t(`errors.${session.error.code}`) })}</div>}
        <div className="pb-wall-area">
          {shownCameras.length === 0 ? (
            <div className="pb-empty">{t('playback.noCamera')}</div>
          ) : (
            <PlaybackWall cameraIds={shownCameras} cameras={cameras} layout={layout} state={state} timeZone={timeZone} selectedCamera={focusCamera} onSelect={setSelectedCamera} onTiles={setWishes} />
          )}
          {/* over the wall, not in the controls bar: a note appearing must not resize the wall */}
          {(state?.skippedGap || state?.ended) && (
            <div className="pb-wall-notes" role="status">
              {state.skippedGap && (
                <span className="pb-skipped-note" data-testid="pb-skipped-note">
                  {t('playback.gapSkipped', { from: formatDateTime(state.skippedGap.startMs, timeZone), to: formatDateTime(state.skippedGap.endMs, timeZone) })}
                </span>
              )}
              {state.ended && <span className="pb-skipped-note">{t('playback.ended')}</span>}
            </div>
          )}
        </div>
        <div className="pb-controls" data-testid="pb-controls">
          <button type="button" className="tool" title={t('playback.stepBack')} onClick={() => act({ action: 'step', frames: -1 })} data-testid="pb-step-back">
            <StepIcon back />
          </button>
          <button type="button" className="tool pb-play" title={state?.playing ? t('playback.pause') : t('playback.play')} onClick={() => act({ action: state?.playing ? 'pause' : 'play' })} data-testid="pb-play" data-playing={state?.playing ? 'yes' : 'no'}>
            <PlayIcon playing={state?.playing ?? false} />
          </button>
          <button type="button" className="tool" title={t('playback.stepForward')} onClick={() => act({ action: 'step', frames: 1 })} data-testid="pb-step-forward">
            <StepIcon back={false} />
          </button>
          <label className="pb-speed">
            {t('playback.speed')}
            <select value={state?.speed ?? 1} onChange={(event) => act({ action: 'speed', speed: Number(event.target.value) as 1 })} data-testid="pb-speed">
              {PLAYBACK_SPEEDS.map((speed) => (
                <option key={speed} value={speed}>
                  {SPEED_LABELS[speed]}
                </option>
              ))}
            </select>
          </label>
          <span className="pb-position" data-testid="pb-position">
            {position !== null ? formatDateTime(position, timeZone) : '—'}
          </span>
          <span className="pb-spacer" />
          <form
            className="pb-goto"
            onSubmit={(event) => {
              event.preventDefault();
              goToTyped();
            }}
          >
            <input className="pb-input" value={goTo} onChange={(event) => setGoTo(event.target.value)} placeholder={t('playback.goToPlaceholder')} aria-label={t('playback.goTo')} data-testid="pb-goto" />
            <button type="submit" className="tool" data-testid="pb-goto-button">
              {t('playback.goToButton')}
            </button>
          </form>
          <button type="button" className="tool" onClick={() => day(0)} data-testid="pb-today">
            {t('playback.today')}
          </button>
          <button type="button" className="tool" onClick={() => day(1)} data-testid="pb-yesterday">
            {t('playback.yesterday')}
          </button>
          <button type="button" className="tool" onClick={() => void snapshot()} disabled={!state} data-testid="pb-snapshot">
            {t('playback.snapshot')}
          </button>
          <button type="button" className="tool" onClick={() => setBookmarkAt(positionAt(Date.now()))} disabled={!state} data-testid="pb-bookmark-add">
            {t('playback.bookmarkAdd')}
          </button>
          {canExport && (
            <button type="button" className="tool pb-export" onClick={exportThis} disabled={shownCameras.length === 0} title={t('playback.exportRangeTitle')} data-testid="pb-export">
              {t('playback.exportRange')}
            </button>
          )}
        </div>
        {goToError && <div className="pb-error">{goToError}</div>}
        <Timeline
          rows={rows}
          data={timeline}
          fromMs={view.fromMs}
          toMs={view.toMs}
          timeZone={timeZone}
          skippedGap={state?.skippedGap ?? null}
          positionAt={positionAt}
          onSeek={seek}
          onScrub={seek}
          onWindow={(fromMs, toMs) => setView({ fromMs, toMs })}
          onBookmark={openBookmark}
          marked={marked}
          onMark={setMarked}
        />
      </section>
      {bookmarkAt !== null && (
        <BookmarkDialog client={client} cameraIds={shownCameras.length > 0 ? shownCameras : [focusCamera ?? cameras[0]!.id]} atMs={bookmarkAt} timeZone={timeZone} onClose={() => setBookmarkAt(null)} />
      )}
    </div>
  );
}
