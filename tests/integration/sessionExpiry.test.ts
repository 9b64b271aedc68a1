import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCore, type RunningCore } from '../../main/core/core';
import { h264Clip } from '../helpers/ffmpeg';
import { LiveConsumer } from '../helpers/liveConsumer';
import { RtspTestServer } from '../helpers/rtspServer';
import { tempDir } from '../helpers/paths';
import { TEST_ADMIN } from '../helpers/signIn';

const IDLE_LOCK_MS = 7000;
const MAX_AGE_MS = 18_000;

// Issue 15, while running, through the real server and live socket: a session left without input
// locks by itself (no frame, no call but unlock), and one that reaches its age ends (its socket is
// closed, its cookie is refused, the audit trail says so). Short times: the same clock as 10 min / 14 h.
describe('session idle lock and expiry while running', () => {
  let rtsp: RtspTestServer;
  let core: RunningCore;
  let dataDir: string;

  beforeAll(async () => {
    const clip = await h264Clip({ width: 320, height: 180, fps: 15, seconds: 4, gopFrames: 15 });
    rtsp = await RtspTestServer.start([{ path: '/cam1', clip }]);
    const dir = tempDir('session-expiry');
    const sitePath = path.join(dir, 'site.json');
    fs.writeFileSync(sitePath, JSON.stringify({ schemaVersion: 1, name: 'Thử nghiệm', cameras: [{ id: 'cam-1', name: 'Camera 1', streams: { main: rtsp.url('/cam1') } }] }));
    dataDir = path.join(dir, 'data');
    core = await startCore({ sitePath, dataDir, port: 0, host: 'browser', language: 'vi', staticDir: null, stderrLevel: null, security: { idleLockMs: IDLE_LOCK_MS, maxAgeMs: MAX_AGE_MS } });
  });
  afterAll(async () => {
    await core?.stop();
    await rtsp?.close();
  });

  it('locks after the idle time with no input (frames stop, calls refused but unlock), then ends at its age: socket closed, cookie refused, audited', async () => {
    const signedInAt = Date.now();
    const window = await LiveConsumer.connect(core.url, core.token);
    try {
      const viewId = await window.openView('cam-1', 'main', 160, 90);
      await window.waitFor(() => (window.frames.get(viewId)?.count ?? 0) >= 3, IDLE_LOCK_MS - 1000, 'frames before the idle lock');
      expect(window.sessionStates).toEqual([]);
      // nobody touches it: locked by itself within the idle time (+ the 1-s check)
      await window.waitFor(() => window.sessionStates.includes('locked'), IDLE_LOCK_MS + 4000, 'the idle lock');
      const atLock = window.frames.get(viewId)!.count;
      await new Promise((resolve) => setTimeout(resolve, 1500));
      expect(window.frames.get(viewId)!.count - atLock, 'frames after the lock').toBeLessThanOrEqual(1);
      const refused = await window.call('listCameras', {});
      expect(refused.ok).toBe(false);
      const wrong = await window.call('unlockSession', { password: 'sai' });
      expect(wrong.ok && wrong.value.status === 'refused' && wrong.value.reason).toBe('wrongCredentials');
      // a failed attempt is slowed: the right password after the wait it names
      if (wrong.ok && wrong.value.status === 'refused') await new Promise((resolve) => setTimeout(resolve, wrong.value.status === 'refused' ? wrong.value.retryAfterMs + 50 : 0));
      const unlocked = await window.call('unlockSession', { password: TEST_ADMIN.password });
      expect(unlocked.ok && unlocked.value.status).toBe('signedIn');
      expect((await window.call('listCameras', {})).ok).toBe(true);

      // the session's age: ended, whatever its state; the socket is told and closed
      await window.waitFor(() => window.sessionStates.includes('ended'), MAX_AGE_MS + 5000 - (Date.now() - signedInAt), 'the end of the session');
      expect(Date.now() - signedInAt).toBeGreaterThanOrEqual(MAX_AGE_MS - 1000);
      await window.waitFor(() => window.closed, 3000, 'the socket closed');
      const after = await window.call('listCameras', {});
      expect(after.ok).toBe(false);
      // an administrator signing in again reads the trail: the idle lock, the unlock, the expiry
      const reader = await LiveConsumer.connect(core.url, core.token);
      try {
        const audit = await reader.call('auditQuery', { limit: 100 });
        expect(audit.ok).toBe(true);
        const actions = audit.ok ? audit.value.rows.map((row) => `${row.action}${row.action === 'lock' ? `:${(JSON.parse(row.detail || 'null') as { reason?: string } | null)?.reason}` : ''}`) : [];
        expect(actions).toEqual(expect.arrayContaining(['lock:idle', 'unlockFailed', 'unlock', 'sessionExpired']));
      } finally {
        await reader.close();
      }
    } finally {
      await window.close();
    }
  }, 60_000);
});
