import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { fsyncDir, fsyncFile, writeFileAtomic } from '../util/durableFile';

export { fsyncDir, fsyncFile };

export const TEMP_SUFFIX = '.part';

/** Writes bytes under `NAME.part` (exclusive), fsyncs, renames, fsyncs the folder (util/durableFile.ts). */
export function writeDurable(file: string, data: Buffer | string): void {
  writeFileAtomic(file, data, { temporary: file + TEMP_SUFFIX });
}

/** SHA-256 of a file read back from its disk, in 4 MB reads; `onBytes` reports progress. */
export async function sha256File(file: string, onBytes: (bytes: number) => void = () => undefined, signal?: AbortSignal): Promise<string> {
  const hash = createHash('sha256');
  const handle = await fs.promises.open(file, 'r');
  const size = 4 * 1024 * 1024;
  // two buffers: the next read runs (in libuv's pool) while this one is hashed
  const buffers = [Buffer.allocUnsafe(size), Buffer.allocUnsafe(size)];
  let turn = 0;
  let reading = handle.read(buffers[0]!, 0, size, null);
  try {
    for (;;) {
      const { bytesRead, buffer } = await reading;
      if (signal?.aborted) throw Object.assign(new Error('cancelled'), { code: 'ECANCELED' });
      if (bytesRead === 0) break;
      turn ^= 1;
      reading = handle.read(buffers[turn]!, 0, size, null);
      hash.update(buffer.subarray(0, bytesRead));
      onBytes(bytesRead);
    }
  } finally {
    // (a read still running must end before its file handle closes)
    await reading.catch(() => undefined);
    await handle.close();
  }
  return hash.digest('hex');
}

export function sha256(data: Buffer | string): string {
  return createHash('sha256').update(data).digest('hex');
}

/** True when an MP4's `moov` box comes before its `mdat` (faststart), read from the first boxes. */
export function isFaststart(file: string): boolean {
  const fd = fs.openSync(file, 'r');
  try {
    const header = Buffer.alloc(16);
    let offset = 0;
    const size = fs.fstatSync(fd).size;
    for (let n = 0; n < 16 && offset + 8 <= size; n++) {
      fs.readSync(fd, header, 0, 16, offset);
      let boxSize = header.readUInt32BE(0);
      const type = header.toString('latin1', 4, 8);
      if (type === 'moov') return true;
      if (type === 'mdat') return false;
      if (boxSize === 1) boxSize = Number(header.readBigUInt64BE(8));
      if (boxSize < 8) return false;
      offset += boxSize;
    }
    return false;
  } finally {
    fs.closeSync(fd);
  }
}
