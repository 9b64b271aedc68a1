import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Camera } from '../../common/site';
import { createLogger } from '../../main/core/log/logger';
import { CameraClocks } from '../../main/core/onvif/cameraClocks';
import { ManualClock } from '../../main/core/util/clock';
import { OnvifSimulator } from '../helpers/onvifSim';

/** A port nothing listens on (bound, then closed). */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function until(check: () => boolean, timeoutMs = 5000): Promise<void> {
  const started = Date.now();
  while (!check()) {
    if (Date.now() - started > timeoutMs) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

// Every ONVIF camera's clock is measured (issue 20), not only a PTZ head someone opened: the real
// SOAP exchange with the ONVIF simulator (its clock set ahead or behind), scheduling on a manual clock.
describe('camera clocks (ONVIF GetSystemDateAndTime for every ONVIF camera)', () => {
  let ahead: OnvifSimulator;
  let behind: OnvifSimulator;
  let dead: number;
  beforeAll(async () => {
    ahead = await OnvifSimulator.start({ clockSkewMs: 7000 });
    behind = await OnvifSimulator.start({ clockSkewMs: -3000 });
    dead = await closedPort();
  });
  afterAll(async () => {
    await ahead?.close();
    await behind?.close();
  });

  it('measures every ONVIF camera at start (staggered) and again every period; a camera without ONVIF or not answering has none; a wrong clock is logged once', async () => {
    const cameras: Camera[] = [
      { id: 'ql47', name: 'Ngã ba QL47', streams: { main: 'rtsp://h/1' }, onvif: { address: ahead.deviceUrl } },
      { id: 'cho', name: 'Chợ', streams: { main: 'rtsp://h/2' }, onvif: { address: behind.deviceUrl } },
      { id: 'plain', name: 'Không ONVIF', streams: { main: 'rtsp://h/3' } },
      { id: 'off', name: 'Mất điện', streams: { main: 'rtsp://h/4' }, onvif: { address: `http://127.0.0.1:${dead}/onvif/device_service` } },
    ];
    const clock = new ManualClock(Date.now());
    const lines: string[] = [];
    const log = createLogger({ console: { write: (line) => lines.push(line) }, file: null, level: 'debug' });
    const clocks = new CameraClocks({ clock, log, cameras: () => cameras, soap: { timeoutMs: 2000 } }, { periodMs: 600_000, staggerMs: 1000, warnAboveMs: 2000, rtcpFirstMs: null, rtcpPeriodMs: 3_600_000 });
    clocks.start();
    // the first camera at once, the next one a second later: not all in the same second
    clock.advance(0);
    await until(() => clocks.of('ql47') !== null);
    expect(clocks.of('cho')).toBeNull();
    clock.advance(3000);
    await until(() => clocks.of('cho') !== null && lines.some((line) => line.includes('camera clock not measured')));
    // whole seconds on the wire: the offset is right within a second and a half
    expect(Math.abs(clocks.of('ql47')!.offsetMs - 7000)).toBeLessThan(1600);
    expect(clocks.of('ql47')!.source).toBe('onvif');
    expect(Math.abs(clocks.of('cho')!.offsetMs + 3000)).toBeLessThan(1600);
    expect(clocks.of('plain')).toBeNull();
    expect(clocks.of('off')).toBeNull();
    expect(lines.filter((line) => line.includes('camera clock differs')).map((line) => /"cameraId":"(\w+)"/.exec(line)?.[1]).sort()).toEqual(['cho', 'ql47']);

    // ten minutes on: measured again (the camera's clock was set right meanwhile)
    const firstAt = clocks.of('ql47')!.measuredAtMs;
    ahead.clockSkewMs = 0;
    clock.advance(600_000);
    await until(() => clocks.of('ql47')!.measuredAtMs > firstAt);
    expect(Math.abs(clocks.of('ql47')!.offsetMs)).toBeLessThan(1600);
    // a measurement made elsewhere (PTZ connecting a head) is kept too
    clocks.record('plain', 4200);
    expect(clocks.of('plain')).toEqual({ offsetMs: 4200, measuredAtMs: clock.now(), source: 'onvif' });

    // stopped: no more rounds
    clocks.stop();
    const lastAt = clocks.of('cho')!.measuredAtMs;
    clock.advance(3_600_000);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(clocks.of('cho')!.measuredAtMs).toBe(lastAt);
  });
});
