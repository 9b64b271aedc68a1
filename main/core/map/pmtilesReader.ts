import fs from 'node:fs';
import zlib from 'node:zlib';
import { zxyToTileId } from 'pmtiles';

/**
 * A PMTiles v3 reader that trusts nothing in the file (https://github.com/protomaps/PMTiles/blob/main/spec/v3/spec.md).
 * The `pmtiles` library decompresses a directory whole and builds one object per entry: a
 * 583 KB file whose leaf directory gzips 150 million entries grew the core to 6 GB (issue 19).
 * Here every directory is decompressed with a byte ceiling, its entry count is checked against
 * the bytes before anything is allocated, entries live in typed arrays, leaves are at most
 * `maxDepth` deep, and `walk()` visits every directory once at import with totals bounded.
 */
export interface PmtilesLimits {
  /** Decompressed bytes of one directory. */
  maxDirectoryBytes: number;
  /** Entries in one directory. */
  maxDirectoryEntries: number;
  /** Entries of the whole archive, summed over every directory (walk at import). */
  maxTotalEntries: number;
  /** Decompressed directory bytes of the whole archive (walk at import). */
  maxTotalDirectoryBytes: number;
  /** Leaf levels below the root (the spec's writers use 1; the library allows 3). */
  maxDepth: number;
  /** Decompressed bytes of one tile. */
  maxTileBytes: number;
}

export const DEFAULT_PMTILES_LIMITS: PmtilesLimits = {
  maxDirectoryBytes: 8 * 1024 * 1024,
  maxDirectoryEntries: 1_000_000,
  maxTotalEntries: 20_000_000,
  maxTotalDirectoryBytes: 256 * 1024 * 1024,
  maxDepth: 3,
  maxTileBytes: 4 * 1024 * 1024,
};

export class PmtilesError extends Error {}

export interface PmtilesHeader {
  rootDirectoryOffset: number;
  rootDirectoryLength: number;
  leafDirectoryOffset: number;
  leafDirectoryLength: number;
  tileDataOffset: number;
  tileDataLength: number;
  internalCompression: number;
  tileCompression: number;
  tileType: number;
  minZoom: number;
  maxZoom: number;
  minLon: number;
  minLat: number;
  maxLon: number;
  maxLat: number;
}

/** Entries of one directory, column by column (no object per entry). */
export interface PmtilesDirectory {
  count: number;
  tileIds: Float64Array;
  runLengths: Uint32Array;
  lengths: Uint32Array;
  offsets: Float64Array;
}

const HEADER_BYTES = 127;
const ROOT_REGION_BYTES = 16384;
const COMPRESSION_NONE = 1;
const COMPRESSION_GZIP = 2;
const COMPRESSION_BROTLI = 3;

function u64(buffer: Buffer, offset: number): number {
  const value = buffer.readBigUInt64LE(offset);
  if (value > BigInt(Number.MAX_SAFE_INTEGER)) throw new PmtilesError(`số 64 bit quá lớn ở byte ${offset}`);
  return Number(value);
}

function within(fileBytes: number, offset: number, length: number, what: string): void {
  if (offset < 0 || length < 0 || offset + length > fileBytes) throw new PmtilesError(`${what} nằm ngoài tệp (${offset}+${length} > ${fileBytes})`);
}

export function parseHeader(bytes: Buffer, fileBytes: number): PmtilesHeader {
  if (bytes.length < HEADER_BYTES || bytes.subarray(0, 7).toString('latin1') !== 'PMTiles') throw new PmtilesError('không có dấu hiệu "PMTiles" ở đầu tệp');
  if (bytes[7] !== 3) throw new PmtilesError(`phiên bản PMTiles ${bytes[7]} (chỉ đọc phiên bản 3)`);
  const header: PmtilesHeader = {
    rootDirectoryOffset: u64(bytes, 8),
    rootDirectoryLength: u64(bytes, 16),
    leafDirectoryOffset: u64(bytes, 40),
    leafDirectoryLength: u64(bytes, 48),
    tileDataOffset: u64(bytes, 56),
    tileDataLength: u64(bytes, 64),
    internalCompression: bytes.readUInt8(97),
    tileCompression: bytes.readUInt8(98),
    tileType: bytes.readUInt8(99),
    minZoom: bytes.readUInt8(100),
    maxZoom: bytes.readUInt8(101),
    minLon: bytes.readInt32LE(102) / 1e7,
    minLat: bytes.readInt32LE(106) / 1e7,
    maxLon: bytes.readInt32LE(110) / 1e7,
    maxLat: bytes.readInt32LE(114) / 1e7,
  };
  within(fileBytes, header.rootDirectoryOffset, header.rootDirectoryLength, 'thư mục gốc');
  // The spec puts the header and the root directory in the first 16 KiB.
  if (header.rootDirectoryOffset + header.rootDirectoryLength > ROOT_REGION_BYTES || header.rootDirectoryLength === 0) throw new PmtilesError('thư mục gốc không nằm trong 16 KiB đầu tệp');
  within(fileBytes, header.leafDirectoryOffset, header.leafDirectoryLength, 'vùng thư mục lá');
  within(fileBytes, header.tileDataOffset, header.tileDataLength, 'vùng dữ liệu ô');
  if (header.minZoom > header.maxZoom || header.maxZoom > 30) throw new PmtilesError(`mức phóng ${header.minZoom}-${header.maxZoom}`);
  return header;
}

export function decompress(data: Buffer, compression: number, maxBytes: number, what: string): Buffer {
  try {
    if (compression === COMPRESSION_NONE || compression === 0) {
      if (data.length > maxBytes) throw new RangeError('too big');
      return data;
    }
    if (compression === COMPRESSION_GZIP) return zlib.gunzipSync(data, { maxOutputLength: maxBytes });
    if (compression === COMPRESSION_BROTLI) return zlib.brotliDecompressSync(data, { maxOutputLength: maxBytes });
  } catch (error) {
    if (error instanceof RangeError || (error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') throw new PmtilesError(`${what} giải nén vượt quá ${Math.round(maxBytes / 1024 / 1024)} MB`);
    throw new PmtilesError(`${what} không giải nén được: ${(error as Error).message.slice(0, 80)}`);
  }
  throw new PmtilesError(`kiểu nén ${compression} không hỗ trợ`);
}

/** Reads a varint (up to 2^53) at `state.pos`; throws past the end instead of reading `undefined`. */
function readVarint(bytes: Buffer, state: { pos: number }): number {
  let value = 0;
  let scale = 1;
  for (let shift = 0; shift < 8; shift++) {
    if (state.pos >= bytes.length) throw new PmtilesError('thư mục bị cắt cụt');
    const byte = bytes[state.pos++] as number;
    value += (byte & 0x7f) * scale;
    if (byte < 0x80) {
      if (!Number.isSafeInteger(value)) break;
      return value;
    }
    scale *= 128;
  }
  throw new PmtilesError('số varint quá dài');
}

export function parseDirectory(bytes: Buffer, maxEntries: number): PmtilesDirectory {
  const state = { pos: 0 };
  const count = readVarint(bytes, state);
  // Every entry takes at least 4 bytes (4 varints): a count the bytes cannot hold is a lie,
  // refused before anything is allocated.
  if (count === 0) throw new PmtilesError('thư mục rỗng');
  if (count > maxEntries) throw new PmtilesError(`thư mục có ${count} mục (tối đa ${maxEntries})`);
  if (count * 4 > bytes.length - state.pos) throw new PmtilesError(`thư mục khai ${count} mục nhưng chỉ có ${bytes.length} byte`);
  const directory: PmtilesDirectory = { count, tileIds: new Float64Array(count), runLengths: new Uint32Array(count), lengths: new Uint32Array(count), offsets: new Float64Array(count) };
  let tileId = 0;
  for (let index = 0; index < count; index++) {
    tileId += readVarint(bytes, state);
    if (!Number.isSafeInteger(tileId)) throw new PmtilesError('mã ô quá lớn');
    if (index > 0 && tileId <= (directory.tileIds[index - 1] as number)) throw new PmtilesError('mã ô không tăng dần');
    directory.tileIds[index] = tileId;
  }
  for (let index = 0; index < count; index++) {
    const run = readVarint(bytes, state);
    if (run > 0xffffffff) throw new PmtilesError('độ dài lặp quá lớn');
    directory.runLengths[index] = run;
  }
  for (let index = 0; index < count; index++) {
    const length = readVarint(bytes, state);
    if (length === 0 || length > 0xffffffff) throw new PmtilesError('độ dài mục không hợp lệ');
    directory.lengths[index] = length;
  }
  for (let index = 0; index < count; index++) {
    const raw = readVarint(bytes, state);
    directory.offsets[index] = raw === 0 && index > 0 ? (directory.offsets[index - 1] as number) + (directory.lengths[index - 1] as number) : raw - 1;
    if ((directory.offsets[index] as number) < 0) throw new PmtilesError('vị trí mục không hợp lệ');
  }
  return directory;
}

/** The entry holding `tileId` (a tile run or a leaf pointer), or -1. */
export function findEntry(directory: PmtilesDirectory, tileId: number): number {
  let low = 0;
  let high = directory.count - 1;
  while (low <= high) {
    const middle = (low + high) >> 1;
    const id = directory.tileIds[middle] as number;
    if (id < tileId) low = middle + 1;
    else if (id > tileId) high = middle - 1;
    else return middle;
  }
  if (high < 0) return -1;
  const run = directory.runLengths[high] as number;
  return run === 0 || tileId - (directory.tileIds[high] as number) < run ? high : -1;
}

/** Hilbert tile id (spec v3): the `pmtiles` library's arithmetic, nothing read from the file. */
export function tileIdOf(z: number, x: number, y: number): number {
  if (z > 26 || x >= 2 ** z || y >= 2 ** z) throw new PmtilesError('ô nằm ngoài mức phóng');
  return zxyToTileId(z, x, y);
}

export interface WalkTotals {
  directories: number;
  entries: number;
  directoryBytes: number;
  tiles: number;
}

export class BoundedPmtiles {
  readonly header: PmtilesHeader;
  private readonly fd: number;
  private readonly fileBytes: number;
  private readonly root: PmtilesDirectory;
  /** Leaf directories by offset, least recently used first; bounded by entries held. */
  private readonly cache = new Map<number, PmtilesDirectory>();
  private cachedEntries = 0;

  constructor(
    file: string,
    private readonly limits: PmtilesLimits = DEFAULT_PMTILES_LIMITS,
  ) {
    this.fd = fs.openSync(file, 'r');
    try {
      this.fileBytes = fs.fstatSync(this.fd).size;
      const head = this.read(0, Math.min(HEADER_BYTES, this.fileBytes));
      this.header = parseHeader(head, this.fileBytes);
      this.root = this.directoryAt(this.header.rootDirectoryOffset, this.header.rootDirectoryLength, 'thư mục gốc');
    } catch (error) {
      fs.closeSync(this.fd);
      throw error;
    }
  }

  private read(offset: number, length: number): Buffer {
    const buffer = Buffer.alloc(length);
    const got = fs.readSync(this.fd, buffer, 0, length, offset);
    if (got !== length) throw new PmtilesError('tệp bị cắt cụt');
    return buffer;
  }

  private directoryAt(offset: number, length: number, what: string): PmtilesDirectory {
    return this.loadDirectory(offset, length, what).directory;
  }

  private loadDirectory(offset: number, length: number, what: string): { directory: PmtilesDirectory; bytes: number } {
    within(this.fileBytes, offset, length, what);
    if (length > this.limits.maxDirectoryBytes) throw new PmtilesError(`${what} quá lớn`);
    const bytes = decompress(this.read(offset, length), this.header.internalCompression, this.limits.maxDirectoryBytes, what);
    return { directory: parseDirectory(bytes, this.limits.maxDirectoryEntries), bytes: bytes.length };
  }

  private leaf(entryOffset: number, length: number): PmtilesDirectory {
    if (entryOffset + length > this.header.leafDirectoryLength) throw new PmtilesError('thư mục lá nằm ngoài vùng thư mục lá');
    const cached = this.cache.get(entryOffset);
    if (cached) {
      this.cache.delete(entryOffset);
      this.cache.set(entryOffset, cached);
      return cached;
    }
    const directory = this.directoryAt(this.header.leafDirectoryOffset + entryOffset, length, 'thư mục lá');
    this.cache.set(entryOffset, directory);
    this.cachedEntries += directory.count;
    for (const [key, old] of this.cache) {
      if (this.cachedEntries <= this.limits.maxDirectoryEntries * 2 || key === entryOffset) break;
      this.cache.delete(key);
      this.cachedEntries -= old.count;
    }
    return directory;
  }

  tile(z: number, x: number, y: number): Buffer | null {
    if (z < this.header.minZoom || z > this.header.maxZoom) return null;
    const tileId = tileIdOf(z, x, y);
    let directory = this.root;
    for (let depth = 0; depth <= this.limits.maxDepth; depth++) {
      const index = findEntry(directory, tileId);
      if (index < 0) return null;
      const offset = directory.offsets[index] as number;
      const length = directory.lengths[index] as number;
      if ((directory.runLengths[index] as number) > 0) {
        if (offset + length > this.header.tileDataLength) throw new PmtilesError('ô nằm ngoài vùng dữ liệu ô');
        if (length > this.limits.maxTileBytes) throw new PmtilesError('ô quá lớn');
        return decompress(this.read(this.header.tileDataOffset + offset, length), this.header.tileCompression, this.limits.maxTileBytes, 'ô bản đồ');
      }
      if (depth === this.limits.maxDepth) break;
      directory = this.leaf(offset, length);
    }
    throw new PmtilesError('thư mục lồng quá sâu');
  }

  /**
   * Visits every directory once (import): entry counts, decompressed bytes and depth bounded,
   * every tile and leaf inside its region. A file that passes can be served tile by tile.
   */
  walk(): WalkTotals {
    const totals: WalkTotals = { directories: 0, entries: 0, directoryBytes: 0, tiles: 0 };
    const seen = new Set<number>();
    const visit = (directory: PmtilesDirectory, depth: number): void => {
      totals.directories++;
      totals.entries += directory.count;
      if (totals.entries > this.limits.maxTotalEntries) throw new PmtilesError(`tệp có hơn ${this.limits.maxTotalEntries} mục thư mục`);
      for (let index = 0; index < directory.count; index++) {
        const offset = directory.offsets[index] as number;
        const length = directory.lengths[index] as number;
        const run = directory.runLengths[index] as number;
        if (run > 0) {
          if (offset + length > this.header.tileDataLength) throw new PmtilesError('ô nằm ngoài vùng dữ liệu ô');
          if (length > this.limits.maxTileBytes) throw new PmtilesError('ô quá lớn');
          totals.tiles += run;
          continue;
        }
        if (depth >= this.limits.maxDepth) throw new PmtilesError('thư mục lồng quá sâu');
        if (seen.has(offset)) throw new PmtilesError('thư mục lá được trỏ tới hai lần');
        seen.add(offset);
        if (offset + length > this.header.leafDirectoryLength) throw new PmtilesError('thư mục lá nằm ngoài vùng thư mục lá');
        const leaf = this.loadDirectory(this.header.leafDirectoryOffset + offset, length, 'thư mục lá');
        totals.directoryBytes += leaf.bytes;
        if (totals.directoryBytes > this.limits.maxTotalDirectoryBytes) throw new PmtilesError('tổng thư mục giải nén quá lớn');
        visit(leaf.directory, depth + 1);
      }
    };
    visit(this.root, 0);
    return totals;
  }

  close(): void {
    fs.closeSync(this.fd);
  }
}
