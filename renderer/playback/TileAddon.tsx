import type { TileAddonProps } from '../wall/TileAddons';

/** Drawn over a camera tile of the wall (see wall/TileAddons.tsx). */
export function PlaybackTileAddon(props: TileAddonProps) {
  void props;
  return null;
}
