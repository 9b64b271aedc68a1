import { useEffect, useMemo, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { CameraSummary } from '../../common/contract';
import type { ConsoleDiagnostics } from '../../common/diagnostics';
import type { PlaybackState } from '../../common/playbackContract';
import { formatDateTime } from '../../common/time';
import type { GlWall, TileRect } from '../services/glWall';
import { useElementSize, useGlWall } from '../services/useGlWall';
import type { TileWish } from './usePlaybackSession';

/** Tile rectangles of an n x n grid (1, 4, 9, 16 tiles), 2 px apart. */
export function gridRects(layout: number, width: number, height: number, gap = 2): TileRect[] {
  const side = Math.round(Math.sqrt(layout));
  const cellWidth = (width - gap * (side - 1)) / side;
  const cellHeight = (height - gap * (side - 1)) / side;
  const rects: TileRect[] = [];
  for (let index = 0; index < side * side; index++) {
    const column = index % side;
    const row = Math.floor(index / side);
    rects.push({ x: Math.round(column * (cellWidth + gap)), y: Math.round(row * (cellHeight + gap)), width: Math.floor(cellWidth), height: Math.floor(cellHeight) });
  }
  return rects;
}

function evenPixels(cssPixels: number, max: number): number {
  const pixels = Math.min(max, Math.floor(cssPixels * (window.devicePixelRatio || 1)));
  return Math.max(16, pixels - (pixels % 2));
}

/** What each tile asks the core for: its camera at its exact pixel size (as live tiles do). */
export function tileWishes(cameraIds: string[], rects: TileRect[]): TileWish[] {
  return cameraIds.slice(0, rects.length).map((cameraId, index) => ({ cameraId, widthPx: evenPixels(rects[index]!.width, 3840), heightPx: evenPixels(rects[index]!.height, 2160) }));
}

/** The same read-only figures as the live wall (bench:playback reads frames drawn per view). */
function playbackDiagnostics(wall: GlWall): ConsoleDiagnostics {
  return { renderer: wall.renderer, stats: () => wall.stats(), probeLatency: () => undefined, takeLatencySamples: () => [] };
}

interface Props {
  cameraIds: string[];
  cameras: CameraSummary[];
  layout: number;
  state: PlaybackState | null;
  timeZone: string;
  selectedCamera: string | null;
  onSelect(cameraId: string): void;
  onTiles(wishes: TileWish[]): void;
}

/**
 * The playback wall: the live wall's drawing (one WebGL2 canvas, GlWall, frames acknowledged once
 * drawn) for the session's views. A tile whose camera has no footage at the clock hides its last
 * picture and says so.
 */
export function PlaybackWall({ cameraIds, cameras, layout, state, timeZone, selectedCamera, onSelect, onTiles }: Props) {
  const { t } = useTranslation();
  const containerRef = useRef<HTMLDivElement>(null);
  const [canvas, setCanvas] = useState<HTMLCanvasElement | null>(null);
  const size = useElementSize(containerRef);
  const { wall } = useGlWall(canvas, { diagnostics: playbackDiagnostics, size });
  useEffect(() => wall?.resize(size.width, size.height), [wall, size]);

  const rects = useMemo(() => (size.width > 0 ? gridRects(layout, size.width, size.height) : []), [layout, size]);
  const wishKey = JSON.stringify(tileWishes(cameraIds, rects));
  useEffect(() => onTiles(JSON.parse(wishKey) as TileWish[]), [wishKey, onTiles]);

  // a tile keeps its textures (its last picture) across state updates: setTile only says which
  // view it shows; tiles are removed when the layout shrinks or the page goes
  const viewKey = rects.map((_, index) => {
    const tile = state?.tiles[index];
    return tile && tile.cameraId === cameraIds[index] ? tile.viewId : 0;
  });
  const viewKeyText = viewKey.join(',');
  useEffect(() => {
    if (!wall) return;
    const views = viewKeyText.split(',').map(Number);
    rects.forEach((rect, index) => wall.setTile(`pb-${index}`, rect, views[index] ? views[index]! : null, null, false));
  }, [wall, rects, viewKeyText]);
  useEffect(() => {
    if (!wall) return;
    const count = rects.length;
    return () => {
      for (let index = 0; index < count; index++) wall.removeTile(`pb-${index}`);
    };
  }, [wall, rects.length]);

  return (
    <div className="pb-wall" ref={containerRef} data-testid="pb-wall" data-session-id={state?.sessionId ?? ''}>
      <canvas className="pb-canvas" ref={setCanvas} style={{ width: size.width, height: size.height }} />
      {rects.map((rect, index) => {
        const cameraId = cameraIds[index] ?? null;
        const camera = cameras.find((entry) => entry.id === cameraId);
        const tile = state?.tiles[index] && state.tiles[index].cameraId === cameraId ? state.tiles[index] : undefined;
        const tileState = tile?.state ?? 'loading';
        return (
          <div
            key={index}
            className={`pb-tile${cameraId && cameraId === selectedCamera ? ' pb-tile-selected' : ''}${tileState === 'noFootage' ? ' pb-tile-nofootage' : ''}`}
            style={{ left: rect.x, top: rect.y, width: rect.width, height: rect.height }}
            data-testid="pb-tile"
            data-camera-id={cameraId ?? ''}
            data-state={cameraId ? tileState : 'empty'}
            data-frame-ms={tile?.frameMs ?? ''}
            data-view-id={tile?.viewId ?? ''}
            onClick={() => cameraId && onSelect(cameraId)}
          >
            {cameraId && (
              <>
                <div className="pb-tile-top">
                  <span className="pb-tile-name">{camera?.name ?? cameraId}</span>
                </div>
                {tileState !== 'playing' && (
                  <div className="pb-tile-center">
                    {tileState === 'noFootage' ? t('playback.noFootage') : tileState === 'error' ? t('playback.tileError') : t('playback.loading')}
                  </div>
                )}
                <div className="pb-tile-bottom">
                  <span className="pb-tile-clock">{tile?.frameMs && tileState !== 'noFootage' ? formatDateTime(tile.frameMs, timeZone) : ''}</span>
                </div>
              </>
            )}
          </div>
        );
      })}
    </div>
  );
}
