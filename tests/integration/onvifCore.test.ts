import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCore, type RunningCore } from '../../main/core/core';
import { principalFor } from '../../main/core/api/dispatch';
import { CredentialStore } from '../../main/core/devices/credentials';
import type { EventEnvelope } from '../../common/contract';
import { h264Clip } from '../helpers/ffmpeg';
import { RtspTestServer } from '../helpers/rtspServer';
import { OnvifSimulator } from '../helpers/onvifSim';
import { tempDir } from '../helpers/paths';

// The PTZ and devices contract through the real core: dispatch → feature → SOAP over HTTP to
// the simulator; site file and credential store on disk; a real RTSP server for test pictures.
describe('PTZ and devices through the core', () => {
  let core: RunningCore;
  let sim: OnvifSimulator;
  let stubborn: OnvifSimulator;
  let broken: OnvifSimulator;
  let rtsp: RtspTestServer;
  let dir: string;
  let sitePath: string;
  const events: EventEnvelope[] = [];
  const admin = principalFor('administrator', 'http');
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- results are checked field by field below
  const call = async (method: string, params: unknown): Promise<any> => {
    const result = await core.dispatch(admin, method, params);
    if (!result.ok) throw new Error(`${method}: ${result.error.code} ${result.error.message}`);
    return result.value;
  };
  const windowA = 'window-a-00000001';
  const windowB = 'window-b-00000002';

  beforeAll(async () => {
    const clip = await h264Clip({ width: 320, height: 180, fps: 15, seconds: 2, gopFrames: 15 });
    rtsp = await RtspTestServer.start(['/ptz1', '/ptz2', '/ptz3', '/west', '/market', '/school'].map((mount) => ({ path: mount, clip })));
    sim = await OnvifSimulator.start({ rtspMain: rtsp.url('/ptz1'), discoveryPort: 0 });
    // a camera that ignores the ContinuousMove Timeout: only our Stop stops it
    stubborn = await OnvifSimulator.start({ rtspMain: rtsp.url('/ptz2'), quirks: { ignoresTimeout: true } });
    // a camera whose motor controller answers Stop but keeps turning
    broken = await OnvifSimulator.start({ rtspMain: rtsp.url('/ptz3'), quirks: { ignoresStop: true } });
    dir = tempDir('onvif-core');
    const dataDir = path.join(dir, 'data');
    new CredentialStore(dataDir).put('camera:ptz-1', { username: 'admin', password: 'Khe@2026' });
    new CredentialStore(dataDir).put('camera:ptz-2', { username: 'admin', password: 'Khe@2026' });
    new CredentialStore(dataDir).put('camera:ptz-3', { username: 'admin', password: 'Khe@2026' });
    sitePath = path.join(dir, 'site.json');
    fs.writeFileSync(
      sitePath,
      `{
  "schemaVersion": 1,
  "name": "Thử PTZ",
  "cameras": [
    { "id": "ptz-1", "name": "QL47 – PTZ", "ptz": true, "latitude": 19.9500, "longitude": 105.5000, "headingDeg": 90,
      "onvif": { "address": "${sim.deviceUrl}", "credentialsRef": "camera:ptz-1" }, "streams": { "main": "${rtsp.url('/ptz1')}" } },
    { "id": "ptz-2", "name": "Cầu – PTZ lì", "ptz": true, "latitude": 19.9500, "longitude": 105.5050,
      "onvif": { "address": "${stubborn.deviceUrl}", "credentialsRef": "camera:ptz-2" }, "streams": { "main": "${rtsp.url('/ptz2')}" } },
    { "id": "ptz-3", "name": "Hỏng – PTZ", "ptz": true,
      "onvif": { "address": "${broken.deviceUrl}", "credentialsRef": "camera:ptz-3" }, "streams": { "main": "${rtsp.url('/ptz3')}" } },
    { "id": "west", "name": "Phía tây", "latitude": 19.9500, "longitude": 105.4990, "streams": { "main": "${rtsp.url('/west')}" } }
  ]
}
`,
    );
    core = await startCore({ sitePath, dataDir, port: 0, host: 'browser', language: 'vi', staticDir: null, stderrLevel: null, recording: undefined });
    core.onEvent((envelope) => events.push(envelope));
  });

  afterAll(async () => {
    await core?.stop();
    await sim?.close();
    await stubborn?.close();
    await broken?.close();
    await rtsp?.close();
  });

  it('reads PTZ capabilities with the stored credentials', async () => {
    const value = await call('ptzGetCapabilities', { cameraId: 'ptz-1' });
    expect(value.problem).toBeNull();
    expect(value.capabilities).toMatchObject({ pan: true, tilt: true, zoom: true, presets: true, home: true });
  });

  it('moves while confirmed, and the dead-man stops a camera that ignores Timeout when the UI goes quiet', async () => {
    expect((await call('ptzAcquire', { cameraId: 'ptz-2', liveClientId: windowA, holderName: 'Trực ban A' })).granted).toBe(true);
    const stopsBefore = stubborn.actions('Stop').length;
    expect((await call('ptzMove', { cameraId: 'ptz-2', liveClientId: windowA, pan: 1, tilt: 0, zoom: 0, speed: 1 })).problem).toBeNull();
    // confirmed for a while: keeps moving
    for (let step = 0; step < 4; step++) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      await call('ptzMove', { cameraId: 'ptz-2', liveClientId: windowA, pan: 1, tilt: 0, zoom: 0, speed: 1 });
    }
    expect(stubborn.position().moving).toBe(true);
    // the UI goes quiet (lost connection, crashed tab): Stop within about a second
    await expect.poll(() => stubborn.actions('Stop').length, { timeout: 5000, interval: 100 }).toBeGreaterThan(stopsBefore);
    const stoppedAt = stubborn.position();
    expect(stoppedAt.moving).toBe(false);
    const lastMove = stubborn.actions('ContinuousMove').at(-1)!;
    const stop = stubborn.actions('Stop').at(-1)!;
    expect(stop.atMs - lastMove.atMs).toBeGreaterThanOrEqual(700);
    expect(events.some((envelope) => envelope.event === 'ptzAlert' && envelope.payload.kind === 'deadman' && envelope.payload.cameraId === 'ptz-2')).toBe(true);
  });

  it('reports a camera that keeps moving after Stop, and sends Stop again', async () => {
    await call('ptzMove', { cameraId: 'ptz-3', liveClientId: windowA, pan: 0, tilt: 1, zoom: 0, speed: 1 });
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect((await call('ptzStop', { cameraId: 'ptz-3', liveClientId: windowA })).problem).toBeNull();
    await expect
      .poll(() => events.some((envelope) => envelope.event === 'ptzAlert' && envelope.payload.cameraId === 'ptz-3' && envelope.payload.kind === 'stopIgnored'), { timeout: 5000, interval: 100 })
      .toBe(true);
    await expect.poll(() => broken.actions('Stop').length, { timeout: 3000 }).toBeGreaterThanOrEqual(2);
    broken.moveTo({ pan: 0, tilt: 0, zoom: 0 });
    await call('ptzRelease', { cameraId: 'ptz-3', liveClientId: windowA });
  });

  it('lets one window hold a camera: another sees who, and gets it once released', async () => {
    expect((await call('ptzAcquire', { cameraId: 'ptz-1', liveClientId: windowA, holderName: 'Trực ban A' })).granted).toBe(true);
    const other = await call('ptzAcquire', { cameraId: 'ptz-1', liveClientId: windowB, holderName: 'Trực ban B' });
    expect(other).toEqual({ granted: false, holder: { liveClientId: windowA, name: 'Trực ban A' } });
    const refused = await call('ptzMove', { cameraId: 'ptz-1', liveClientId: windowB, pan: 1, tilt: 0, zoom: 0, speed: 0.5 });
    expect(refused.problem).toMatchObject({ code: 'heldByOther', detail: 'Trực ban A' });
    await call('ptzRelease', { cameraId: 'ptz-1', liveClientId: windowA });
    expect(events.some((envelope) => envelope.event === 'ptzHolder' && envelope.payload.cameraId === 'ptz-1' && envelope.payload.holder === null)).toBe(true);
    expect((await call('ptzAcquire', { cameraId: 'ptz-1', liveClientId: windowB, holderName: 'Trực ban B' })).granted).toBe(true);
    await call('ptzRelease', { cameraId: 'ptz-1', liveClientId: windowB });
  });

  it('lists, saves, renames, goes to and deletes presets, and goes home', async () => {
    const listed = await call('ptzListPresets', { cameraId: 'ptz-1' });
    expect(listed.presets.map((preset: { name: string }) => preset.name)).toEqual(['Cổng chợ', 'Cầu Khê']);
    const saved = await call('ptzSavePreset', { cameraId: 'ptz-1', liveClientId: windowA, name: 'Ngã ba', token: null });
    expect(saved.token).toBeTruthy();
    await call('ptzSavePreset', { cameraId: 'ptz-1', liveClientId: windowA, name: 'Ngã ba Đông Khê', token: saved.token });
    expect((await call('ptzListPresets', { cameraId: 'ptz-1' })).presets.at(-1).name).toBe('Ngã ba Đông Khê');
    await call('ptzGotoPreset', { cameraId: 'ptz-1', liveClientId: windowA, token: '2' });
    expect(sim.position().pan).toBe(0.5);
    await call('ptzGotoHome', { cameraId: 'ptz-1', liveClientId: windowA });
    expect(sim.position().pan).toBe(0);
    await call('ptzRemovePreset', { cameraId: 'ptz-1', liveClientId: windowA, token: saved.token });
    expect((await call('ptzListPresets', { cameraId: 'ptz-1' })).presets).toHaveLength(2);
    await call('ptzRelease', { cameraId: 'ptz-1', liveClientId: windowA });
  });

  it('reconnects after the camera clock jumps: refused once (said so), accepted on the next command', async () => {
    await call('ptzGetCapabilities', { cameraId: 'ptz-1' });
    sim.clockSkewMs = 120_000;
    try {
      const refused = await call('ptzMove', { cameraId: 'ptz-1', liveClientId: windowA, pan: 0, tilt: 0, zoom: 1, speed: 0.5 });
      expect(refused.problem?.code).toBe('authFailed');
      const accepted = await call('ptzMove', { cameraId: 'ptz-1', liveClientId: windowA, pan: 0, tilt: 0, zoom: 1, speed: 0.5 });
      expect(accepted.problem).toBeNull();
      expect((await call('ptzStop', { cameraId: 'ptz-1', liveClientId: windowA })).problem).toBeNull();
      expect((await call('ptzGetCapabilities', { cameraId: 'ptz-1' })).capabilities.clockOffsetMs).toBeGreaterThan(100_000);
    } finally {
      sim.clockSkewMs = 0;
      await call('ptzRelease', { cameraId: 'ptz-1', liveClientId: windowA });
    }
  });

  it('ranks the neighbours of a followed camera by its heading', async () => {
    const value = await call('followNeighbours', { cameraId: 'ptz-1' });
    // ptz-1 looks east (90°): the camera 530 m east comes before the one 100 m west
    expect(value.neighbours.map((entry: { cameraId: string }) => entry.cameraId)).toEqual(['ptz-2', 'west']);
    expect(value.neighbours[0]).toMatchObject({ ahead: true, ptz: true });
    expect(value.neighbours[1].ahead).toBe(false);
  });

  it('finds, probes and adds an ONVIF camera: site file without password, stored encrypted, internal address rewritten', async () => {
    const internal = await OnvifSimulator.start({ rtspMain: rtsp.url('/market'), rtspSub: rtsp.url('/market') + '/sub', quirks: { internalIp: true }, clockSkewMs: 42_000, name: 'Camera chợ' });
    try {
      const scanned = await call('devicesScan', { targets: [`127.0.0.1:${sim.discoveryPort}`], waitMs: 1200 });
      expect(scanned.devices).toEqual([expect.objectContaining({ host: sim.address, manufacturer: 'SimVision', alreadyAdded: true })]);

      const wrong = await call('devicesProbeOnvif', { address: internal.address, username: 'admin', password: 'sai' });
      expect(wrong).toMatchObject({ device: null, problem: { code: 'authFailed' } });
      const probe = await call('devicesProbeOnvif', { address: internal.address, username: 'admin', password: 'Khe@2026' });
      expect(probe.problem).toBeNull();
      expect(probe.device.clockOffsetMs).toBeGreaterThan(39_000);
      expect(probe.device.rewrittenHosts).toBe(2);

      const changedBefore = events.filter((envelope) => envelope.event === 'camerasChanged').length;
      const added = await call('devicesAddOnvif', { address: internal.address, username: 'admin', password: 'Khe@2026', name: 'Chợ Đông Khê', village: 'Thôn Trung Thành' });
      expect(added).toEqual({ problem: null, cameraIds: ['cho-dong-khe'] });
      expect(events.filter((envelope) => envelope.event === 'camerasChanged').length).toBe(changedBefore + 1);
      const text = fs.readFileSync(sitePath, 'utf8');
      expect(text).toContain('"name": "Thử PTZ"');
      expect(text).not.toContain('Khe@2026');
      expect(text).not.toContain('192.168.254.10');
      const site = JSON.parse(text) as { cameras: { id: string; streams: { main: string }; onvif?: { address: string }; ptz?: boolean }[] };
      const camera = site.cameras.find((entry) => entry.id === 'cho-dong-khe');
      expect(camera?.streams.main).toBe(rtsp.url('/market'));
      expect(camera?.ptz).toBe(true);
      expect(camera?.onvif?.address).toBe(internal.deviceUrl);
      const list = await call('devicesList', {});
      expect(list.devices.find((entry: { cameraId: string }) => entry.cameraId === 'cho-dong-khe')).toMatchObject({ kind: 'onvif', hasCredentials: true });
      expect((await call('listCameras', {})).map((entry: { id: string }) => entry.id)).toContain('cho-dong-khe');
      // the new camera is controllable at once
      expect((await call('ptzGetCapabilities', { cameraId: 'cho-dong-khe' })).capabilities.pan).toBe(true);
      // the log has the rewrite, never the password
      const log = fs.readFileSync(path.join(dir, 'data', 'logs', 'console.log'), 'utf8');
      expect(log).toContain('192.168.254.10');
      expect(log).not.toContain('Khe@2026');
    } finally {
      await internal.close();
    }
  });

  it('imports NVR channels by vendor template, and adds by RTSP URL after a test picture', async () => {
    const nvr = await call('devicesImportNvr', { vendor: 'dahua', host: '192.168.1.108', rtspPort: 554, username: 'admin', password: 'nvr-pass', channels: 3, namePrefix: 'Đầu ghi chợ' });
    expect(nvr).toEqual({ problem: null, cameraIds: ['dau-ghi-cho-1', 'dau-ghi-cho-2', 'dau-ghi-cho-3'] });
    expect(fs.readFileSync(sitePath, 'utf8')).toContain('rtsp://192.168.1.108/cam/realmonitor?channel=2&subtype=1');

    const picture = await call('devicesTestRtsp', { url: rtsp.url('/school') });
    expect(picture.problem).toBeNull();
    expect(picture.pngDataUrl).toMatch(/^data:image\/png;base64,iVBORw0KGgo/);
    const missing = await call('devicesTestRtsp', { url: rtsp.url('/nope') });
    expect(missing.pngDataUrl).toBeNull();
    expect(['noMedia', 'noPicture', 'unreachable']).toContain(missing.problem.code);

    const added = await call('devicesAddRtsp', { name: 'Trường THCS', main: rtsp.url('/school').replace('rtsp://', 'rtsp://user:bi-mat@') });
    expect(added).toEqual({ problem: null, cameraIds: ['truong-thcs'] });
    expect(fs.readFileSync(sitePath, 'utf8')).not.toContain('bi-mat');
    const duplicate = await call('devicesAddRtsp', { name: 'Lại trường', main: rtsp.url('/school') });
    expect(duplicate.problem.code).toBe('duplicate');
  });

  it('refuses PTZ for the operator without the permission', async () => {
    const officer = principalFor('dutyOfficer', 'http');
    const result = await core.dispatch(officer, 'ptzMove', { cameraId: 'ptz-1', liveClientId: windowA, pan: 1, tilt: 0, zoom: 0, speed: 1 });
    expect(result).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect((await core.dispatch(officer, 'devicesAddRtsp', { name: 'x', main: 'rtsp://1.2.3.4/a' })).ok).toBe(false);
  });
});
