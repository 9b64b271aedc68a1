import { describe, expect, it } from 'vitest';
import type { CameraSummary } from '../../common/contract';
import type { Bookmark } from '../../common/playbackContract';
import { bookmarkRange, DEFAULT_INCIDENT_RADIUS_M, defaultExportRange, draftFromBookmark, MAX_WINDOW_MS, playbackExportRange } from '../../renderer/services/exportRange';

const MIN = 60_000;
// 29/11/2026 20:15:00 +07:00, with milliseconds, and "now" a day later
const AT = Date.UTC(2026, 10, 29, 13, 15, 0) + 437;
const NOW = AT + 24 * 60 * MIN;

describe('the range "Trích xuất đoạn này" takes from playback', () => {
  it('the visible window when it spans 30 minutes or less, widened to whole seconds', () => {
    const view = { fromMs: AT - 7.5 * MIN, toMs: AT + 7.5 * MIN };
    const range = playbackExportRange(view, AT, NOW);
    expect(range.rule).toBe('window');
    expect(range.startMs).toBe(Math.floor(view.fromMs / 1000) * 1000);
    expect(range.endMs).toBe(Math.ceil(view.toMs / 1000) * 1000);
    expect(range.startMs).toBeLessThanOrEqual(view.fromMs);
    expect(range.endMs).toBeGreaterThanOrEqual(view.toMs);
    // exactly 30 minutes is still the window; a 10-second window too
    expect(playbackExportRange({ fromMs: AT, toMs: AT + MAX_WINDOW_MS }, AT, NOW).rule).toBe('window');
    expect(playbackExportRange({ fromMs: AT, toMs: AT + 10_000 }, AT + 5000, NOW)).toMatchObject({ rule: 'window', startMs: AT - 437, endMs: AT - 437 + 11_000 });
  });

  it('a minute either side of the clock when the window is wider (the default hour, a day)', () => {
    for (const span of [MAX_WINDOW_MS + 1, 60 * MIN, 24 * 60 * MIN]) {
      const range = playbackExportRange({ fromMs: AT - span / 2, toMs: AT + span / 2 }, AT + 20_000, NOW);
      expect(range).toEqual({ rule: 'moment', startMs: AT + 20_000 - 437 - MIN, endMs: AT + 20_000 - 437 + 1000 + MIN });
    }
  });

  it('a range marked on the timeline comes first, whatever the window', () => {
    const marked = { startMs: AT - 90_000, endMs: AT + 30_500 };
    for (const span of [10 * MIN, 60 * MIN, 24 * 60 * MIN]) {
      expect(playbackExportRange({ fromMs: AT - span / 2, toMs: AT + span / 2 }, AT, NOW, marked)).toEqual({ rule: 'marked', startMs: AT - 437 - 90_000, endMs: AT - 437 + 31_000 });
    }
    // an empty mark is no mark
    expect(playbackExportRange({ fromMs: AT - 60 * MIN, toMs: AT + 60 * MIN }, AT, NOW, { startMs: AT, endMs: AT }).rule).toBe('moment');
  });

  it('the centre of the window when there is no clock yet', () => {
    const range = playbackExportRange({ fromMs: AT - 30 * MIN, toMs: AT + 30 * MIN }, null, NOW);
    expect(range.rule).toBe('moment');
    expect(range.startMs).toBe(AT - 437 - MIN);
  });

  it('never past now: a window or a moment reaching into the future ends now', () => {
    const now = AT + 2 * MIN;
    expect(playbackExportRange({ fromMs: AT - 7.5 * MIN, toMs: AT + 7.5 * MIN }, AT, now)).toMatchObject({ rule: 'window', endMs: now });
    expect(playbackExportRange({ fromMs: AT - 30 * MIN, toMs: AT + 30 * MIN }, now - 10_000, now)).toMatchObject({ rule: 'moment', endMs: now });
    // a clock at now: still a range that ends after it starts
    const edge = playbackExportRange({ fromMs: AT - 30 * MIN, toMs: AT + 30 * MIN }, now + 5 * MIN, now);
    expect(edge.endMs).toBe(now);
    expect(edge.startMs).toBeLessThan(edge.endMs);
  });
});

describe('a bookmark as an export draft', () => {
  const cameras = [
    { id: 'cam-1', name: 'QL47 – Cầu Khê', latitude: 19.8712, longitude: 105.6204 },
    { id: 'cam-2', name: 'Chợ Đông Khê', latitude: null, longitude: null },
  ] as unknown as CameraSummary[];
  const bookmark = (startMs: number, endMs: number, cameraIds: string[]): Bookmark => ({ id: 'b1', cameraIds, startMs, endMs, title: 'Xe máy vượt đèn đỏ', note: '', createdAtMs: startMs, createdBy: 'trực ban' });

  it('a range bookmark: its range; a moment: a minute either side', () => {
    expect(bookmarkRange({ startMs: AT, endMs: AT + 90_000 })).toEqual({ startMs: AT, endMs: AT + 90_000 });
    expect(bookmarkRange({ startMs: AT, endMs: AT })).toEqual({ startMs: AT - MIN, endMs: AT + MIN });
  });

  it('its cameras, its title as the reason and its first camera as the point (not ticked)', () => {
    const draft = draftFromBookmark(bookmark(AT, AT, ['cam-1', 'cam-2']), cameras);
    expect(draft).toEqual({
      origin: { kind: 'bookmark', title: 'Xe máy vượt đèn đỏ' },
      cameraIds: ['cam-1', 'cam-2'],
      startMs: AT - MIN,
      endMs: AT + MIN,
      reason: 'Xe máy vượt đèn đỏ',
      point: { latitude: 19.8712, longitude: 105.6204, use: false, selectNearby: false },
    });
    // a first camera without a position: no point
    expect(draftFromBookmark(bookmark(AT, AT + 5000, ['cam-2']), cameras).point).toBeUndefined();
  });
});

describe('the export page default range (also what a point on the map starts with)', () => {
  it('from 15 to 5 minutes ago, 500 m around a point', () => {
    expect(defaultExportRange(NOW)).toEqual({ startMs: NOW - 15 * MIN, endMs: NOW - 5 * MIN });
    expect(DEFAULT_INCIDENT_RADIUS_M).toBe(500);
  });
});
