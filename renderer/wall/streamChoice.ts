import type { StreamKind } from '../../common/site';

/**
 * Which stream a tile shows (the rule of Milestone, Genetec, AxxonSoft): the sub stream while it
 * is big enough, the main stream for a maximized tile or one clearly wider than the sub stream's
 * picture. Hysteresis: a tile on the main stream goes back to sub only once it is no wider than
 * the sub picture, so a tile near the threshold does not flip back and forth.
 */
export const ASSUMED_SUB_WIDTH_PX = 640;
const UP_FACTOR = 1.25;

export function chooseStream(options: {
  available: readonly StreamKind[];
  tileWidthPx: number;
  maximized: boolean;
  subWidthPx: number | null;
  current: StreamKind | null;
}): StreamKind {
  if (!options.available.includes('sub')) return 'main';
  if (!options.available.includes('main')) return 'sub';
  if (options.maximized) return 'main';
  const subWidth = options.subWidthPx ?? ASSUMED_SUB_WIDTH_PX;
  if (options.current === 'main') return options.tileWidthPx > subWidth ? 'main' : 'sub';
  return options.tileWidthPx > subWidth * UP_FACTOR ? 'main' : 'sub';
}
