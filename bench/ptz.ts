/**
 * npm run bench:ptz — PTZ control latency in browser mode, end to end on loopback:
 *   key-down in Chromium → ContinuousMove arriving at the ONVIF simulator, and
 *   key-up → Stop arriving, p50 and p95 (goal ≤ 50 ms each).
 * Both ends read the same clock (epoch ms via performance.timeOrigin + performance.now()): the
 * page notes when the key event reached it, the simulator when the request's body was complete.
 * Figures only; nothing is asserted. Usage: npm run bench:ptz -- [presses]
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { h264Clip } from '../tests/helpers/ffmpeg';
import { RtspTestServer } from '../tests/helpers/rtspServer';
import { startConsoleProcess } from '../tests/helpers/consoleProcess';
import { launchBrowser } from '../tests/helpers/browser';
import { tempDir } from '../tests/helpers/paths';
import { OnvifSimulator, type SimRequest } from '../tests/helpers/onvifSim';
import { CredentialStore } from '../main/core/devices/credentials';
import { machine } from './proc';

const presses = Number(process.argv[2] ?? 40);

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? NaN;
}

function nextRequest(sim: OnvifSimulator, action: string, timeoutMs = 3000): Promise<SimRequest> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(new Error(`no ${action} within ${timeoutMs} ms`));
    }, timeoutMs);
    const off = sim.onRequest((request) => {
      if (request.action !== action) return;
      clearTimeout(timer);
      off();
      resolve(request);
    });
  });
}

async function main(): Promise<void> {
  const clip = await h264Clip({ width: 320, height: 180, fps: 15, seconds: 2, gopFrames: 15 });
  const rtsp = await RtspTestServer.start([{ path: '/ptz', clip }]);
  const sim = await OnvifSimulator.start({ rtspMain: rtsp.url('/ptz') });
  const dir = tempDir('bench-ptz');
  const dataDir = path.join(dir, 'data');
  new CredentialStore(dataDir).put('camera:ptz-1', { username: 'admin', password: 'Khe@2026' });
  const sitePath = path.join(dir, 'site.json');
  fs.writeFileSync(
    sitePath,
    JSON.stringify({ schemaVersion: 1, name: 'Bench', cameras: [{ id: 'ptz-1', name: 'PTZ', ptz: true, onvif: { address: sim.deviceUrl, credentialsRef: 'camera:ptz-1' }, streams: { main: rtsp.url('/ptz') } }] }),
  );
  const consoleProcess = await startConsoleProcess(['--site', sitePath, '--data', dataDir, '--port', '0']);
  const browser = await launchBrowser();
  try {
    const page = await (await browser.newContext({ viewport: { width: 1280, height: 760 } })).newPage();
    await page.goto(consoleProcess.url);
    await page.click('[data-layout="grid-1"]');
    const tile = page.locator('[data-testid=tile][data-camera-id="ptz-1"]');
    await tile.waitFor({ timeout: 30000 });
    await tile.click({ position: { x: 300, y: 60 } });
    await page.locator('[data-testid=ptz-pad] [data-ptz=right]').waitFor({ timeout: 20000 });
    await page.evaluate(() => {
      const times: { type: string; at: number }[] = [];
      (window as unknown as { __ptzKeys: typeof times }).__ptzKeys = times;
      const note = (event: KeyboardEvent): void => void times.push({ type: event.type, at: performance.timeOrigin + performance.now() });
      window.addEventListener('keydown', note, true);
      window.addEventListener('keyup', note, true);
    });
    // warm-up: the first press connects the driver (clock, services, profiles)
    await page.keyboard.down('ArrowRight');
    await nextRequest(sim, 'ContinuousMove', 10000);
    await page.keyboard.up('ArrowRight');
    await nextRequest(sim, 'Stop', 10000);
    await sleep(500);

    const moveMs: number[] = [];
    const stopMs: number[] = [];
    for (let index = 0; index < presses; index++) {
      const key = index % 2 === 0 ? 'ArrowLeft' : 'ArrowRight';
      await page.evaluate(() => void ((window as unknown as { __ptzKeys: unknown[] }).__ptzKeys.length = 0));
      const move = nextRequest(sim, 'ContinuousMove');
      await page.keyboard.down(key);
      const moved = await move;
      await sleep(300);
      const stop = nextRequest(sim, 'Stop');
      await page.keyboard.up(key);
      const stopped = await stop;
      const keys = await page.evaluate(() => (window as unknown as { __ptzKeys: { type: string; at: number }[] }).__ptzKeys);
      const down = keys.find((entry) => entry.type === 'keydown');
      const up = keys.find((entry) => entry.type === 'keyup');
      if (down) moveMs.push(performance.timeOrigin + moved.atHr - down.at);
      if (up) stopMs.push(performance.timeOrigin + stopped.atHr - up.at);
      await sleep(250);
    }
    // the same path without the browser: a contract call over HTTP from here → the simulator
    const callMs: number[] = [];
    const liveClientId = 'bench-direct-0001';
    const post = (method: string, params: unknown): Promise<Response> =>
      fetch(`${consoleProcess.baseUrl}/api/call`, { method: 'POST', headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${consoleProcess.token}` }, body: JSON.stringify({ method, params }) });
    await page.close();
    await sleep(1500); // the page's hold is released when its socket goes
    for (let index = 0; index < presses; index++) {
      const move = nextRequest(sim, 'ContinuousMove');
      const sent = performance.timeOrigin + performance.now();
      await post('ptzMove', { cameraId: 'ptz-1', liveClientId, pan: index % 2 === 0 ? -1 : 1, tilt: 0, zoom: 0, speed: 0.5 });
      callMs.push(performance.timeOrigin + (await move).atHr - sent);
      await post('ptzStop', { cameraId: 'ptz-1', liveClientId });
      await sleep(200);
    }
    console.log(`machine: ${machine()}`);
    console.log(`presses: ${presses} (browser mode, Chromium → core HTTP → SOAP over loopback HTTP → simulator)`);
    console.log(`key-down → ContinuousMove at the camera: p50 ${percentile(moveMs, 50).toFixed(1)} ms, p95 ${percentile(moveMs, 95).toFixed(1)} ms, max ${Math.max(...moveMs).toFixed(1)} ms`);
    console.log(`key-up   → Stop at the camera:           p50 ${percentile(stopMs, 50).toFixed(1)} ms, p95 ${percentile(stopMs, 95).toFixed(1)} ms, max ${Math.max(...stopMs).toFixed(1)} ms`);
    console.log(`contract call (no browser) → ContinuousMove: p50 ${percentile(callMs, 50).toFixed(1)} ms, p95 ${percentile(callMs, 95).toFixed(1)} ms`);
    console.log(`load average during the run: ${os.loadavg().map((value) => value.toFixed(1)).join(' ')} (${os.cpus().length} cores)`);
  } finally {
    await browser.close();
    await consoleProcess.stop();
    await sim.close();
    await rtsp.close();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
