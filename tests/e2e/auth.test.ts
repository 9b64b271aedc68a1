import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { h264Clip } from '../helpers/ffmpeg';
import { RtspTestServer } from '../helpers/rtspServer';
import { openConsole, type ConsoleUnderTest } from '../helpers/consoleUnderTest';
import { outputPath, repoRoot, tempDir } from '../helpers/paths';
import { regionChange, screenshot } from '../helpers/browser';
import { CALL_PATH } from '../../common/liveProtocol';

/**
 * Issue 15 in Chromium at 1366x768: first start creates the administrator; log-in; a duty
 * officer sees no export tab and cannot call export by hand; lock on idle (no wall, no video);
 * switch user at a shift change while the camera's pull keeps running; the audit page (filters,
 * CSV and PDF for an inspector); a second screen's wall that plays on while the session is locked
 * (this site sets security.secondScreenWallWhileLocked).
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
    fs.writeFileSync(sitePath, JSON.stringify({ schemaVersion: 1, name: 'Công an xã Đông Khê', security: { secondScreenWallWhileLocked: true }, cameras: [{ id: 'cam-1', name: 'QL47 – Cầu Khê', streams: { main: rtsp.url('/cam1') } }] }));
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

    // filtered by user: only the duty officer's rows, and the CSV and PDF carry exactly those
    // (--idle-lock 4 here, and the page reports input at most every 15 s: keep the session awake)
    await apiCall('touchSession', {});
    await page.selectOption('[data-testid=audit-page] select[name=actor]', 'trucban');
    await expect.poll(() => page.locator('[data-testid=audit-table] tbody tr').evaluateAll((rows) => rows.length > 0 && rows.every((row) => row.textContent?.includes('trucban'))), { timeout: 10000 }).toBe(true);
    const shown = await page.locator('[data-testid=audit-table] tbody tr').count();
    await apiCall('touchSession', {});
    const csvDownload = page.waitForEvent('download');
    await page.click('[data-action=audit-csv]');
    const csvFile = path.join(dir, 'audit.csv');
    await (await csvDownload).saveAs(csvFile);
    const csv = fs.readFileSync(csvFile, 'utf8');
    expect(csv.charCodeAt(0)).toBe(0xfeff); // BOM: Excel reads the Vietnamese
    const csvRows = csv.trim().split('\r\n').slice(1);
    expect(csvRows.length).toBe(shown);
    expect(csvRows.every((row) => row.split(',')[3] === 'trucban')).toBe(true);
    expect(csv.split('\r\n')[0]).toContain('Người thực hiện');
    await apiCall('touchSession', {});
    const pdfDownload = page.waitForEvent('download');
    await page.click('[data-action=audit-pdf]');
    const pdfFile = path.join(dir, 'audit.pdf');
    const pdf = await pdfDownload;
    expect(pdf.suggestedFilename()).toMatch(/^NhatKy_.*\.pdf$/);
    await pdf.saveAs(pdfFile);
    const text = execFileSync('pdftotext', ['-layout', pdfFile, '-'], { encoding: 'utf8' });
    expect(text).toContain('NHẬT KÝ THAO TÁC HỆ THỐNG CAMERA');
    expect(text).toContain('actor=trucban');
    expect(text).toContain('toàn vẹn');
    expect(text).not.toMatch(/^\s*\d+\s+\S+\s+\S+\s+quantri\s/m);
    expect(await page.locator('.audit-page .audit-message').textContent()).toContain('NhatKy_');
    // the exports themselves are audited
    await apiCall('touchSession', {});
    await page.selectOption('[data-testid=audit-page] select[name=actor]', '');
    await expect.poll(() => page.locator('[data-testid=audit-table] tbody tr[data-action=auditExported]').count(), { timeout: 10000 }).toBe(2);

    // times typed as on every page, in the site's zone (a datetime-local field showed the
    // browser's mm/dd/yyyy and read the PC's zone): a wrong one says so and filters nothing
    await apiCall('touchSession', {});
    const before = await page.locator('[data-testid=audit-table] tbody tr').count();
    const apply = page.locator('[data-testid=audit-page] form').first().locator('button[type=submit]');
    await page.fill('[data-testid=audit-page] input[name=from]', '31/02/2026 25:00');
    await expect.poll(() => page.locator('.audit-bad-time').textContent()).toContain('Thời gian không hợp lệ');
    await apply.click();
    expect(await page.locator('[data-testid=audit-table] tbody tr').count()).toBe(before);
    // a bound after every row: nothing left; cleared: every row back
    await page.fill('[data-testid=audit-page] input[name=from]', '01/01/2099 00:00');
    expect(await page.locator('.audit-bad-time').count()).toBe(0);
    await apply.click();
    await expect.poll(() => page.locator('[data-testid=audit-table] tbody tr').count(), { timeout: 10000 }).toBe(0);
    await page.fill('[data-testid=audit-page] input[name=from]', '');
    await apply.click();
    await expect.poll(() => page.locator('[data-testid=audit-table] tbody tr').count(), { timeout: 10000 }).toBeGreaterThanOrEqual(before);
  });

  it('a second screen’s wall plays on while the session is locked (site setting), video only; unlock brings the console back', async () => {
    if (await page.locator('[data-testid=lock-screen]').isVisible()) {
      await page.locator('[data-testid=lock-screen] input[name=password]').fill('mat-khau-quan-tri');
      await page.locator('[data-testid=lock-screen] button[type=submit]').click();
      await page.locator('[data-testid=user-box]').waitFor({ timeout: 10000 });
    }
    // awake (--idle-lock 4) until the second screen is up and live, as an officer at the desk would be
    let awake = true;
    const keepAwake = (async () => {
      while (awake) {
        await apiCall('touchSession', {});
        await page.waitForTimeout(1500);
      }
    })();
    await page.click('[data-page=wall]');
    const second = await page.context().newPage();
    await second.setViewportSize({ width: 1366, height: 768 });
    const url = new URL(page.url());
    url.searchParams.set('screen', '2');
    await second.goto(url.toString());
    try {
      const secondTile = second.locator('[data-testid=tile][data-camera-id="cam-1"]');
      await expect.poll(() => secondTile.getAttribute('data-state'), { timeout: 30000 }).toBe('live');
      awake = false;
      await keepAwake;
      // nobody touches either window: the idle lock (4 s)
      await page.locator('[data-testid=lock-screen]').waitFor({ timeout: 15000 });
      await second.locator('[data-testid=wall-only]').waitFor({ timeout: 5000 });
      expect(await second.locator('[data-testid=wall-only]').textContent()).toContain('chỉ hiện hình');
      // the wall's picture keeps moving: its tile stays live and two screenshots 1.5 s apart differ there
      const box = (await secondTile.boundingBox())!;
      const first = await screenshot(second);
      await second.waitForTimeout(1500);
      const later = await screenshot(second);
      expect(await secondTile.getAttribute('data-state')).toBe('live');
      expect(regionChange(first, later, box, 0.1), 'the second screen’s tile moves while locked').toBeGreaterThan(0.01);
      // untouchable: a click lands on the cover, not on the tile
      expect(await second.evaluate(({ x, y }) => document.elementFromPoint(x, y)?.className, { x: box.x + box.width / 2, y: box.y + box.height / 2 })).toBe('wall-only-cover');
      await second.screenshot({ path: outputPath('e2e', 'auth-second-screen-locked-1366.png') });
      // unlocked on the main screen: the cover goes, the main wall comes back
      await page.locator('[data-testid=lock-screen] input[name=password]').fill('mat-khau-quan-tri');
      await page.locator('[data-testid=lock-screen] button[type=submit]').click();
      await second.locator('[data-testid=wall-only]').waitFor({ state: 'detached', timeout: 5000 });
      await expect.poll(() => page.locator('[data-testid=tile][data-camera-id="cam-1"]').getAttribute('data-state'), { timeout: 30000 }).toBe('live');
    } finally {
      awake = false;
      await keepAwake;
      await second.close();
    }
  });

  it('a forgotten administrator password: a one-time code from the station PC (npm run users -- recover), used once on the log-in screen, audited', async () => {
    if (await page.locator('[data-testid=lock-screen]').isVisible()) {
      await page.locator('[data-testid=lock-screen] input[name=password]').fill('mat-khau-quan-tri');
      await page.locator('[data-testid=lock-screen] button[type=submit]').click();
    }
    await page.locator('[data-testid=user-box]').waitFor({ timeout: 10000 });
    await page.click('[data-testid=user-box] [data-action=logout]');
    await page.locator('[data-testid=login-screen]').waitFor({ timeout: 30000 });
    // at the station PC, with the data folder (owner-only): the code, while the console runs
    const printed = execFileSync(process.execPath, [path.join(repoRoot, 'scripts', 'run-ts.mjs'), 'main/core/security/securityCli.ts', 'recover', '--data', path.join(dir, 'data')], { cwd: repoRoot, encoding: 'utf8' });
    const code = /: ([A-Z0-9]{8,})\s*$/m.exec(printed)?.[1];
    expect(code, printed).toBeDefined();
    const recover = async (withCode: string, password: string): Promise<void> => {
      await page.locator('[data-testid=recover-screen] input[name=code]').fill(withCode);
      await page.locator('[data-testid=recover-screen] input[name=userName]').fill('quantri');
      await page.locator('[data-testid=recover-screen] input[name=password]').fill(password);
      await page.locator('[data-testid=recover-screen] button[type=submit]').click();
    };
    await page.locator('[data-testid=login-screen] .auth-link').click();
    await page.locator('[data-testid=recover-screen]').waitFor({ timeout: 5000 });
    await page.screenshot({ path: outputPath('e2e', 'auth-recover-1366.png') });
    // a wrong code is refused, in Vietnamese
    await recover('SAIMA1234567', 'mat-khau-moi-sau-khoi-phuc');
    await page.locator('[data-testid=recover-screen] [data-testid=auth-message]').waitFor({ timeout: 10000 });
    expect(await page.locator('[data-testid=auth-message]').textContent()).toMatch(/Mã khôi phục sai|thử lại sau/);
    // the failure slows the next try (the page says how long): try again until it is let through
    const deadline = Date.now() + 45_000;
    for (;;) {
      await recover(code!, 'mat-khau-moi-sau-khoi-phuc');
      const inside = await page.locator('[data-testid=user-box]').waitFor({ timeout: 3000 }).then(() => true, () => false);
      if (inside) break;
      expect(await page.locator('[data-testid=auth-message]').textContent()).toContain('thử lại sau');
      if (Date.now() > deadline) throw new Error('recovery never let through');
      await page.waitForTimeout(2000);
    }
    expect(await page.locator('[data-testid=user-box]').textContent()).toContain('Nguyễn Văn Quản');
    // the code was used up; the new password signs in; the trail has the code's issue and use
    const reused = await apiCall('recoverAdministrator', { code, userName: 'quantri', newPassword: 'lai-lan-nua-khong-duoc' });
    expect(reused.ok && (reused.value as { status: string }).status).not.toBe('signedIn');
    const audit = (await apiCall('auditQuery', { limit: 50 })).value as { rows: { action: string; actor: string }[] };
    expect(audit.rows.map((row) => row.action)).toEqual(expect.arrayContaining(['recoveryCodeIssued', 'recoveryFailed', 'recoveryUsed']));
  });
});
