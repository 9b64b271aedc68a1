import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

/**
 * Replaces a file whole or not at all, and durably: a temporary name next to it, fsync, rename,
 * fsync of the folder. Used for every small file the console rewrites (site file, map layers,
 * credentials). `mode` for secrets (0o600).
 */
export function writeFileAtomic(file: string, data: string | Buffer, mode?: number): void {
  const temporary = `${file}.${process.pid}.${crypto.randomBytes(4).toString('hex')}.tmp`;
  const fd = fs.openSync(temporary, 'w', mode);
  try {
    if (mode !== undefined) fs.fchmodSync(fd, mode);
    fs.writeFileSync(fd, data);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(temporary, file);
  try {
    const dir = fs.openSync(path.dirname(file), 'r');
    fs.fsyncSync(dir);
    fs.closeSync(dir);
  } catch {
    // directories cannot be fsynced on Windows: the rename is still atomic there
  }
}
