import { useEffect, useMemo, useState, type RefObject } from 'react';
import type { ConsoleDiagnostics, WithDiagnostics } from '../../common/diagnostics';
import { useRuntime } from '../runtime';
import { GlWall } from './glWall';

/**
 * One WebGL2 canvas drawing live-socket frames: the GlWall for `canvas` (null until there is a
 * canvas), frames acknowledged to the core once drawn, the runtime's frame sink pointed at it
 * while mounted. Used by the live wall, the playback wall and the map's live popup (only one
 * is mounted at a time: the sink is the runtime's one). `diagnostics` publishes the read-only
 * figures benchmarks read; `onPromoted` is the live wall's view hand-over.
 */
export function useGlWall(
  canvas: HTMLCanvasElement | null,
  options: {
    diagnostics?: (wall: GlWall) => ConsoleDiagnostics;
    onPromoted?: (tileKey: string, viewId: number) => void;
    /**
     * The canvas's size in CSS pixels, when the caller follows it: the wall is then made once the
     * size is known, with its drawing buffer allocated at that size (later sizes: `resize`).
     */
    size?: { width: number; height: number };
  } = {},
): { wall: GlWall | null; error: string | null } {
  const runtime = useRuntime();
  const { diagnostics, onPromoted, size } = options;
  // the first size known, kept: the wall is made with it (later sizes go to `resize`, never make another)
  const [firstSize, setFirstSize] = useState<{ width: number; height: number } | null>(null);
  if (firstSize === null && size !== undefined && size.width > 0 && size.height > 0) setFirstSize(size);
  const waitsForSize = size !== undefined && firstSize === null;
  const created = useMemo(() => {
    if (!canvas || waitsForSize) return { wall: null, error: null };
    try {
      return { wall: new GlWall(canvas, (viewId, seq) => runtime.socket.ack(viewId, seq), onPromoted, firstSize), error: null };
    } catch (error) {
      return { wall: null, error: (error as Error).message };
    }
  }, [canvas, runtime, onPromoted, waitsForSize, firstSize]);
  const { wall } = created;

  useEffect(() => {
    if (!wall) return;
    wall.start();
    runtime.setFrameSink((header, pixels) => wall.pushFrame(header, pixels));
    if (diagnostics) (window as WithDiagnostics).consoleDiagnostics = diagnostics(wall);
    return () => {
      runtime.setFrameSink(null);
      wall.stop();
    };
  }, [wall, runtime, diagnostics]);
  return created;
}

/** The element's client size, followed with a ResizeObserver. */
export function useElementSize(ref: RefObject<HTMLElement | null>): { width: number; height: number } {
  const [size, setSize] = useState({ width: 0, height: 0 });
  useEffect(() => {
    const element = ref.current;
    if (!element) return;
    const observer = new ResizeObserver(() => setSize({ width: element.clientWidth, height: element.clientHeight }));
    observer.observe(element);
    return () => observer.disconnect();
  }, [ref]);
  return size;
}
