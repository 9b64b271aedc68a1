import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCore, type RunningCore } from '../../main/core/core';
import { principalFor } from '../../main/core/api/dispatch';
import { CredentialStore } from '../../main/core/devices/credentials';
import { vi as viText } from '../../common/i18n/vi';
import { h264Clip, h265Clip } from '../helpers/ffmpeg';
import { RtspTestServer } from '../helpers/rtspServer';
import { tempDir } from '../helpers/paths';

const PASSWORD = 'Khe@2026:#/x';

// Real cameras ask for RTSP digest auth, and many send H.265: the test RTSP server asks for digest
// on every mount here (GstRtspServer.RTSPAuth), one mount sends H.265. Passwords come from the
// encrypted credential store (never the site file) and contain characters a URL must escape.
describe('cameras behind RTSP digest auth (H.264 and H.265), through the real core', () => {
  let core: RunningCore;
  let rtsp: RtspTestServer;
  let dir: string;
  let sitePath: string;
  let dataDir: string;
  const admin = principalFor('administrator', 'http');
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- results are checked field by field below
  const call = async (method: string, params: unknown): Promise<any> => {
    const result = await core.dispatch(admin, method, params);
    if (!result.ok) throw new Error(`${method}: ${result.error.code} ${result.error.message}`);
    return result.value;
  };

  beforeAll(async () => {
    const clip = await h264Clip({ width: 320, height: 180, fps: 15, seconds: 2, gopFrames: 15 });
    const clipH265 = await h265Clip({ width: 320, height: 180, fps: 15, seconds: 2, gopFrames: 15 });
    rtsp = await RtspTestServer.start(
      [
        { path: '/gate', clip },
        { path: '/market', kind: 'h265', clip: clipH265 },
      ],
      { auth: { username: 'admin', password: PASSWORD } },
    );
    dir = tempDir('digest-camera');
    dataDir = path.join(dir, 'data');
    const store = new CredentialStore(dataDir);
    store.put('camera:gate', { username: 'admin', password: PASSWORD });
    store.put('camera:market', { username: 'admin', password: PASSWORD });
    store.put('camera:wrong', { username: 'admin', password: 'sai-mat-khau' });
    sitePath = path.join(dir, 'site.json');
    const camera = (id: string, name: string, mount: string) => ({ id, name, credentialsRef: `camera:${id}`, streams: { main: rtsp.url(mount) } });
    fs.writeFileSync(
      sitePath,
      JSON.stringify({
        schemaVersion: 1,
        name: 'Công an xã Đông Khê',
        recording: { segmentSeconds: 10, minFreeGb: 0.05 },
        cameras: [camera('gate', 'Cổng UBND', '/gate'), camera('market', 'Chợ Đông Khê (H.265)', '/market'), camera('wrong', 'Mật khẩu sai', '/gate')],
      }),
    );
    core = await startCore({ sitePath, dataDir, port: 0, host: 'browser', language: 'vi', staticDir: null, stderrLevel: null });
  }, 60_000);
  afterAll(async () => {
    await core?.stop();
    await rtsp?.close();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('records H.264 and H.265 cameras with the stored password; a wrong password is authFailed, said in Vietnamese; no password in the site file or the log', async () => {
    type Status = { cameraId: string; state: string; problem: string | null; codec: string | null };
    await expect
      .poll(
        async () => {
          const streams = (await call('listStreamStatus', {})) as Status[];
          const of = (id: string) => streams.find((entry) => entry.cameraId === id);
          return { gate: of('gate')?.state, market: `${of('market')?.state}/${of('market')?.codec}`, wrong: of('wrong')?.problem };
        },
        { timeout: 30_000, interval: 250 },
      )
      .toEqual({ gate: 'live', market: 'live/hevc', wrong: 'authFailed' });
    await expect
      .poll(async () => ((await call('listRecordingStatus', {})) as Status[]).filter((entry) => entry.state === 'recording').map((entry) => entry.cameraId).sort(), { timeout: 20_000, interval: 250 })
      .toEqual(['gate', 'market']);
    expect(viText.streamProblems.authFailed).toBe('Sai tên đăng nhập hoặc mật khẩu của camera');

    // the RTSP server saw SETUPs only from the sessions that passed the digest challenge
    const setups = await rtsp.sessions();
    expect(setups['/gate']).toBeGreaterThanOrEqual(1);
    expect(setups['/market']).toBeGreaterThanOrEqual(1);

    expect(fs.readFileSync(sitePath, 'utf8')).not.toContain(PASSWORD);
    const log = fs.readFileSync(path.join(dataDir, 'logs', 'console.log'), 'utf8');
    expect(log).not.toContain(PASSWORD);
    expect(log).not.toContain(encodeURIComponent(PASSWORD));
    expect(log).not.toContain('sai-mat-khau');
  }, 60_000);

  it('a test picture through digest auth: right password gives a picture, wrong or none gives authFailed', async () => {
    const picture = await call('devicesTestRtsp', { url: rtsp.urlWithCredentials('/market') });
    expect(picture.problem).toBeNull();
    expect(picture.pngDataUrl).toMatch(/^data:image\/png;base64,iVBORw0KGgo/);
    const wrong = await call('devicesTestRtsp', { url: rtsp.urlWithCredentials('/gate', 'sai') });
    expect(wrong).toMatchObject({ pngDataUrl: null, problem: { code: 'authFailed' } });
    const none = await call('devicesTestRtsp', { url: rtsp.url('/gate') });
    expect(none).toMatchObject({ pngDataUrl: null, problem: { code: 'authFailed' } });
  }, 60_000);
});
