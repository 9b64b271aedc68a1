import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BookmarkStore, foldForSearch } from '../../main/core/playback/bookmarkStore';
import { keyframeBefore, scanSegment } from '../../main/core/playback/segmentScan';
import { firstTimeAfter } from '../../main/core/playback/decodeRun';
import { cameraTimeline, mergeRanges } from '../../main/core/playback/timeline';
import { parseTypedDateTime as parseVietnameseDateTime, zoneOffsetMs } from '../../common/time';
import { startOfDay, timelineTicks } from '../../renderer/playback/timeMath';
import { unionRanges } from '../../renderer/playback/Timeline';
import { gridRects } from '../../renderer/playback/PlaybackWall';
import { tsClip } from '../helpers/ffmpeg';
import { tempDir } from '../helpers/paths';

const ZONE = 'Asia/Ho_Chi_Minh';

describe('playback timeline (pure)', () => {
  it('merges touching segments into ranges and clips them to the window', () => {
    const segments = [
      { startMs: 0, endMs: 10_000 },
      { startMs: 10_000, endMs: 20_000 },
      { startMs: 20_400, endMs: 30_000 }, // recovered segment: a small hole still joins
      { startMs: 45_000, endMs: 60_000 },
    ];
    expect(mergeRanges(segments, 5000, 50_000)).toEqual([
      { startMs: 5000, endMs: 30_000 },
      { startMs: 45_000, endMs: 50_000 },
    ]);
  });

  it('keeps the recorder’s reason for a gap, and calls an unexplained hole unknown', () => {
    const timeline = cameraTimeline(
      'cam-1',
      'main',
      [
        { startMs: 0, endMs: 10_000 },
        { startMs: 20_000, endMs: 30_000 },
        { startMs: 40_000, endMs: 50_000 },
      ],
      [{ startMs: 10_000, endMs: 20_000, reason: 'cameraOffline' }, { startMs: 50_000, endMs: 70_000, reason: 'consoleNotRunning' }],
      0,
      60_000,
    );
    expect(timeline.gaps).toEqual([
      { startMs: 10_000, endMs: 20_000, reason: 'cameraOffline' },
      { startMs: 30_000, endMs: 40_000, reason: 'unknown' },
      { startMs: 50_000, endMs: 60_000, reason: 'consoleNotRunning' },
    ]);
  });

  it('the wall row is where any camera has footage', () => {
    expect(unionRanges([[{ startMs: 0, endMs: 10 }], [{ startMs: 5, endMs: 20 }, { startMs: 5000, endMs: 6000 }]])).toEqual([
      { startMs: 0, endMs: 20 },
      { startMs: 5000, endMs: 6000 },
    ]);
  });

  it('grids of 1, 4, 9, 16 tiles', () => {
    expect(gridRects(1, 800, 600)).toEqual([{ x: 0, y: 0, width: 800, height: 600 }]);
    const four = gridRects(4, 802, 602);
    expect(four).toHaveLength(4);
    expect(four[3]).toEqual({ x: 402, y: 302, width: 400, height: 300 });
    expect(gridRects(16, 1000, 1000)).toHaveLength(16);
  });
});

describe('typed dates and times (Vietnamese order, site time zone)', () => {
  const now = Date.UTC(2026, 10, 30, 3, 0, 0); // 30/11/2026 10:00:00 in Hà Nội (UTC+7)

  it('reads dd/mm/yyyy hh:mm:ss in the site’s zone, and shorter forms', () => {
    expect(zoneOffsetMs(ZONE, now)).toBe(7 * 3600_000);
    expect(parseVietnameseDateTime('29/11/2026 20:15:30', ZONE, now)).toBe(Date.UTC(2026, 10, 29, 13, 15, 30));
    expect(parseVietnameseDateTime(' 1/2/2026 07:05 ', ZONE, now)).toBe(Date.UTC(2026, 1, 1, 0, 5, 0));
    expect(parseVietnameseDateTime('01-02-2026', ZONE, now)).toBe(Date.UTC(2026, 0, 31, 17, 0, 0));
    expect(parseVietnameseDateTime('08:30', ZONE, now)).toBe(Date.UTC(2026, 10, 30, 1, 30, 0));
    expect(parseVietnameseDateTime('23:59:59', ZONE, now)).toBe(Date.UTC(2026, 10, 30, 16, 59, 59));
  });

  it('refuses what is not a time', () => {
    for (const text of ['', '31/02/2026', '12/13/2026 10:00', '29/11/2026 24:00', 'hôm qua', '2026-11-29', '29/11/26']) {
      expect(parseVietnameseDateTime(text, ZONE, now), text).toBeNull();
    }
  });

  it('today and yesterday start at local midnight', () => {
    expect(startOfDay(now, ZONE)).toBe(Date.UTC(2026, 10, 29, 17, 0, 0));
    expect(startOfDay(now, ZONE, 1)).toBe(Date.UTC(2026, 10, 28, 17, 0, 0));
  });

  it('ticks fall on round local times with short labels', () => {
    const from = Date.UTC(2026, 10, 30, 3, 7, 0);
    const ticks = timelineTicks(from, from + 3600_000, ZONE, 8);
    expect(ticks.length).toBeGreaterThanOrEqual(4);
    expect(ticks[0]!.label).toMatch(/^10:(10|15|20|30)$/);
    const seconds = timelineTicks(from, from + 10_000, ZONE, 10);
    expect(seconds[0]!.label).toBe('10:07:00');
  });
});

describe('bookmarks store', () => {
  const dir = tempDir('bookmarks');
  const store = new BookmarkStore(path.join(dir, 'bookmarks.sqlite'));
  afterAll(() => {
    store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('folds Vietnamese for search', () => {
    expect(foldForSearch('Tai nạn ĐƯỜNG QL47')).toBe('tai nan duong ql47');
  });

  it('adds moments and ranges, searches without accents, filters by camera and time, updates, deletes', () => {
    const moment = store.add({ cameraIds: ['cam-1', 'cam-1'], startMs: 1000, title: 'Xe máy vượt đèn đỏ', note: '' }, 'administrator', 5000);
    const range = store.add({ cameraIds: ['cam-2', 'cam-3'], startMs: 2000, endMs: 9000, title: 'Tai nạn', note: 'Thôn Đông, QL47' }, 'administrator', 6000);
    expect(moment).toMatchObject({ cameraIds: ['cam-1'], startMs: 1000, endMs: 1000, createdAtMs: 5000, createdBy: 'administrator' });
    expect(store.list().map((bookmark) => bookmark.id)).toEqual([range.id, moment.id]);
    expect(store.list({ query: 'TAI NAN' }).map((bookmark) => bookmark.id)).toEqual([range.id]);
    expect(store.list({ query: 'thon dong' }).map((bookmark) => bookmark.id)).toEqual([range.id]);
    expect(store.list({ query: '100%' })).toEqual([]);
    expect(store.list({ cameraId: 'cam-3' }).map((bookmark) => bookmark.id)).toEqual([range.id]);
    expect(store.list({ fromMs: 8000, toMs: 20_000 }).map((bookmark) => bookmark.id)).toEqual([range.id]);
    expect(store.update(range.id, { note: 'Đã chuyển hồ sơ' })?.note).toBe('Đã chuyển hồ sơ');
    expect(store.list({ query: 'ho so' }).map((bookmark) => bookmark.id)).toEqual([range.id]);
    expect(store.get(range.id)?.title).toBe('Tai nạn');
    expect(store.delete(moment.id)).toBe(true);
    expect(store.get(moment.id)).toBeNull();
    expect(store.delete(moment.id)).toBe(false);
  });
});

describe('segment frame index', () => {
  it('finds every frame, its time and the keyframes of a real MPEG-TS segment', async () => {
    const file = await tsClip({ width: 160, height: 90, fps: 15, seconds: 3, gopFrames: 15 });
    const scan = scanSegment(fs.readFileSync(file))!;
    expect(scan.codec).toBe('h264');
    expect(scan.frames).toHaveLength(45);
    expect(scan.frames.filter((frame) => frame.keyframe).map((frame) => frame.atMs)).toEqual([0, 1000, 2000]);
    expect(scan.frameIntervalMs).toBeCloseTo(1000 / 15, 3);
    expect(keyframeBefore(scan, 1500)).toBe(15);
    expect(keyframeBefore(scan, 999)).toBe(0);
    expect(scanSegment(Buffer.alloc(188 * 10))).toBeNull();
  });

  it('knows the frame after a decoded one (so the frame at the clock is shown without waiting for the next)', () => {
    const times = [1000, 1066.667, 1133.333, 1133.4, 1200];
    expect(firstTimeAfter(times, 999)).toBe(1000);
    expect(firstTimeAfter(times, 1000)).toBe(1066.667);
    expect(firstTimeAfter(times, 1066.667)).toBe(1133.333);
    // two frames with (almost) the same time are one for a clock
    expect(firstTimeAfter(times, 1133.333)).toBe(1200);
    expect(firstTimeAfter(times, 1200)).toBeNull();
    expect(firstTimeAfter([], 0)).toBeNull();
  });
});
