import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatLocalDateTime } from '../../renderer/export/exportTime';
import { h264Clip } from '../helpers/ffmpeg';
import { RtspTestServer } from '../helpers/rtspServer';
import { openConsole, type ConsoleUnderTest } from '../helpers/consoleUnderTest';
import { outputPath, tempDir } from '../helpers/paths';
import { TEST_ADMIN } from '../helpers/signIn';

const TIME_ZONE = 'Asia/Ho_Chi_Minh';
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const isRoot = process.getuid?.() === 0;

// The clerk's path in the built console (browser mode): record for real, open Trích xuất, pick
// cameras, times and a tmpfs "USB stick", export, watch the progress, eject; then a fault.
describe.skipIf(!isRoot)('export page in Chromium', () => {
  let rtsp: RtspTestServer;
  let app: ConsoleUnderTest;
  let page: Page;
  let stick: string;
  let startedMs = 0;

  beforeAll(async () => {
    const clip = await h264Clip({ width: 640, height: 360, fps: 15, seconds: 4, gopFrames: 15 });
    rtsp = await RtspTestServer.start([1, 2].map((n) => ({ path: `/cam${n}`, clip })));
    const dir = tempDir('e2e-export');
    stick = path.join(dir, 'USB-KINGSTON');
    fs.mkdirSync(stick);
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=20m', 'tmpfs', stick]);
    process.env.CONSOLE_EXPORT_EXTRA_DRIVES = stick;
    const sitePath = path.join(dir, 'site.json');
    fs.writeFileSync(
      sitePath,
      JSON.stringify({
        schemaVersion: 1,
        name: 'Công an xã Đông Khê',
        recording: { segmentSeconds: 10, minFreeGb: 0.05 },
        cameras: [
          { id: 'cam-1', name: 'QL47 – Cầu Khê', village: 'Thôn Khê Thượng', latitude: 19.8712, longitude: 105.6204, streams: { main: rtsp.url('/cam1') } },
          { id: 'cam-2', name: 'Chợ Đông Khê – Cổng chính', village: 'Thôn Trung Thành', latitude: 19.8745, longitude: 105.6251, streams: { main: rtsp.url('/cam2') } },
        ],
      }),
    );
    startedMs = Date.now();
    app = await openConsole(['--site', sitePath, '--data', path.join(dir, 'data'), '--port', '0'], { width: 1440, height: 900 });
    page = app.page;
    // footage to export: a few closed 10 s segments per camera
    await sleep(Math.max(0, 30_000 - (Date.now() - startedMs)));
  }, 120_000);

  afterAll(async () => {
    await app?.close();
    await rtsp?.close();
    delete process.env.CONSOLE_EXPORT_EXTRA_DRIVES;
    try {
      execFileSync('umount', ['-l', stick], { stdio: 'ignore' });
    } catch {
      // ejected by the test
    }
  });

  it('fills the dialog: drives with label, filesystem and free space; a size estimate that fits', async () => {
    await page.click('[data-page="exports"]');
    await page.waitForSelector('[data-testid="export-page"]');
    await page.waitForSelector(`[data-drive="${stick}"]`, { timeout: 15_000 });
    const driveText = await page.textContent(`[data-drive="${stick}"]`);
    expect(driveText).toContain('USB-KINGSTON');
    expect(driveText).toContain('TMPFS');
    expect(driveText).toMatch(/còn trống/);
    // incident export: the cameras within 200 m of a point near camera 2
    await page.check('[data-testid="export-incident"]');
    await page.fill('[data-testid="export-latitude"]', '19.8747');
    await page.fill('[data-testid="export-longitude"]', '105.6252');
    await page.fill('[data-testid="export-radius"]', '200');
    await page.click('[data-testid="export-near"]');
    await expect.poll(() => page.textContent('[data-testid="export-page"]'), { timeout: 10_000 }).toContain('Có 1 camera trong bán kính 200 m');
    expect(await page.isChecked('[data-camera="cam-2"]')).toBe(true);
    expect(await page.isChecked('[data-camera="cam-1"]')).toBe(false);
    await page.screenshot({ path: outputPath('e2e', 'export-incident.png') });
    await page.uncheck('[data-testid="export-incident"]');
    await page.check('[data-camera="cam-1"]');
    await page.check('[data-camera="cam-2"]');
    await page.fill('[data-testid="export-from"]', formatLocalDateTime(startedMs + 3000, TIME_ZONE));
    await page.fill('[data-testid="export-to"]', formatLocalDateTime(startedMs + 17_000, TIME_ZONE));
    await page.fill('[data-testid="export-case"]', '45/2026/VPCS');
    await page.fill('[data-testid="export-officer"]', 'Thượng úy Nguyễn Văn Hùng');
    await page.fill('[data-testid="export-reason"]', 'Vụ trộm xe máy tại chợ Đông Khê');
    // who exports is the signed-in user, shown and not typed (a typed name was silently replaced by the core)
    expect(await page.inputValue('[data-testid="export-operator"]')).toBe(`${TEST_ADMIN.rank} ${TEST_ADMIN.fullName}`);
    expect(await page.getAttribute('[data-testid="export-operator"]', 'readonly')).not.toBeNull();
    await page.check(`[data-drive="${stick}"] input[type="radio"]`);
    await expect.poll(() => page.textContent('[data-testid="export-estimate"]'), { timeout: 15_000 }).toMatch(/Đủ chỗ/);
    await page.screenshot({ path: outputPath('e2e', 'export-dialog.png') });
  });

  it('exports with a progress bar, then says done, offers to eject, and logs the export', async () => {
    await page.click('[data-testid="export-start"]');
    try {
      await page.waitForSelector('[data-testid="export-progress"][data-state="copying"], [data-testid="export-progress"][data-state="verifying"]', { timeout: 5000 });
      await page.screenshot({ path: outputPath('e2e', 'export-progress.png') });
    } catch {
      // finished before a picture could be taken: the done picture below shows the bar
    }
    await page.waitForSelector('[data-testid="export-progress"][data-state="done"]', { timeout: 60_000 });
    const text = await page.textContent('[data-testid="export-progress"]');
    expect(text).toContain('Đã trích xuất xong');
    expect(text).toContain('Tháo ổ an toàn');
    await expect.poll(() => page.textContent('[data-testid="export-log"]'), { timeout: 10_000 }).toContain('45/2026/VPCS');
    await page.screenshot({ path: outputPath('e2e', 'export-done.png') });

    const [folder] = fs.readdirSync(stick);
    expect(folder).toMatch(/^TrichXuat_.*_45-2026-VPCS$/);
    const exported = path.join(stick, folder!);
    const check = execFileSync('sha256sum', ['-c', 'SHA256SUMS'], { cwd: exported, encoding: 'utf8' });
    expect(check).not.toContain('FAILED');
    // the record as a browser shows it, for a person to look at
    const copy = outputPath('e2e', 'export-folder');
    fs.rmSync(copy, { recursive: true, force: true });
    fs.cpSync(exported, copy, { recursive: true });
    const record = await page.context().newPage();
    await record.setViewportSize({ width: 900, height: 1270 });
    await record.goto(`file://${path.join(copy, 'bien-ban-ban-giao.html')}`);
    await record.screenshot({ path: outputPath('e2e', 'export-record.png'), fullPage: true });
    await record.close();
  });

  it('ejects the stick: the core unmounts it', async () => {
    await page.click('[data-testid="export-progress"] button.primary');
    await expect.poll(() => page.textContent('[data-testid="export-progress"]'), { timeout: 20_000 }).toContain('Đã tháo ổ');
    const mounts = fs.readFileSync('/proc/mounts', 'utf8');
    expect(mounts).not.toContain(` ${stick} `);
    await page.screenshot({ path: outputPath('e2e', 'export-ejected.png') });
  });

  it('a fault in Vietnamese: a folder that does not exist, then retry is offered', async () => {
    await page.click('[data-testid="export-progress"] button:not(.primary)');
    await page.fill('[data-testid="export-folder"]', path.join(stick, 'khong-co-thu-muc'));
    await expect.poll(() => page.isEnabled('[data-testid="export-start"]'), { timeout: 15_000 }).toBe(true);
    await page.click('[data-testid="export-start"]');
    await page.waitForSelector('[data-testid="export-progress"][data-state="failed"]', { timeout: 30_000 });
    expect(await page.textContent('[data-testid="export-error"]')).toContain('Không tìm thấy thư mục đích');
    expect(await page.textContent('[data-testid="export-progress"]')).toContain('Thử lại');
    await page.screenshot({ path: outputPath('e2e', 'export-failed.png') });
  });

  it('keeps the exported footage as evidence (legal hold, on by default): the storage page lists it; the administrator releases it with a reason', async () => {
    expect(await page.isChecked('[data-testid="export-legal-hold"]')).toBe(true);
    await page.click('[data-page=storage]');
    const rows = page.locator('[data-testid=holds-table] tbody tr');
    await expect.poll(() => rows.count(), { timeout: 15_000 }).toBe(2); // the done export's two cameras; the failed one placed none
    const table = (await page.textContent('[data-testid=holds-table]')) ?? '';
    expect(table).toContain('45/2026/VPCS');
    expect(table).toContain('Trích xuất');
    expect(table).toContain('QL47 – Cầu Khê');
    expect(table).toContain('Đang giữ');
    expect(await page.textContent('[data-testid=holds-summary]')).toMatch(/Đang giữ 2 mục, tổng [1-9]/);
    await page.locator('[data-testid=holds]').screenshot({ path: outputPath('e2e', 'storage-holds.png') });
    // released rows move below the active ones: follow this one by its id
    const first = page.locator(`[data-hold-id="${await rows.first().getAttribute('data-hold-id')}"]`);
    await first.locator('[data-action=release-hold]').click();
    await first.locator('[data-action=confirm-release]').click();
    expect(await first.textContent()).toContain('Hãy ghi lý do bỏ giữ');
    await first.locator('[data-testid=hold-release-reason]').fill('Đã bàn giao cho cơ quan điều tra');
    await first.locator('[data-action=confirm-release]').click();
    await expect.poll(() => first.textContent(), { timeout: 10_000 }).toContain(`Đã bỏ giữ (${TEST_ADMIN.userName}`);
    await expect.poll(() => page.textContent('[data-testid=holds-summary]'), { timeout: 10_000 }).toContain('Đang giữ 1 mục');
  });
});
