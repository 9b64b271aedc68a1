import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCore, type RunningCore } from '../../main/core/core';
import { h264Clip } from '../helpers/ffmpeg';
import { RtspTestServer } from '../helpers/rtspServer';
import { LiveConsumer, changedFraction, meanLuma } from '../helpers/liveConsumer';
import { tempDir } from '../helpers/paths';
import { TEST_ADMIN } from '../helpers/signIn';

// The core end to end without a browser: a real RTSP server, real ffmpeg pulls and decoders,
// the real HTTP contract and live socket, consumed by a headless page.
describe('live core against a real RTSP server', () => {
  let rtsp: RtspTestServer;
  let core: RunningCore;
  let consumer: LiveConsumer;

  beforeAll(async () => {
    const clip = await h264Clip({ width: 320, height: 180, fps: 15, seconds: 4, gopFrames: 15 });
    rtsp = await RtspTestServer.start(['/cam1', '/cam2', '/cam3'].map((mount) => ({ path: mount, clip })));
    const dir = tempDir('live-core');
    const sitePath = path.join(dir, 'site.json');
    fs.writeFileSync(
      sitePath,
      JSON.stringify({
        schemaVersion: 1,
        name: 'Thử nghiệm',
        cameras: [1, 2, 3].map((n) => ({ id: `cam-${n}`, name: `Camera ${n}`, streams: { main: rtsp.url(`/cam${n}`) } })),
      }),
    );
    core = await startCore({ sitePath, dataDir: path.join(dir, 'data'), port: 0, host: 'browser', language: 'vi', staticDir: null, stderrLevel: null });
    consumer = await LiveConsumer.connect(core.url, core.token);
  });

  afterAll(async () => {
    await consumer?.close();
    await core?.stop();
    await rtsp?.close();
  });

  it('delivers moving, non-black frames of exactly the requested size to every view', async () => {
    const views = await Promise.all([1, 2, 3].map((n) => consumer.openView(`cam-${n}`, 'main', 320, 180)));
    await consumer.waitFor(() => views.every((viewId) => (consumer.frames.get(viewId)?.count ?? 0) >= 5), 20000, 'frames on every view');
    for (const viewId of views) {
      const first = consumer.frames.get(viewId)?.last;
      expect(first?.header.width).toBe(320);
      expect(first?.header.height).toBe(180);
      expect(first?.pixels.length).toBe(320 * 180 * 1.5);
      expect(meanLuma(first!.pixels, 320, 180)).toBeGreaterThan(30);
    }
    const before = views.map((viewId) => Buffer.from(consumer.frames.get(viewId)!.last!.pixels));
    const counts = views.map((viewId) => consumer.frames.get(viewId)!.count);
    await new Promise((resolve) => setTimeout(resolve, 2000));
    views.forEach((viewId, index) => {
      const entry = consumer.frames.get(viewId)!;
      // 2 s at 15 fps: about 30 frames, all of them (the consumer acknowledges at once)
      expect(entry.count - counts[index]!).toBeGreaterThanOrEqual(20);
      expect(changedFraction(before[index]!, entry.last!.pixels, 320, 180)).toBeGreaterThan(0.01);
    });
    await Promise.all(views.map((viewId) => consumer.closeView(viewId)));
  });

  it('opens one RTSP session per camera stream however many views use it', async () => {
    const setupsBefore = (await rtsp.sessions())['/cam1'] ?? 0;
    const views = await Promise.all([0, 1, 2, 3].map(() => consumer.openView('cam-1', 'main', 160, 90)));
    await consumer.waitFor(() => views.every((viewId) => (consumer.frames.get(viewId)?.count ?? 0) >= 3), 20000, 'frames on 4 views');
    const setupsAfter = (await rtsp.sessions())['/cam1'] ?? 0;
    // the pull of cam-1 may still be warm from the first test (then no new session at all)
    expect(setupsAfter - setupsBefore).toBeLessThanOrEqual(1);
    expect(core.live.pids().pulls.length).toBeLessThanOrEqual(3);
    expect(core.live.stats().views).toBe(4);
    await Promise.all(views.map((viewId) => consumer.closeView(viewId)));
    expect(core.live.stats().views).toBe(0);
  });

  it('says "offline" within 3 s when a camera dies, keeps the others live, and recovers by itself', async () => {
    const views = await Promise.all([1, 2, 3].map((n) => consumer.openView(`cam-${n}`, 'main', 320, 180)));
    const [view1, view2, view3] = views as [number, number, number];
    await consumer.waitFor(() => views.every((viewId) => (consumer.frames.get(viewId)?.count ?? 0) >= 3), 20000, 'frames before the failure');

    const stoppedAt = Date.now();
    await rtsp.stopMount('/cam3');
    await consumer.waitFor(() => consumer.latestStatus('cam-3', 'main')?.state === 'offline', 5000, 'cam-3 offline');
    const offlineAfterMs = Date.now() - stoppedAt;
    expect(offlineAfterMs).toBeLessThanOrEqual(3000);
    expect(consumer.latestStatus('cam-3', 'main')?.problem).not.toBeNull();

    // the others keep flowing
    const others = [view1, view2].map((viewId) => consumer.frames.get(viewId)!.count);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(consumer.frames.get(view1)!.count - others[0]!).toBeGreaterThan(10);
    expect(consumer.frames.get(view2)!.count - others[1]!).toBeGreaterThan(10);

    const countWhileDown = consumer.frames.get(view3)!.count;
    const returnedAt = Date.now();
    await rtsp.startMount('/cam3');
    await consumer.waitFor(() => consumer.latestStatus('cam-3', 'main')?.state === 'live', 10000, 'cam-3 live again');
    await consumer.waitFor(() => consumer.frames.get(view3)!.count > countWhileDown + 5, 10000, 'cam-3 frames again');
    expect(Date.now() - returnedAt).toBeLessThanOrEqual(5000);
    await Promise.all(views.map((viewId) => consumer.closeView(viewId)));
  });

  it('a locked session gets no frame from the moment it locks, nor a new view; after unlock it sees again (issue 15)', async () => {
    const window = await LiveConsumer.connect(core.url, core.token); // its own session (the same user signs in again)
    try {
      const viewId = await window.openView('cam-2', 'main', 160, 90);
      await window.waitFor(() => (window.frames.get(viewId)?.count ?? 0) >= 3, 20000, 'frames before the lock');
      expect((await window.call('lockSession', {})).ok).toBe(true);
      await window.waitFor(() => window.sessionStates.includes('locked'), 3000, 'the locked message');
      const atLock = window.frames.get(viewId)!.count;
      await new Promise((resolve) => setTimeout(resolve, 1500)); // 1.5 s at 15 fps: about 22 frames if it still sent
      expect(window.frames.get(viewId)!.count - atLock, 'frames after the lock (one may have been on the wire)').toBeLessThanOrEqual(1);
      const refused = await window.call('openLive', { liveClientId: window.liveClientId, cameraId: 'cam-2', stream: 'main', widthPx: 160, heightPx: 90 });
      expect(refused.ok).toBe(false);
      // the other session (the first consumer) is not locked: its views go on
      const other = await consumer.openView('cam-2', 'main', 160, 90);
      await consumer.waitFor(() => (consumer.frames.get(other)?.count ?? 0) >= 3, 20000, "the other session's frames");
      await consumer.closeView(other);
      expect((await window.call('unlockSession', { password: TEST_ADMIN.password })).ok).toBe(true);
      const again = await window.openView('cam-2', 'main', 160, 90);
      await window.waitFor(() => (window.frames.get(again)?.count ?? 0) >= 3, 20000, 'frames after unlock');
    } finally {
      await window.close();
    }
  });

  it('leaves no ffmpeg behind once stopped', async () => {
    const viewId = await consumer.openView('cam-2', 'main', 160, 90);
    await consumer.waitFor(() => (consumer.frames.get(viewId)?.count ?? 0) > 2, 15000, 'frames');
    const pids = [...core.live.pids().pulls, ...core.live.pids().decoders];
    expect(pids.length).toBeGreaterThanOrEqual(2);
    await consumer.close();
    await core.stop();
    expect(core.registry.size).toBe(0);
    for (const pid of pids) expect(() => process.kill(pid, 0)).toThrow();
  });
});
