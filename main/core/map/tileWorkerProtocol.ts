import type { TileArchiveInfo, TileArchiveProblem } from './tiles';

/** Messages between the core and the map worker (`tileWorker.ts`). Files are paths in DATA/map. */
export type ToTileWorker =
  | { id: number; op: 'check'; kind: 'pmtiles' | 'mbtiles'; file: string }
  | { id: number; op: 'tile'; kind: 'pmtiles' | 'mbtiles'; file: string; z: number; x: number; y: number }
  | { id: number; op: 'close'; file: string };

export type FromTileWorker =
  | { id: number; ok: true; info: TileArchiveInfo | null; data: Uint8Array | null }
  | { id: number; ok: false; problem: TileArchiveProblem; detail: string };
