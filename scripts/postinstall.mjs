// After `npm install`: fetch the Electron binary when the network allows it (Electron 45 no
// longer downloads it at install time). Never fails the install: without Electron the console
// runs in browser mode. Set ELECTRON_SKIP_BINARY_DOWNLOAD=1 to skip the attempt.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { electronDir, installedElectron } from './electron-binary.mjs';

if (process.env.ELECTRON_SKIP_BINARY_DOWNLOAD) {
  console.log('postinstall: ELECTRON_SKIP_BINARY_DOWNLOAD is set: the console will run in browser mode.');
} else if (!fs.existsSync(path.join(electronDir, 'install.js'))) {
  console.log('postinstall: electron is not installed: the console will run in browser mode.');
} else if (installedElectron()) {
  console.log('postinstall: Electron binary present.');
} else {
  const result = spawnSync(process.execPath, [path.join(electronDir, 'install.js')], { stdio: 'pipe', timeout: 180000, encoding: 'utf8' });
  if (result.status === 0 && installedElectron()) {
    console.log('postinstall: Electron binary downloaded.');
  } else {
    const reason = (result.stderr || result.error?.message || '').split('\n').find((line) => line.trim()) ?? 'unknown error';
    console.log(`postinstall: could not download the Electron binary (${reason.trim()}): the console will run in browser mode.`);
  }
}
