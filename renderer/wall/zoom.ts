import type { TileZoom } from '../services/glWall';

const NO_ZOOM: TileZoom = { scale: 1, centerX: 0.5, centerY: 0.5 };
const MAX_ZOOM = 8;

/** Zoom in or out by one wheel notch, keeping the picture point under the cursor in place. */
export function zoomAt(zoom: TileZoom, fractionX: number, fractionY: number, zoomIn: boolean): TileZoom {
  const scale = Math.min(MAX_ZOOM, Math.max(1, zoom.scale * (zoomIn ? 1.25 : 0.8)));
  if (scale === 1) return NO_ZOOM;
  const axis = (center: number, fraction: number): number => {
    const start = Math.max(0, Math.min(1 - 1 / zoom.scale, center - 0.5 / zoom.scale));
    const point = start + fraction / zoom.scale;
    const newStart = point - fraction / scale;
    return Math.max(0.5 / scale, Math.min(1 - 0.5 / scale, newStart + 0.5 / scale));
  };
  return { scale, centerX: axis(zoom.centerX, fractionX), centerY: axis(zoom.centerY, fractionY) };
}
