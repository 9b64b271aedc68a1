import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCore, type RunningCore } from '../../main/core/core';
import { h264Clip } from '../helpers/ffmpeg';
import { LiveConsumer } from '../helpers/liveConsumer';
import { RtspTestServer } from '../helpers/rtspServer';
import { tempDir } from '../helpers/paths';
import { TEST_ADMIN } from '../helpers/signIn';

// Issue 15 item 3 (and 16's unattended wall monitor): while the operator's session is locked, a
// second screen's wall (video only) keeps playing when the site file says so
// (security.secondScreenWallWhileLocked), through the real server and sockets of one session: the
// operator window gets no frame and no call; the wall gets its frames and no call; unlock brings
// both back. Without the setting every window of the session stops.
describe('a second screen’s wall while the session is locked', () => {
  let rtsp: RtspTestServer;
  const cores: RunningCore[] = [];
  let clip: string;

  async function coreWith(wallWhileLocked: boolean | undefined): Promise<RunningCore> {
    const dir = tempDir('second-screen');
    const sitePath = path.join(dir, 'site.json');
    const site = { schemaVersion: 1, name: 'Thử màn hình 2', ...(wallWhileLocked === undefined ? {} : { security: { secondScreenWallWhileLocked: wallWhileLocked } }), cameras: [{ id: 'cam-1', name: 'Camera 1', streams: { main: rtsp.url('/cam1') } }] };
    fs.writeFileSync(sitePath, JSON.stringify(site));
    const core = await startCore({ sitePath, dataDir: path.join(dir, 'data'), port: 0, host: 'browser', language: 'vi', staticDir: null, stderrLevel: null });
    cores.push(core);
    return core;
  }

  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
  const countOf = (consumer: LiveConsumer, viewId: number) => consumer.frames.get(viewId)?.count ?? 0;

  beforeAll(async () => {
    clip = await h264Clip({ width: 320, height: 180, fps: 15, seconds: 4, gopFrames: 15 });
    rtsp = await RtspTestServer.start([{ path: '/cam1', clip }]);
  });
  afterAll(async () => {
    for (const core of cores) await core.stop();
    await rtsp?.close();
  });

  it('with the site setting: the wall plays on (video only), the operator window is dark, unlock brings both back', async () => {
    const core = await coreWith(true);
    const operator = await LiveConsumer.connect(core.url, core.token);
    const wall = await LiveConsumer.connect(core.url, core.token, { sessionCookie: operator.sessionCookie, screen: '2' });
    try {
      const operatorView = await operator.openView('cam-1', 'main', 160, 90);
      const wallView = await wall.openView('cam-1', 'main', 320, 180);
      await wall.waitFor(() => countOf(wall, wallView) >= 3 && countOf(operator, operatorView) >= 3, 15_000, 'frames in both windows');

      expect((await operator.call('lockSession', {})).ok).toBe(true);
      await operator.waitFor(() => operator.sessionStates.includes('locked'), 3000, 'the operator told');
      await wall.waitFor(() => wall.sessionStates.includes('locked:wall'), 3000, 'the wall told it plays on');
      const [operatorAtLock, wallAtLock] = [countOf(operator, operatorView), countOf(wall, wallView)];
      await sleep(2000);
      expect(countOf(operator, operatorView) - operatorAtLock, 'operator frames after the lock').toBeLessThanOrEqual(1);
      expect(countOf(wall, wallView) - wallAtLock, 'wall frames after the lock (15 fps for 2 s)').toBeGreaterThanOrEqual(10);
      // video only: the wall can call nothing, not even open another view
      for (const consumer of [wall, operator]) {
        const refused = await consumer.call('listCameras', {});
        expect(refused.ok ? 'ok' : refused.error.code).toBe('unauthorized');
      }
      await expect(wall.openView('cam-1', 'main', 160, 90)).rejects.toThrow();

      const unlocked = await operator.call('unlockSession', { password: TEST_ADMIN.password });
      expect(unlocked.ok && unlocked.value.status).toBe('signedIn');
      await wall.waitFor(() => wall.sessionStates.at(-1) === 'active', 3000, 'the wall told the session is active');
      expect((await wall.call('listCameras', {})).ok).toBe(true);
      // the operator's view was closed at the lock: the window opens it again, as the page does
      const again = await operator.openView('cam-1', 'main', 160, 90);
      await operator.waitFor(() => countOf(operator, again) >= 3, 10_000, 'operator frames after unlock');
    } finally {
      await wall.close();
      await operator.close();
    }
  }, 60_000);

  it('without it (the default): a lock stops the second screen too', async () => {
    const core = await coreWith(undefined);
    const operator = await LiveConsumer.connect(core.url, core.token);
    const wall = await LiveConsumer.connect(core.url, core.token, { sessionCookie: operator.sessionCookie, screen: '2' });
    try {
      const wallView = await wall.openView('cam-1', 'main', 320, 180);
      await wall.waitFor(() => countOf(wall, wallView) >= 3, 15_000, 'wall frames');
      expect((await operator.call('lockSession', {})).ok).toBe(true);
      await wall.waitFor(() => wall.sessionStates.includes('locked'), 3000, 'the wall told');
      expect(wall.sessionStates).not.toContain('locked:wall');
      const atLock = countOf(wall, wallView);
      await sleep(1500);
      expect(countOf(wall, wallView) - atLock).toBeLessThanOrEqual(1);
    } finally {
      await wall.close();
      await operator.close();
    }
  }, 60_000);
});
