import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../main/core/log/logger';
import { MIGRATIONS, RecordingIndex } from '../../main/core/recording/recordingIndex';
import { DurabilityStats } from '../../main/core/recording/segmentFile';
import { StorageManager, type StorageConfig } from '../../main/core/recording/storageManager';
import { ManualClock } from '../../main/core/util/clock';
import { tempDir } from '../helpers/paths';

// Issue 17 item 7, on a real SQLite index and real files: footage on legal hold survives
// retention by days, the quota and the free-space floor until it is released.
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const T0 = Date.UTC(2026, 0, 1);

const opened: RecordingIndex[] = [];
afterEach(() => {
  for (const index of opened.splice(0)) index.close();
});

function rig(config: Partial<StorageConfig>, freeBytes: (storage: StorageManager) => number = () => 1e12) {
  const dir = tempDir('legal-hold');
  const root = path.join(dir, 'recordings');
  const clock = new ManualClock(T0);
  const index = new RecordingIndex(path.join(dir, 'recordings.sqlite'));
  opened.push(index);
  const full: StorageConfig = { retentionDays: 30, cameraRetentionDays: new Map(), quotaBytes: null, minFreeBytes: 0, ...config };
  const storage: StorageManager = new StorageManager(index, root, full, { clock, log: silentLogger, stats: new DurabilityStats(), space: () => ({ totalBytes: 1e12, freeBytes: freeBytes(storage) }) });
  /** `count` hourly segments of one camera from `startMs`, each a real file of `bytes`. */
  const seed = (cameraId: string, startMs: number, count: number, bytes: number): void => {
    for (let n = 0; n < count; n++) {
      const at = startMs + n * HOUR;
      for (const stream of ['main', 'sub'] as const) {
        const relative = `${cameraId}/${stream}/d/${at}.ts`;
        const file = path.join(root, ...relative.split('/'));
        fs.mkdirSync(path.dirname(file), { recursive: true });
        fs.writeFileSync(file, Buffer.alloc(bytes));
        index.insertSegment({ cameraId, stream, startMs: at, endMs: at + HOUR, bytes, path: relative, codec: 'h264', widthPx: null, heightPx: null, hasAudio: false, recovered: false });
      }
    }
  };
  const hold = (cameraId: string, startMs: number, endMs: number) =>
    index.addHold({ cameraId, startMs, endMs, reason: 'Vụ 7/2026', source: 'export', sourceRef: 'job-1', createdBy: 'thu-ky', createdMs: clock.now() });
  const starts = (cameraId: string) => index.segments(cameraId, 'main', 0, Number.MAX_SAFE_INTEGER).map((row) => row.startMs);
  const filesOf = (cameraId: string) => fs.readdirSync(path.join(root, cameraId, 'main', 'd')).length;
  return { root, clock, index, storage, seed, hold, starts, filesOf };
}

describe('legal hold', () => {
  it('retention by days skips held footage, both streams, and deletes it once the hold is released', () => {
    const { clock, index, storage, seed, hold, starts, filesOf } = rig({ retentionDays: 7 });
    seed('a', T0, 24 * 10, 1000); // 10 days, hourly
    seed('b', T0, 24 * 10, 1000);
    const held = hold('a', T0 + DAY + 30 * 60_000, T0 + DAY + 3 * HOUR); // overlaps three segments, the first by half
    clock.advance(10 * DAY);
    storage.enforce();
    const heldStarts = [T0 + DAY, T0 + DAY + HOUR, T0 + DAY + 2 * HOUR];
    expect(starts('a').slice(0, 3)).toEqual(heldStarts);
    expect(starts('a')[3]).toBeGreaterThanOrEqual(clock.now() - 7 * DAY - HOUR);
    expect(index.segments('a', 'sub', 0, T0 + 2 * DAY).map((row) => row.startMs)).toEqual(heldStarts);
    expect(starts('b')[0]).toBeGreaterThanOrEqual(clock.now() - 7 * DAY - HOUR); // other cameras: no hold, the usual rule
    expect(filesOf('a')).toBe(starts('a').length);
    expect(index.heldBytes()).toBe(6 * 1000);
    expect(index.footageOf(index.hold(held)!)).toEqual({ bytes: 6000, segments: 6 });

    expect(index.releaseHold(held, 'quan-tri', clock.now(), 'Vụ án đã xử xong')).toBe(true);
    expect(index.releaseHold(held, 'quan-tri', clock.now(), 'lần hai')).toBe(false);
    expect(index.hold(held)).toMatchObject({ releasedBy: 'quan-tri', releaseReason: 'Vụ án đã xử xong', createdBy: 'thu-ky' });
    storage.enforce();
    expect(starts('a')[0]).toBeGreaterThanOrEqual(clock.now() - 7 * DAY - HOUR);
    expect(index.heldBytes()).toBe(0);
    // the released hold stays listed (who, when, why) for 30 days
    expect(index.holds(clock.now() - 30 * DAY).map((row) => row.id)).toEqual([held]);
  });

  it('the quota deletes the oldest footage that is not held, and stops when only held footage is over it', () => {
    const { root, index, storage, seed, hold, starts } = rig({ quotaBytes: 40 * 1000 });
    seed('a', T0, 40, 1000); // 80 kB on two streams
    hold('a', T0, T0 + 10 * HOUR); // the oldest 20 kB
    storage.enforce();
    expect(index.totalBytes()).toBe(40 * 1000);
    expect(starts('a').slice(0, 10)).toEqual(Array.from({ length: 10 }, (_, n) => T0 + n * HOUR));
    expect(starts('a')[10]).toBe(T0 + 30 * HOUR); // hours 10..29 went (40 kB on two streams), 30..39 stay
    // a second hold over everything left: the quota cannot be met, nothing held goes, the pass ends
    hold('a', T0, T0 + 40 * HOUR);
    const smaller = new StorageManager(index, root, { retentionDays: 30, cameraRetentionDays: new Map(), quotaBytes: 1000, minFreeBytes: 0 }, { clock: new ManualClock(T0), log: silentLogger, stats: new DurabilityStats(), space: () => ({ totalBytes: 1e12, freeBytes: 1e12 }) });
    expect(smaller.enforce()).toBe(0);
    expect(index.totalBytes()).toBe(40 * 1000);
    expect(index.heldBytes()).toBe(40 * 1000); // two overlapping holds count each segment once
  });

  it('at the floor with only held footage left: nothing held is deleted, the alarm goes off once, and clears after a release', () => {
    let free = 0;
    const { clock, index, storage, seed, hold } = rig({ minFreeBytes: 50_000 }, (manager) => free + manager.deletedBytes);
    seed('a', T0, 10, 1000); // 20 kB
    const first = hold('a', T0, T0 + 6 * HOUR); // 12 kB held
    const alarms: number[] = [];
    storage.onHeldFloor((heldBytes) => alarms.push(heldBytes));
    free = 45_000; // 5 kB below the floor: the five oldest unheld segments go, then it fits
    expect(storage.makeRoom(0)).toBe(true);
    expect(index.totalBytes()).toBe(20_000 - 5000);
    expect(alarms).toEqual([]);

    free = 0; // another program filled the disk: only held footage would help
    expect(storage.makeRoom(0)).toBe(false);
    expect(storage.makeRoom(0)).toBe(false);
    expect(index.heldBytes()).toBe(12_000);
    expect(index.totalBytes()).toBe(12_000); // the unheld rest went, nothing held did
    expect(alarms).toEqual([12_000]); // once, not on every segment close
    expect(storage.heldFloorSinceMs).toBe(clock.now());
    expect(index.events(0).map((event) => event.kind)).toContain('heldFloor');

    index.releaseHold(first, 'quan-tri', clock.now(), 'không còn cần');
    free = 45_000 - storage.deletedBytes; // the disk as before: 5 kB short
    expect(storage.makeRoom(0)).toBe(true);
    expect(storage.heldFloorSinceMs).toBeNull();
    expect(index.totalBytes()).toBe(12_000 - 5000); // the released footage goes first, oldest first
    expect(index.segments('a', 'main', 0, Number.MAX_SAFE_INTEGER).every((row) => row.startMs >= T0 + 2 * HOUR)).toBe(true);
  });

  it('an index written before holds existed (schema 2) gains the holds table and keeps its rows', () => {
    const dir = tempDir('legal-hold-migrate');
    const file = path.join(dir, 'recordings.sqlite');
    const old = new Database(file);
    for (const version of [1, 2]) {
      old.exec(MIGRATIONS[version]!);
      old.pragma(`user_version = ${version}`);
    }
    old.prepare("INSERT INTO segments (camera_id, stream, start_ms, end_ms, bytes, path) VALUES ('a', 'main', 0, 1000, 5, 'a/main/x.ts')").run();
    old.close();
    const index = new RecordingIndex(file);
    opened.push(index);
    expect(index.allSegments()).toHaveLength(1);
    expect(index.oldestSegments(5)).toHaveLength(1);
    const id = index.addHold({ cameraId: 'a', startMs: 0, endMs: 500, reason: 'r', source: 'manual', sourceRef: null, createdBy: 'x', createdMs: 1 });
    expect(index.oldestSegments(5)).toHaveLength(0);
    expect(index.expiredSegments('a', 10_000, 5)).toHaveLength(0);
    expect(index.hold(id)?.releasedMs).toBeNull();
  });
});
