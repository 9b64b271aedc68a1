import { MAP_TILE, useConsole } from '../store';

export { MAP_TILE };

/** Puts the map in the selected tile (or the first empty one, else the first) and shows the wall. */
export function putMapInWall(): void {
  const { selectedTile, wall, assign, setPage } = useConsole.getState();
  const empty = wall.tiles.findIndex((tile) => tile === null);
  assign(selectedTile ?? (empty >= 0 ? empty : 0), MAP_TILE);
  setPage('wall');
}
