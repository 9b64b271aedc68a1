import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CALL_PATH } from '../../common/liveProtocol';
import { h264Clip } from '../helpers/ffmpeg';
import { RtspTestServer } from '../helpers/rtspServer';
import { launchBrowser, regionChange, screenshot, tileBoxes } from '../helpers/browser';
import { runConsoleExpectingExit, startConsoleProcess, type ConsoleProcess } from '../helpers/consoleProcess';
import { tempDir } from '../helpers/paths';
import { signInHttp, signInPage } from '../helpers/signIn';
import { systemLockEnvironment } from '../../main/core/dataLock';

// Browser mode as `npm run serve` runs it: the core under its supervisor (dist/core/supervise.cjs).
// The core is killed with SIGKILL three times during live view and recording; each time the page
// must show moving pictures again, and every camera record again, within 10 s. Then the data-folder
// lock: a second console on the same folder is refused with a clear message.
describe('browser mode: the supervised core', () => {
  let rtsp: RtspTestServer;
  let consoleProcess: ConsoleProcess;
  let browser: Browser;
  let page: Page;
  let dir = '';
  let dataDir = '';
  let sitePath = '';
  let cookie = '';

  async function call<T>(method: string): Promise<T> {
    const response = await fetch(`${consoleProcess.baseUrl}${CALL_PATH}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${consoleProcess.token}`, Cookie: cookie },
      body: JSON.stringify({ method, params: {} }),
    });
    return (await response.json()) as T;
  }

  function corePid(): number {
    return (JSON.parse(fs.readFileSync(path.join(dataDir, 'console.lock'), 'utf8')) as { pid: number }).pid;
  }

  /** Newest modification time of a recording file per camera folder. */
  function newestSegments(): Map<string, number> {
    const newest = new Map<string, number>();
    const walk = (folder: string): void => {
      for (const entry of fs.readdirSync(folder, { withFileTypes: true })) {
        const full = path.join(folder, entry.name);
        if (entry.isDirectory()) walk(full);
        else {
          const camera = /cam-\d/.exec(full)?.[0];
          const stat = fs.statSync(full);
          if (camera && stat.size > 0) newest.set(camera, Math.max(newest.get(camera) ?? 0, stat.mtimeMs));
        }
      }
    };
    if (fs.existsSync(path.join(dataDir, 'recordings'))) walk(path.join(dataDir, 'recordings'));
    return newest;
  }

  async function wallMoving(): Promise<boolean> {
    const boxes = await tileBoxes(page);
    if (boxes.length !== 4 || boxes.some((tile) => tile.state !== 'live')) return false;
    if (await page.locator('.banner-error').count()) return false;
    const a = await screenshot(page);
    await page.waitForTimeout(600);
    const b = await screenshot(page);
    return boxes.every((tile) => regionChange(a, b, tile.box) > 0.02);
  }

  beforeAll(async () => {
    const clip = await h264Clip({ width: 640, height: 360, fps: 15, seconds: 4, gopFrames: 15 });
    rtsp = await RtspTestServer.start([1, 2, 3, 4].map((n) => ({ path: `/cam${n}`, clip })));
    dir = tempDir('e2e-supervised');
    dataDir = path.join(dir, 'data');
    sitePath = path.join(dir, 'site.json');
    fs.writeFileSync(
      sitePath,
      JSON.stringify({
        schemaVersion: 1,
        name: 'Đông Khê',
        recording: { segmentSeconds: 10, minFreeGb: 1 },
        cameras: [1, 2, 3, 4].map((n) => ({ id: `cam-${n}`, name: `Camera ${n}`, streams: { main: rtsp.url(`/cam${n}`) } })),
      }),
    );
    consoleProcess = await startConsoleProcess(['--site', sitePath, '--data', dataDir], {}, [], 'supervise.cjs');
    browser = await launchBrowser();
    page = await (await browser.newContext({ viewport: { width: 1280, height: 760 } })).newPage();
    await page.goto(consoleProcess.url);
    await signInPage(page);
    cookie = await signInHttp(consoleProcess.baseUrl, consoleProcess.token);
    await page.click('[data-layout="grid-4"]');
  });

  afterAll(async () => {
    await browser?.close();
    await consoleProcess?.stop();
    await rtsp?.close();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('shows the wall live and records every camera', async () => {
    await expect.poll(wallMoving, { timeout: 40000, interval: 500 }).toBe(true);
    await expect
      .poll(async () => (await call<{ ok: boolean; value: { state: string }[] }>('listRecordingStatus')).value.map((status) => status.state), { timeout: 20000 })
      .toEqual(['recording', 'recording', 'recording', 'recording']);
  });

  it('kill -9 of the core, three times: the wall is live again and recording resumes within 10 s', async () => {
    const gaps: { wallMs: number; recordingMs: number }[] = [];
    for (let round = 1; round <= 3; round += 1) {
      const pid = corePid();
      const killedAt = Date.now();
      process.kill(pid, 'SIGKILL');
      await expect.poll(() => page.locator('.banner-error').count(), { timeout: 5000, interval: 100 }).toBeGreaterThan(0);
      let wallMs = -1;
      let recordingMs = -1;
      while (Date.now() - killedAt < 20000 && (wallMs < 0 || recordingMs < 0)) {
        if (recordingMs < 0) {
          const newest = newestSegments();
          if ([1, 2, 3, 4].every((n) => (newest.get(`cam-${n}`) ?? 0) > killedAt + 200)) recordingMs = Date.now() - killedAt;
        }
        if (wallMs < 0) {
          const checkedAt = Date.now();
          if (await wallMoving()) wallMs = checkedAt - killedAt;
        }
        await page.waitForTimeout(150);
      }
      gaps.push({ wallMs, recordingMs });
      console.log(`supervised core, kill ${round}: wall live again after ${wallMs} ms, all 4 cameras writing segments again after ${recordingMs} ms`);
      expect(corePid()).not.toBe(pid);
      expect(wallMs).toBeGreaterThan(0);
      expect(wallMs).toBeLessThan(10000);
      expect(recordingMs).toBeGreaterThan(0);
      expect(recordingMs).toBeLessThan(10000);
      const states = await call<{ ok: boolean; value: { state: string }[] }>('listRecordingStatus');
      expect(states.value.map((status) => status.state)).toEqual(['recording', 'recording', 'recording', 'recording']);
    }
    expect(gaps).toHaveLength(3);
    // the supervisor itself never stopped, and says what happened
    expect(consoleProcess.child.exitCode).toBeNull();
    expect(consoleProcess.output()).toContain('khởi động lại sau');
    // nobody was signed out by the kills: the page never showed the log-in screen, and the
    // sessions from before the first kill still answer (stored in DATA/security.sqlite)
    expect(await page.locator('.auth-screen').count()).toBe(0);
    expect((await call<{ ok: boolean }>('listRecordingStatus')).ok).toBe(true);
    // each kill is in the audit trail: the next run found its predecessor's start without a stop
    const db = new Database(path.join(dataDir, 'security.sqlite'), { readonly: true });
    try {
      const runs = db.prepare("SELECT action, detail FROM audit WHERE action IN ('coreStarted', 'coreStopped', 'coreCrashed') ORDER BY seq").all() as { action: string; detail: string }[];
      expect(runs.map((row) => row.action)).toEqual(['coreStarted', 'coreCrashed', 'coreStarted', 'coreCrashed', 'coreStarted', 'coreCrashed', 'coreStarted']);
      expect(JSON.parse(runs[1]!.detail)).toMatchObject({ restartedByHost: true });
    } finally {
      db.close();
    }
  });

  it('refuses a second console on the same data folder with a clear message', async () => {
    const second = await runConsoleExpectingExit(['--site', sitePath, '--data', dataDir, '--port', '0']);
    expect(second.code).toBe(3);
    expect(second.stderr).toContain(`Thư mục dữ liệu ${dataDir} đang được một cửa sổ phần mềm khác sử dụng (tiến trình ${corePid()}`);
    // and its refusal did not touch the running console's lock
    expect(corePid()).toBeGreaterThan(0);
    expect(await wallMoving()).toBe(true);
  });
});

describe('browser mode: a stale lock and a crash loop', () => {
  let dir = '';
  let dataDir = '';
  let sitePath = '';

  beforeAll(() => {
    dir = tempDir('e2e-crashloop');
    dataDir = path.join(dir, 'data');
    sitePath = path.join(dir, 'site.json');
    // one camera nobody answers for: the core starts, records nothing, never touches a network
    fs.writeFileSync(sitePath, JSON.stringify({ schemaVersion: 1, name: 'Đông Khê', cameras: [{ id: 'cam-1', name: 'Camera 1', streams: { main: 'rtsp://127.0.0.1:9/none' } }] }));
  });

  afterAll(() => {
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  const lockPid = (): number => {
    try {
      return (JSON.parse(fs.readFileSync(path.join(dataDir, 'console.lock'), 'utf8')) as { pid: number }).pid;
    } catch {
      return 0;
    }
  };

  it('takes over the lock a killed core left behind (dead pid), and says so in its log', async () => {
    fs.mkdirSync(dataDir, { recursive: true });
    const real = systemLockEnvironment();
    const deadPid = 2 ** 22 + 4321;
    fs.writeFileSync(path.join(dataDir, 'console.lock'), JSON.stringify({ pid: deadPid, startedAtMs: 1, bootedAtMs: real.bootedAtMs, host: real.host }));
    const core = await startConsoleProcess(['--site', sitePath, '--data', dataDir, '--port', '0']);
    try {
      // the log line and the lock file are written by the core on its own schedule: read until they show
      await expect.poll(lockPid, { timeout: 10000 }).toBe(core.child.pid);
      await expect.poll(() => core.output(), { timeout: 10000 }).toContain('stale data-folder lock replaced');
    } finally {
      await core.stop();
    }
    expect(fs.existsSync(path.join(dataDir, 'console.lock'))).toBe(false);
  });

  it('kills a core that hangs (SIGSTOP: alive, answering nothing) and restarts it, and says so', async () => {
    // probes every 500 ms instead of 5 s: hung after 6 missed answers (3 s instead of 30 s)
    const supervised = await startConsoleProcess(['--site', sitePath, '--data', dataDir], { CONSOLE_HANG_PROBE_MS: '500' }, [], 'supervise.cjs');
    let hung = 0;
    try {
      // any answer of the core's server (401 without the token's cookie) is an answer; 0: none
      const answers = () => fetch(`${supervised.baseUrl}/`).then((response) => response.status !== 503, () => false);
      // armed by the first answer: a core that just started is not hung
      await expect.poll(answers, { timeout: 10000 }).toBe(true);
      await new Promise((resolve) => setTimeout(resolve, 1000));
      hung = lockPid();
      expect(hung).toBeGreaterThan(0);
      const stoppedAt = Date.now();
      process.kill(hung, 'SIGSTOP');
      await expect.poll(() => lockPid(), { timeout: 20000, interval: 100 }).not.toBe(hung);
      await expect.poll(answers, { timeout: 10000 }).toBe(true);
      console.log(`hung core replaced and serving ${Date.now() - stoppedAt} ms after SIGSTOP (probe 500 ms × 6)`);
      expect(supervised.output()).toContain('không trả lời');
      // the stopped process is gone, not left stopped beside its successor
      await expect.poll(() => { try { process.kill(hung, 0); return 'alive'; } catch { return 'gone'; } }, { timeout: 5000 }).toBe('gone');
    } finally {
      try {
        process.kill(hung, 'SIGCONT');
      } catch {
        // gone, as it should be
      }
      expect(await supervised.stop()).toBe(0);
    }
  });

  it('gives up after 5 crashes in 2 minutes and serves, on the same address, a page that says where the logs are', async () => {
    const supervised = await startConsoleProcess(['--site', sitePath, '--data', dataDir], {}, [], 'supervise.cjs');
    try {
      let killed = 0;
      let lastPid = 0;
      const deadline = Date.now() + 60000;
      while (killed < 5 && Date.now() < deadline) {
        const pid = lockPid();
        const served = pid > 0 && pid !== lastPid && (await fetch(`${supervised.baseUrl}/`).then((response) => response.status !== 503, () => false));
        if (served) {
          process.kill(pid, 'SIGKILL');
          lastPid = pid;
          killed += 1;
        }
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      expect(killed).toBe(5);
      await expect.poll(() => fetch(`${supervised.baseUrl}/`).then((response) => response.status, () => 0), { timeout: 10000 }).toBe(503);
      const page = await (await fetch(`${supervised.baseUrl}/anything`)).text();
      expect(page).toContain('Phần lõi của phần mềm bị dừng liên tục');
      expect(page).toContain(path.join(dataDir, 'logs'));
      expect(supervised.output()).toContain('Phần lõi của phần mềm bị dừng liên tục');
      expect(supervised.child.exitCode).toBeNull();
    } finally {
      expect(await supervised.stop()).toBe(0);
    }
  });
});
