import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { WithDiagnostics } from '../../common/diagnostics';
import { MAP_TILE, useConsole } from '../store';
import { MapTile } from '../map/MapTile';
import { useRuntime } from '../runtime';
import { GlWall } from './glWall';
import { layoutById, tileRects, type Rect } from './layouts';
import { Tile } from './Tile';
import { useTours } from './tours';

export function Wall({ onEditTour }: { onEditTour: (tile: number) => void }) {
  const runtime = useRuntime();
  const containerRef = useRef<HTMLDivElement>(null);
  const [canvas, setCanvas] = useState<HTMLCanvasElement | null>(null);
  const [size, setSize] = useState({ width: 0, height: 0 });
  const layoutId = useConsole((state) => state.wall.layoutId);
  const maximized = useConsole((state) => state.wall.maximized);
  const tiles = useConsole((state) => state.wall.tiles);
  const [promotionHandlers] = useState(() => new Map<string, (viewId: number) => void>());
  useTours();

  const created = useMemo(() => {
    if (!canvas) return null;
    try {
      const wall = new GlWall(
        canvas,
        (viewId, seq) => runtime.socket.ack(viewId, seq),
        (tileKey, viewId) => promotionHandlers.get(tileKey)?.(viewId),
      );
      return { wall, error: null };
    } catch (error) {
      return { wall: null, error: (error as Error).message };
    }
  }, [canvas, runtime, promotionHandlers]);
  const wall = created?.wall ?? null;

  useEffect(() => {
    if (!wall) return;
    wall.start();
    runtime.setFrameSink((header, pixels) => wall.pushFrame(header, pixels));
    (window as WithDiagnostics).consoleDiagnostics = {
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
    return () => {
      runtime.setFrameSink(null);
      wall.stop();
    };
  }, [wall, runtime]);

  useEffect(() => {
    const container = containerRef.current;
    if (!container) return;
    const observer = new ResizeObserver(() => setSize({ width: container.clientWidth, height: container.clientHeight }));
    observer.observe(container);
    return () => observer.disconnect();
  }, []);

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
      {created?.error && <div className="banner banner-error">WebGL2: {created.error}</div>}
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
