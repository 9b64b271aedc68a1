import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { RecordingIndex } from '../../main/core/recording/recordingIndex';
import { tempDir } from '../helpers/paths';

const DAY = 86_400_000;
const T = 1_796_600_000_000;

describe('gaps are pruned against their own camera stream’s oldest footage (a real SQLite file)', () => {
  let dir: string | null = null;
  afterEach(() => {
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('a camera’s gap before its first segment after a full disk survives another camera’s newer row; gaps older than the stream’s own footage go', () => {
    dir = tempDir('gap-prune');
    const index = new RecordingIndex(path.join(dir, 'recordings.sqlite'));
    try {
      const segment = (cameraId: string, startMs: number, endMs: number) =>
        index.insertSegment({ cameraId, stream: 'main', startMs, endMs, bytes: 1000, path: `${cameraId}/main/${startMs}.ts`, codec: 'h264', widthPx: 640, heightPx: 360, hasAudio: false, recovered: false });
      // cam-1 resumed at T+5 s (its segment still open: no row yet); cam-2 resumed at T+6 s and its first row is in
      index.addGap('cam-1', 'main', T, T + 5000, 'diskFull');
      index.addGap('cam-2', 'main', T + 100, T + 6000, 'diskFull');
      segment('cam-2', T + 6000, T + 16_000);
      // an old gap of cam-2, before its oldest footage: no longer tells anything
      index.addGap('cam-2', 'main', T - 60_000, T - 50_000, 'cameraOffline');
      // a camera with no footage at all: a gap of last week stays, one older than the bound goes
      index.addGap('cam-3', 'main', T - 3 * DAY, T - 2 * DAY, 'cameraOffline');
      index.addGap('cam-3', 'main', T - 9 * DAY, T - 8 * DAY, 'cameraOffline');
      index.pruneGaps(T - 7 * DAY);
      expect(index.gaps('cam-1', 'main', 0, Number.MAX_SAFE_INTEGER).map((gap) => [gap.startMs, gap.reason])).toEqual([[T, 'diskFull']]);
      expect(index.gaps('cam-2', 'main', 0, Number.MAX_SAFE_INTEGER).map((gap) => gap.startMs)).toEqual([T + 100]);
      expect(index.gaps('cam-3', 'main', 0, Number.MAX_SAFE_INTEGER).map((gap) => gap.startMs)).toEqual([T - 3 * DAY]);
      // once cam-1's own footage starts later than its gap ended (the segment after it deleted), the gap goes
      segment('cam-1', T + 30_000, T + 40_000);
      index.pruneGaps(T - 7 * DAY);
      expect(index.gaps('cam-1', 'main', 0, Number.MAX_SAFE_INTEGER)).toEqual([]);
    } finally {
      index.close();
    }
  });
});
