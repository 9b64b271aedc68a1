import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { OnvifDevice, rewriteHost } from '../../main/core/onvif/onvifClient';
import { scanDevices } from '../../main/core/onvif/discovery';
import { OnvifError, type OnvifProblem } from '../../main/core/onvif/soap';
import { OnvifSimulator } from '../helpers/onvifSim';

// The ONVIF client against the simulator over real HTTP and UDP on loopback.
const credentials = { username: 'admin', password: 'Khe@2026' };

async function problemOf(promise: Promise<unknown>): Promise<OnvifProblem | 'none'> {
  try {
    await promise;
    return 'none';
  } catch (error) {
    if (error instanceof OnvifError) return error.problem;
    throw error;
  }
}

describe('ONVIF client against the simulator', () => {
  let sim: OnvifSimulator;

  beforeAll(async () => {
    sim = await OnvifSimulator.start({ rtspMain: 'rtsp://127.0.0.1:8554/main', rtspSub: 'rtsp://127.0.0.1:8554/sub', discoveryPort: 0 });
  });
  afterAll(() => sim.close());
  afterEach(() => {
    sim.override = null;
  });

  it('reads device, profiles, stream and snapshot URIs and the PTZ ranges', async () => {
    const device = new OnvifDevice({ address: sim.address, ...credentials });
    const description = await device.describe();
    expect(description.device.manufacturer).toBe('SimVision');
    expect(description.profiles.map((profile) => [profile.token, profile.streamUri])).toEqual([
      ['main', 'rtsp://127.0.0.1:8554/main'],
      ['sub', 'rtsp://127.0.0.1:8554/sub'],
    ]);
    expect(description.profiles[0]?.snapshotUri).toBe(`http://127.0.0.1:${sim.port}/snapshot.jpg`);
    expect(description.ptz).toMatchObject({ profileToken: 'main', panTilt: { x: { min: -1, max: 1 } }, zoom: { min: -1, max: 1 }, homeSupported: true });
    expect(description.rewrites).toEqual([]);
    // the first request was the clock, unauthenticated; everything after it authenticated
    const relevant = sim.requests.slice(-20);
    expect(relevant.find((request) => request.action === 'GetSystemDateAndTime')?.authenticated).toBe(false);
    expect(relevant.filter((request) => request.action === 'GetProfiles').every((request) => request.authenticated)).toBe(true);
  });

  it('moves with ContinuousMove, stops on Stop, and keeps presets', async () => {
    const device = new OnvifDevice({ address: sim.address, ...credentials });
    await device.measureClock();
    const start = sim.position().pan;
    await device.continuousMove('main', { pan: 1, tilt: 0 }, 2000);
    await new Promise((resolve) => setTimeout(resolve, 400));
    await device.stop('main');
    const stopped = sim.position();
    expect(stopped.pan).toBeGreaterThan(start + 0.05);
    expect(stopped.moving).toBe(false);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(sim.position().pan).toBe(stopped.pan);
    const status = await device.status('main');
    expect(status.moving).toBe(false);
    expect(status.pan).toBeCloseTo(stopped.pan, 5);

    const token = await device.setPreset('main', 'Ngã ba QL47', null);
    expect((await device.presets('main')).map((preset) => preset.name)).toContain('Ngã ba QL47');
    await device.setPreset('main', 'Ngã ba QL47 – mới', token);
    expect((await device.presets('main')).find((preset) => preset.token === token)?.name).toBe('Ngã ba QL47 – mới');
    await device.gotoPreset('main', '1');
    expect(sim.position().pan).toBe(-0.5);
    await device.gotoHome('main');
    expect(sim.position().pan).toBe(0);
    await device.removePreset('main', token);
    expect((await device.presets('main')).some((preset) => preset.token === token)).toBe(false);
  });

  it('says authFailed for a wrong password', async () => {
    const device = new OnvifDevice({ address: sim.address, username: 'admin', password: 'sai-mat-khau' });
    expect(await problemOf(device.describe())).toBe('authFailed');
  });

  it('finds the simulator by WS-Discovery (unicast probe on loopback)', async () => {
    const found = await scanDevices({ waitMs: 1500, multicast: false, targets: [`127.0.0.1:${sim.discoveryPort}`] });
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({ manufacturer: 'SimVision', model: 'PTZ-SIM-1', name: 'Camera mô phỏng', xaddrs: [sim.deviceUrl] });
  });

  it.each([
    ['malformed XML', { kind: 'reply', status: 200, body: '<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"><s:Body><Broken></s:Body>' }, 'badXml'],
    ['truncated XML', { kind: 'reply', status: 200, body: '<?xml version="1.0"?><s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"><s:Body><tds:GetDeviceInf' }, 'badXml'],
    ['a SOAP fault', { kind: 'reply', status: 500, body: '<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"><s:Body><s:Fault><s:Code><s:Value>s:Receiver</s:Value></s:Code><s:Reason><s:Text>Internal</s:Text></s:Reason></s:Fault></s:Body></s:Envelope>' }, 'soapFault'],
    ['an HTML page (not ONVIF)', { kind: 'reply', status: 200, body: '<html><body>Router login</body></html>', contentType: 'text/html' }, 'notOnvif'],
    ['a 10 MB reply', { kind: 'huge', bytes: 10 * 1024 * 1024 }, 'tooLarge'],
    ['a reply that never ends', { kind: 'neverEnding' }, 'timeout'],
    ['no reply at all', { kind: 'hang' }, 'timeout'],
  ] as const)('says %s clearly and promptly', async (_name, override, problem) => {
    sim.override = (action) => (action === 'GetDeviceInformation' ? override : null);
    const device = new OnvifDevice({ address: sim.address, ...credentials, soap: { timeoutMs: 1500 } });
    const started = Date.now();
    expect(await problemOf(device.describe())).toBe(problem);
    expect(Date.now() - started).toBeLessThan(10000);
  });

  it('falls back to GetCapabilities on old firmware and rewrites internal stream addresses', async () => {
    const old = await OnvifSimulator.start({ rtspMain: 'rtsp://127.0.0.1:8554/main', quirks: { noGetServices: true, internalIp: true } });
    try {
      const description = await new OnvifDevice({ address: `localhost:${old.port}`, ...credentials }).describe();
      expect(old.actions('GetCapabilities').length).toBeGreaterThan(0);
      expect(description.profiles[0]?.streamUri).toBe('rtsp://localhost:8554/main');
      expect(description.rewrites[0]).toEqual(['rtsp://192.168.254.10:8554/main', 'rtsp://localhost:8554/main']);
    } finally {
      await old.close();
    }
  });

  it('measures a skewed camera clock and still authenticates', async () => {
    const skewed = await OnvifSimulator.start({ clockSkewMs: -3600_000 });
    try {
      const device = new OnvifDevice({ address: skewed.address, ...credentials });
      const description = await device.describe();
      expect(description.clockOffsetMs).toBeGreaterThan(-3603_000);
      expect(description.clockOffsetMs).toBeLessThan(-3597_000);
      expect(description.device.model).toBe('PTZ-SIM-1');
    } finally {
      await skewed.close();
    }
  });

  it('reports a zoom-only camera without pan/tilt', async () => {
    const zoomOnly = await OnvifSimulator.start({ quirks: { zoomOnly: true } });
    try {
      const description = await new OnvifDevice({ address: zoomOnly.address, ...credentials }).describe();
      expect(description.ptz?.panTilt).toBeNull();
      expect(description.ptz?.zoom).toEqual({ min: -1, max: 1 });
    } finally {
      await zoomOnly.close();
    }
  });

  it('says unreachable for a closed port and notOnvif for a plain web server', async () => {
    const closedPort = await new Promise<number>((resolve) => {
      const probe = net.createServer().listen(0, '127.0.0.1', () => {
        const port = (probe.address() as AddressInfo).port;
        probe.close(() => resolve(port));
      });
    });
    expect(await problemOf(new OnvifDevice({ address: `127.0.0.1:${closedPort}`, ...credentials }).describe())).toBe('unreachable');
    const web = http.createServer((_request, response) => {
      response.writeHead(404, { 'Content-Type': 'text/plain' });
      response.end('Not Found');
    });
    await new Promise<void>((resolve) => web.listen(0, '127.0.0.1', resolve));
    try {
      expect(await problemOf(new OnvifDevice({ address: `127.0.0.1:${(web.address() as AddressInfo).port}`, ...credentials }).describe())).toBe('notOnvif');
    } finally {
      web.closeAllConnections();
      await new Promise((resolve) => web.close(resolve));
    }
  });

  it('keeps the host the user gave when rewriting', () => {
    expect(rewriteHost('rtsp://10.1.1.2:554/Streaming/Channels/101?transportmode=unicast&profile=Profile_1', 'http://192.168.1.64/onvif/device_service')).toBe(
      'rtsp://192.168.1.64:554/Streaming/Channels/101?transportmode=unicast&profile=Profile_1',
    );
  });
});
