import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/**
 * DATA/console.lock: one console per data folder. Taken by the core before anything touches the
 * folder (recovery, the index, the credentials), released on stop. Holds the owner's pid, when it
 * started and when the machine booted, so a lock left by a power cut (other boot) or a killed
 * core (dead pid) is recognised as stale and taken over.
 */
export const LOCK_FILE = 'console.lock';

export interface LockOwner {
  pid: number;
  startedAtMs: number;
  bootedAtMs: number;
  host: string;
}

export class DataFolderLockedError extends Error {
  constructor(
    readonly dir: string,
    readonly owner: LockOwner,
  ) {
    super(`data folder ${dir} is in use by process ${owner.pid}`);
    this.name = 'DataFolderLockedError';
  }
}

export interface LockEnvironment {
  pid: number;
  nowMs: number;
  bootedAtMs: number;
  host: string;
  isAlive(pid: number): boolean;
}

export function systemLockEnvironment(): LockEnvironment {
  const nowMs = Date.now();
  return {
    pid: process.pid,
    nowMs,
    bootedAtMs: nowMs - os.uptime() * 1000,
    host: os.hostname(),
    isAlive(pid) {
      try {
        process.kill(pid, 0);
        return true;
      } catch (error) {
        return (error as NodeJS.ErrnoException).code === 'EPERM';
      }
    },
  };
}

/** A boot more than this apart from the lock's: the machine restarted since (uptime is coarse). */
const BOOT_SLACK_MS = 2 * 60 * 1000;

export type LockVerdict = 'free' | 'ours' | 'held' | 'stale';

/** Pure: whether a lock file's owner still holds the folder. */
export function judgeLock(owner: LockOwner | null, env: LockEnvironment): LockVerdict {
  if (owner === null) return 'free';
  if (owner.host !== env.host) return 'held'; // a shared folder seen from another PC: never take it over
  if (Math.abs(owner.bootedAtMs - env.bootedAtMs) > BOOT_SLACK_MS) return 'stale';
  if (owner.pid === env.pid) return 'ours';
  return env.isAlive(owner.pid) ? 'held' : 'stale';
}

export function parseLock(text: string): LockOwner | null {
  try {
    const raw = JSON.parse(text) as Partial<LockOwner>;
    if (typeof raw.pid !== 'number' || typeof raw.startedAtMs !== 'number' || typeof raw.bootedAtMs !== 'number' || typeof raw.host !== 'string') return null;
    return { pid: raw.pid, startedAtMs: raw.startedAtMs, bootedAtMs: raw.bootedAtMs, host: raw.host };
  } catch {
    return null;
  }
}

export interface HeldLock {
  file: string;
  /** The stale owner replaced, if any (for the log). */
  replaced: LockOwner | null;
  release(): void;
}

/**
 * Takes DATA/console.lock or throws DataFolderLockedError. Creation is exclusive (`wx`), so two
 * cores starting at once cannot both win; a stale or unreadable lock is removed and retaken once.
 */
export function acquireDataLock(dataDir: string, env: LockEnvironment = systemLockEnvironment()): HeldLock {
  fs.mkdirSync(dataDir, { recursive: true });
  const file = path.join(dataDir, LOCK_FILE);
  const mine: LockOwner = { pid: env.pid, startedAtMs: env.nowMs, bootedAtMs: env.bootedAtMs, host: env.host };
  let replaced: LockOwner | null = null;
  for (let attempt = 0; attempt < 3; attempt += 1) {
    try {
      fs.writeFileSync(file, JSON.stringify(mine) + '\n', { flag: 'wx', mode: 0o644 });
      let released = false;
      return {
        file,
        replaced,
        release() {
          if (released) return;
          released = true;
          try {
            const current = parseLock(fs.readFileSync(file, 'utf8'));
            if (current && current.pid === mine.pid && current.startedAtMs === mine.startedAtMs) fs.rmSync(file);
          } catch {
            // already gone
          }
        },
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    let text = '';
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch {
      continue; // removed meanwhile: try again
    }
    const owner = parseLock(text);
    const verdict = owner === null ? 'stale' : judgeLock(owner, env);
    if (verdict === 'held' && owner) throw new DataFolderLockedError(dataDir, owner);
    replaced = owner;
    fs.rmSync(file, { force: true });
  }
  throw new Error(`could not take ${file}`);
}
