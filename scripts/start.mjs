// `npm start`: the console in Electron when its binary is installed, otherwise in browser mode
// (the core serves the UI on 127.0.0.1 and prints the address to open). Arguments after `--`
// (--site FILE, --data DIR, --port N, --lang vi|en) go to either.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { installedElectron, root } from './electron-binary.mjs';

const args = process.argv.slice(2);
const electron = process.env.CONSOLE_BROWSER_MODE ? null : installedElectron();
let child;
if (electron) {
  child = spawn(electron, [root, ...args], { stdio: 'inherit' });
} else {
  const vietnamese = (process.env.CONSOLE_LANG ?? 'vi') !== 'en';
  console.log(vietnamese ? 'Chưa có Electron trên máy này: chạy ở chế độ trình duyệt.' : 'Electron is not installed here: running in browser mode.');
  child = spawn(process.execPath, [path.join(root, 'dist', 'core', 'supervise.cjs'), ...args], { stdio: 'inherit' });
}
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
