import fs from 'node:fs';
import Database from 'better-sqlite3';
import { PMTiles, TileType, type RangeResponse, type Source } from 'pmtiles';

/**
 * Offline raster tiles for the base layer, read by the core and handed to the map tile by tile
 * through the contract (getMapTile): the map never opens a URL. PMTiles v3 (one file, read by
 * byte ranges) and MBTiles (SQLite, TMS rows). Vector tiles would need a style of their own:
 * refused with a clear message.
 */
export interface TileArchiveInfo {
  format: 'png' | 'jpg' | 'webp';
  minZoom: number;
  maxZoom: number;
  bounds: [number, number, number, number] | null;
}

export interface TileArchive {
  info: TileArchiveInfo;
  tile(z: number, x: number, y: number): Promise<Buffer | null>;
  close(): void;
}

export class TileArchiveError extends Error {
  constructor(
    readonly problem: 'badPmtiles' | 'badMbtiles' | 'vectorTiles',
    detail: string,
  ) {
    super(detail);
  }
}

class NodeFileSource implements Source {
  private readonly fd: number;
  constructor(private readonly file: string) {
    this.fd = fs.openSync(file, 'r');
  }
  getKey(): string {
    return this.file;
  }
  getBytes(offset: number, length: number): Promise<RangeResponse> {
    const buffer = Buffer.alloc(length);
    const read = fs.readSync(this.fd, buffer, 0, length, offset);
    const data = buffer.buffer.slice(buffer.byteOffset, buffer.byteOffset + read);
    return Promise.resolve({ data: data as ArrayBuffer });
  }
  close(): void {
    fs.closeSync(this.fd);
  }
}

const PMTILES_FORMATS: Partial<Record<TileType, TileArchiveInfo['format']>> = { [TileType.Png]: 'png', [TileType.Jpeg]: 'jpg', [TileType.Webp]: 'webp' };

export async function openPmtiles(file: string): Promise<TileArchive> {
  const head = Buffer.alloc(2);
  const fd = fs.openSync(file, 'r');
  try {
    fs.readSync(fd, head, 0, 2, 0);
  } finally {
    fs.closeSync(fd);
  }
  if (head.toString('latin1') !== 'PM') throw new TileArchiveError('badPmtiles', 'không có dấu hiệu "PMTiles" ở đầu tệp');
  const source = new NodeFileSource(file);
  try {
    const archive = new PMTiles(source);
    const header = await archive.getHeader();
    if (header.tileType === TileType.Mvt || header.tileType === TileType.Mlt) throw new TileArchiveError('vectorTiles', 'vector');
    const format = PMTILES_FORMATS[header.tileType];
    if (!format) throw new TileArchiveError('badPmtiles', `kiểu ảnh ô ${header.tileType}`);
    const bounds: TileArchiveInfo['bounds'] = header.minLon < header.maxLon && header.minLat < header.maxLat ? [header.minLon, header.minLat, header.maxLon, header.maxLat] : null;
    return {
      info: { format, minZoom: header.minZoom, maxZoom: Math.min(24, header.maxZoom), bounds },
      async tile(z, x, y) {
        if (x >= 2 ** z || y >= 2 ** z) return null;
        const response = await archive.getZxy(z, x, y);
        return response ? Buffer.from(response.data) : null;
      },
      close: () => source.close(),
    };
  } catch (error) {
    source.close();
    if (error instanceof TileArchiveError) throw error;
    throw new TileArchiveError('badPmtiles', (error as Error).message.slice(0, 160));
  }
}

function sniffFormat(data: Buffer): TileArchiveInfo['format'] | null {
  if (data.subarray(0, 4).toString('hex') === '89504e47') return 'png';
  if (data.subarray(0, 2).toString('hex') === 'ffd8') return 'jpg';
  if (data.subarray(0, 4).toString('latin1') === 'RIFF' && data.subarray(8, 12).toString('latin1') === 'WEBP') return 'webp';
  return null;
}

export function openMbtiles(file: string): Promise<TileArchive> {
  let db: Database.Database;
  try {
    db = new Database(file, { readonly: true, fileMustExist: true });
    db.pragma('query_only = 1');
  } catch (error) {
    return Promise.reject(new TileArchiveError('badMbtiles', (error as Error).message.slice(0, 160)));
  }
  try {
    const metadata = new Map<string, string>();
    for (const row of db.prepare('SELECT name, value FROM metadata').all() as { name: string; value: string }[]) metadata.set(row.name, row.value);
    const first = db.prepare('SELECT tile_data FROM tiles LIMIT 1').get() as { tile_data: Buffer } | undefined;
    if (!first) throw new TileArchiveError('badMbtiles', 'không có ô bản đồ nào');
    const declared = metadata.get('format');
    if (declared === 'pbf' || declared === 'mvt') throw new TileArchiveError('vectorTiles', 'vector');
    const format = sniffFormat(first.tile_data);
    if (!format) throw new TileArchiveError(first.tile_data[0] === 0x1f ? 'vectorTiles' : 'badMbtiles', 'ô bản đồ không phải ảnh PNG/JPEG/WebP');
    const zooms = db.prepare('SELECT MIN(zoom_level) AS min, MAX(zoom_level) AS max FROM tiles').get() as { min: number; max: number };
    const parts = (metadata.get('bounds') ?? '').split(',').map(Number);
    const bounds: TileArchiveInfo['bounds'] = parts.length === 4 && parts.every(Number.isFinite) && (parts[0] as number) < (parts[2] as number) ? (parts as [number, number, number, number]) : null;
    const select = db.prepare('SELECT tile_data FROM tiles WHERE zoom_level = ? AND tile_column = ? AND tile_row = ?');
    return Promise.resolve({
      info: { format, minZoom: Math.max(0, zooms.min), maxZoom: Math.min(24, zooms.max), bounds },
      tile(z, x, y) {
        // MBTiles rows count from the south (TMS).
        const row = select.get(z, x, 2 ** z - 1 - y) as { tile_data: Buffer } | undefined;
        return Promise.resolve(row ? row.tile_data : null);
      },
      close: () => db.close(),
    });
  } catch (error) {
    db.close();
    if (error instanceof TileArchiveError) return Promise.reject(error);
    return Promise.reject(new TileArchiveError('badMbtiles', (error as Error).message.slice(0, 160)));
  }
}
