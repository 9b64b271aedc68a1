import { useEffect, useMemo, useRef, useState } from 'react';
import { useConsole } from '../store';
import { useRuntime } from '../runtime';
import type { WithDiagnostics } from '../../common/diagnostics';
import { GlWall } from './glWall';
import { layoutById, tileRects } from './layouts';
import { Tile } from './Tile';


export function Wall() {
  const runtime = useRuntime();
  const containerRef = useRef<HTMLDivElement>(null);
  const [canvas, setCanvas] = useState<HTMLCanvasElement | null>(null);
  const [size, setSize] = useState({ width: 0, height: 0 });
  const layoutId = useConsole((state) => state.layoutId);
  const page = useConsole((state) => state.page);
  const cameras = useConsole((state) => state.cameras);

  const created = useMemo(() => {
    if (!canvas) return null;
    try {
      return { wall: new GlWall(canvas, (viewId, seq) => runtime.socket.ack(viewId, seq)), error: null };
    } catch (error) {
      return { wall: null, error: (error as Error).message };
    }
  }, [canvas, runtime]);
  const wall = created?.wall ?? null;

  useEffect(() => {
    if (!wall) return;
    wall.start();
    runtime.setFrameSink((header, pixels) => wall.pushFrame(header, pixels));
    (window as WithDiagnostics).consoleDiagnostics = { renderer: wall.renderer, stats: () => wall.stats() };
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

  const layout = layoutById(layoutId);
  const rects = useMemo(() => tileRects(layout, size.width, size.height), [layout, size]);
  const firstCamera = page * layout.cells.length;

  return (
    <div className="wall" ref={containerRef} data-layout={layout.id}>
      <canvas className="wall-canvas" ref={setCanvas} style={{ width: size.width, height: size.height }} />
      {created?.error && <div className="banner banner-error">WebGL2: {created.error}</div>}
      {wall &&
        size.width > 0 &&
        rects.map((rect, index) => (
          <Tile key={`${layout.id}-${index}`} tileKey={`tile-${index}`} index={index} rect={rect} camera={cameras[firstCamera + index] ?? null} wall={wall} />
        ))}
    </div>
  );
}
