import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { restrictToOwner, secureDataDir } from '../../main/core/paths';
import { tempDir } from '../helpers/paths';

const dirs: string[] = [];
afterAll(() => {
  for (const made of dirs) fs.rmSync(made, { recursive: true, force: true });
});

/** Every entry under `root` (root included) with its permission bits, as 'relative: 0700'. */
function modes(root: string): string[] {
  const out = [`.: ${(fs.statSync(root).mode & 0o777).toString(8)}`];
  for (const name of (fs.readdirSync(root, { recursive: true }) as string[]).sort()) out.push(`${name.split(path.sep).join('/')}: ${(fs.lstatSync(path.join(root, name)).mode & 0o777).toString(8)}`);
  return out;
}

describe.skipIf(process.platform === 'win32')('owner-only DATA (issue 19)', () => {
  it('makes an existing world-readable DATA owner-only: folders 0700, files 0600, recordings and SQLite files included', async () => {
    const parent = tempDir('owner-only');
    dirs.push(parent);
    const dataDir = path.join(parent, 'data');
    const loose = (file: string, text = 'x'): void => {
      fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o755 });
      fs.writeFileSync(file, text, { mode: 0o644 });
      fs.chmodSync(file, 0o644);
    };
    fs.mkdirSync(dataDir, { mode: 0o755 });
    fs.chmodSync(dataDir, 0o755);
    loose(path.join(dataDir, 'logs', 'console.log'));
    loose(path.join(dataDir, 'map', 'layers.json'), '{}');
    loose(path.join(dataDir, 'recordings', 'cam-1', '2026-12-05', '09-00-00.ts'));
    loose(path.join(dataDir, 'demo-media', 'v1', 'cam-1-sub.ts'));
    const index = new Database(path.join(dataDir, 'recordings.sqlite'));
    index.pragma('journal_mode = WAL');
    index.exec('CREATE TABLE t (x); INSERT INTO t VALUES (1);');
    for (const file of ['recordings.sqlite', 'recordings.sqlite-wal', 'recordings.sqlite-shm']) fs.chmodSync(path.join(dataDir, file), 0o644);
    for (const folder of ['logs', 'map', 'recordings', 'recordings/cam-1', 'recordings/cam-1/2026-12-05', 'demo-media', 'demo-media/v1']) fs.chmodSync(path.join(dataDir, folder), 0o755);
    expect(modes(dataDir).filter((line) => line.endsWith(': 755') || line.endsWith(': 644'))).toHaveLength(modes(dataDir).length);

    const { background } = secureDataDir(dataDir);
    // at once: DATA itself and its small files
    expect(fs.statSync(dataDir).mode & 0o777).toBe(0o700);
    expect(fs.statSync(path.join(dataDir, 'recordings.sqlite-wal')).mode & 0o777).toBe(0o600);
    await background;
    index.close();
    const after = modes(dataDir);
    expect(after.filter((line) => !line.endsWith(': 700') && !line.endsWith(': 600'))).toEqual([]);
    expect(after).toContain('recordings/cam-1/2026-12-05/09-00-00.ts: 600');
    expect(after).toContain('recordings/cam-1/2026-12-05: 700');
    expect(after).toContain('.owner-only: 600');
  });

  it('after restrictToOwner, what the process creates (files, folders, SQLite and its WAL) is owner-only', () => {
    const previous = process.umask();
    try {
      restrictToOwner();
      const parent = tempDir('owner-new');
      dirs.push(parent);
      const dataDir = path.join(parent, 'data');
      secureDataDir(dataDir);
      fs.mkdirSync(path.join(dataDir, 'logs'));
      fs.writeFileSync(path.join(dataDir, 'logs', 'console.log'), 'line\n');
      const db = new Database(path.join(dataDir, 'index.sqlite'));
      db.pragma('journal_mode = WAL');
      db.exec('CREATE TABLE t (x); INSERT INTO t VALUES (1);');
      expect(modes(dataDir).filter((line) => !line.endsWith(': 700') && !line.endsWith(': 600'))).toEqual([]);
      expect(modes(dataDir)).toContain('index.sqlite-wal: 600');
      db.close();
    } finally {
      process.umask(previous);
    }
  });
});
