import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { CameraSummary, StreamStatus } from '../../common/contract';
import type { StreamKind } from '../../common/site';
import { formatTime } from '../../common/time';
import { DEFAULT_TIME_ZONE } from '../../common/site';
import { statusKey, useConsole } from '../store';
import { useRuntime } from '../runtime';
import type { GlWall } from './glWall';
import type { Rect } from './layouts';

const MAX_TILE_WIDTH = 1920;
const MAX_TILE_HEIGHT = 1080;

function evenPixels(cssPixels: number, max: number): number {
  const pixels = Math.min(max, Math.floor(cssPixels * (window.devicePixelRatio || 1)));
  return Math.max(16, pixels - (pixels % 2));
}

/** Opens a live view of the camera at exactly the tile's pixel size, and closes it when done. */
function useLiveView(cameraId: string | null, stream: StreamKind, widthPx: number, heightPx: number): number | null {
  const { client } = useRuntime();
  const liveClientId = useConsole((state) => state.liveClientId);
  const setStatus = useConsole((state) => state.setStatus);
  const [opened, setOpened] = useState<{ key: string; viewId: number } | null>(null);
  const key = `${liveClientId}|${cameraId}|${stream}`;

  useEffect(() => {
    if (!cameraId || !liveClientId) return;
    let cancelled = false;
    let opened: number | null = null;
    // Short delay: a window being resized reopens a view once, not on every pixel.
    const timer = window.setTimeout(() => {
      void client.call('openLive', { liveClientId, cameraId, stream, widthPx, heightPx }).then((result) => {
        if (!result.ok) return;
        if (cancelled) {
          void client.call('closeLive', { viewId: result.value.viewId });
          return;
        }
        opened = result.value.viewId;
        setOpened({ key, viewId: opened });
        setStatus(result.value.status);
      });
    }, 120);
    return () => {
      cancelled = true;
      window.clearTimeout(timer);
      if (opened !== null) void client.call('closeLive', { viewId: opened });
    };
  }, [client, liveClientId, cameraId, stream, widthPx, heightPx, setStatus, key]);

  // A view opened for another camera or an older socket is not this tile's view any more.
  return cameraId && liveClientId && opened?.key === key ? opened.viewId : null;
}

function StatusLine({ status, timeZone }: { status: StreamStatus | undefined; timeZone: string }) {
  const { t } = useTranslation();
  const state = status?.state ?? 'connecting';
  const since = status && (state === 'offline' || state === 'reconnecting') ? ` ${t('tile.since', { time: formatTime(status.sinceMs, timeZone) })}` : '';
  return (
    <span className={`tile-status tile-status-${state}`} data-state={state}>
      <span className="tile-dot" aria-hidden="true" />
      {t(`streamState.${state}`)}
      {since}
    </span>
  );
}

export function Tile({ tileKey, index, rect, camera, wall }: { tileKey: string; index: number; rect: Rect; camera: CameraSummary | null; wall: GlWall }) {
  const { t } = useTranslation();
  const stream: StreamKind = camera?.streams[0] ?? 'sub';
  const status = useConsole((state) => (camera ? state.statuses[statusKey(camera.id, stream)] : undefined));
  const timeZone = useConsole((state) => state.site?.timeZone ?? DEFAULT_TIME_ZONE);
  const widthPx = evenPixels(rect.width, MAX_TILE_WIDTH);
  const heightPx = evenPixels(rect.height, MAX_TILE_HEIGHT);
  const viewId = useLiveView(camera?.id ?? null, stream, widthPx, heightPx);
  const state = status?.state ?? 'connecting';
  const grey = state === 'offline' || state === 'reconnecting';
  const [hasPicture, setHasPicture] = useState(false);

  useEffect(() => {
    wall.setTile(tileKey, rect, camera ? viewId : null, grey);
  }, [wall, tileKey, rect, viewId, grey, camera]);

  useEffect(() => () => wall.removeTile(tileKey), [wall, tileKey]);

  useEffect(() => {
    const timer = window.setInterval(() => setHasPicture(wall.hasPicture(tileKey)), 500);
    return () => window.clearInterval(timer);
  }, [wall, tileKey]);

  const problem = status?.problem && state !== 'live' ? t(`streamProblems.${status.problem}`) : null;
  return (
    <div
      className={`tile tile-${state}`}
      style={{ left: rect.x, top: rect.y, width: rect.width, height: rect.height }}
      data-testid="tile"
      data-index={index}
      data-camera-id={camera?.id ?? ''}
      data-state={camera ? state : 'empty'}
      data-view-id={viewId ?? ''}
    >
      {camera ? (
        <>
          <div className="tile-top">
            <span className="tile-name" title={camera.name}>{camera.name}</span>
            {camera.village && <span className="tile-village">{camera.village}</span>}
          </div>
          {!hasPicture && state === 'live' && <div className="tile-center">{t('tile.noPicture')}</div>}
          {problem && <div className="tile-center tile-problem">{problem}</div>}
          <div className="tile-bottom">
            <StatusLine status={status} timeZone={timeZone} />
          </div>
        </>
      ) : (
        <div className="tile-center tile-empty">{t('tile.empty')}</div>
      )}
    </div>
  );
}
