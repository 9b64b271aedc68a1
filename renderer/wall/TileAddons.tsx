import type { CameraSummary } from '../../common/contract';
import { PtzTileAddon } from '../ptz/TileAddon';
import { PlaybackTileAddon } from '../playback/TileAddon';

export interface TileAddonProps {
  index: number;
  camera: CameraSummary;
  selected: boolean;
  maximized: boolean;
  /** CSS pixel size of the tile. */
  width: number;
  height: number;
}

/** What features add on top of a camera tile (PTZ pad, instant replay): each in its own file. */
export function TileAddons(props: TileAddonProps) {
  return (
    <>
      <PtzTileAddon {...props} />
      <PlaybackTileAddon {...props} />
    </>
  );
}
