import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { PtzController, type Velocity } from '../../main/core/ptz/ptzControl';
import { scaleVelocity, type PtzDriver } from '../../main/core/ptz/drivers';
import { CredentialStore, splitCredentials, withCredentials } from '../../main/core/devices/credentials';
import { cameraIdFrom, nvrChannelUrls } from '../../main/core/devices/vendors';
import { SiteStore } from '../../main/core/site/siteStore';
import { DeviceRegistry } from '../../main/core/devices/devices';
import { ManualClock } from '../../main/core/util/clock';
import { silentLogger } from '../../main/core/log/logger';
import type { PtzAlertKind, PtzHolder } from '../../common/ptzContract';
import type { Camera, Site } from '../../common/site';
import { tempDir } from '../helpers/paths';

/** A driver that records what the camera was told; `ignoresStop` keeps its position drifting. */
function fakeDriver(options: { ignoresStop?: boolean } = {}) {
  const calls: string[] = [];
  let moving = false;
  let pan = 0;
  const driver: PtzDriver = {
    axes: { pan: true, tilt: true, zoom: true, presets: true, home: true },
    clockOffsetMs: 0,
    async continuousMove(velocity: Velocity) {
      calls.push(`move ${velocity.pan},${velocity.tilt},${velocity.zoom}`);
      moving = true;
    },
    async stop() {
      calls.push('stop');
      if (!options.ignoresStop) moving = false;
    },
    async status() {
      if (moving) pan += 0.1;
      return { pan, tilt: 0, zoom: 0, moving };
    },
    presets: async () => [],
    gotoPreset: async () => undefined,
    setPreset: async () => '1',
    removePreset: async () => undefined,
    gotoHome: async () => undefined,
  };
  return { driver, calls };
}

function setup(options: { ignoresStop?: boolean } = {}) {
  const clock = new ManualClock();
  const { driver, calls } = fakeDriver(options);
  const holders: (PtzHolder | null)[] = [];
  const alerts: PtzAlertKind[] = [];
  const autoReleases: string[] = [];
  const controller = new PtzController(
    async () => driver,
    { clock, log: silentLogger, onHolder: (_camera, holder) => holders.push(holder), onAlert: (_camera, kind) => alerts.push(kind), onAutoRelease: (camera, holder, reason) => autoReleases.push(`${camera} ${holder.name} ${reason}`) },
    { deadmanMs: 1000, idleReleaseMs: 60000, refreshMs: 1000, stopCheckMs: 250 },
  );
  return { clock, controller, calls, holders, alerts, autoReleases };
}

const flush = () => new Promise((resolve) => setTimeout(resolve, 0));

describe('PTZ control: stop safety and one operator at a time', () => {
  it('sends Stop by itself when the UI stops confirming a held key (dead-man ~1 s)', async () => {
    const { clock, controller, calls, alerts } = setup();
    controller.acquire('ptz-1', { liveClientId: 'window-a-0001', name: 'Trực ban A' });
    await controller.move('ptz-1', 'window-a-0001', { pan: 0.5, tilt: 0, zoom: 0 });
    // confirmations every 250 ms keep it moving, without resending the same move to the camera
    for (let step = 0; step < 4; step++) {
      clock.advance(250);
      await controller.move('ptz-1', 'window-a-0001', { pan: 0.5, tilt: 0, zoom: 0 });
    }
    expect(calls).toEqual(['move 0.5,0,0', 'move 0.5,0,0']); // once, then a refresh after 1 s
    clock.advance(999);
    await flush();
    expect(calls.filter((call) => call === 'stop')).toHaveLength(0);
    clock.advance(2);
    await flush();
    expect(calls.at(-1)).toBe('stop');
    expect(alerts).toContain('deadman');
  });

  it('keeps commands in order: a Stop never overtakes the Move before it', async () => {
    const { controller, calls } = setup();
    // the move is on its way to the camera when the key is released: Stop follows it
    const move = controller.move('ptz-1', 'window-a-0001', { pan: 1, tilt: 0, zoom: 0 });
    await flush();
    const stop = controller.stop('ptz-1', 'window-a-0001');
    await Promise.all([move, stop]);
    expect(calls).toEqual(['move 1,0,0', 'stop']);
    // released before the move went out: the camera is not started at all
    calls.length = 0;
    await Promise.all([controller.move('ptz-1', 'window-a-0001', { pan: 0, tilt: 1, zoom: 0 }), controller.stop('ptz-1', 'window-a-0001')]);
    expect(calls).toEqual(['stop']);
  });

  it('lets one window hold a camera; another sees who; released on leave, idle or disconnect', async () => {
    const { clock, controller, calls, holders, autoReleases } = setup();
    expect(controller.acquire('ptz-1', { liveClientId: 'window-a-0001', name: 'Trực ban A' }).granted).toBe(true);
    const refused = controller.acquire('ptz-1', { liveClientId: 'window-b-0002', name: 'Trực ban B' });
    expect(refused).toEqual({ granted: false, holder: { liveClientId: 'window-a-0001', name: 'Trực ban A' } });
    expect(await controller.move('ptz-1', 'window-b-0002', { pan: 1, tilt: 0, zoom: 0 })).toMatchObject({ ok: false, problem: 'heldByOther', detail: 'Trực ban A' });
    expect(calls).toEqual([]);

    // the holder's window goes away while the camera moves: stopped and freed
    await controller.move('ptz-1', 'window-a-0001', { pan: 1, tilt: 0, zoom: 0 });
    await controller.clientGone('window-a-0001');
    expect(calls).toEqual(['move 1,0,0', 'stop']);
    expect(holders.at(-1)).toBeNull();
    expect(controller.acquire('ptz-1', { liveClientId: 'window-b-0002', name: 'Trực ban B' }).granted).toBe(true);

    // idle for a minute: freed
    clock.advance(60001);
    await flush();
    expect(controller.holder('ptz-1')).toBeNull();
    // both were the console's doing, said to the audit trail with the holder's name; a release asked for is not
    await controller.release('ptz-1', 'window-b-0002');
    expect(autoReleases).toEqual(['ptz-1 Trực ban A clientGone', 'ptz-1 Trực ban B idle']);
  });

  it('reports a camera that ignores Stop and sends Stop again', async () => {
    const { clock, controller, calls, alerts } = setup({ ignoresStop: true });
    await controller.move('ptz-1', 'window-a-0001', { pan: 1, tilt: 0, zoom: 0 });
    await controller.stop('ptz-1', 'window-a-0001');
    await flush();
    clock.advance(260);
    await flush();
    await flush();
    expect(alerts).toContain('stopIgnored');
    expect(calls.filter((call) => call === 'stop')).toHaveLength(2);
  });

  it('scales console speeds into the camera ranges', () => {
    expect(scaleVelocity(0.5, { min: -8, max: 8 })).toBe(4);
    expect(scaleVelocity(-1, { min: -100, max: 50 })).toBe(-100);
    expect(scaleVelocity(0, { min: -1, max: 1 })).toBe(0);
    expect(scaleVelocity(3, { min: -1, max: 1 })).toBe(1);
  });
});

describe('devices: credentials, vendor templates, site file', () => {
  const dir = (): string => tempDir('ptz-unit');

  it('encrypts credentials at rest with a 0600 key file', () => {
    const data = dir();
    const store = new CredentialStore(data);
    store.put('camera:dk-01', { username: 'admin', password: 'Mật-khẩu-123' });
    const onDisk = fs.readFileSync(path.join(data, 'credentials.json'), 'utf8');
    expect(onDisk).not.toContain('Mật-khẩu-123');
    expect(onDisk).not.toContain('admin');
    expect(fs.statSync(path.join(data, 'credentials.key')).mode & 0o777).toBe(0o600);
    expect(new CredentialStore(data).get('camera:dk-01')).toEqual({ username: 'admin', password: 'Mật-khẩu-123' });
    // a copied entry under another name does not decrypt (the name is authenticated)
    const file = JSON.parse(onDisk) as { entries: Record<string, unknown> };
    file.entries['camera:other'] = file.entries['camera:dk-01'];
    fs.writeFileSync(path.join(data, 'credentials.json'), JSON.stringify(file));
    expect(new CredentialStore(data).get('camera:other')).toBeNull();
  });

  it('uses the key the Electron host unwrapped with safeStorage, and never writes a key file then', () => {
    const data = tempDir('cred-host');
    const key = crypto.randomBytes(32);
    new CredentialStore(data, null, key).put('camera:dk-02', { username: 'admin', password: 'Khóa-của-máy' });
    expect(fs.existsSync(path.join(data, 'credentials.key'))).toBe(false);
    expect(new CredentialStore(data, null, key).get('camera:dk-02')).toEqual({ username: 'admin', password: 'Khóa-của-máy' });
    expect(new CredentialStore(data, null, crypto.randomBytes(32)).get('camera:dk-02')).toBeNull();
    expect(new CredentialStore(data, null, key).protection).toBe('keychain');
  });

  it('moves credentials between URLs and the store', () => {
    expect(splitCredentials('rtsp://admin:p%40ss@10.0.0.5:554/Streaming/Channels/101')).toEqual({ url: 'rtsp://10.0.0.5:554/Streaming/Channels/101', credentials: { username: 'admin', password: 'p@ss' } });
    expect(withCredentials('rtsp://10.0.0.5/cam/realmonitor?channel=1&subtype=0', { username: 'admin', password: 'a:b@c' })).toBe('rtsp://admin:a%3Ab%40c@10.0.0.5/cam/realmonitor?channel=1&subtype=0');
  });

  it('builds Hikvision and Dahua channel URLs', () => {
    expect(nvrChannelUrls('hikvision', '192.168.1.64', 554, 3)).toEqual({ main: 'rtsp://192.168.1.64/Streaming/Channels/301', sub: 'rtsp://192.168.1.64/Streaming/Channels/302' });
    expect(nvrChannelUrls('dahua', '192.168.1.108', 8554, 2)).toEqual({ main: 'rtsp://192.168.1.108:8554/cam/realmonitor?channel=2&subtype=0', sub: 'rtsp://192.168.1.108:8554/cam/realmonitor?channel=2&subtype=1' });
    expect(cameraIdFrom('Đường QL47 – Cầu Khê', new Set())).toBe('duong-ql47-cau-khe');
    expect(cameraIdFrom('Chợ', new Set(['cho']))).toBe('cho-2');
  });

  it('adds cameras to the site file without passwords, and refuses duplicates', () => {
    const data = dir();
    const sitePath = path.join(data, 'site.json');
    fs.writeFileSync(sitePath, '{\n  "schemaVersion": 1,\n  "name": "Đông Khê",\n  "cameras": []\n}\n');
    const site: Site = { schemaVersion: 1, name: 'Đông Khê', cameras: [] };
    const added: Camera[] = [];
    const siteStore = new SiteStore(site, sitePath, true);
    siteStore.onCamerasChanged((change) => added.push(...change.added));
    const registry = new DeviceRegistry(siteStore, new CredentialStore(data), silentLogger);
    const ids = registry.add([{ name: 'Cổng chợ', main: 'rtsp://admin:bí-mật@10.0.0.5/Streaming/Channels/101', credentials: null }]);
    expect(ids).toEqual(['cong-cho']);
    const text = fs.readFileSync(sitePath, 'utf8');
    expect(JSON.parse(text).cameras).toHaveLength(1);
    expect(text).not.toContain('bí-mật');
    expect(text).toContain('"credentialsRef": "camera:cong-cho"');
    expect(added[0]?.streams.main).toBe('rtsp://admin:b%C3%AD-m%E1%BA%ADt@10.0.0.5/Streaming/Channels/101');
    expect(site.cameras).toEqual(added);
    expect(() => registry.add([{ name: 'Lại cổng chợ', main: 'rtsp://10.0.0.5/Streaming/Channels/101', credentials: null }])).toThrow(/duplicate/);
  });
});
