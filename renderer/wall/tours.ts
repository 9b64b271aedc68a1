import { useEffect } from 'react';
import type { Tour } from '../../common/contract';
import { useConsole } from '../store';
import { useRuntime } from '../runtime';
import { layoutById } from '../util/layouts';

/** Warm the next camera(s) this long before a tour switches, so they appear at once. */
const WARM_AHEAD_MS = 2000;

/** The cameras a wall tour shows on page `page` of a layout with `tileCount` tiles. */
export function tourPage(tour: Tour, tileCount: number, page: number): (string | null)[] {
  const pages = Math.max(1, Math.ceil(tour.cameraIds.length / tileCount));
  const start = (page % pages) * tileCount;
  return Array.from({ length: tileCount }, (_, index) => tour.cameraIds[start + index] ?? null);
}

export function tourPageCount(tour: Tour, tileCount: number): number {
  return Math.max(1, Math.ceil(tour.cameraIds.length / tileCount));
}

/**
 * Runs the tours of the wall: each tile tour cycles its cameras in its tile, a wall tour cycles
 * pages of cameras over the whole layout; every switch is preceded by warming the next cameras.
 */
export function useTours(): void {
  const { client } = useRuntime();
  const tileTours = useConsole((state) => state.wall.tileTours);
  const wallTour = useConsole((state) => state.wall.wallTour);
  const layoutId = useConsole((state) => state.wall.layoutId);

  useEffect(() => {
    const timers: number[] = [];
    const warm = (cameraIds: (string | null)[]): void => {
      for (const cameraId of cameraIds) if (cameraId) void client.call('warmStream', { cameraId, stream: 'sub' });
    };
    const schedule = (tour: Tour, step: (next: number) => (string | null)[], apply: (cameras: (string | null)[]) => void, length: number): void => {
      let position = 0;
      const periodMs = tour.intervalS * 1000;
      const tick = (): void => {
        position = (position + 1) % length;
        apply(step(position));
        timers.push(window.setTimeout(() => warm(step((position + 1) % length)), Math.max(0, periodMs - WARM_AHEAD_MS)));
        timers.push(window.setTimeout(tick, periodMs));
      };
      if (length > 1) {
        timers.push(window.setTimeout(() => warm(step(1)), Math.max(0, periodMs - WARM_AHEAD_MS)));
        timers.push(window.setTimeout(tick, periodMs));
      }
    };

    if (wallTour) {
      const tileCount = layoutById(layoutId).cells.length;
      const showPage = (cameras: (string | null)[]): void => {
        useConsole.setState((state) => {
          const tiles = [...state.wall.tiles];
          cameras.forEach((cameraId, index) => (tiles[index] = cameraId));
          return { wall: { ...state.wall, tiles } };
        });
      };
      showPage(tourPage(wallTour, tileCount, 0));
      schedule(wallTour, (page) => tourPage(wallTour, tileCount, page), showPage, tourPageCount(wallTour, tileCount));
    } else {
      for (const [key, tour] of Object.entries(tileTours)) {
        const tile = Number(key);
        const show = (cameras: (string | null)[]): void => {
          useConsole.setState((state) => {
            const tiles = [...state.wall.tiles];
            tiles[tile] = cameras[0] ?? null;
            return { wall: { ...state.wall, tiles } };
          });
        };
        schedule(tour, (position) => [tour.cameraIds[position] ?? null], show, tour.cameraIds.length);
      }
    }
    return () => timers.forEach((timer) => window.clearTimeout(timer));
  }, [client, tileTours, wallTour, layoutId]);
}
