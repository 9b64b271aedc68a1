import { TileAddons } from './TileAddons';
import { useEffect, useMemo, useRef, useState, type DragEvent, type PointerEvent, type WheelEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { StreamKind } from '../../common/site';
import { DEFAULT_TIME_ZONE } from '../../common/site';
import { formatTime } from '../../common/time';
import { statusKey, useConsole } from '../store';
import { useRuntime } from '../runtime';
import { Icon } from '../components/Icon';
import { NO_ZOOM, type GlWall, type TileZoom } from '../services/glWall';
import { zoomAt } from './zoom';
import type { Rect } from '../util/layouts';
import { chooseStream } from './streamChoice';
import { TileViewController, type TileViews } from '../services/tileViewController';
import { CAMERA_DRAG_TYPE, TILE_DRAG_TYPE } from '../util/dragTypes';
import { takeSnapshot } from './snapshot';
import { formatDecimal } from '../util/format';

const MAX_TILE_WIDTH = 3840;
const MAX_TILE_HEIGHT = 2160;
/** No new frame for this long, with the camera connected: the tile says its picture is frozen. */
const FROZEN_AFTER_MS = 4000;

function evenPixels(cssPixels: number, max: number): number {
  const pixels = Math.min(max, Math.floor(cssPixels * (window.devicePixelRatio || 1)));
  return Math.max(16, pixels - (pixels % 2));
}

export interface TileProps {
  index: number;
  tileKey: string;
  rect: Rect;
  cameraId: string | null;
  maximized: boolean;
  wall: GlWall;
  /** Registers this tile's handler for "next view drew its first frame". */
  onPromotion: (tileKey: string, handler: ((viewId: number) => void) | null) => void;
  onEditTour: (index: number) => void;
}

export function Tile({ index, tileKey, rect, cameraId, maximized, wall, onPromotion, onEditTour }: TileProps) {
  const { t, i18n } = useTranslation();
  const { client } = useRuntime();
  const camera = useConsole((state) => (cameraId ? state.cameras.find((entry) => entry.id === cameraId) : undefined));
  const liveClientId = useConsole((state) => state.liveClientId);
  const visible = useConsole((state) => state.visible);
  const showStats = useConsole((state) => state.showStats);
  const selected = useConsole((state) => state.selectedTile === index);
  const tour = useConsole((state) => state.wall.tileTours[index]);
  const recordingState = useConsole((state) => (cameraId ? state.recording[cameraId]?.state : undefined));
  const timeZone = useConsole((state) => state.site?.timeZone ?? DEFAULT_TIME_ZONE);
  const store = useConsole.getState;
  const [views, setViews] = useState<TileViews>({ viewId: null, nextViewId: null, stream: null, error: null });
  const [zoom, setZoom] = useState<TileZoom>(NO_ZOOM);
  const [dropTarget, setDropTarget] = useState(false);
  const [drawn, setDrawn] = useState({ hasPicture: false, lastDrawnAtMs: 0, lastDecodedAtMs: 0, quietForMs: 0 });
  const pan = useRef<{ x: number; y: number; zoom: TileZoom } | null>(null);

  const widthPx = evenPixels(rect.width, MAX_TILE_WIDTH);
  const heightPx = evenPixels(rect.height, MAX_TILE_HEIGHT);
  const subWidth = useConsole((state) => (cameraId ? (state.statuses[statusKey(cameraId, 'sub')]?.widthPx ?? null) : null));
  const stream: StreamKind = camera
    ? chooseStream({ available: camera.streams, tileWidthPx: widthPx, maximized, subWidthPx: subWidth, current: views.stream })
    : 'sub';
  const shownStream = views.stream ?? stream;
  const status = useConsole((state) => (cameraId ? state.statuses[statusKey(cameraId, shownStream)] : undefined));
  const health = useConsole((state) => (views.viewId !== null ? state.viewHealth[views.viewId] : undefined));
  const stats = useConsole((state) => (showStats ? state.liveStats : null));

  const controller = useMemo(() => new TileViewController(client, setViews), [client]);
  useEffect(() => () => controller.dispose(), [controller]);
  useEffect(() => {
    onPromotion(tileKey, (viewId) => controller.promoted(viewId));
    return () => onPromotion(tileKey, null);
  }, [controller, onPromotion, tileKey]);

  // What the tile wants, debounced a little: a window being resized reopens a view once. The
  // first view is asked for at once (a fresh page's wall: bench:open).
  useEffect(() => {
    const desired = cameraId && liveClientId && visible ? { liveClientId, cameraId, stream, widthPx, heightPx } : null;
    const timer = window.setTimeout(() => controller.update(desired), desired && controller.hasView ? 120 : 0);
    return () => window.clearTimeout(timer);
  }, [controller, cameraId, liveClientId, visible, stream, widthPx, heightPx]);

  // A different camera starts unzoomed.
  const [zoomCamera, setZoomCamera] = useState(cameraId);
  if (zoomCamera !== cameraId) {
    setZoomCamera(cameraId);
    setZoom(NO_ZOOM);
  }

  const state = cameraId ? (status?.state ?? 'connecting') : 'idle';
  // The page's own check, whatever the core says: no frame drawn for a while means frozen.
  const frozenLocally = state === 'live' && drawn.hasPicture && drawn.lastDrawnAtMs > 0 && drawn.quietForMs > FROZEN_AFTER_MS;
  const stalled = state === 'live' && (health?.health === 'stalled' || frozenLocally);
  const grey = state === 'offline' || state === 'reconnecting' || stalled;

  useEffect(() => {
    wall.setTile(tileKey, rect, cameraId ? views.viewId : null, cameraId ? views.nextViewId : null, grey, zoom);
  }, [wall, tileKey, rect, views, grey, zoom, cameraId]);
  useEffect(() => () => wall.removeTile(tileKey), [wall, tileKey]);

  useEffect(() => {
    const timer = window.setInterval(() => {
      const last = wall.lastDrawn(views.viewId);
      const lastDrawnAtMs = last?.lastDrawnAtMs ?? 0;
      setDrawn({ hasPicture: wall.hasPicture(tileKey), lastDrawnAtMs, lastDecodedAtMs: last?.lastDecodedAtMs ?? 0, quietForMs: lastDrawnAtMs ? Date.now() - lastDrawnAtMs : 0 });
    }, 500);
    return () => window.clearInterval(timer);
  }, [wall, tileKey, views.viewId]);

  function onDragOver(event: DragEvent): void {
    const types = event.dataTransfer.types;
    if (types.includes(CAMERA_DRAG_TYPE) || types.includes(TILE_DRAG_TYPE)) {
      event.preventDefault();
      event.dataTransfer.dropEffect = types.includes(CAMERA_DRAG_TYPE) ? 'copy' : 'move';
      setDropTarget(true);
    }
  }

  function onDrop(event: DragEvent): void {
    event.preventDefault();
    setDropTarget(false);
    const droppedCamera = event.dataTransfer.getData(CAMERA_DRAG_TYPE);
    const fromTile = event.dataTransfer.getData(TILE_DRAG_TYPE);
    if (droppedCamera) store().assign(index, droppedCamera);
    else if (fromTile !== '' && Number(fromTile) !== index) store().swap(Number(fromTile), index);
  }

  function onWheel(event: WheelEvent): void {
    if (!cameraId) return;
    const bounds = event.currentTarget.getBoundingClientRect();
    setZoom((current) => zoomAt(current, (event.clientX - bounds.left) / bounds.width, (event.clientY - bounds.top) / bounds.height, event.deltaY < 0));
  }

  function onPointerDown(event: PointerEvent): void {
    if (zoom.scale <= 1 || event.button !== 0) return;
    event.currentTarget.setPointerCapture(event.pointerId);
    pan.current = { x: event.clientX, y: event.clientY, zoom };
  }

  function onPointerMove(event: PointerEvent): void {
    const start = pan.current;
    if (!start) return;
    const dx = (event.clientX - start.x) / rect.width / start.zoom.scale;
    const dy = (event.clientY - start.y) / rect.height / start.zoom.scale;
    const half = 0.5 / start.zoom.scale;
    setZoom({
      scale: start.zoom.scale,
      centerX: Math.max(half, Math.min(1 - half, start.zoom.centerX - dx)),
      centerY: Math.max(half, Math.min(1 - half, start.zoom.centerY - dy)),
    });
  }

  const viewStats = stats?.views.find((entry) => entry.viewId === views.viewId);
  const streamStats = stats?.streams.find((entry) => entry.cameraId === cameraId && entry.stream === shownStream);
  const problem = (() => {
    if (!cameraId) return null;
    if (views.error) return t(`errors.${views.error.code}`);
    if (state !== 'live') return status?.problem ? t(`streamProblems.${status.problem}`) : null;
    if (stalled) {
      const since = health?.health === 'stalled' ? health.sinceMs : drawn.lastDrawnAtMs;
      const why = health?.problem ? ` — ${t(`viewProblems.${health.problem}`)}` : '';
      return `${t('tile.frozen', { time: formatTime(since, timeZone) })}${why}`;
    }
    if (!drawn.hasPicture) return health?.problem ? t(`viewProblems.${health.problem}`) : t('tile.waiting');
    return null;
  })();
  const since = status && (state === 'offline' || state === 'reconnecting') ? ` ${t('tile.since', { time: formatTime(status.sinceMs, timeZone) })}` : '';

  return (
    <div
      className={`tile tile-${state}${rect.width < 300 ? ' tile-small' : ''}${stalled ? ' tile-stalled' : ''}${selected ? ' tile-selected' : ''}${dropTarget ? ' tile-drop' : ''}${zoom.scale > 1 ? ' tile-zoomed' : ''}`}
      style={{ left: rect.x, top: rect.y, width: rect.width, height: rect.height }}
      data-testid="tile"
      data-index={index}
      data-camera-id={cameraId ?? ''}
      data-state={cameraId ? (stalled ? 'stalled' : state) : 'empty'}
      data-view-id={views.viewId ?? ''}
      data-stream={views.stream ?? ''}
      data-picture={drawn.hasPicture ? 'yes' : 'no'}
      onClick={() => store().selectTile(index)}
      onDoubleClick={() => store().toggleMaximized(index)}
      onDragOver={onDragOver}
      onDragLeave={() => setDropTarget(false)}
      onDrop={onDrop}
      onWheel={onWheel}
      onPointerDown={onPointerDown}
      onPointerMove={onPointerMove}
      onPointerUp={() => (pan.current = null)}
    >
      {camera ? (
        <>
          <div className="tile-top">
            <span
              className="tile-name"
              title={`${camera.name} — ${t('tile.dragHint')}`}
              draggable
              onDragStart={(event) => {
                event.dataTransfer.setData(TILE_DRAG_TYPE, String(index));
                event.dataTransfer.effectAllowed = 'move';
              }}
            >
              {camera.name}
            </span>
            {camera.village && <span className="tile-village">{camera.village}</span>}
            {tour && <span className="tile-badge">{t('tile.tourBadge', { seconds: tour.intervalS })}</span>}
            {recordingState === 'recording' && <span className="tile-rec" title={t('recording.dot')} aria-label={t('recording.dot')} data-testid="rec-dot" />}
            {recordingState === 'diskFull' && <span className="tile-badge tile-badge-warn">{t('recording.states.diskFull')}</span>}
          </div>
          <div className="tile-tools" onDoubleClick={(event) => event.stopPropagation()}>
            {zoom.scale > 1 && (
              <button type="button" title={t('tile.zoomReset')} aria-label={t('tile.zoomReset')} onClick={() => setZoom(NO_ZOOM)}>
                <Icon name="zoomReset" />
              </button>
            )}
            <button type="button" title={t('tile.snapshot')} aria-label={t('tile.snapshot')} data-action="snapshot" onClick={() => void takeSnapshot(client, camera.id, shownStream)}>
              <Icon name="camera" />
            </button>
            <button type="button" title={t('tile.tour')} aria-label={t('tile.tour')} onClick={() => onEditTour(index)}>
              <Icon name="tour" />
            </button>
            <button type="button" title={maximized ? t('tile.restore') : t('tile.maximize')} aria-label={maximized ? t('tile.restore') : t('tile.maximize')} data-action="maximize" onClick={() => store().toggleMaximized(index)}>
              <Icon name={maximized ? 'restore' : 'maximize'} />
            </button>
            <button
              type="button"
              title={t('tile.fullscreen')}
              aria-label={t('tile.fullscreen')}
              onClick={() => {
                if (!maximized) store().toggleMaximized(index);
                void document.querySelector('.wall-area')?.requestFullscreen?.();
              }}
            >
              <Icon name="fullscreen" />
            </button>
            <button type="button" title={t('tile.clear')} aria-label={t('tile.clear')} onClick={() => store().assign(index, null)}>
              <Icon name="close" />
            </button>
          </div>
          {problem && <div className="tile-center tile-problem">{problem}</div>}
          <TileAddons index={index} camera={camera} selected={selected} maximized={maximized} width={rect.width} height={rect.height} />
          <div className="tile-bottom">
            <span className={`tile-status tile-status-${stalled ? 'stalled' : state}`}>
              <span className="tile-dot" aria-hidden="true" />
              {t(`streamState.${state}`)}
              {since}
            </span>
            {showStats && (
              <span className="tile-stats">
                {t(shownStream === 'main' ? 'tile.main' : 'tile.sub')} · {status?.codec ?? '—'} {status?.widthPx ? `${status.widthPx}×${status.heightPx}` : ''} ·{' '}
                {t('stats.line', { fps: formatDecimal(viewStats?.fps ?? 0, i18n.language), kbps: streamStats?.kbps ?? 0 })}
              </span>
            )}
            {drawn.lastDecodedAtMs > 0 && state === 'live' && <span className="tile-clock">{formatTime(drawn.lastDecodedAtMs, timeZone)}</span>}
          </div>
        </>
      ) : (
        <div className="tile-center tile-empty">{t('tile.empty')}</div>
      )}
    </div>
  );
}
