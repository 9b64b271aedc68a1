import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { MIGRATIONS, RecordingIndex } from '../../main/core/recording/recordingIndex';
import { DurabilityStats, SegmentFile } from '../../main/core/recording/segmentFile';
import { verifyFootage } from '../../main/core/recording/verify';
import { systemClock } from '../../main/core/util/clock';
import { tempDir } from '../helpers/paths';

const sha256 = (data: Buffer): string => createHash('sha256').update(data).digest('hex');
const opened: RecordingIndex[] = [];
afterEach(() => {
  for (const index of opened.splice(0)) index.close();
});

/** A closed segment written through SegmentFile (the recorder's writer) and indexed. */
async function writeSegment(index: RecordingIndex, root: string, cameraId: string, startMs: number, data: Buffer): Promise<string> {
  const relative = `${cameraId}/main/2026-12-05/08-00-00_${startMs}.ts`;
  const file = new SegmentFile(path.join(root, ...relative.split('/')), new DurabilityStats(), systemClock);
  // odd-sized writes, as packets arrive
  for (let offset = 0; offset < data.length; offset += 1000) file.write(data.subarray(offset, offset + 1000));
  await file.finish();
  index.insertSegment({ cameraId, stream: 'main', startMs, endMs: startMs + 10_000, bytes: file.bytes, path: relative, codec: 'h264', widthPx: null, heightPx: null, hasAudio: false, recovered: false, sha256: file.sha256 });
  return relative;
}

describe('issue 17: hashes at the source and the per-stream chain', () => {
  it('the writer hashes exactly the bytes it wrote (no second read); the chain links each row to the previous one', async () => {
    const dir = tempDir('custody-unit');
    const root = path.join(dir, 'recordings');
    const index = new RecordingIndex(path.join(dir, 'recordings.sqlite'));
    opened.push(index);
    const payloads = [0, 1, 2].map((n) => Buffer.alloc(188 * 500 + n * 188, n + 1));
    const paths: string[] = [];
    for (const [n, data] of payloads.entries()) paths.push(await writeSegment(index, root, 'cam-1', 1_000_000 + n * 10_000, data));
    const rows = index.segments('cam-1', 'main', 0, Number.MAX_SAFE_INTEGER);
    expect(rows.map((row) => row.sha256)).toEqual(payloads.map(sha256));
    expect(rows.map((row) => row.chainSeq)).toEqual([1, 2, 3]);
    expect(rows[0]!.prevHash).toBeNull();
    expect(rows[1]!.prevHash).toBe(rows[0]!.rowHash);
    expect((await verifyFootage(index, root)).ok).toBe(true);

    // a row edited in the database (its time moved): the chain shows it
    const db = new Database(path.join(dir, 'recordings.sqlite'));
    db.prepare('UPDATE segments SET start_ms = start_ms + 5000 WHERE chain_seq = 2').run();
    const edited = await verifyFootage(index, root);
    expect(edited.findings).toEqual([expect.objectContaining({ kind: 'chainBroken', reason: 'rowChanged', chainSeq: 2 })]);
    db.prepare('UPDATE segments SET start_ms = start_ms - 5000 WHERE chain_seq = 2').run();
    // the newest row removed with its file: the head kept apart names it
    db.prepare('DELETE FROM segments WHERE chain_seq = 3').run();
    db.close();
    fs.rmSync(path.join(root, ...paths[2]!.split('/')));
    const headless = await verifyFootage(index, root);
    expect(headless.findings).toEqual([expect.objectContaining({ kind: 'missing', reason: 'headRemoved', cameraId: 'cam-1', startMs: rows[1]!.endMs, chainSeq: 3 })]);
  });

  it('deletion by retention is not a hole: the pruned position is recorded', async () => {
    const dir = tempDir('custody-prune');
    const root = path.join(dir, 'recordings');
    const index = new RecordingIndex(path.join(dir, 'recordings.sqlite'));
    opened.push(index);
    for (let n = 0; n < 3; n++) await writeSegment(index, root, 'cam-1', 2_000_000 + n * 10_000, Buffer.alloc(188 * 10, n));
    const [oldest] = index.oldestSegments(1);
    index.markForDeletion(oldest!, 0);
    fs.rmSync(path.join(root, ...oldest!.path.split('/')));
    index.clearPendingDelete(oldest!.path);
    expect(index.chainPruned('cam-1', 'main')).toBe(1);
    expect((await verifyFootage(index, root)).findings).toEqual([]);
  });

  it('an index of schema 1 is migrated: its rows stay unhashed and say so, never a hash made up afterwards', async () => {
    const dir = tempDir('custody-migrate');
    const root = path.join(dir, 'recordings');
    const file = path.join(dir, 'recordings.sqlite');
    const relative = 'cam-1/main/2026-11-01/08-00-00_1000.ts';
    fs.mkdirSync(path.join(root, 'cam-1', 'main', '2026-11-01'), { recursive: true });
    fs.writeFileSync(path.join(root, ...relative.split('/')), Buffer.alloc(188 * 4, 7));
    const old = new Database(file);
    old.exec(MIGRATIONS[1]!);
    old.pragma('user_version = 1');
    old.prepare("INSERT INTO segments (camera_id, stream, start_ms, end_ms, bytes, path) VALUES ('cam-1', 'main', 1000, 11000, ?, ?)").run(188 * 4, relative);
    old.close();
    const index = new RecordingIndex(file);
    opened.push(index);
    const [row] = index.segments('cam-1', 'main', 0, Number.MAX_SAFE_INTEGER);
    expect(row).toMatchObject({ sha256: null, chainSeq: null, prevHash: null, rowHash: null });
    const report = await verifyFootage(index, root);
    expect(report).toMatchObject({ ok: true, unhashedSegments: 1 });
    // a new row after the migration starts the chain
    await writeSegment(index, root, 'cam-1', 20_000, Buffer.alloc(188 * 4, 9));
    expect(index.chainHead('cam-1', 'main')?.seq).toBe(1);
    // an unhashed row whose file changed size is still caught
    fs.appendFileSync(path.join(root, ...relative.split('/')), Buffer.alloc(188, 1));
    expect((await verifyFootage(index, root)).findings).toEqual([expect.objectContaining({ kind: 'altered', reason: 'sizeChanged', path: relative })]);
  });
});
