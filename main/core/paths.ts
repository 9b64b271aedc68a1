import os from 'node:os';
import path from 'node:path';

declare const __CONSOLE_VERSION__: string | undefined;

/** The console's version, stamped by the build (scripts/build.mjs). */
export const CONSOLE_VERSION: string = typeof __CONSOLE_VERSION__ === 'string' ? __CONSOLE_VERSION__ : '0.0.0-dev';

/** The folder holding resources/ and dist/ (the repository, or the packaged app). */
export function appRoot(): string {
  return process.env.CONSOLE_APP_ROOT ?? path.resolve(__dirname, '..', '..');
}

export function resourcesDir(): string {
  return path.join(appRoot(), 'resources');
}

export function demoSitePath(): string {
  return path.join(resourcesDir(), 'demo-site.json');
}

export function rendererDir(): string {
  return path.join(appRoot(), 'dist', 'renderer');
}

/** Where the database, recordings and logs go unless --data says otherwise. */
export function defaultDataDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.CONSOLE_DATA_DIR) return env.CONSOLE_DATA_DIR;
  const home = os.homedir();
  if (process.platform === 'win32') return path.join(env.LOCALAPPDATA ?? path.join(home, 'AppData', 'Local'), 'CommuneConsole');
  if (process.platform === 'darwin') return path.join(home, 'Library', 'Application Support', 'CommuneConsole');
  return path.join(env.XDG_DATA_HOME ?? path.join(home, '.local', 'share'), 'commune-console');
}
