import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';

/**
 * The read-back from the medium (issue 17 item 6): the SHA-256 of a file as the stick holds it,
 * not as the page cache remembers it.
 *
 * - `direct`: Linux, `O_DIRECT` with a buffer aligned to 4096 bytes. Node cannot give a buffer's
 *   address, so the buffer is over-allocated by 4096 and the aligned slice is found once per
 *   buffer by trying a direct read at each 16-byte step (malloc aligns to 16): a misaligned
 *   slice fails with EINVAL, the first that reads is aligned for this device.
 * - `dropped`: the file system refused `O_DIRECT` (EINVAL at open); the file's clean pages are
 *   dropped with `posix_fadvise(POSIX_FADV_DONTNEED)` through GNU dd (`dd iflag=nocache
 *   count=0`, Node has no fadvise), then read normally. It drops only what is clean: the file
 *   was fsynced just before.
 * - `cache`: neither worked (Windows, macOS, no dd): a normal read, which may be served from the
 *   cache. Said so in the log, the manifest and the biên bản.
 * On tmpfs (a RAM "stick" in tests) `O_DIRECT` opens on Linux 6.6+ and the "medium" is memory.
 */
export type ReadBackMethod = 'direct' | 'dropped' | 'cache';

export const ALIGN = 4096;
const CHUNK = 4 * 1024 * 1024;

export interface MediumHash {
  sha256: string;
  method: ReadBackMethod;
  /** Why the method is not `direct` (the errno of the O_DIRECT open, or of dd). */
  note: string | null;
}

const O_DIRECT: number | undefined = (fs.constants as Record<string, number | undefined>).O_DIRECT;

/** Finds the slice of `raw` (length + ALIGN bytes) at which an O_DIRECT read works. */
async function alignedSlice(handle: fs.promises.FileHandle, raw: Buffer, length: number): Promise<Buffer> {
  let lastError: unknown = null;
  for (let shift = 0; shift < ALIGN; shift += 16) {
    const slice = raw.subarray(shift, shift + length);
    try {
      await handle.read(slice, 0, ALIGN, 0);
      return slice;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EINVAL') throw error;
      lastError = error;
    }
  }
  throw lastError ?? new Error('no aligned slice');
}

function dropCachedPages(file: string): Promise<string | null> {
  return new Promise((resolve) => {
    execFile('dd', [`if=${file}`, 'iflag=nocache', 'count=0', 'status=none'], { timeout: 30_000 }, (error, _stdout, stderr) => resolve(error ? `dd: ${String(stderr || error.message).trim().slice(0, 200)}` : null));
  });
}

async function hashHandle(handle: fs.promises.FileHandle, buffers: [Buffer, Buffer], onBytes: (bytes: number) => void, signal?: AbortSignal): Promise<string> {
  const hash = createHash('sha256');
  const size = buffers[0].length;
  let position = 0;
  let turn = 0;
  // two buffers: the next read runs (in libuv's pool) while this one is hashed
  let reading = handle.read(buffers[0], 0, size, position);
  try {
    for (;;) {
      const { bytesRead, buffer } = await reading;
      if (signal?.aborted) throw Object.assign(new Error('cancelled'), { code: 'ECANCELED' });
      if (bytesRead === 0) break;
      position += bytesRead;
      turn ^= 1;
      // a short read is the end of the file (O_DIRECT offsets must stay aligned: no read after it)
      reading = bytesRead === size ? handle.read(buffers[turn]!, 0, size, position) : Promise.resolve({ bytesRead: 0, buffer: buffers[turn]! });
      hash.update(buffer.subarray(0, bytesRead));
      onBytes(bytesRead);
    }
  } finally {
    await reading.catch(() => undefined);
  }
  return hash.digest('hex');
}

/** SHA-256 of `file` read from its medium (see the module comment for the methods). */
export async function sha256FromMedium(file: string, onBytes: (bytes: number) => void = () => undefined, signal?: AbortSignal, options: { forbidDirect?: boolean } = {}): Promise<MediumHash> {
  let note: string | null = null;
  if (O_DIRECT !== undefined && process.platform === 'linux' && !options.forbidDirect) {
    let handle: fs.promises.FileHandle | null = null;
    try {
      handle = await fs.promises.open(file, fs.constants.O_RDONLY | O_DIRECT);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== 'EINVAL' && code !== 'EOPNOTSUPP') throw error;
      note = `O_DIRECT refused (${code})`;
    }
    if (handle) {
      try {
        const first = await alignedSlice(handle, Buffer.allocUnsafeSlow(CHUNK + ALIGN), CHUNK);
        const second = await alignedSlice(handle, Buffer.allocUnsafeSlow(CHUNK + ALIGN), CHUNK);
        return { sha256: await hashHandle(handle, [first, second], onBytes, signal), method: 'direct', note: null };
      } finally {
        await handle.close();
      }
    }
  } else if (options.forbidDirect) note = 'O_DIRECT not used';
  else note = `O_DIRECT not available on ${process.platform}`;
  let method: ReadBackMethod = 'cache';
  if (process.platform === 'linux') {
    const failed = await dropCachedPages(file);
    if (failed) note = `${note}; ${failed}`;
    else method = 'dropped';
  }
  const handle = await fs.promises.open(file, 'r');
  try {
    return { sha256: await hashHandle(handle, [Buffer.allocUnsafe(CHUNK), Buffer.allocUnsafe(CHUNK)], onBytes, signal), method, note };
  } finally {
    await handle.close();
  }
}

/** The weakest method of several reads (what the biên bản states for the whole export). */
export function weakestMethod(methods: readonly ReadBackMethod[]): ReadBackMethod {
  if (methods.includes('cache')) return 'cache';
  if (methods.includes('dropped')) return 'dropped';
  return 'direct';
}
