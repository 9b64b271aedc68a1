import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { acquireDataLock, DataFolderLockedError, judgeLock, LOCK_FILE, systemLockEnvironment, type LockEnvironment } from '../../main/core/dataLock';

let dir = '';
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'console-lock-'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

function env(overrides: Partial<LockEnvironment> = {}): LockEnvironment {
  return { pid: 1000, nowMs: 5_000_000, bootedAtMs: 1_000_000, host: 'station', isAlive: () => true, ...overrides };
}

describe('DATA/console.lock', () => {
  it('is taken with the owner pid and start time, refused to a second owner, and released', () => {
    const lock = acquireDataLock(dir, env());
    const written = JSON.parse(fs.readFileSync(path.join(dir, LOCK_FILE), 'utf8'));
    expect(written).toMatchObject({ pid: 1000, startedAtMs: 5_000_000, host: 'station' });
    let refused: unknown = null;
    try {
      acquireDataLock(dir, env({ pid: 2000 }));
    } catch (error) {
      refused = error;
    }
    expect(refused).toBeInstanceOf(DataFolderLockedError);
    expect((refused as DataFolderLockedError).owner.pid).toBe(1000);
    lock.release();
    expect(fs.existsSync(path.join(dir, LOCK_FILE))).toBe(false);
    acquireDataLock(dir, env({ pid: 2000 })).release();
  });

  it('takes over the lock of a dead process (a killed core)', () => {
    acquireDataLock(dir, env());
    const lock = acquireDataLock(dir, env({ pid: 2000, isAlive: (pid) => pid !== 1000 }));
    expect(lock.replaced?.pid).toBe(1000);
    lock.release();
  });

  it('takes over a lock from before a power cut even when its pid is alive again (other boot)', () => {
    acquireDataLock(dir, env());
    const lock = acquireDataLock(dir, env({ pid: 2000, bootedAtMs: 9_000_000 }));
    expect(lock.replaced?.pid).toBe(1000);
    lock.release();
  });

  it('takes over an unreadable lock file, never one of another PC on a shared folder', () => {
    fs.writeFileSync(path.join(dir, LOCK_FILE), 'garbage');
    acquireDataLock(dir, env()).release();
    expect(judgeLock({ pid: 1, startedAtMs: 0, bootedAtMs: 0, host: 'other-pc' }, env({ isAlive: () => false }))).toBe('held');
  });

  it('sees a real live process as holding and a real finished one as stale', () => {
    const real = systemLockEnvironment();
    expect(judgeLock({ pid: process.ppid, startedAtMs: 0, bootedAtMs: real.bootedAtMs, host: real.host }, real)).toBe('held');
    expect(judgeLock({ pid: 2 ** 22 + 12345, startedAtMs: 0, bootedAtMs: real.bootedAtMs, host: real.host }, real)).toBe('stale');
  });
});
