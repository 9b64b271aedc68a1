import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ExportJob, ExportRequest } from '../../common/exportContract';
import { ExportRequestSchema } from '../../common/exportContract';
import type { ExportEnv } from '../../main/core/export/env';
import { ExportJobRunner } from '../../main/core/export/job';
import { estimate } from '../../main/core/export/selection';
import type { Manifest } from '../../main/core/export/manifest';
import { isFaststart } from '../../main/core/export/durable';
import { runFfmpegOnce } from '../../main/core/ffmpeg/supervisor';
import { deps, testFfmpeg } from '../helpers/ffmpeg';
import { launchBrowser } from '../helpers/browser';
import { outputPath } from '../helpers/paths';
import { canMount, exportEnv, listTree, mountStick, recordFootage, type Recorded } from './exportFixture';

async function probe(file: string): Promise<{ ok: boolean; durationS: number; stderr: string; frames: number; packets: number }> {
  const ffmpeg = await testFfmpeg();
  const result = await runFfmpegOnce({ binary: ffmpeg.path, ...deps }, 'check export', ['-hide_banner', '-i', file, '-f', 'null', '-']);
  const duration = /Duration: (\d+):(\d+):(\d+\.\d+)/.exec(result.stderrTail);
  // decoder complaints only: the null muxer's "non monotonically increasing dts" lines come from the
  // camera's own RTP timestamp jitter and appear on the recorded segments themselves
  const errors = result.stderrTail.split('\n').filter((line) => /\[(h264|hevc) @|Invalid data|corrupt|non-existing PPS|no frame/i.test(line));
  const countOf = (text: string) => Number([...text.matchAll(/frame=\s*(\d+)/g)].at(-1)?.[1] ?? -1);
  // packets in the file (a stream copy counts packets as frames), to compare with the decoded frames
  const copied = errors.length === 0 ? result : await runFfmpegOnce({ binary: ffmpeg.path, ...deps }, 'count packets', ['-hide_banner', '-i', file, '-c', 'copy', '-f', 'null', '-']);
  return {
    ok: result.code === 0 && errors.length === 0,
    durationS: duration ? Number(duration[1]) * 3600 + Number(duration[2]) * 60 + Number(duration[3]) : 0,
    stderr: errors.join('\n'),
    frames: countOf(result.stderrTail),
    packets: countOf(copied.stderrTail),
  };
}

function runJob(env: ExportEnv, request: ExportRequest, onStatus: (status: ExportJob) => void = () => undefined, verify = true): Promise<ExportJob> {
  const job = new ExportJobRunner(env, ExportRequestSchema.parse(request), { verify, removable: true, onStatus });
  return job.run();
}

const mountable = canMount();

// Real recorder, real RTSP server, real ffmpeg, real tmpfs sticks (mounted as root).
describe.skipIf(!mountable)('export to a USB stick', () => {
  let recorded: Recorded;
  let env: ExportEnv;
  const cleanups: (() => void)[] = [];
  let base: Omit<ExportRequest, 'destination'>;

  beforeAll(async () => {
    recorded = await recordFootage();
    env = await exportEnv(recorded);
    base = {
      cameraIds: ['cam-1', 'cam-2'],
      // from 5 s after the start to 5 s before the end: across camera 2's gap
      startMs: recorded.startedMs + 5000,
      endMs: recorded.stoppedMs - 5000,
      caseNumber: '123/2026/CAX',
      officer: 'Thượng úy Nguyễn Văn Hùng',
      reason: 'Điều tra vụ va chạm giao thông trên QL47',
      operator: 'Lê Thị Mai',
    };
  }, 120_000);
  afterAll(() => {
    for (const cleanup of cleanups.reverse()) cleanup();
    recorded?.close();
  });

  function stick(sizeMb = 20) {
    const mounted = mountStick(sizeMb);
    cleanups.push(() => mounted.unmount());
    return mounted;
  }

  it('exports 2 cameras across a gap: MP4s that play with faststart, hashes that check with sha256sum -c, the gap in the manifest, a record in Vietnamese', async () => {
    const target = stick();
    const states: string[] = [];
    const done = await runJob(env, { ...base, destination: target.dir }, (status) => states.push(status.state));
    expect(done.error, done.errorDetail ?? '').toBeNull();
    expect(done.state).toBe('done');
    expect(states).toContain('copying');
    expect(states).toContain('verifying');
    const folder = done.folder!;
    expect(path.dirname(folder)).toBe(target.dir);
    expect(path.basename(folder)).toMatch(/^TrichXuat_\d{4}-\d{2}-\d{2}_\d{2}-\d{2}-\d{2}_123-2026-CAX$/);
    // nothing but the finished folder on the stick, nothing temporary inside it
    expect(fs.readdirSync(target.dir)).toEqual([path.basename(folder)]);
    const names = listTree(folder);
    expect(names.some((name) => name.endsWith('.part') || name.includes('dang-ghi'))).toBe(false);
    expect(names).toEqual(expect.arrayContaining(['SHA256SUMS', 'manifest.json', 'bien-ban-ban-giao.html', 'bien-ban-ban-giao.pdf', 'index.html']));

    // sha256sum -c, as the docs tell a person to do by hand
    const check = execFileSync('sha256sum', ['-c', 'SHA256SUMS'], { cwd: folder, encoding: 'utf8' });
    expect(check.trim().split('\n').every((line) => line.endsWith(': OK'))).toBe(true);
    expect(check.trim().split('\n')).toHaveLength(names.length - 1);

    const manifest = JSON.parse(fs.readFileSync(path.join(folder, 'manifest.json'), 'utf8')) as Manifest;
    expect(manifest.caseNumber).toBe('123/2026/CAX');
    expect(manifest.requested.startLocal).toMatch(/\+07:00$/);
    expect(manifest.cameras.map((camera) => camera.id)).toEqual(['cam-1', 'cam-2']);
    const [camera1, camera2] = manifest.cameras;
    // camera 1: one continuous file covering the request, cut at keyframes (1 s GOP) around it
    expect(camera1!.files).toHaveLength(1);
    expect(camera1!.gaps).toEqual([]);
    const actualStart = Date.parse(camera1!.actual!.startUtc);
    const actualEnd = Date.parse(camera1!.actual!.endUtc);
    expect(actualStart).toBeLessThanOrEqual(base.startMs + 1000);
    expect(base.startMs - actualStart).toBeLessThan(2500);
    expect(actualEnd).toBeGreaterThanOrEqual(base.endMs - 1000);
    // camera 2: two files around the gap, the gap listed with its reason
    expect(camera2!.files).toHaveLength(2);
    expect(camera2!.gaps).toHaveLength(1);
    expect(camera2!.gaps[0]!.reason).toBe('cameraOffline');

    for (const file of manifest.files) {
      const full = path.join(folder, file.name);
      expect(fs.statSync(full).size).toBe(file.bytes);
      const played = await probe(full);
      // A camera that drops mid-frame (its connection closed between the fragments of a frame)
      // leaves a partial last frame in the recording; the export copies it as recorded. So a file
      // that ends where a cameraOffline gap begins may hold one frame that does not decode, and only
      // that one; every other file decodes without a complaint.
      const endsAtDrop = manifest.cameras.some((camera) => camera.gaps.some((gap) => gap.reason === 'cameraOffline' && Math.abs(Date.parse(gap.startUtc) - Date.parse(file.endUtc)) < 1000));
      if (!played.ok && endsAtDrop) expect(played.packets - played.frames, `${file.name}: ${played.stderr}`).toBeLessThanOrEqual(1);
      else expect(played.ok, `${file.name}: ${played.stderr}`).toBe(true);
      expect(played.frames, file.name).toBeGreaterThan(0);
      const expectedS = (Date.parse(file.endUtc) - Date.parse(file.startUtc)) / 1000;
      expect(Math.abs(played.durationS - expectedS), file.name).toBeLessThan(1.5);
      // faststart: moov before mdat
      const head = fs.readFileSync(full).subarray(0, 64 * 1024).toString('latin1');
      expect(head.indexOf('moov')).toBeGreaterThan(0);
      expect(head.indexOf('moov')).toBeLessThan(head.indexOf('mdat') === -1 ? Infinity : head.indexOf('mdat'));
    }
    const duration1 = (await probe(path.join(folder, camera1!.files[0]!))).durationS;
    expect(duration1).toBeGreaterThan((base.endMs - base.startMs) / 1000 - 1);

    const html = fs.readFileSync(path.join(folder, 'bien-ban-ban-giao.html'), 'utf8');
    expect(html).toContain('BIÊN BẢN BÀN GIAO DỮ LIỆU CAMERA');
    expect(html).toContain('Thượng úy Nguyễn Văn Hùng');
    expect(html).toContain('camera mất kết nối');
    for (const file of manifest.files) expect(html).toContain(file.sha256);
    fs.copyFileSync(path.join(folder, 'bien-ban-ban-giao.html'), outputPath('export', 'bien-ban-ban-giao.html'));
    fs.copyFileSync(path.join(folder, 'bien-ban-ban-giao.pdf'), outputPath('export', 'bien-ban-ban-giao.pdf'));
    // the PDF's first page as a picture, for a person to look at (poppler-utils)
    const pdf = path.join(folder, 'bien-ban-ban-giao.pdf');
    expect(fs.readFileSync(pdf).subarray(0, 5).toString()).toBe('%PDF-');
    try {
      execFileSync('pdftoppm', ['-png', '-r', '80', '-f', '1', '-l', '1', '-singlefile', pdf, outputPath('export', 'bien-ban-page1').replace(/\.png$/, '')]);
      const fonts = execFileSync('pdffonts', [pdf], { encoding: 'utf8' });
      expect(fonts).toMatch(/NotoSans/);
      expect(fonts.split('\n').filter((line) => /NotoSans/.test(line)).every((line) => /\byes\s+(yes|no)\s+yes\b/.test(line))).toBe(true);
      const text = execFileSync('pdftotext', ['-layout', pdf, '-'], { encoding: 'utf8' });
      expect(text).toContain('BIÊN BẢN BÀN GIAO DỮ LIỆU CAMERA');
      expect(text).toContain('Ngã ba QL47 – chợ Đông Khê');
      expect(text).toContain('Thượng úy Nguyễn Văn Hùng');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
    // keep the folder for the player test below
    fs.cpSync(folder, outputPath('export', 'stick'), { recursive: true });
  });

  it('the player on the stick plays in Chromium and says "Toàn vẹn"; with one byte changed it names the file', async () => {
    const folder = outputPath('export', 'stick');
    const browser = await launchBrowser();
    try {
      const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
      await page.goto(`file://${path.join(folder, 'index.html')}`);
      await page.waitForFunction(() => {
        const video = document.querySelector('video');
        return video !== null && video.readyState >= 2 && video.videoWidth === 640;
      }, undefined, { timeout: 20_000 });
      const files = fs.readdirSync(folder).map((name) => path.join(folder, name));
      await page.setInputFiles('#pickFiles', files);
      await page.waitForSelector('#verdict[data-state]', { timeout: 30_000 });
      expect(await page.textContent('#verdict')).toContain('Toàn vẹn');
      await page.screenshot({ path: outputPath('e2e', 'export-player-ok.png') });

      const manifest = JSON.parse(fs.readFileSync(path.join(folder, 'manifest.json'), 'utf8')) as Manifest;
      const victim = manifest.files[1]!.name;
      const bytes = fs.readFileSync(path.join(folder, victim));
      const middle = Math.floor(bytes.length / 2);
      bytes[middle] = (bytes[middle] ?? 0) ^ 0x01;
      fs.writeFileSync(path.join(folder, victim), bytes);
      await page.reload();
      await page.setInputFiles('#pickFiles', files);
      await page.waitForSelector('#verdict[data-state]', { timeout: 30_000 });
      const verdict = await page.textContent('#verdict');
      expect(verdict).toContain('KHÔNG toàn vẹn');
      expect(verdict).toContain(victim);
      await page.screenshot({ path: outputPath('e2e', 'export-player-tampered.png') });
      // sha256sum -c agrees
      let failed = '';
      try {
        execFileSync('sha256sum', ['-c', '--quiet', 'SHA256SUMS'], { cwd: folder, encoding: 'utf8' });
      } catch (error) {
        failed = String((error as { stdout?: string }).stdout);
      }
      expect(failed).toContain(`${victim}: FAILED`);
    } finally {
      await browser.close();
    }
  });

  it('splits into parts under a small file-size limit (FAT32 with 4 GiB made small), each part plays, together they cover the range', async () => {
    const target = stick();
    const limit = 400 * 1024;
    // an incident export: the point is 400 m from camera 1
    const request = { ...base, cameraIds: ['cam-1'], destination: target.dir, maxFileBytes: limit, incident: { latitude: 19.8748, longitude: 105.6204, radiusM: 500 } };
    const predicted = estimate(env, ExportRequestSchema.parse(request));
    expect(predicted.willSplit).toBe(true);
    const done = await runJob(env, request);
    expect(done.state, done.errorDetail ?? '').toBe('done');
    expect(done.split).toBe(true);
    const manifest = JSON.parse(fs.readFileSync(path.join(done.folder!, 'manifest.json'), 'utf8')) as Manifest;
    expect(manifest.files.length).toBeGreaterThan(2);
    expect(manifest.incident).toEqual({ latitude: 19.8748, longitude: 105.6204, radiusM: 500 });
    expect(manifest.cameras[0]!.distanceM).toBeGreaterThan(380);
    expect(manifest.cameras[0]!.distanceM).toBeLessThan(420);
    let total = 0;
    manifest.files.forEach((file, index) => {
      expect(file.bytes).toBeLessThanOrEqual(limit);
      expect(file.part).toBe(index + 1);
      expect(file.parts).toBe(manifest.files.length);
      expect(file.name).toMatch(new RegExp(`_phan${index + 1}\\.mp4$`));
      if (index > 0) expect(file.startUtc).toBe(manifest.files[index - 1]!.endUtc);
    });
    for (const file of manifest.files) {
      const played = await probe(path.join(done.folder!, file.name));
      expect(played.ok, played.stderr).toBe(true);
      total += played.durationS;
    }
    expect(total).toBeGreaterThan((base.endMs - base.startMs) / 1000 - 1);
  });

  it('a moov bigger than the space reserved for it: the clip is cut again with faststart, and plays', async () => {
    const target = stick();
    const done = await runJob({ ...env, moovReserveBytes: () => 1000 }, { ...base, cameraIds: ['cam-1'], destination: target.dir });
    expect(done.state, done.errorDetail ?? '').toBe('done');
    const manifest = JSON.parse(fs.readFileSync(path.join(done.folder!, 'manifest.json'), 'utf8')) as Manifest;
    const clip = path.join(done.folder!, manifest.files[0]!.name);
    expect(isFaststart(clip)).toBe(true);
    const played = await probe(clip);
    expect(played.ok, played.stderr).toBe(true);
    expect(played.durationS).toBeGreaterThan((base.endMs - base.startMs) / 1000 - 1);
  });

  it('refuses a stick too small before writing anything, with the size in the estimate', async () => {
    const target = stick(1);
    const request = { ...base, destination: target.dir };
    const predicted = estimate(env, ExportRequestSchema.parse(request));
    expect(predicted.fits).toBe(false);
    expect(predicted.totalBytes).toBeGreaterThan(1024 * 1024);
    const done = await runJob(env, request);
    expect(done.state).toBe('failed');
    expect(done.error).toBe('notEnoughSpace');
    expect(fs.readdirSync(target.dir)).toEqual([]);
  });

  it('a stick that fills up mid-write: notEnoughSpace, the unfinished folder removed, a retry on an emptied stick works', async () => {
    const target = stick(20);
    let filled = false;
    const done = await runJob(env, { ...base, destination: target.dir }, (status) => {
      if (!filled && status.state === 'copying' && status.files === 1) {
        // another program fills the stick while the second file is being written
        filled = true;
        try {
          execFileSync('dd', ['if=/dev/zero', `of=${path.join(target.dir, 'filler.bin')}`, 'bs=1M'], { stdio: 'ignore' });
        } catch {
          // dd stops at ENOSPC, as intended
        }
      }
    });
    expect(filled).toBe(true);
    expect(done.state).toBe('failed');
    expect(done.error).toBe('notEnoughSpace');
    expect(fs.readdirSync(target.dir)).toEqual(['filler.bin']);
    fs.rmSync(path.join(target.dir, 'filler.bin'));
    const retry = await runJob(env, { ...base, destination: target.dir });
    expect(retry.state, retry.errorDetail ?? '').toBe('done');
  });

  it('a stick pulled out mid-write (umount -l): targetGone, nothing that looks finished, a retry on the re-inserted stick works', async () => {
    const target = stick(20);
    let pulled = false;
    const done = await runJob(env, { ...base, destination: target.dir }, (status) => {
      if (!pulled && status.state === 'copying' && status.files === 1) {
        pulled = true;
        execFileSync('umount', ['-l', target.dir]);
      }
    });
    expect(pulled).toBe(true);
    expect(done.state).toBe('failed');
    expect(done.error).toBe('targetGone');
    // the bare mount point shows nothing
    expect(fs.readdirSync(target.dir)).toEqual([]);
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=20m', 'tmpfs', target.dir]);
    const retry = await runJob(env, { ...base, destination: target.dir });
    expect(retry.state, retry.errorDetail ?? '').toBe('done');
  });

  it('a read-only stick: readOnly before any byte; made read-only mid-job: readOnly, and no finished-looking folder', async () => {
    const target = stick(20);
    execFileSync('mount', ['-o', 'remount,ro', target.dir]);
    const refused = await runJob(env, { ...base, destination: target.dir });
    expect(refused.error).toBe('readOnly');
    execFileSync('mount', ['-o', 'remount,rw', target.dir]);
    let locked = false;
    const done = await runJob(env, { ...base, destination: target.dir }, (status) => {
      if (!locked && status.state === 'copying' && status.files === 1) {
        locked = true;
        execFileSync('mount', ['-o', 'remount,ro', target.dir]);
      }
    });
    expect(done.error).toBe('readOnly');
    // the folder could not be removed on a read-only stick, but it says it is unfinished
    expect(fs.readdirSync(target.dir).every((name) => name.endsWith('.dang-ghi'))).toBe(true);
    execFileSync('mount', ['-o', 'remount,rw', target.dir]);
    const retry = await runJob(env, { ...base, destination: target.dir });
    expect(retry.state, retry.errorDetail ?? '').toBe('done');
    expect(fs.readdirSync(target.dir).filter((name) => !name.endsWith('.dang-ghi'))).toHaveLength(1);
  });

  it('cancel: the partial folder goes, the state says cancelled', async () => {
    const target = stick(20);
    let job: ExportJobRunner | null = null;
    job = new ExportJobRunner(env, ExportRequestSchema.parse({ ...base, destination: target.dir }), {
      verify: true,
      removable: true,
      onStatus: (status) => {
        if (status.state === 'copying' && status.files === 1) job?.cancel();
      },
    });
    const done = await job.run();
    expect(done.state).toBe('cancelled');
    expect(done.error).toBe('cancelled');
    expect(fs.readdirSync(target.dir)).toEqual([]);
  });

  it('a range with no footage, a camera unknown to the site and the index: clear codes, nothing written', async () => {
    const target = stick(5);
    const empty = await runJob(env, { ...base, startMs: recorded.startedMs - 3600_000, endMs: recorded.startedMs - 1800_000, destination: target.dir });
    expect(empty.error).toBe('noFootage');
    const unknown = await runJob(env, { ...base, cameraIds: ['cam-9'], destination: target.dir });
    expect(unknown.error).toBe('unknownCamera');
    const backwards = await runJob(env, { ...base, startMs: base.endMs, endMs: base.startMs, destination: target.dir });
    expect(backwards.error).toBe('badRange');
    const missing = await runJob(env, { ...base, destination: path.join(target.dir, 'khong-co') });
    expect(missing.error).toBe('badDestination');
    expect(fs.readdirSync(target.dir)).toEqual([]);
  });

  it('a camera deleted from the site since recording is still exported, named as deleted', async () => {
    const target = stick(20);
    const siteWithout = { ...recorded.site, cameras: recorded.site.cameras.filter((camera) => camera.id !== 'cam-2') };
    const done = await runJob(await exportEnv(recorded, siteWithout), { ...base, cameraIds: ['cam-2'], destination: target.dir });
    expect(done.state, done.errorDetail ?? '').toBe('done');
    const manifest = JSON.parse(fs.readFileSync(path.join(done.folder!, 'manifest.json'), 'utf8')) as Manifest;
    expect(manifest.cameras[0]!.name).toContain('đã xóa khỏi cấu hình');
    expect(manifest.files.length).toBe(2);
  });

  it.skipIf(!mountable)('optionally a captioned copy: re-encoded, labelled in its name, the manifest and the record, beside the untouched original', async () => {
    if (!env.burnIn) return;
    const target = stick(20);
    const done = await runJob(env, { ...base, cameraIds: ['cam-1'], endMs: base.startMs + 6000, destination: target.dir, burnIn: true });
    expect(done.state, done.errorDetail ?? '').toBe('done');
    const manifest = JSON.parse(fs.readFileSync(path.join(done.folder!, 'manifest.json'), 'utf8')) as Manifest;
    expect(manifest.files.map((file) => file.burnedIn)).toEqual([false, true]);
    const [original, captioned] = manifest.files;
    expect(captioned!.name).toBe(original!.name.replace(/\.mp4$/, '_co-chu.mp4'));
    expect(captioned!.sha256).not.toBe(original!.sha256);
    const played = await probe(path.join(done.folder!, captioned!.name));
    expect(played.ok, played.stderr).toBe(true);
    expect(fs.readFileSync(path.join(done.folder!, 'bien-ban-ban-giao.html'), 'utf8')).toContain('bản có chữ, mã hóa lại, không phải bản gốc');
    const ffmpeg = await testFfmpeg();
    await runFfmpegOnce({ binary: ffmpeg.path, ...deps }, 'frame', ['-hide_banner', '-loglevel', 'error', '-y', '-ss', '1', '-i', path.join(done.folder!, captioned!.name), '-frames:v', '1', outputPath('export', 'captioned-frame.png')]);
    expect(fs.existsSync(outputPath('export', 'captioned-frame.png'))).toBe(true);
  });

  it('a case number with "/", "..", control characters cannot leave the target folder', async () => {
    // the destination is a folder inside the stick: a name escaping it would land beside it
    const target = stick(20);
    const destination = path.join(target.dir, 'ho-so');
    fs.mkdirSync(destination);
    const done = await runJob(env, { ...base, cameraIds: ['cam-1'], caseNumber: '../../../etc/x\u0000\n/..\\..\u202e', destination });
    expect(done.state, done.errorDetail ?? '').toBe('done');
    expect(path.dirname(done.folder!)).toBe(destination);
    expect(path.basename(done.folder!)).toMatch(/^TrichXuat_[\w-]+$/);
    expect(fs.readdirSync(target.dir)).toEqual(['ho-so']);
    expect(fs.readdirSync(destination)).toEqual([path.basename(done.folder!)]);
    const manifest = JSON.parse(fs.readFileSync(path.join(done.folder!, 'manifest.json'), 'utf8')) as Manifest;
    // the text is kept (without control characters) in the documents, never in a path
    expect(manifest.caseNumber).toContain('../../../etc/x');
    expect([...manifest.caseNumber].some((char) => char.charCodeAt(0) < 0x20 || char === '\u202e')).toBe(false);
  });
});
