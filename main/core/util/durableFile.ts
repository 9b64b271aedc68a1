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
