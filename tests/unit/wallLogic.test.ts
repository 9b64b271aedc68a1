import { describe, expect, it } from 'vitest';
import { chooseStream } from '../../renderer/wall/streamChoice';
import { tourPage, tourPageCount } from '../../renderer/wall/tours';
import { zoomAt } from '../../renderer/wall/zoom';
import { foldVietnamese, matchesSearch } from '../../renderer/components/search';
import { LAYOUTS, layoutById, layoutLabel, MAX_TILES } from '../../renderer/util/layouts';
import { TileViewController, type TileViews } from '../../renderer/services/tileViewController';
import { ok } from '../../common/result';
import type { CoreClient } from '../../renderer/transport/coreClient';

describe('stream choice', () => {
  const both = ['sub', 'main'] as const;
  it('takes the sub stream for small tiles, main when maximized or clearly wider than the sub picture', () => {
    expect(chooseStream({ available: both, tileWidthPx: 528, maximized: false, subWidthPx: 640, current: null })).toBe('sub');
    expect(chooseStream({ available: both, tileWidthPx: 528, maximized: true, subWidthPx: 640, current: null })).toBe('main');
    expect(chooseStream({ available: both, tileWidthPx: 1190, maximized: false, subWidthPx: 640, current: null })).toBe('main');
    expect(chooseStream({ available: ['main'], tileWidthPx: 100, maximized: false, subWidthPx: null, current: null })).toBe('main');
  });

  it('does not flip back and forth near the threshold', () => {
    // 700 px: not enough to leave sub (needs > 800), not little enough to leave main (needs ≤ 640)
    expect(chooseStream({ available: both, tileWidthPx: 700, maximized: false, subWidthPx: 640, current: 'sub' })).toBe('sub');
    expect(chooseStream({ available: both, tileWidthPx: 700, maximized: false, subWidthPx: 640, current: 'main' })).toBe('main');
    expect(chooseStream({ available: both, tileWidthPx: 600, maximized: false, subWidthPx: 640, current: 'main' })).toBe('sub');
  });
});

describe('layouts', () => {
  it('has the square grids up to 36 and the big-plus-small layouts', () => {
    expect(LAYOUTS.map(layoutLabel)).toEqual(['1', '4', '9', '16', '25', '36', '1+5', '1+7', '1+12']);
    expect(MAX_TILES).toBe(36);
    expect(layoutById('big-1+12').cells[0]).toEqual({ column: 1, row: 1, columnSpan: 2, rowSpan: 2 });
    expect(layoutById('nonsense').id).toBe('grid-9');
  });
});

describe('tours', () => {
  const tour = { cameraIds: ['a', 'b', 'c', 'd', 'e'], intervalS: 10 };
  it('pages the cameras over the wall, the last page padded with empty tiles', () => {
    expect(tourPageCount(tour, 4)).toBe(2);
    expect(tourPage(tour, 4, 0)).toEqual(['a', 'b', 'c', 'd']);
    expect(tourPage(tour, 4, 1)).toEqual(['e', null, null, null]);
    expect(tourPage(tour, 4, 2)).toEqual(['a', 'b', 'c', 'd']);
  });
});

describe('digital zoom', () => {
  it('keeps the point under the cursor in place and never leaves the picture', () => {
    const once = zoomAt({ scale: 1, centerX: 0.5, centerY: 0.5 }, 0.9, 0.1, true);
    expect(once.scale).toBeCloseTo(1.25);
    // the picture point at 90 % across stays under the cursor at 90 % of the tile
    const start = once.centerX - 0.5 / once.scale;
    expect(start + 0.9 / once.scale).toBeCloseTo(0.9);
    let zoom = once;
    for (let notch = 0; notch < 20; notch++) zoom = zoomAt(zoom, 1, 1, true);
    expect(zoom.scale).toBe(8);
    expect(zoom.centerX + 0.5 / zoom.scale).toBeLessThanOrEqual(1 + 1e-9);
    for (let notch = 0; notch < 30; notch++) zoom = zoomAt(zoom, 0.5, 0.5, false);
    expect(zoom).toEqual({ scale: 1, centerX: 0.5, centerY: 0.5 });
  });
});

describe('search', () => {
  it('finds Vietnamese names typed without diacritics', () => {
    expect(foldVietnamese('Chợ Đông Khê')).toBe('cho dong khe');
    expect(matchesSearch('Chợ Đông Khê – Cổng chính', 'cho dong khe')).toBe(true);
    expect(matchesSearch('Chợ Đông Khê – Cổng chính', 'cong cho')).toBe(true);
    expect(matchesSearch('Trường THCS', 'cho')).toBe(false);
  });
});

/** A core that answers openLive/closeLive and records them (the ordering is what is tested). */
function recordingClient() {
  const calls: string[] = [];
  let nextView = 1;
  const client = {
    host: 'browser',
    call(method: string, params: { viewId?: number; stream?: string }) {
      if (method === 'openLive') {
        const viewId = nextView++;
        calls.push(`open ${viewId} ${params.stream}`);
        return Promise.resolve(ok({ viewId, status: {} }));
      }
      calls.push(`close ${params.viewId}`);
      return Promise.resolve(ok(null));
    },
    onEvent: () => () => undefined,
  } as unknown as CoreClient;
  return { client, calls };
}

describe('TileViewController', () => {
  const want = (cameraId: string, stream: 'main' | 'sub', widthPx = 640) => ({ liveClientId: 'client-1234', cameraId, stream, widthPx, heightPx: 360 });
  const settle = () => new Promise((resolve) => setTimeout(resolve, 10));

  it('keeps the old view drawing until the new stream of the same camera has a picture', async () => {
    const { client, calls } = recordingClient();
    const seen: TileViews[] = [];
    const controller = new TileViewController(client, (views) => seen.push(views));
    controller.update(want('dk-01', 'sub'));
    await settle();
    expect(seen.at(-1)).toMatchObject({ viewId: 1, nextViewId: null, stream: 'sub' });
    controller.update(want('dk-01', 'main', 1920));
    await settle();
    expect(seen.at(-1)).toMatchObject({ viewId: 1, nextViewId: 2 });
    expect(calls).toEqual(['open 1 sub', 'open 2 main']);
    controller.promoted(2);
    expect(seen.at(-1)).toMatchObject({ viewId: 2, nextViewId: null, stream: 'main' });
    expect(calls.at(-1)).toBe('close 1');
  });

  it('switches at once to another camera, closing the old views', async () => {
    const { client, calls } = recordingClient();
    const seen: TileViews[] = [];
    const controller = new TileViewController(client, (views) => seen.push(views));
    controller.update(want('dk-01', 'sub'));
    await settle();
    controller.update(want('dk-02', 'sub'));
    await settle();
    expect(seen.at(-1)).toMatchObject({ viewId: 2, nextViewId: null });
    expect(calls).toEqual(['open 1 sub', 'open 2 sub', 'close 1']);
    controller.dispose();
    expect(calls.at(-1)).toBe('close 2');
  });

  it('coalesces quick changes and never leaves a view open behind', async () => {
    const { client, calls } = recordingClient();
    const controller = new TileViewController(client, () => undefined);
    controller.update(want('dk-01', 'sub', 400));
    controller.update(want('dk-01', 'sub', 500));
    controller.update(want('dk-01', 'sub', 600));
    await settle();
    controller.update(null);
    await settle();
    const opened = calls.filter((call) => call.startsWith('open')).length;
    const closed = calls.filter((call) => call.startsWith('close')).length;
    expect(opened).toBe(closed);
    expect(opened).toBeLessThanOrEqual(2);
  });
});

describe('statuses from two channels', () => {
  it('keeps a newer status when an older list answer arrives after the event (the stuck "connecting" tile)', async () => {
    const { useConsole } = await import('../../renderer/store');
    const base = { cameraId: 'dk-11', stream: 'sub' as const, problem: null, codec: null, widthPx: null, heightPx: null };
    const live = { ...base, state: 'live' as const, sinceMs: 2000, revision: 20 };
    const connecting = { ...base, state: 'connecting' as const, sinceMs: 1000, revision: 10 };
    useConsole.getState().setStatus(live);
    useConsole.getState().setStatus(connecting);
    expect(useConsole.getState().statuses['dk-11/sub']?.state).toBe('live');
    useConsole.getState().setStatus({ ...base, state: 'reconnecting', sinceMs: 3000, revision: 30 });
    expect(useConsole.getState().statuses['dk-11/sub']?.state).toBe('reconnecting');
    const recording = { cameraId: 'dk-11', stream: 'sub' as const, problem: null };
    useConsole.getState().setRecording([{ ...recording, state: 'recording', sinceMs: 2000, revision: 21 }]);
    useConsole.getState().setRecording([{ ...recording, state: 'waiting', sinceMs: 1000, revision: 11 }]);
    expect(useConsole.getState().recording['dk-11']?.state).toBe('recording');
  });
});
