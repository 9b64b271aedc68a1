import fs from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { h264Clip } from '../helpers/ffmpeg';
import { RtspTestServer } from '../helpers/rtspServer';
import { openConsole, type ConsoleUnderTest } from '../helpers/consoleUnderTest';
import { outputPath, tempDir } from '../helpers/paths';
import { CALL_PATH } from '../../common/liveProtocol';

/**
 * Issue 15 in Chromium at 1366x768: first start creates the administrator; log-in; a duty
 * officer sees no export tab and cannot call export by hand; lock on idle (no wall, no video);
 * switch user at a shift change while the camera's pull keeps running; the audit page.
 */
describe('log-in, roles, lock and the audit page', () => {
  let rtsp: RtspTestServer;
  let app: ConsoleUnderTest;
  let page: Page;
  let dir: string;

  const apiCall = (method: string, params: unknown) =>
    page.evaluate(
      async ({ path: callPath, method: name, params: body }) => {
        const response = await fetch(callPath, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ method: name, params: body }), credentials: 'same-origin' });
        return (await response.json()) as { ok: boolean; value?: unknown; error?: { code: string; message: string } };
      },
      { path: CALL_PATH, method, params },
    );

  async function signIn(userName: string, password: string): Promise<void> {
    const screen = page.locator('[data-testid=login-screen]');
    await screen.waitFor({ timeout: 30000 });
    await screen.locator('input[name=userName]').fill(userName);
    await screen.locator('input[name=password]').fill(password);
    await screen.locator('button[type=submit]').click();
    await page.locator('[data-testid=user-box]').waitFor({ timeout: 30000 });
  }

  beforeAll(async () => {
    const clip = await h264Clip({ width: 320, height: 180, fps: 15, seconds: 4, gopFrames: 15 });
    rtsp = await RtspTestServer.start([{ path: '/cam1', clip }]);
    dir = tempDir('e2e-auth');
    const sitePath = path.join(dir, 'site.json');
    fs.writeFileSync(sitePath, JSON.stringify({ schemaVersion: 1, name: 'Công an xã Đông Khê', cameras: [{ id: 'cam-1', name: 'QL47 – Cầu Khê', streams: { main: rtsp.url('/cam1') } }] }));
    app = await openConsole(['--site', sitePath, '--data', path.join(dir, 'data'), '--port', '0', '--idle-lock', '4'], { width: 1366, height: 768 }, { signIn: false });
    page = app.page;
  }, 120000);

  afterAll(async () => {
    await app?.close();
    await rtsp?.close();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('first start asks for the administrator, then signs in', async () => {
    const setup = page.locator('[data-testid=setup-screen]');
    await setup.waitFor({ timeout: 30000 });
    await setup.locator('input[name=userName]').fill('quantri');
    await setup.locator('input[name=fullName]').fill('Nguyễn Văn Quản');
    await setup.locator('input[name=rank]').fill('Trung tá');
    await setup.locator('input[name=password]').fill('mat-khau-quan-tri');
    await setup.locator('input[name=passwordAgain]').fill('mat-khau-quan-tri');
    await page.screenshot({ path: outputPath('e2e', 'auth-first-start-1366.png') });
    await setup.locator('button[type=submit]').click();
    await page.locator('[data-testid=user-box]').waitFor({ timeout: 30000 });
    expect(await page.locator('[data-testid=user-box]').textContent()).toContain('Trung tá Nguyễn Văn Quản');
    const created = await apiCall('createUser', { userName: 'trucban', fullName: 'Lê Thị Trực', rank: 'Thượng úy', role: 'dutyOfficer', password: 'ca-truc-dem-1' });
    expect(created.ok).toBe(true);
  });

  it('a duty officer sees no export tab and cannot call export by hand', async () => {
    // sign out: the page goes back to the log-in screen by itself
    await page.click('[data-testid=user-box] [data-action=logout]');
    await page.locator('[data-testid=login-screen]').waitFor({ timeout: 30000 });
    await page.locator('[data-testid=login-screen] input[name=userName]').fill('trucban');
    await page.locator('[data-testid=login-screen] input[name=password]').fill('sai-mat-khau');
    await page.locator('[data-testid=login-screen] button[type=submit]').click();
    await expect.poll(() => page.locator('[data-testid=auth-message]').textContent(), { timeout: 10000 }).toContain('Sai tên đăng nhập hoặc mật khẩu');
    await page.screenshot({ path: outputPath('e2e', 'auth-login-1366.png') });
    await page.waitForTimeout(400);
    await signIn('trucban', 'ca-truc-dem-1');
    expect(await page.locator('[data-page=exports]').count()).toBe(0);
    expect(await page.locator('[data-page=audit]').count()).toBe(0);
    expect(await page.locator('[data-page=playback]').count()).toBe(1);
    const byHand = await apiCall('exportStart', { cameraIds: ['cam-1'], startMs: 0, endMs: 1000, caseNumber: 'x', officer: 'x', reason: 'x', operator: 'x', destination: '/tmp' });
    expect(byHand).toMatchObject({ ok: false, error: { code: 'forbidden' } });
  });

  it('locks on idle: the wall and its video are gone, only unlock is offered', async () => {
    await page.locator('[data-testid=tile][data-camera-id="cam-1"]').waitFor({ timeout: 30000 });
    await expect.poll(() => page.locator('[data-testid=tile][data-camera-id="cam-1"]').getAttribute('data-state'), { timeout: 30000 }).toBe('live');
    const before = ((await apiCall('listStreamStatus', {})).value as { cameraId: string; state: string; sinceMs: number }[]).find((status) => status.cameraId === 'cam-1')!;
    // no input for 4 s (--idle-lock 4)
    await page.locator('[data-testid=lock-screen]').waitFor({ timeout: 15000 });
    expect(await page.locator('[data-testid=tile]').count()).toBe(0);
    expect(await page.locator('canvas').count()).toBe(0);
    expect((await apiCall('listCameras', {})).error).toEqual({ code: 'unauthorized', message: 'locked' });
    await page.screenshot({ path: outputPath('e2e', 'auth-lock-1366.png') });

    // shift change from the lock screen: the administrator takes over; the camera's pull never stopped
    await page.click('[data-testid=lock-screen] [data-action=switch-user]');
    await page.locator('[data-testid=lock-screen] input[name=userName]').fill('quantri');
    await page.locator('[data-testid=lock-screen] input[name=password]').fill('mat-khau-quan-tri');
    await page.locator('[data-testid=lock-screen] button[type=submit]').click();
    await page.locator('[data-testid=user-box]').waitFor({ timeout: 30000 });
    await expect.poll(() => page.locator('[data-testid=tile][data-camera-id="cam-1"]').getAttribute('data-state'), { timeout: 30000 }).toBe('live');
    const after = ((await apiCall('listStreamStatus', {})).value as { cameraId: string; state: string; sinceMs: number }[]).find((status) => status.cameraId === 'cam-1')!;
    expect(after.state).toBe('live');
    expect(after.sinceMs).toBe(before.sinceMs);
    expect(await page.locator('[data-testid=user-box]').textContent()).toContain('Nguyễn Văn Quản');
  });

  it('the audit page lists who did what and verifies the chain', async () => {
    await page.mouse.move(10, 10);
    await page.click('[data-page=audit]');
    await page.locator('[data-testid=audit-table] tbody tr').first().waitFor({ timeout: 15000 });
    const actions = await page.locator('[data-testid=audit-table] tbody tr').evaluateAll((rows) => rows.map((row) => row.getAttribute('data-action')));
    expect(actions).toEqual(expect.arrayContaining(['setupAdministrator', 'login', 'loginFailed', 'liveView', 'lock', 'switchUser']));
    await page.click('[data-action=audit-verify]');
    await expect.poll(() => page.locator('[data-testid=audit-verify-result]').textContent(), { timeout: 10000 }).toContain('toàn vẹn');
    await page.screenshot({ path: outputPath('e2e', 'auth-audit-1366.png') });
  });
});
