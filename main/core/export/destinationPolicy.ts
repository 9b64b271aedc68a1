import fs from 'node:fs';
import path from 'node:path';

/**
 * Where an export may go (issue 17 item 8): a removable drive, or a folder the administrator
 * listed in the site file (`export.allowedFolders`), or below one. Both sides are compared as
 * real paths (symbolic links resolved), so `/media/usb/link → /home/…` is not a removable drive
 * and `/srv/ho-so/../../etc` is not below `/srv/ho-so`. Windows paths compare without case.
 */
export function realFolder(folder: string): string {
  try {
    return fs.realpathSync.native(folder);
  } catch {
    return path.resolve(folder);
  }
}

export function isBelow(folder: string, root: string, platform: NodeJS.Platform = process.platform): boolean {
  const fold = (value: string) => (platform === 'win32' ? value.toLowerCase() : value);
  const relative = (platform === 'win32' ? path.win32 : path.posix).relative(fold(root), fold(folder));
  return relative === '' || (!relative.startsWith('..') && !path.isAbsolute(relative) && !/^[A-Za-z]:/.test(relative));
}

/** True when the export may be written to `destination`: removable, or at or below an allowed folder. */
export function destinationAllowed(destination: string, removable: boolean, allowedFolders: readonly string[] | undefined): boolean {
  if (removable) return true;
  const real = realFolder(destination);
  return (allowedFolders ?? []).some((folder) => isBelow(real, realFolder(folder)));
}
