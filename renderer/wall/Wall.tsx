import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { ConsoleDiagnostics } from '../../common/diagnostics';
import { MAP_TILE, useConsole } from '../store';
import type { GlWall } from '../services/glWall';
import { layoutById, tileRects, type Rect } from '../util/layouts';
import { Tile } from './Tile';
import { useTours } from './tours';
import { useElementSize, useGlWall } from '../services/useGlWall';
import { lazyPart } from '../components/lazyPart';

// The map (maplibre) in a tile: loaded only when a wall shows one.
const MapTile = lazyPart(() => import('../map/MapTile').then((module) => module.MapTile));

/** The live wall's figures for benchmarks: frames drawn per view, and the latency probe of a camera's tiles. */
function wallDiagnostics(wall: GlWall): ConsoleDiagnostics {
  return {
    renderer: wall.renderer,
    stats: () => wall.stats(),
    probeLatency: (cameraId) => {
      const viewIds = [...document.querySelectorAll<HTMLElement>('[data-testid=tile]')]
        .filter((element) => element.dataset.cameraId === cameraId && element.dataset.viewId)
        .map((element) => Number(element.dataset.viewId));
      wall.probeLatency(viewIds);
    },
    takeLatencySamples: () => wall.takeLatencySamples().map((sample) => sample.latencyMs),
  };
}

export function Wall({ onEditTour }: { onEditTour: (tile: number) => void }) {
  const containerRef = useRef<HTMLDivElement>(null);
  const [canvas, setCanvas] = useState<HTMLCanvasElement | null>(null);
  const layoutId = useConsole((state) => state.wall.layoutId);
  const maximized = useConsole((state) => state.wall.maximized);
  const tiles = useConsole((state) => state.wall.tiles);
  const [promotionHandlers] = useState(() => new Map<string, (viewId: number) => void>());
  useTours();

  // Escape restores a maximized tile (as double-click and the tile's button do); a dialog or a
  // text field keeps its own Escape.
  useEffect(() => {
    if (maximized === null) return;
    const onKey = (event: KeyboardEvent): void => {
      if (event.key !== 'Escape' || event.defaultPrevented) return;
      if (event.target instanceof HTMLInputElement || event.target instanceof HTMLTextAreaElement || document.querySelector('[role=dialog]')) return;
      useConsole.getState().toggleMaximized(maximized);
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [maximized]);

  const onPromoted = useCallback((tileKey: string, viewId: number) => promotionHandlers.get(tileKey)?.(viewId), [promotionHandlers]);
  const size = useElementSize(containerRef);
  const created = useGlWall(canvas, { diagnostics: wallDiagnostics, onPromoted, size });
  const wall = created.wall;

  useEffect(() => {
    wall?.resize(size.width, size.height);
  }, [wall, size]);

  const onPromotion = useCallback((tileKey: string, handler: ((viewId: number) => void) | null) => {
    if (handler) promotionHandlers.set(tileKey, handler);
    else promotionHandlers.delete(tileKey);
  }, [promotionHandlers]);

  const layout = layoutById(layoutId);
  const rects = useMemo(() => tileRects(layout, size.width, size.height), [layout, size]);
  const full: Rect = useMemo(() => ({ x: 0, y: 0, width: size.width, height: size.height }), [size]);
  // A maximized tile fills the wall; the other tiles of the layout are not shown, so not decoded.
  const shown = maximized !== null && maximized < rects.length ? [{ index: maximized, rect: full }] : rects.map((rect, index) => ({ index, rect }));

  return (
    <div className="wall" ref={containerRef} data-layout={layout.id} data-maximized={maximized ?? ''}>
      <canvas className="wall-canvas" ref={setCanvas} style={{ width: size.width, height: size.height }} />
      {created.error && <div className="banner banner-error">WebGL2: {created.error}</div>}
      {wall &&
        size.width > 0 &&
        shown.map(({ index, rect }) =>
          tiles[index] === MAP_TILE ? (
            <MapTile key={`map-${index}`} index={index} rect={rect} />
          ) : (
          <Tile
            key={`tile-${index}`}
            tileKey={`tile-${index}`}
            index={index}
            rect={rect}
            cameraId={tiles[index] ?? null}
            maximized={maximized === index}
            wall={wall}
            onPromotion={onPromotion}
            onEditTour={onEditTour}
          />
          ),
        )}
    </div>
  );
}
