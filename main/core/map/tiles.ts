import Database from 'better-sqlite3';
import { BoundedPmtiles, PmtilesError } from './pmtilesReader';

/**
 * Offline raster tiles for the base layer, read tile by tile and handed to the map through the
 * contract (getMapTile): the map never opens a URL. PMTiles v3 (one file, read by byte ranges,
 * `pmtilesReader.ts`) and MBTiles (SQLite, TMS rows). Vector tiles would need a style of their
 * own: refused with a clear message.
 *
 * Imported files are hostile until checked, and are only ever opened here, inside the map
 * worker (`tileWorker.ts`), never on the core's thread.
 */
export interface TileArchiveInfo {
  format: 'png' | 'jpg' | 'webp';
  minZoom: number;
  maxZoom: number;
  bounds: [number, number, number, number] | null;
}

export interface TileArchive {
  info: TileArchiveInfo;
  tile(z: number, x: number, y: number): Buffer | null;
  close(): void;
}

export type TileArchiveProblem = 'badPmtiles' | 'badMbtiles' | 'vectorTiles' | 'pmtilesLimits' | 'mbtilesNotPlain';

export class TileArchiveError extends Error {
  constructor(
    readonly problem: TileArchiveProblem,
    detail: string,
  ) {
    super(detail);
  }
}

/** PMTiles tile types (spec v3). */
const PMTILES_FORMATS: Record<number, TileArchiveInfo['format']> = { 2: 'png', 3: 'jpg', 4: 'webp' };
const PMTILES_VECTOR = new Set([1, 6]);

/** Opens a PMTiles archive; `walk` (import) visits every directory within the reader's limits. */
export function openPmtiles(file: string, walk = false): TileArchive {
  let archive: BoundedPmtiles;
  try {
    archive = new BoundedPmtiles(file);
  } catch (error) {
    throw toArchiveError(error);
  }
  try {
    const header = archive.header;
    if (PMTILES_VECTOR.has(header.tileType)) throw new TileArchiveError('vectorTiles', 'vector');
    const format = PMTILES_FORMATS[header.tileType];
    if (!format) throw new TileArchiveError('badPmtiles', `kiểu ảnh ô ${header.tileType}`);
    if (walk) archive.walk();
    const bounds: TileArchiveInfo['bounds'] = header.minLon < header.maxLon && header.minLat < header.maxLat ? [header.minLon, header.minLat, header.maxLon, header.maxLat] : null;
    return {
      info: { format, minZoom: header.minZoom, maxZoom: Math.min(24, header.maxZoom), bounds },
      tile(z, x, y) {
        if (x >= 2 ** z || y >= 2 ** z) return null;
        return archive.tile(z, x, y);
      },
      close: () => archive.close(),
    };
  } catch (error) {
    archive.close();
    throw toArchiveError(error);
  }
}

function toArchiveError(error: unknown): TileArchiveError {
  if (error instanceof TileArchiveError) return error;
  const message = (error as Error).message.slice(0, 160);
  if (error instanceof PmtilesError && /quá lớn|vượt quá|tối đa|quá sâu|hơn \d+ mục|hai lần/.test(message)) return new TileArchiveError('pmtilesLimits', message);
  return new TileArchiveError('badPmtiles', message);
}

function sniffFormat(data: Buffer): TileArchiveInfo['format'] | null {
  if (data.subarray(0, 4).toString('hex') === '89504e47') return 'png';
  if (data.subarray(0, 2).toString('hex') === 'ffd8') return 'jpg';
  if (data.subarray(0, 4).toString('latin1') === 'RIFF' && data.subarray(8, 12).toString('latin1') === 'WEBP') return 'webp';
  return null;
}

const MBTILES_COLUMNS: Record<'metadata' | 'tiles', string[]> = { metadata: ['name', 'value'], tiles: ['zoom_level', 'tile_column', 'tile_row', 'tile_data'] };

/**
 * An MBTiles file may run code of its own on read: a view (a recursive one hung the core's
 * event loop in one synchronous query, issue 19), a generated column, a virtual table. Before
 * any query touches its data, its schema must show `metadata` and `tiles` as plain tables with
 * plain columns, and no view or trigger anywhere. Only sqlite_master (a plain table) is read.
 */
function checkMbtilesSchema(db: Database.Database): void {
  const objects = db.prepare("SELECT type, name, sql FROM sqlite_master WHERE type IN ('table', 'view', 'trigger') LIMIT 1000").all() as { type: string; name: string; sql: string | null }[];
  const unsafe = objects.filter((object) => object.type === 'view' || object.type === 'trigger');
  if (unsafe.length > 0) throw new TileArchiveError('mbtilesNotPlain', `${unsafe[0]!.type} "${unsafe[0]!.name.slice(0, 40)}"`);
  for (const name of ['metadata', 'tiles'] as const) {
    const table = objects.find((object) => object.type === 'table' && object.name.toLowerCase() === name);
    if (!table) throw new TileArchiveError('badMbtiles', `thiếu bảng ${name}`);
    if (/^\s*create\s+virtual/i.test(table.sql ?? '')) throw new TileArchiveError('mbtilesNotPlain', `bảng ảo ${name}`);
    const columns = db.prepare(`PRAGMA table_xinfo(${name})`).all() as { name: string; hidden: number }[];
    // hidden 2 or 3: a generated column, computed by an expression the file brings.
    if (columns.some((column) => column.hidden !== 0)) throw new TileArchiveError('mbtilesNotPlain', `cột tính toán trong bảng ${name}`);
    for (const column of MBTILES_COLUMNS[name]) if (!columns.some((entry) => entry.name.toLowerCase() === column)) throw new TileArchiveError('badMbtiles', `bảng ${name} thiếu cột ${column}`);
  }
}

/** `inspect` (import): also reads the first tile and the zoom range; serving skips those scans. */
export function openMbtiles(file: string, inspect = true): TileArchive {
  let db: Database.Database;
  try {
    db = new Database(file, { readonly: true, fileMustExist: true });
    db.pragma('query_only = 1');
    // No function with side effects from the file's own SQL, whatever slips through.
    db.pragma('trusted_schema = 0');
  } catch (error) {
    throw new TileArchiveError('badMbtiles', (error as Error).message.slice(0, 160));
  }
  try {
    checkMbtilesSchema(db);
    const select = db.prepare('SELECT tile_data FROM tiles WHERE zoom_level = ? AND tile_column = ? AND tile_row = ?');
    const tile = (z: number, x: number, y: number): Buffer | null => {
      // MBTiles rows count from the south (TMS).
      const row = select.get(z, x, 2 ** z - 1 - y) as { tile_data: unknown } | undefined;
      return row && Buffer.isBuffer(row.tile_data) ? row.tile_data : null;
    };
    if (!inspect) return { info: { format: 'png', minZoom: 0, maxZoom: 24, bounds: null }, tile, close: () => db.close() };
    const metadata = new Map<string, string>();
    for (const row of db.prepare('SELECT name, value FROM metadata LIMIT 1000').all() as { name: unknown; value: unknown }[]) if (typeof row.name === 'string' && typeof row.value === 'string') metadata.set(row.name, row.value.slice(0, 1000));
    const first = db.prepare('SELECT tile_data FROM tiles LIMIT 1').get() as { tile_data: unknown } | undefined;
    if (!first || !Buffer.isBuffer(first.tile_data)) throw new TileArchiveError('badMbtiles', 'không có ô bản đồ nào');
    const declared = metadata.get('format');
    if (declared === 'pbf' || declared === 'mvt') throw new TileArchiveError('vectorTiles', 'vector');
    const format = sniffFormat(first.tile_data);
    if (!format) throw new TileArchiveError(first.tile_data[0] === 0x1f ? 'vectorTiles' : 'badMbtiles', 'ô bản đồ không phải ảnh PNG/JPEG/WebP');
    const zooms = db.prepare('SELECT MIN(zoom_level) AS min, MAX(zoom_level) AS max FROM tiles').get() as { min: number; max: number };
    const parts = (metadata.get('bounds') ?? '').split(',').map(Number);
    const bounds: TileArchiveInfo['bounds'] = parts.length === 4 && parts.every(Number.isFinite) && (parts[0] as number) < (parts[2] as number) ? (parts as [number, number, number, number]) : null;
    return { info: { format, minZoom: Math.max(0, Number(zooms.min) || 0), maxZoom: Math.min(24, Number(zooms.max) || 0), bounds }, tile, close: () => db.close() };
  } catch (error) {
    db.close();
    if (error instanceof TileArchiveError) throw error;
    throw new TileArchiveError('badMbtiles', (error as Error).message.slice(0, 160));
  }
}
