import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ExportJob, ExportRequest } from '../../common/exportContract';
import { ExportRequestSchema } from '../../common/exportContract';
import { sha256 } from '../../main/core/export/durable';
import type { ExportEnv } from '../../main/core/export/env';
import { ExportJobRunner } from '../../main/core/export/job';
import type { Manifest } from '../../main/core/export/manifest';
import { loadStationKey } from '../../main/core/export/stationKey';
import { verifyExportFolder } from '../../main/core/export/verifyExport';
import { launchBrowser } from '../helpers/browser';
import { outputPath, tempDir } from '../helpers/paths';
import { canMount, exportEnv, listTree, mountStick, recordFootage, type Recorded } from './exportFixture';

/** A real ext4 file system in an image file, loop-mounted: a "stick" whose bytes the test can reach behind the page cache. */
function mountExt4(sizeMb: number): { dir: string; image: string; unmount(): void } {
  const base = tempDir('ext4-stick');
  const image = path.join(base, 'stick.img');
  const dir = path.join(base, 'mnt');
  fs.mkdirSync(dir);
  execFileSync('truncate', ['-s', `${sizeMb}M`, image]);
  execFileSync('mkfs.ext4', ['-q', '-F', image]);
  execFileSync('mount', ['-o', 'loop', image, dir]);
  return {
    dir,
    image,
    unmount() {
      if (spawnSync('umount', [dir]).status !== 0) spawnSync('umount', ['-l', dir]);
    },
  };
}

function canLoopMount(): boolean {
  if (!canMount()) return false;
  try {
    mountExt4(8).unmount();
    return true;
  } catch {
    return false;
  }
}

/**
 * Flips one byte of `file`'s data inside the image it lives on, found by a 64-byte window of its
 * middle. Every copy is flipped: ffmpeg's two-pass MP4 (faststart) can leave the first copy of
 * the bytes in blocks the file system has since freed.
 */
function flipOnMedium(image: string, file: string): number {
  const bytes = fs.readFileSync(file);
  const middle = Math.floor(bytes.length / 2);
  const window = bytes.subarray(middle, middle + 64);
  const imageBytes = fs.readFileSync(image);
  const fd = fs.openSync(image, 'r+');
  let copies = 0;
  try {
    for (let at = imageBytes.indexOf(window); at >= 0; at = imageBytes.indexOf(window, at + 1)) {
      fs.writeSync(fd, Buffer.from([imageBytes[at + 10]! ^ 0xff]), 0, 1, at + 10);
      copies++;
    }
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  if (copies === 0) throw new Error("the clip's bytes are not in the image");
  return copies;
}

const loopable = canLoopMount();

// Real recorder, real ffmpeg, a real ext4 file system on a loop device (as root), real Chromium.
describe.skipIf(!loopable)('chain of custody on the stick: signature, read-back from the medium, where exports go', () => {
  let recorded: Recorded;
  let env: ExportEnv;
  let base: Omit<ExportRequest, 'destination'>;
  const cleanups: (() => void)[] = [];
  const auditHead = 'a1'.repeat(32);

  beforeAll(async () => {
    recorded = await recordFootage(24);
    env = { ...(await exportEnv(recorded)), auditHead: () => auditHead };
    base = {
      cameraIds: ['cam-1'],
      startMs: recorded.startedMs + 4000,
      endMs: recorded.stoppedMs - 4000,
      caseNumber: '45/2026/CAX',
      officer: 'Thượng úy Nguyễn Văn Hùng',
      reason: 'Điều tra vụ trộm xe máy tại chợ Đông Khê',
      operator: 'Lê Thị Mai',
    };
  }, 120_000);
  afterAll(() => {
    for (const cleanup of cleanups.reverse()) cleanup();
    recorded?.close();
  });

  function ext4Stick(sizeMb = 48) {
    const stick = mountExt4(sizeMb);
    cleanups.push(() => stick.unmount());
    return stick;
  }

  function run(request: ExportRequest, options: { env?: ExportEnv; removable?: boolean; onStatus?: (status: ExportJob) => void } = {}): Promise<ExportJob> {
    return new ExportJobRunner(options.env ?? env, ExportRequestSchema.parse(request), { verify: true, removable: options.removable ?? true, onStatus: options.onStatus ?? (() => undefined) }).run();
  }

  it('a signed export on ext4: manifest.sig and station-key.pem beside the manifest, listed in SHA256SUMS, openssl and export:verify agree, the biên bản prints the fingerprint and the chain head, read back with O_DIRECT', async () => {
    const stick = ext4Stick();
    const done = await run({ ...base, destination: stick.dir });
    expect(done.error, done.errorDetail ?? '').toBeNull();
    const folder = done.folder!;
    const names = listTree(folder);
    expect(names).toEqual(expect.arrayContaining(['manifest.json', 'manifest.sig', 'station-key.pem', 'SHA256SUMS', 'index.html', 'bien-ban-ban-giao.pdf']));
    const sums = fs.readFileSync(path.join(folder, 'SHA256SUMS'), 'utf8');
    expect(sums).toMatch(/ {2}manifest\.sig\n/);
    expect(sums).toMatch(/ {2}station-key\.pem\n/);
    expect(execFileSync('sha256sum', ['-c', 'SHA256SUMS'], { cwd: folder, encoding: 'utf8' }).trim().split('\n')).toHaveLength(names.length - 1);

    const key = loadStationKey(recorded.dataDir, null);
    const manifest = JSON.parse(fs.readFileSync(path.join(folder, 'manifest.json'), 'utf8')) as Manifest;
    expect(manifest.signature).toEqual({ algorithm: 'Ed25519', signatureFile: 'manifest.sig', publicKeyFile: 'station-key.pem', publicKeyFingerprint: key.fingerprint });
    expect(manifest.readBack).toEqual({ method: 'direct', note: null });
    expect(fs.readFileSync(path.join(folder, 'station-key.pem'), 'utf8')).toBe(key.publicPem);
    const openssl = execFileSync('openssl', ['pkeyutl', '-verify', '-pubin', '-inkey', 'station-key.pem', '-rawin', '-in', 'manifest.json', '-sigfile', 'manifest.sig'], { cwd: folder, encoding: 'utf8' });
    expect(openssl).toContain('Signature Verified Successfully');
    const report = await verifyExportFolder(folder, { fingerprint: key.fingerprint });
    expect(report.ok, JSON.stringify(report.lines)).toBe(true);

    const pdf = path.join(folder, 'bien-ban-ban-giao.pdf');
    const text = execFileSync('pdftotext', [pdf, '-'], { encoding: 'utf8' }).replace(/\s+/g, ' ');
    // the fingerprint's groups as printed (a line may break between groups)
    expect(text).toContain(key.fingerprint.slice(0, 24));
    expect(text).toContain(key.fingerprint.slice(-19));
    expect(text).toContain(auditHead);
    expect(text).toContain('O_DIRECT');
    const html = fs.readFileSync(path.join(folder, 'bien-ban-ban-giao.html'), 'utf8');
    expect(html).toContain(key.fingerprint);
    // the page that carries the fingerprint, for a person to look at
    const pageTexts = execFileSync('pdftotext', [pdf, '-'], { encoding: 'utf8' }).split('\f');
    const page = pageTexts.findIndex((pageText) => pageText.includes(key.fingerprint.slice(0, 16))) + 1;
    expect(page).toBeGreaterThan(0);
    execFileSync('pdftoppm', ['-png', '-r', '80', '-f', String(page), '-l', String(page), '-singlefile', pdf, outputPath('export', 'bien-ban-fingerprint')]);
    fs.rmSync(outputPath('export', 'signed-stick'), { recursive: true, force: true });
    fs.cpSync(folder, outputPath('export', 'signed-stick'), { recursive: true });
  });

  it('the player checks the signature in Chromium (WebCrypto Ed25519); a manifest edited on the stick fails it; without Ed25519 it says how to check by hand', async () => {
    const source = outputPath('export', 'signed-stick');
    const folder = tempDir('player-stick');
    fs.cpSync(source, folder, { recursive: true });
    const files = () => fs.readdirSync(folder).map((name) => path.join(folder, name));
    const browser = await launchBrowser();
    try {
      const page = await browser.newPage({ viewport: { width: 1366, height: 768 } });
      await page.goto(`file://${path.join(folder, 'index.html')}`);
      await page.waitForSelector('#signature[data-where="page"][data-state]', { timeout: 20_000 });
      expect(await page.getAttribute('#signature', 'data-state')).toBe('ok');
      await page.setInputFiles('#pickFiles', files());
      await page.waitForSelector('#verdict[data-state]', { timeout: 30_000 });
      expect(await page.getAttribute('#signature', 'data-where')).toBe('folder');
      expect(await page.getAttribute('#signature', 'data-state')).toBe('ok');
      const fingerprint = loadStationKey(recorded.dataDir, null).fingerprint;
      expect(await page.textContent('#signature')).toContain(fingerprint);
      expect(await page.textContent('#verdict')).toContain('Toàn vẹn');
      await page.screenshot({ path: outputPath('e2e', 'export-player-signature-ok-1366.png') });
      await page.setViewportSize({ width: 1920, height: 1080 });
      await page.screenshot({ path: outputPath('e2e', 'export-player-signature-ok-1920.png') });
      await page.setViewportSize({ width: 1366, height: 768 });

      // the manifest edited on the stick: one name changed in its officer field
      const manifestFile = path.join(folder, 'manifest.json');
      fs.writeFileSync(manifestFile, fs.readFileSync(manifestFile, 'utf8').replace('Nguyễn Văn Hùng', 'Nguyễn Văn Hưng'));
      await page.reload();
      await page.setInputFiles('#pickFiles', files());
      await page.waitForSelector('#verdict[data-state]', { timeout: 30_000 });
      expect(await page.getAttribute('#signature', 'data-state')).toBe('bad');
      expect(await page.textContent('#signature')).toContain('Chữ ký KHÔNG hợp lệ');
      expect(await page.textContent('#signature')).toContain('npm run export:verify');
      expect(await page.textContent('#verdict')).toContain('manifest.json');
      await page.screenshot({ path: outputPath('e2e', 'export-player-signature-bad.png'), fullPage: true });
      // export:verify agrees
      const report = await verifyExportFolder(folder);
      expect(report.lines).toContainEqual({ kind: 'signatureBad' });
      expect(report.ok).toBe(false);

      // a browser without Ed25519 in WebCrypto (older Firefox, Chrome before 137): the manual way
      const old = await browser.newPage({ viewport: { width: 1366, height: 768 } });
      await old.addInitScript(() => {
        const importKey = crypto.subtle.importKey.bind(crypto.subtle);
        crypto.subtle.importKey = ((format: never, key: never, algorithm: { name?: string }, extractable: boolean, usages: never) => {
          if (algorithm?.name === 'Ed25519') return Promise.reject(new DOMException('Unrecognized name.', 'NotSupportedError'));
          return importKey(format, key, algorithm as never, extractable, usages);
        }) as typeof crypto.subtle.importKey;
      });
      fs.cpSync(path.join(source, 'manifest.json'), manifestFile);
      await old.goto(`file://${path.join(folder, 'index.html')}`);
      await old.waitForSelector('#signature[data-state]', { timeout: 20_000 });
      expect(await old.getAttribute('#signature', 'data-state')).toBe('unsupported');
      const manual = (await old.textContent('#signature')) ?? '';
      expect(manual).toContain('openssl pkeyutl -verify -pubin -inkey station-key.pem -rawin -in manifest.json -sigfile manifest.sig');
      expect(manual).toContain('npm run export:verify -- THƯ_MỤC');
      await old.screenshot({ path: outputPath('e2e', 'export-player-signature-unsupported.png'), fullPage: true });
    } finally {
      await browser.close();
    }
  });

  it('a byte changed on the stick behind the page cache after writing: the read-back from the medium detects it (O_DIRECT, and with the pages dropped)', async () => {
    for (const variant of ['direct', 'dropped'] as const) {
      const stick = ext4Stick();
      let flipped: { copies: number; cachedBefore: string; cachedAfter: string } | null = null;
      const variantEnv: ExportEnv = { ...env, readBackFromCache: variant === 'dropped' };
      const failed = await run({ ...base, destination: stick.dir }, {
        env: variantEnv,
        onStatus: (status) => {
          if (status.state !== 'verifying' || flipped) return;
          // the clips are written and fsynced; nothing has been read back yet
          const folder = fs.readdirSync(stick.dir).find((name) => name.endsWith('.dang-ghi'))!;
          const clip = fs.readdirSync(path.join(stick.dir, folder)).find((name) => name.endsWith('.mp4'))!;
          const file = path.join(stick.dir, folder, clip);
          const cachedBefore = sha256(fs.readFileSync(file));
          const copies = flipOnMedium(stick.image, file);
          // the page cache still holds the bytes as written: a plain read would say all is well
          flipped = { copies, cachedBefore, cachedAfter: sha256(fs.readFileSync(file)) };
        },
      });
      expect(flipped, `${variant}: ${failed.error} ${failed.errorDetail}`).not.toBeNull();
      expect(flipped!.cachedAfter, `${variant}: the page cache does not see the change`).toBe(flipped!.cachedBefore);
      expect(failed.state, variant).toBe('failed');
      expect(failed.error, `${variant}: ${failed.errorDetail}`).toBe('verifyFailed');
      // nothing that looks finished is left
      expect(fs.readdirSync(stick.dir).filter((name) => name.startsWith('TrichXuat_'))).toEqual([]);
    }
    // the same export on a stick nobody touches passes by the fallback too, and says which read it was
    const clean = ext4Stick();
    const done = await run({ ...base, destination: clean.dir }, { env: { ...env, readBackFromCache: true } });
    expect(done.error, done.errorDetail ?? '').toBeNull();
    const manifest = JSON.parse(fs.readFileSync(path.join(done.folder!, 'manifest.json'), 'utf8')) as Manifest;
    expect(manifest.readBack?.method).toBe('dropped');
  });

  it('a tmpfs stick (RAM): this kernel takes O_DIRECT there, and the manifest says how the read-back read', async () => {
    const stick = mountStick(20);
    cleanups.push(() => stick.unmount());
    const done = await run({ ...base, destination: stick.dir });
    expect(done.error, done.errorDetail ?? '').toBeNull();
    const manifest = JSON.parse(fs.readFileSync(path.join(done.folder!, 'manifest.json'), 'utf8')) as Manifest;
    const probe = spawnSync('dd', [`if=${path.join(done.folder!, 'manifest.json')}`, 'of=/dev/null', 'iflag=direct', 'bs=4096', 'status=none']);
    expect(manifest.readBack?.method).toBe(probe.status === 0 ? 'direct' : 'dropped');
  });

  it('exports go only to removable drives unless the site file lists the folder; refused before any byte, in the clerk’s words', async () => {
    const folder = tempDir('not-removable');
    const refused = await run({ ...base, destination: folder }, { removable: false });
    expect(refused.state).toBe('failed');
    expect(refused.error).toBe('destinationNotAllowed');
    expect(fs.readdirSync(folder)).toEqual([]);
    const allowedEnv: ExportEnv = { ...env, site: { ...env.site, export: { allowedFolders: [path.dirname(folder)] } } };
    const done = await run({ ...base, destination: folder }, { env: allowedEnv, removable: false });
    expect(done.error, done.errorDetail ?? '').toBeNull();
    expect(fs.readdirSync(folder)).toHaveLength(1);
  });
});
