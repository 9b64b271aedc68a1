import { execFileSync, spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { SiteSchema } from '../../common/site';
import { destinationAllowed, isBelow } from '../../main/core/export/destinationPolicy';
import { sha256 } from '../../main/core/export/durable';
import { sha256sums } from '../../main/core/export/manifest';
import { sha256FromMedium, weakestMethod } from '../../main/core/export/mediumRead';
import { readBackLines, signatureLines } from '../../main/core/export/record';
import { fingerprintHex, loadStationKey, PRIVATE_ENC, PRIVATE_PEM, PUBLIC_PEM, verifySignature } from '../../main/core/export/stationKey';
import { verifyExportFolder } from '../../main/core/export/verifyExport';
import { repoRoot, tempDir } from '../helpers/paths';

const hasOpenssl = spawnSync('openssl', ['version']).status === 0;

describe('the station signing key (Ed25519, made at the first start)', () => {
  it('browser mode: a 0600 PKCS#8 PEM in DATA, the same key at the next start, a public PEM beside it', () => {
    const dataDir = tempDir('station-key');
    const first = loadStationKey(dataDir, null);
    expect(first.protection).toBe('keyFile');
    expect(fs.statSync(path.join(dataDir, PRIVATE_PEM)).mode & 0o777).toBe(0o600);
    expect(fs.readFileSync(path.join(dataDir, PUBLIC_PEM), 'utf8')).toBe(first.publicPem);
    const again = loadStationKey(dataDir, null);
    expect(again.fingerprint).toBe(first.fingerprint);
    expect(first.fingerprint).toMatch(/^SHA256:([0-9a-f]{4} ){15}[0-9a-f]{4}$/);
    const data = Buffer.from('manifest bytes');
    const signature = first.sign(data);
    expect(signature).toHaveLength(64);
    expect(verifySignature(again.publicPem, data, signature)).toBe(true);
    expect(verifySignature(again.publicPem, Buffer.from('manifest byteS'), signature)).toBe(false);
    expect(verifySignature('not a key', data, signature)).toBe(false);
  });

  it('Electron: sealed with the keychain-unwrapped key, never in clear; without that key it refuses instead of making a new one', () => {
    const dataDir = tempDir('station-key-sealed');
    const hostKey = crypto.randomBytes(32);
    const key = loadStationKey(dataDir, hostKey);
    expect(key.protection).toBe('keychain');
    expect(fs.existsSync(path.join(dataDir, PRIVATE_PEM))).toBe(false);
    const sealed = fs.readFileSync(path.join(dataDir, PRIVATE_ENC), 'utf8');
    expect(sealed).not.toMatch(/PRIVATE KEY/);
    expect(fs.statSync(path.join(dataDir, PRIVATE_ENC)).mode & 0o777).toBe(0o600);
    expect(loadStationKey(dataDir, hostKey).fingerprint).toBe(key.fingerprint);
    expect(() => loadStationKey(dataDir, null)).toThrow(/keychain/);
    expect(() => loadStationKey(dataDir, crypto.randomBytes(32))).toThrow();
  });

  it('the first start under Electron after browser mode seals the same key and removes the clear file', () => {
    const dataDir = tempDir('station-key-move');
    const before = loadStationKey(dataDir, null);
    const hostKey = crypto.randomBytes(32);
    const after = loadStationKey(dataDir, hostKey);
    expect(after.fingerprint).toBe(before.fingerprint);
    expect(after.protection).toBe('keychain');
    expect(fs.existsSync(path.join(dataDir, PRIVATE_PEM))).toBe(false);
    expect(loadStationKey(dataDir, hostKey).fingerprint).toBe(before.fingerprint);
  });

  it.skipIf(!hasOpenssl)('the fingerprint is what openssl and sha256sum print for the key; openssl verifies the raw signature', () => {
    const dir = tempDir('station-key-openssl');
    const key = loadStationKey(dir, null);
    fs.writeFileSync(path.join(dir, 'station-key.pem'), key.publicPem);
    const der = execFileSync('openssl', ['pkey', '-pubin', '-in', path.join(dir, 'station-key.pem'), '-outform', 'DER']);
    expect(fingerprintHex(key.fingerprint)).toBe(sha256(der));
    fs.writeFileSync(path.join(dir, 'manifest.json'), '{"a":1}\n');
    fs.writeFileSync(path.join(dir, 'manifest.sig'), key.sign(Buffer.from('{"a":1}\n')));
    const args = ['pkeyutl', '-verify', '-pubin', '-inkey', 'station-key.pem', '-rawin', '-in', 'manifest.json', '-sigfile', 'manifest.sig'];
    expect(execFileSync('openssl', args, { cwd: dir, encoding: 'utf8' })).toMatch(/Signature Verified Successfully/);
    fs.writeFileSync(path.join(dir, 'manifest.json'), '{"a":2}\n');
    expect(spawnSync('openssl', args, { cwd: dir, encoding: 'utf8' }).status).not.toBe(0);
  });
});

/** A signed export folder as the job writes it (documents only, one fake clip). */
function signedFolder(): { dir: string; fingerprint: string } {
  const dataDir = tempDir('verify-data');
  const dir = tempDir('verify-export');
  const key = loadStationKey(dataDir, null);
  const clip = crypto.randomBytes(300_000);
  fs.writeFileSync(path.join(dir, 'cam-1_Cau_Khe.mp4'), clip);
  const manifest = { format: 'commune-console-export/1', files: [{ name: 'cam-1_Cau_Khe.mp4', sha256: sha256(clip) }], signature: { algorithm: 'Ed25519', signatureFile: 'manifest.sig', publicKeyFile: 'station-key.pem', publicKeyFingerprint: key.fingerprint } };
  const text = `${JSON.stringify(manifest, null, 2)}\n`;
  fs.writeFileSync(path.join(dir, 'manifest.json'), text);
  fs.writeFileSync(path.join(dir, 'manifest.sig'), key.sign(Buffer.from(text)));
  fs.writeFileSync(path.join(dir, 'station-key.pem'), key.publicPem);
  const names = ['cam-1_Cau_Khe.mp4', 'manifest.json', 'manifest.sig', 'station-key.pem'];
  fs.writeFileSync(path.join(dir, 'SHA256SUMS'), sha256sums(names.map((name) => ({ name, sha256: sha256(fs.readFileSync(path.join(dir, name))) }))));
  return { dir, fingerprint: key.fingerprint };
}

describe('export:verify (SHA256SUMS, every file, the signature)', () => {
  it('an intact signed folder passes, with the fingerprint given or not', async () => {
    const { dir, fingerprint } = signedFolder();
    const report = await verifyExportFolder(dir, { fingerprint });
    expect(report.lines.filter((line) => line.kind !== 'fileOk' && line.kind !== 'fingerprint')).toEqual([{ kind: 'signatureOk' }, { kind: 'fingerprintMatches' }]);
    expect(report.ok).toBe(true);
    expect(report.files).toBe(4);
    expect(report.fingerprint).toBe(fingerprint);
  });

  it('a manifest edited on the stick, with SHA256SUMS recomputed to match: the signature fails', async () => {
    const { dir } = signedFolder();
    const file = path.join(dir, 'manifest.json');
    fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace('cam-1_Cau_Khe.mp4",', 'cam-1_Cau_Khe.mp4" ,'));
    const names = ['cam-1_Cau_Khe.mp4', 'manifest.json', 'manifest.sig', 'station-key.pem'];
    fs.writeFileSync(path.join(dir, 'SHA256SUMS'), sha256sums(names.map((name) => ({ name, sha256: sha256(fs.readFileSync(path.join(dir, name))) }))));
    const report = await verifyExportFolder(dir);
    expect(report.ok).toBe(false);
    expect(report.lines).toContainEqual({ kind: 'signatureBad' });
  });

  it('a key swapped for another (re-signed by a forger): the fingerprint differs from the manifest and the paper', async () => {
    const { dir, fingerprint } = signedFolder();
    const forger = loadStationKey(tempDir('forger'), null);
    const manifestBytes = fs.readFileSync(path.join(dir, 'manifest.json'));
    fs.writeFileSync(path.join(dir, 'manifest.sig'), forger.sign(manifestBytes));
    fs.writeFileSync(path.join(dir, 'station-key.pem'), forger.publicPem);
    const report = await verifyExportFolder(dir, { fingerprint });
    expect(report.lines).toContainEqual({ kind: 'signatureOk' });
    expect(report.lines).toContainEqual({ kind: 'keyMismatch' });
    expect(report.lines).toContainEqual({ kind: 'fingerprintDiffers', expected: fingerprint });
    expect(report.ok).toBe(false);
  });

  it('a changed clip, a missing file, a foreign file, an unsigned folder are each named', async () => {
    const { dir } = signedFolder();
    const clip = path.join(dir, 'cam-1_Cau_Khe.mp4');
    const bytes = fs.readFileSync(clip);
    bytes[1000] = bytes[1000]! ^ 1;
    fs.writeFileSync(clip, bytes);
    fs.rmSync(path.join(dir, 'manifest.sig'));
    fs.writeFileSync(path.join(dir, 'planted.mp4'), 'x');
    const report = await verifyExportFolder(dir);
    expect(report.lines).toContainEqual({ kind: 'fileChanged', name: 'cam-1_Cau_Khe.mp4' });
    expect(report.lines).toContainEqual({ kind: 'fileMissing', name: 'manifest.sig' });
    expect(report.lines).toContainEqual({ kind: 'fileExtra', name: 'planted.mp4' });
    expect(report.lines).toContainEqual({ kind: 'unsigned' });
  });

  it('the command: exit 0 with a Vietnamese verdict, exit 1 after an edit, exit 2 without a folder; English with --lang en', () => {
    const { dir } = signedFolder();
    const run = (...args: string[]) => spawnSync(process.execPath, [path.join(repoRoot, 'scripts', 'run-ts.mjs'), 'main/core/export/verifyCli.ts', ...args], { cwd: repoRoot, encoding: 'utf8' });
    const good = run(dir);
    expect(good.status, good.stderr).toBe(0);
    expect(good.stdout).toContain('KẾT LUẬN: TOÀN VẸN');
    expect(good.stdout).toContain('Chữ ký Ed25519 của manifest.json hợp lệ');
    fs.appendFileSync(path.join(dir, 'manifest.json'), ' ');
    const bad = run(dir, '--lang', 'en');
    expect(bad.status).toBe(1);
    expect(bad.stdout).toContain('The signature is NOT valid');
    expect(bad.stdout).toContain('VERDICT: NOT INTACT');
    expect(run(path.join(dir, 'nothing-here')).status).toBe(2);
  }, 60_000);
});

describe('exports go only where they should (site file export.allowedFolders)', () => {
  it('a removable drive always; another folder only at or below a listed one, compared as real paths', () => {
    const root = tempDir('allowed');
    const cases = path.join(root, 'ho-so');
    fs.mkdirSync(path.join(cases, '2026'), { recursive: true });
    fs.mkdirSync(path.join(root, 'other'));
    fs.symlinkSync(path.join(root, 'other'), path.join(cases, 'link-out'));
    expect(destinationAllowed(path.join(root, 'other'), true, undefined)).toBe(true);
    expect(destinationAllowed(path.join(root, 'other'), false, undefined)).toBe(false);
    expect(destinationAllowed(path.join(root, 'other'), false, [])).toBe(false);
    expect(destinationAllowed(cases, false, [cases])).toBe(true);
    expect(destinationAllowed(path.join(cases, '2026'), false, [cases])).toBe(true);
    expect(destinationAllowed(path.join(cases, '..', 'other'), false, [cases])).toBe(false);
    expect(destinationAllowed(path.join(cases, 'link-out'), false, [cases])).toBe(false);
    expect(destinationAllowed(`${cases}-copy`, false, [cases])).toBe(false);
    expect(isBelow('D:\\HoSo\\2026', 'd:\\hoso', 'win32')).toBe(true);
    expect(isBelow('E:\\HoSo', 'D:\\HoSo', 'win32')).toBe(false);
  });

  it('the site file takes absolute folders only, with a clear message', () => {
    const base = { schemaVersion: 1, name: 'Đông Khê', cameras: [] };
    expect(SiteSchema.safeParse({ ...base, export: { allowedFolders: ['/srv/ho-so', 'D:\\HoSo', '\\\\may-chu\\ho-so'] } }).success).toBe(true);
    const bad = SiteSchema.safeParse({ ...base, export: { allowedFolders: ['ho-so'] } });
    expect(bad.success).toBe(false);
    expect(bad.error?.issues[0]?.message).toBe('siteErrors.absoluteFolder');
    expect(SiteSchema.safeParse({ ...base, export: { allowedFolder: ['/srv'] } }).success).toBe(false);
  });
});

describe('read-back words', () => {
  it('the weakest method of the files is what the record states; a missing signature is said too', () => {
    expect(weakestMethod(['direct', 'direct'])).toBe('direct');
    expect(weakestMethod(['direct', 'dropped'])).toBe('dropped');
    expect(weakestMethod(['dropped', 'cache', 'direct'])).toBe('cache');
    const manifest = { readBack: { method: 'cache', note: 'O_DIRECT not available on win32' } } as Parameters<typeof readBackLines>[0];
    expect(readBackLines(manifest)[0]).toContain('O_DIRECT not available on win32');
    expect(signatureLines(manifest)[0]).toContain('KHÔNG được ký');
  });

  it('reads a file from its medium with the same hash as a plain read (sizes around the 4 MiB chunk and 4096 alignment)', async () => {
    const dir = tempDir('medium-read');
    for (const size of [0, 1, 4095, 4096, 4097, 4 * 1024 * 1024, 4 * 1024 * 1024 + 1, 9_000_001]) {
      const file = path.join(dir, `f${size}`);
      const data = crypto.randomBytes(size);
      fs.writeFileSync(file, data);
      const result = await sha256FromMedium(file);
      expect(result.sha256, `${size} bytes by ${result.method}`).toBe(sha256(data));
      const dropped = await sha256FromMedium(file, undefined, undefined, { forbidDirect: true });
      expect(dropped.sha256).toBe(sha256(data));
    }
  });
});
