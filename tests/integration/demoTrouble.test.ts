import { afterAll, describe, expect, it } from 'vitest';
import type { StreamStatus } from '../../common/contract';
import type { Site } from '../../common/site';
import { DemoTrouble, dropPhase } from '../../main/core/demo/trouble';
import { silentLogger } from '../../main/core/log/logger';
import { DEFAULT_SOURCE_OPTIONS } from '../../main/core/media/source';
import { SourceHub } from '../../main/core/media/sourceHub';
import { systemClock } from '../../main/core/util/clock';
import { testFfmpeg, tsClip } from '../helpers/ffmpeg';

// The demo's trouble (issue 18 item 3) through the real pulls: ffmpeg looping a demo clip, a
// camera whose pull ends when its outage starts and meets a refused connection until it ends, a
// loopback RTSP "camera" refusing the password. A short schedule (10-s cycle, 4 s down).
describe('the demo shows trouble: a camera that drops and returns, one with a wrong password', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterAll(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  });

  it('places the outage at the end of each cycle', () => {
    const spec = { cameraId: 'x', everyMs: 240_000, downMs: 45_000 };
    expect(dropPhase(spec, 0)).toEqual({ down: false, msLeft: 195_000 });
    expect(dropPhase(spec, 195_000)).toEqual({ down: true, msLeft: 45_000 });
    expect(dropPhase(spec, 239_999)).toEqual({ down: true, msLeft: 1 });
    expect(dropPhase(spec, 240_000 + 10_000)).toEqual({ down: false, msLeft: 185_000 });
  });

  it('the dropping camera goes offline (unreachable) at its outage and is live again after it; the wrong password is authFailed; the others stay live', async () => {
    const clip = await tsClip({ width: 320, height: 180, fps: 15, seconds: 4, gopFrames: 15 });
    const ffmpeg = await testFfmpeg();
    const trouble = new DemoTrouble({ dropping: { cameraId: 'dyke', everyMs: 10_000, downMs: 4_000 }, wrongPassword: 'pump' }, { clock: systemClock, log: silentLogger });
    const startedMs = Date.now();
    cleanups.push(() => trouble.close());
    const site: Site = {
      schemaVersion: 1,
      name: 'Demo',
      cameras: ['dyke', 'pump', 'gate'].map((id) => ({ id, name: id, streams: { main: 'demo://main' } })),
    } as Site;
    const hub = new SourceHub(
      site,
      { ffmpeg, clock: systemClock, log: silentLogger, demoClip: (camera) => (trouble.has(camera.id) ? trouble.inputFor(camera.id, async () => clip) : Promise.resolve(clip)) },
      { source: DEFAULT_SOURCE_OPTIONS, lingerMs: 1000 },
    );
    cleanups.push(() => hub.stop());
    const seen = new Map<string, { atMs: number; status: StreamStatus }[]>();
    hub.onStatus((status) => seen.set(status.cameraId, [...(seen.get(status.cameraId) ?? []), { atMs: Date.now() - startedMs, status }]));
    const latest = (id: string) => seen.get(id)?.at(-1)?.status;
    for (const camera of site.cameras) hub.acquire(camera, 'main');

    // the wrong password: refused by the loopback camera's 401, said as authFailed
    await expect.poll(() => latest('pump')?.problem ?? null, { timeout: 10_000, interval: 100 }).toBe('authFailed');
    expect(latest('pump')?.state).not.toBe('live');
    // the dropping camera: live first
    await expect.poll(() => latest('dyke')?.state, { timeout: 5500, interval: 100 }).toBe('live');
    // its outage at 6 s: the pull ends, the next tries are refused
    await expect.poll(() => (latest('dyke')?.state === 'offline' || latest('dyke')?.state === 'reconnecting') && latest('dyke')?.problem, { timeout: 14_000, interval: 100 }).toBe('unreachable');
    const leftAt = seen.get('dyke')!.find((entry) => entry.status.state !== 'live' && entry.atMs > 3500)!.atMs;
    expect(leftAt).toBeGreaterThanOrEqual(5500);
    expect(leftAt).toBeLessThan(8000);
    // after it (10 s) the camera returns by itself within the pull's back-off (3 s at most)
    await expect.poll(() => latest('dyke')?.state, { timeout: 10_000, interval: 100 }).toBe('live');
    const backAt = seen.get('dyke')!.at(-1)!.atMs;
    expect(backAt).toBeGreaterThanOrEqual(9500);
    expect(backAt).toBeLessThan(15_000);
    // the camera without trouble was live throughout
    expect(latest('gate')?.state).toBe('live');
    expect(seen.get('gate')!.filter((entry) => entry.atMs > 3000).every((entry) => entry.status.state === 'live')).toBe(true);
  }, 60_000);
});
