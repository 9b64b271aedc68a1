import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

/**
 * Durable file writes, the one copy: a file is replaced whole or not at all, and survives a power
 * cut or a pulled stick once the call returns — written under a temporary name next to it,
 * fsynced, renamed over the target, then the folder fsynced (so the rename itself is on disk).
 * Used for every file the console rewrites (site file, map layers, credentials, exported
 * documents). Tested in tests/unit/sharedHelpers.test.ts.
 */

/** fsync of a file by path (read-only is enough on Linux; Windows needs write access). */
export function fsyncFile(file: string): void {
  const fd = fs.openSync(file, process.platform === 'win32' ? 'r+' : 'r');
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * fsync of a file by path in libuv's thread pool: the event loop (live video, every call) goes on
 * while a slow USB stick takes its seconds to write a clip back.
 */
export async function fsyncFileAsync(file: string): Promise<void> {
  const handle = await fs.promises.open(file, process.platform === 'win32' ? 'r+' : 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * While another process (ffmpeg) writes `file`, sends what it has written to the medium every
 * `periodMs` (an fdatasync in the thread pool, one at a time): the write to a slow stick runs
 * beside the writer instead of after it, and the final fsync waits only for the last pages.
 * A file not created yet is looked for again at the next period. `stop` waits for a flush in
 * progress and closes the file.
 */
export function flushWhileWritten(file: string, periodMs = 500): { flushes: () => number; stop: () => Promise<void> } {
  let stopped = false;
  let fd: number | null = null;
  let flushes = 0;
  let wake: (() => void) | null = null;
  const sleep = (): Promise<void> =>
    new Promise((resolve) => {
      const timer = setTimeout(resolve, periodMs);
      wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  const loop = async (): Promise<void> => {
    while (!stopped) {
      await sleep();
      if (stopped) break;
      try {
        fd ??= fs.openSync(file, process.platform === 'win32' ? 'r+' : 'r');
        const handle = fd;
        await new Promise<void>((resolve, reject) => fs.fdatasync(handle, (error) => (error ? reject(error) : resolve())));
        flushes += 1;
      } catch {
        // not created yet, or gone (the writer failed): the caller's own checks decide
      }
    }
  };
  const running = loop();
  return {
    flushes: () => flushes,
    async stop() {
      stopped = true;
      wake?.();
      await running;
      if (fd !== null) fs.closeSync(fd);
      fd = null;
    },
  };
}

/** fsync of a directory, so a create or rename inside it is on disk (not possible on Windows: NTFS journals it). */
export function fsyncDir(dir: string): void {
  if (process.platform === 'win32') return;
  let fd: number | null = null;
  try {
    fd = fs.openSync(dir, 'r');
    fs.fsyncSync(fd);
  } finally {
    if (fd !== null) fs.closeSync(fd);
  }
}

export interface DurableWriteOptions {
  /** File mode for secrets (0o600), set on the temporary file before any byte is written. */
  mode?: number;
  /**
   * The temporary name; default a unique `NAME.PID.RANDOM.tmp`. A fixed name (export's
   * `NAME.part`) is opened exclusively: a leftover from a crash is an error, never overwritten.
   */
  temporary?: string;
}

/** Replaces `file` with `data`, whole or not at all, durably. */
export function writeFileAtomic(file: string, data: string | Buffer, options: DurableWriteOptions = {}): void {
  const temporary = options.temporary ?? `${file}.${process.pid}.${crypto.randomBytes(4).toString('hex')}.tmp`;
  const fd = fs.openSync(temporary, options.temporary === undefined ? 'w' : 'wx', options.mode);
  try {
    try {
      if (options.mode !== undefined) fs.fchmodSync(fd, options.mode);
      fs.writeFileSync(fd, data);
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(temporary, file);
  } catch (error) {
    fs.rmSync(temporary, { force: true });
    throw error;
  }
  fsyncDir(path.dirname(file));
}

/** Copies `source` to `file`, whole or not at all, durably (an imported map layer). */
export function copyFileAtomic(source: string, file: string): void {
  const temporary = `${file}.${process.pid}.${crypto.randomBytes(4).toString('hex')}.tmp`;
  try {
    fs.copyFileSync(source, temporary);
    fsyncFile(temporary);
    fs.renameSync(temporary, file);
  } catch (error) {
    fs.rmSync(temporary, { force: true });
    throw error;
  }
  fsyncDir(path.dirname(file));
}
