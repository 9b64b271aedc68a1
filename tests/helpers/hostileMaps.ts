import fs from 'node:fs';
import { once } from 'node:events';
import zlib from 'node:zlib';
import Database from 'better-sqlite3';

/**
 * Map files built to hurt the console (issue 19), as a user could import them. Generated at
 * test time (nothing binary is committed).
 */

/** The entries the hostile leaf directory claims (and really holds, once decompressed). */
export const HOSTILE_PMTILES_ENTRIES = 150_000_000;

function varint(value: number): number[] {
  const bytes: number[] = [];
  let rest = value;
  while (rest >= 0x80) {
    bytes.push((rest & 0x7f) | 0x80);
    rest = Math.floor(rest / 128);
  }
  bytes.push(rest);
  return bytes;
}

/** A 1x1 PNG (valid; the tile a reader would find if it got that far). */
const PNG_1X1 = Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010806000000' + '1f15c4890000000d49444154789c6360f8cfc0f01f0005000201' + '5d8b6b1a0000000049454e44ae426082', 'hex');

/**
 * A ~583 KB PMTiles v3 archive whose one leaf directory gzips 150 million entries (600 MB
 * decompressed: tile ids 1, 2, 3…, runs of 1, one byte each). The `pmtiles` library inflates it
 * whole and builds an object per entry at the first tile request: the core grew to 6 GB and died.
 */
export async function writeHostilePmtiles(filePath: string): Promise<void> {
  const leafFile = `${filePath}.leaf`;
  try {
    // The leaf directory, gzipped as it streams: count, tile id deltas, run lengths, lengths, offsets.
    const gzip = zlib.createGzip({ level: 9, memLevel: 9 });
    const out = fs.createWriteStream(leafFile);
    gzip.pipe(out);
    const chunk = Buffer.alloc(1_000_000, 1);
    const write = async (data: Buffer): Promise<void> => {
      if (!gzip.write(data)) await once(gzip, 'drain');
    };
    await write(Buffer.from(varint(HOSTILE_PMTILES_ENTRIES)));
    for (let column = 0; column < 3; column++) for (let written = 0; written < HOSTILE_PMTILES_ENTRIES; written += chunk.length) await write(chunk);
    // offsets: the first is 0 (stored as 1), each next one follows its previous (stored as 0)
    await write(Buffer.from([1]));
    const zeros = Buffer.alloc(1_000_000, 0);
    for (let written = 1; written < HOSTILE_PMTILES_ENTRIES; written += zeros.length) await write(written + zeros.length <= HOSTILE_PMTILES_ENTRIES ? zeros : zeros.subarray(0, HOSTILE_PMTILES_ENTRIES - written));
    gzip.end();
    await once(out, 'close');
    const leaf = fs.readFileSync(leafFile);

    // The root: one leaf pointer covering every tile id from 0.
    const root = zlib.gzipSync(Buffer.from([...varint(1), ...varint(0), ...varint(0), ...varint(leaf.length), ...varint(1)]));
    const metadata = zlib.gzipSync(Buffer.from('{"name":"Bản đồ xã"}'));
    const header = Buffer.alloc(127);
    header.write('PMTiles', 0, 'latin1');
    header.writeUInt8(3, 7);
    const u64 = (offset: number, value: number): void => {
      header.writeBigUInt64LE(BigInt(value), offset);
    };
    const rootOffset = 127;
    const metadataOffset = rootOffset + root.length;
    const leafOffset = metadataOffset + metadata.length;
    const tileOffset = leafOffset + leaf.length;
    u64(8, rootOffset);
    u64(16, root.length);
    u64(24, metadataOffset);
    u64(32, metadata.length);
    u64(40, leafOffset);
    u64(48, leaf.length);
    u64(56, tileOffset);
    u64(64, PNG_1X1.length);
    u64(72, HOSTILE_PMTILES_ENTRIES);
    u64(80, HOSTILE_PMTILES_ENTRIES);
    u64(88, 1);
    header.writeUInt8(1, 96); // clustered
    header.writeUInt8(2, 97); // internal compression: gzip
    header.writeUInt8(1, 98); // tiles: none
    header.writeUInt8(2, 99); // png
    header.writeUInt8(0, 100);
    header.writeUInt8(14, 101);
    header.writeInt32LE(Math.round(105.6 * 1e7), 102);
    header.writeInt32LE(Math.round(19.8 * 1e7), 106);
    header.writeInt32LE(Math.round(105.7 * 1e7), 110);
    header.writeInt32LE(Math.round(19.9 * 1e7), 114);
    header.writeUInt8(12, 118);
    fs.writeFileSync(filePath, Buffer.concat([header, root, metadata, leaf, PNG_1X1]));
  } finally {
    fs.rmSync(leafFile, { force: true });
  }
}

/**
 * An MBTiles file whose `metadata` is a view over a recursive query that never ends: the old
 * importer's `SELECT name, value FROM metadata` never returned, on the core's thread, and HTTP
 * and all 31 recordings stopped until SIGKILL. `tiles` is a plain table with one real tile.
 */
export async function writeHostileMbtiles(filePath: string): Promise<void> {
  fs.rmSync(filePath, { force: true });
  const db = new Database(filePath);
  try {
    db.exec(`
      CREATE TABLE tiles (zoom_level INTEGER, tile_column INTEGER, tile_row INTEGER, tile_data BLOB);
      CREATE VIEW metadata AS
        WITH RECURSIVE forever(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM forever)
        SELECT 'format' AS name, 'png' AS value FROM forever WHERE n < 0;
    `);
    db.prepare('INSERT INTO tiles VALUES (0, 0, 0, ?)').run(PNG_1X1);
  } finally {
    db.close();
  }
  await Promise.resolve();
}
