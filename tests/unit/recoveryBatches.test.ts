import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { silentLogger } from '../../main/core/log/logger';
import { RecordingIndex } from '../../main/core/recording/recordingIndex';
import { recover, START_AUDIT_BATCH_ROWS } from '../../main/core/recording/recovery';
import { DurabilityStats } from '../../main/core/recording/segmentFile';
import { ManualClock } from '../../main/core/util/clock';
import { tempDir } from '../helpers/paths';

// Weeks of footage are a million index rows, each with its keyframe index: the start-up check of
// every row against the disk read them all into memory at once (bench:soak saw each restarted core
// start higher). It now reads them a batch at a time, and still finds every missing file.
describe('the start-up check of every row, in batches', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('never reads the whole index, and finds a missing file in the first, a middle and the last batch', () => {
    const dir = tempDir('recovery-batches');
    dirs.push(dir);
    const root = path.join(dir, 'recordings');
    const rows = START_AUDIT_BATCH_ROWS * 2 + 321;
    const startMs = Date.UTC(2026, 10, 1); // a month ago: not today's or yesterday's folders
    const day = '2026-11-01';
    fs.mkdirSync(path.join(root, 'cam-1', 'sub', day), { recursive: true });
    const index = new RecordingIndex(path.join(dir, 'recordings.sqlite'));
    try {
      index.transaction(() => {
        for (let n = 0; n < rows; n++) {
          const relative = `cam-1/sub/${day}/seg-${n}.ts`;
          fs.writeFileSync(path.join(root, ...relative.split('/')), Buffer.alloc(188, 0x47));
          index.insertSegment({ cameraId: 'cam-1', stream: 'sub', startMs: startMs + n * 1000, endMs: startMs + (n + 1) * 1000, bytes: 188, path: relative, codec: 'h264', widthPx: 640, heightPx: 360, hasAudio: false, recovered: false, keyframes: [{ offset: 376, atMs: 0 }], psiBytes: 376 });
        }
      });
      const gone = [3, START_AUDIT_BATCH_ROWS + 7, rows - 1];
      for (const n of gone) fs.rmSync(path.join(root, 'cam-1', 'sub', day, `seg-${n}.ts`));
      const whole = vi.spyOn(index, 'allSegments');
      const batches = vi.spyOn(index, 'segmentsAfterId');
      const clock = new ManualClock(Date.UTC(2026, 11, 6, 12));
      const report = recover(index, root, () => 0, { clock, log: silentLogger, stats: new DurabilityStats(), timeZone: 'Asia/Ho_Chi_Minh' });
      expect(whole).not.toHaveBeenCalled();
      expect(batches).toHaveBeenCalledTimes(3);
      for (const call of batches.mock.calls) expect(call[1]).toBe(START_AUDIT_BATCH_ROWS);
      expect(report.missingRows.sort()).toEqual(gone.map((n) => `cam-1/sub/${day}/seg-${n}.ts`).sort());
      expect(index.segmentsAfterId(0, rows + 10)).toHaveLength(rows - gone.length);
    } finally {
      index.close();
    }
  });
});
