import fs from 'node:fs';
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

/**
 * Owner-only data (issue 19): recordings, their index, logs and credentials are nobody else's
 * business on a shared PC. Every file the core (and every ffmpeg it starts) creates from here
 * on is 0600, every folder 0700. POSIX only (Windows keeps the profile folder's ACL).
 */
export function restrictToOwner(): void {
  if (process.platform === 'win32') return;
  try {
    process.umask(0o077);
  } catch {
    // a worker thread cannot change the umask; its process already has
  }
}

/** Written once a full pass over an existing DATA has made every entry owner-only. */
const OWNER_ONLY_MARK = '.owner-only';
/** Folders whose files can number in the hundreds of thousands: fixed in the background. */
const LARGE_FOLDERS = new Set(['recordings', 'demo-media']);

function fixMode(entry: string, isDirectory: boolean, mode: number): void {
  const wanted = isDirectory ? 0o700 : 0o600;
  if ((mode & 0o777) !== wanted && (mode & 0o077) !== 0) fs.chmodSync(entry, (mode & 0o700) | (isDirectory ? 0o700 : 0));
}

function fixTree(dir: string, skipLarge: boolean): string[] {
  const large: string[] = [];
  for (const dirent of fs.readdirSync(dir, { withFileTypes: true })) {
    const entry = path.join(dir, dirent.name);
    if (dirent.isSymbolicLink()) continue;
    const stat = fs.lstatSync(entry);
    fixMode(entry, dirent.isDirectory(), stat.mode);
    if (!dirent.isDirectory()) continue;
    if (skipLarge && LARGE_FOLDERS.has(dirent.name)) large.push(entry);
    else fixTree(entry, false);
  }
  return large;
}

async function fixTreeInBackground(dir: string): Promise<void> {
  for (const dirent of await fs.promises.readdir(dir, { withFileTypes: true })) {
    const entry = path.join(dir, dirent.name);
    if (dirent.isSymbolicLink()) continue;
    const stat = await fs.promises.lstat(entry);
    const wanted = dirent.isDirectory() ? 0o700 : 0o600;
    if ((stat.mode & 0o077) !== 0) await fs.promises.chmod(entry, (stat.mode & 0o700) | (wanted & 0o700));
    if (dirent.isDirectory()) await fixTreeInBackground(entry);
  }
}

/**
 * Creates DATA owner-only, or makes an existing one so (a DATA from before this rule, 0755 /
 * 0644). DATA itself at once (0700 alone already keeps everyone else out of everything in it);
 * its small folders and files (index, logs, map, credentials) at once; the recordings in the
 * background, once (`.owner-only` marks it done). Resolves when the background pass ends.
 */
export function secureDataDir(dataDir: string): { background: Promise<void> } {
  fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  if (process.platform === 'win32') return { background: Promise.resolve() };
  fs.chmodSync(dataDir, 0o700);
  const mark = path.join(dataDir, OWNER_ONLY_MARK);
  if (fs.existsSync(mark)) return { background: Promise.resolve() };
  const large = fixTree(dataDir, true);
  const background = (async () => {
    for (const folder of large) await fixTreeInBackground(folder);
    await fs.promises.writeFile(mark, 'DATA and everything in it are owner-only (0700/0600).\n', { mode: 0o600 });
  })().catch(() => undefined);
  return { background };
}
