import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { h264Clip } from '../helpers/ffmpeg';
import { RtspTestServer } from '../helpers/rtspServer';
import { regionChange, regionStats, type Box } from '../helpers/browser';
import { outputPath, tempDir } from '../helpers/paths';
import { signInWindow, startElectronHarness, waitForWindows, type ElectronHarness } from '../helpers/electronHarness';

// The Electron host (dist/electron/main.cjs) as it runs in the station, through the harness:
// Node runs main.ts with the `electron` module replaced by tests/harness/electronStandIn.ts. The
// core runs for real in a forked "utility process", the wall draws in Debian's Chromium, and every
// contract call crosses the real preload → ipcMain → main.ts checks → core path.
describe('the Electron host through the harness', () => {
  let rtsp: RtspTestServer;
  let host: ElectronHarness;
  let dir = '';
  let mainWindow = 0;

  const tiles = (window: number) =>
    host.evaluate<{ cameraId: string; state: string; box: Box }[]>(
      window,
      `[...document.querySelectorAll('[data-testid=tile]')].map((tile) => { const r = tile.getBoundingClientRect(); return { cameraId: tile.dataset.cameraId, state: tile.dataset.state, box: { x: r.x, y: r.y, width: r.width, height: r.height } }; })`,
    );
  const states = async (window: number) => (await tiles(window)).map((tile) => tile.state);

  /** Time from `sinceMs` until every tile is live, the banner gone, and every picture moves. */
  async function liveAgainAfter(window: number, sinceMs: number, timeoutMs = 20000): Promise<number> {
    while (Date.now() - sinceMs < timeoutMs) {
      // a crashed or reloading page answers nothing for a moment
      const probe = await Promise.all([host.evaluate<boolean>(window, `!!document.querySelector('.banner-error')`), tiles(window)]).catch(() => null);
      if (!probe) {
        await new Promise((resolve) => setTimeout(resolve, 200));
        continue;
      }
      const [lost, current] = probe;
      if (!lost && current.length > 0 && current.every((tile) => tile.state === 'live')) {
        const at = Date.now();
        const pair = await (async () => {
          const a = await host.screenshot(window);
          await new Promise((resolve) => setTimeout(resolve, 600));
          return [a, await host.screenshot(window)] as const;
        })().catch(() => null);
        if (pair && current.every((tile) => regionChange(pair[0], pair[1], tile.box) > 0.02)) return at - sinceMs;
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    throw new Error(`wall not live again within ${timeoutMs} ms:\n${host.output().slice(-3000)}`);
  }

  beforeAll(async () => {
    const clip = await h264Clip({ width: 640, height: 360, fps: 15, seconds: 4, gopFrames: 15 });
    rtsp = await RtspTestServer.start([1, 2, 3, 4].map((n) => ({ path: `/cam${n}`, clip })));
    dir = tempDir('e2e-electron');
    const sitePath = path.join(dir, 'site.json');
    fs.writeFileSync(
      sitePath,
      JSON.stringify({
        schemaVersion: 1,
        name: 'Đông Khê',
        cameras: [1, 2, 3, 4].map((n) => ({ id: `cam-${n}`, name: `Camera ${n}`, streams: { main: rtsp.url(`/cam${n}`) } })),
      }),
    );
    // the hang watch probes every second instead of 5 s (hung after 6 s instead of 30 s)
    host = await startElectronHarness(['--site', sitePath, '--data', path.join(dir, 'data'), '--idle-lock', '1800'], { userData: path.join(dir, 'user'), env: { CONSOLE_HANG_PROBE_MS: '1000' } });
    const windows = await waitForWindows(host, 1);
    mainWindow = windows[0]?.id ?? 0;
    await signInWindow(host, mainWindow);
  });

  afterAll(async () => {
    await host?.close();
    await rtsp?.close();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('shows the wall with moving pictures, every call through IPC from the trusted window', async () => {
    expect(await host.evaluate<string>(mainWindow, `typeof window.consoleBridge?.call`)).toBe('function');
    await expect.poll(() => host.evaluate<boolean>(mainWindow, `!!document.querySelector('[data-layout="grid-4"]')`), { timeout: 30000 }).toBe(true);
    await host.evaluate(mainWindow, `document.querySelector('[data-layout="grid-4"]').click()`);
    await expect.poll(() => states(mainWindow), { timeout: 40000, interval: 500 }).toEqual(['live', 'live', 'live', 'live']);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const boxes = await tiles(mainWindow);
    const first = await host.screenshot(mainWindow);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const second = await host.screenshot(mainWindow, outputPath('e2e', 'electron-harness-wall.png'));
    for (const tile of boxes) {
      expect(regionStats(second, tile.box).spread, `${tile.cameraId} has a picture`).toBeGreaterThan(20);
      expect(regionChange(first, second, tile.box), `${tile.cameraId} moves`).toBeGreaterThan(0.02);
    }
    const site = await host.evaluate<{ ok: boolean }>(mainWindow, `window.consoleBridge.call('getSite', {})`);
    expect(site.ok).toBe(true);
    // the app's --idle-lock reached the core in its utility process (it did not before)
    const auth = await host.evaluate<{ ok: boolean; value: { idleLockMs: number } }>(mainWindow, `window.consoleBridge.call('getAuthState', {})`);
    expect(auth.value.idleLockMs).toBe(1_800_000);
  });

  it('keeps the display awake while the wall shows video, not while minimized', async () => {
    await expect.poll(() => host.send<string[]>('powerSave'), { timeout: 10000 }).toEqual(['prevent-display-sleep']);
    await host.send('minimize', { window: mainWindow });
    expect(await host.send<string[]>('powerSave')).toEqual([]);
    await host.send('restore', { window: mainWindow });
    expect(await host.send<string[]>('powerSave')).toEqual(['prevent-display-sleep']);
  });

  it('refuses a call from a sub frame and from a foreign page, even holding the bridge', async () => {
    const fromSubFrame = await host.evaluate<{ ok: boolean; error?: { code: string } }>(
      mainWindow,
      `new Promise((resolve) => {
        const frame = document.createElement('iframe');
        frame.srcdoc = '<p>x</p>';
        frame.onload = () => frame.contentWindow.__harnessInvoke('contract:call', [{ method: 'getSite', params: {} }]).then(resolve);
        document.body.appendChild(frame);
      })`,
    );
    expect(fromSubFrame).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    const foreign = await host.send<number>('openWindow', { url: 'data:text/html,<title>evil</title>' });
    const fromForeign = await host.evaluate<{ ok: boolean; error?: { code: string } }>(foreign, `window.consoleBridge.call('getSite', {})`);
    expect(fromForeign).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    await host.send('close', { window: foreign });
  });

  it('refuses a navigation away from the console: the window stays on its page, bridge and wall intact', async () => {
    const before = await host.evaluate<string>(mainWindow, 'location.href');
    await host.evaluate(mainWindow, `setTimeout(() => { location.href = 'https://example.org/dang-nhap'; }, 0); true`);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(await host.evaluate<string>(mainWindow, 'location.href')).toBe(before);
    expect(await host.evaluate<string>(mainWindow, `typeof window.consoleBridge?.call`)).toBe('function');
    expect(await host.evaluate<boolean>(mainWindow, `!!document.querySelector('[data-testid=tile]')`)).toBe(true);
  });

  it('opens the second screen wall as a window of its own', async () => {
    await host.evaluate(mainWindow, `document.querySelector('[data-testid=second-screen]').click()`);
    const windows = await waitForWindows(host, 2);
    const second = windows.find((window) => window.url.includes('screen=2'));
    expect(second?.url).toBe('app://console/index.html?screen=2');
    expect(await host.evaluate<boolean>(second?.id ?? 0, `typeof window.consoleBridge?.call === 'function'`)).toBe(true);
    await expect.poll(() => host.evaluate<boolean>(second?.id ?? 0, `window.consoleBridge.call('getSite', {}).then((r) => r.ok)`), { timeout: 10000 }).toBe(true);
  });

  it('a second launch hands over to the running console: its window is focused, no second core', async () => {
    const before = (await host.windows()).find((window) => window.id === mainWindow)?.focusCount ?? 0;
    const corePids = await host.send<number[]>('utilityPids');
    const second = await startElectronHarness(['--data', path.join(dir, 'data')], { userData: host.userData });
    const code = await Promise.race([second.exited, new Promise<string>((resolve) => setTimeout(() => resolve('still running'), 30000))]);
    if (code === 'still running') await second.close();
    expect(code).toBe(0);
    await expect.poll(async () => (await host.windows()).find((window) => window.id === mainWindow)?.focusCount ?? 0, { timeout: 5000 }).toBeGreaterThan(before);
    expect(await host.send<number[]>('utilityPids')).toEqual(corePids);
  });

  it('restarts a core killed with SIGKILL: the windows hear coreRestarted and the wall is live again within 10 s', async () => {
    await host.evaluate(mainWindow, `window.__restarts = []; window.consoleBridge.onEvent((e) => { if (e.event === 'coreRestarted') window.__restarts.push(e.payload); })`);
    const [pid] = await host.send<number[]>('utilityPids');
    expect(pid).toBeGreaterThan(0);
    const killedAt = Date.now();
    process.kill(pid ?? 0, 'SIGKILL');
    // the page notices (its live socket closes), then must come back by itself
    await expect.poll(() => host.evaluate<boolean>(mainWindow, `!!document.querySelector('.banner-error')`), { timeout: 5000, interval: 100 }).toBe(true);
    const gapMs = await liveAgainAfter(mainWindow, killedAt);
    console.log(`electron harness: wall live again (all 4 tiles moving) ${gapMs} ms after kill -9 of the core`);
    expect(gapMs).toBeLessThan(10000);
    expect(await host.evaluate<{ restarts: number }[]>(mainWindow, `window.__restarts`)).toMatchObject([{ restarts: 1 }]);
    const newPids = await host.send<number[]>('utilityPids');
    expect(newPids).toHaveLength(1);
    expect(newPids[0]).not.toBe(pid);
  });

  it("reloads a window whose renderer crashed: the same window, signed in, its wall live again; the core is not touched", async () => {
    const pids = await host.send<number[]>('utilityPids');
    const windowsBefore = (await host.windows()).length;
    const crashedAt = Date.now();
    await host.send('crashRenderer', { window: mainWindow });
    const gapMs = await liveAgainAfter(mainWindow, crashedAt, 30000);
    console.log(`electron harness: wall live again ${gapMs} ms after its renderer crashed`);
    expect(await host.evaluate<number>(mainWindow, `document.querySelectorAll('.auth-screen').length`)).toBe(0);
    expect((await host.windows()).length).toBe(windowsBefore);
    expect(await host.send<number[]>('utilityPids')).toEqual(pids);
    // the reloaded page listens again (the next test counts coreRestarted events on it)
    await host.evaluate(mainWindow, `window.__restarts = [{ restarts: 1 }]; window.consoleBridge.onEvent((e) => { if (e.event === 'coreRestarted') window.__restarts.push(e.payload); })`);
  });

  it('kills a core that hangs (SIGSTOP: alive, answering no ping) and restarts it: coreRestarted, the wall live again', async () => {
    const [pid] = await host.send<number[]>('utilityPids');
    expect(pid).toBeGreaterThan(0);
    const stoppedAt = Date.now();
    process.kill(pid ?? 0, 'SIGSTOP');
    try {
      await expect.poll(() => host.evaluate<{ restarts: number }[]>(mainWindow, `window.__restarts`), { timeout: 30000, interval: 200 }).toHaveLength(2);
      const gapMs = await liveAgainAfter(mainWindow, stoppedAt, 30000);
      console.log(`electron harness: wall live again ${gapMs} ms after the core hung (ping every 1 s, 6 missed)`);
      expect(host.output()).toContain('không trả lời');
      const newPids = await host.send<number[]>('utilityPids');
      expect(newPids).toHaveLength(1);
      expect(newPids[0]).not.toBe(pid);
    } finally {
      try {
        process.kill(pid ?? 0, 'SIGCONT');
      } catch {
        // killed by the host, as it should be
      }
    }
  });
});
