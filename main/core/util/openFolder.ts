import { spawn } from 'node:child_process';
import fs from 'node:fs';

/**
 * Opens a folder in the PC's file manager. The core runs on the station PC itself (both hosts),
 * so it can do this for a browser page too. Resolves false when no file manager could start
 * (a PC without a desktop).
 */
export function fileManagerCommand(platform: NodeJS.Platform = process.platform): string {
  if (platform === 'win32') return 'explorer.exe';
  if (platform === 'darwin') return 'open';
  return 'xdg-open';
}

export function openFolder(folder: string, command = fileManagerCommand()): Promise<boolean> {
  fs.mkdirSync(folder, { recursive: true });
  return new Promise((resolve) => {
    try {
      const child = spawn(command, [folder], { detached: true, stdio: 'ignore', windowsHide: false });
      child.once('error', () => resolve(false));
      child.once('spawn', () => {
        child.unref();
        resolve(true);
      });
    } catch {
      resolve(false);
    }
  });
}
