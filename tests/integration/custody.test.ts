import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ExportRequestSchema, type ExportRequest } from '../../common/exportContract';
import { startCore } from '../../main/core/core';
import type { ExportEnv } from '../../main/core/export/env';
import { ExportJobRunner } from '../../main/core/export/job';
import type { Manifest } from '../../main/core/export/manifest';
import { keyframesOf } from '../../main/core/export/keyframes';
import { silentLogger } from '../../main/core/log/logger';
import { RecordingIndex, type SegmentRow } from '../../main/core/recording/recordingIndex';
import { recover } from '../../main/core/recording/recovery';
import { DurabilityStats } from '../../main/core/recording/segmentFile';
import { verifyFootage } from '../../main/core/recording/verify';
import { systemClock } from '../../main/core/util/clock';
import { outputPath, repoRoot, tempDir } from '../helpers/paths';
import { screenshot } from '../helpers/browser';
import { openConsole } from '../helpers/consoleUnderTest';
import { exportEnv, recordFootage, type Recorded } from './exportFixture';

const sha256 = (data: Buffer): string => createHash('sha256').update(data).digest('hex');

/** A copy of the recorded data folder, so each fault is made on its own footage. */
function copyData(recorded: Recorded): { dataDir: string; root: string; index: RecordingIndex; close(): void } {
  const dataDir = path.join(tempDir('custody'), 'data');
  fs.cpSync(recorded.dataDir, dataDir, { recursive: true });
  const index = new RecordingIndex(path.join(dataDir, 'recordings.sqlite'));
  return { dataDir, root: path.join(dataDir, 'recordings'), index, close: () => index.close() };
}

function rowsOf(index: RecordingIndex, cameraId: string): SegmentRow[] {
  return index.segments(cameraId, 'main', 0, Number.MAX_SAFE_INTEGER);
}

async function runExport(env: ExportEnv, request: ExportRequest): Promise<{ job: ExportJobRunner; status: Awaited<ReturnType<ExportJobRunner['run']>> }> {
  const job = new ExportJobRunner(env, ExportRequestSchema.parse(request), { verify: true, removable: true, onStatus: () => undefined });
  return { job, status: await job.run() };
}

function auditActions(dataDir: string): { action: string; camera_id: string | null; detail: string }[] {
  const db = new Database(path.join(dataDir, 'security.sqlite'), { readonly: true });
  try {
    return db.prepare('SELECT action, camera_id, detail FROM audit ORDER BY seq').all() as { action: string; camera_id: string | null; detail: string }[];
  } finally {
    db.close();
  }
}

// Issue 17 (chain of custody): real recorder on the real RTSP test server, real SQLite, real ffmpeg cuts.
describe('chain of custody', () => {
  let recorded: Recorded;
  const closers: (() => void)[] = [];
  let request: Omit<ExportRequest, 'destination'>;

  beforeAll(async () => {
    recorded = await recordFootage(36);
    request = {
      cameraIds: ['cam-1'],
      startMs: recorded.startedMs,
      endMs: recorded.stoppedMs,
      caseNumber: '17/2026/CAX',
      officer: 'Thượng úy Nguyễn Văn Hùng',
      reason: 'Kiểm tra nguồn gốc dữ liệu',
      operator: 'Lê Thị Mai',
    };
  }, 180_000);
  afterAll(() => {
    for (const close of closers.reverse()) close();
    recorded?.close();
  });

  it('hashes each segment as it is written and chains the rows; verify passes; the manifest lists every source segment', async () => {
    const rows = rowsOf(recorded.index, 'cam-1');
    expect(rows.length).toBeGreaterThanOrEqual(2);
    const root = path.join(recorded.dataDir, 'recordings');
    for (const [n, row] of rows.entries()) {
      expect(row.sha256).toBe(sha256(fs.readFileSync(path.join(root, row.path))));
      expect(row.chainSeq).toBe(n + 1);
      expect(row.prevHash).toBe(n === 0 ? null : rows[n - 1]!.rowHash);
    }
    expect(recorded.index.chainHead('cam-1', 'main')).toEqual({ seq: rows.length, rowHash: rows.at(-1)!.rowHash });
    // the keyframe index stored as written equals a scan of the file (export uses it instead of rescanning)
    for (const row of rows) {
      const scanned = keyframesOf(fs.readFileSync(path.join(root, row.path)));
      expect(row.keyframes?.map((keyframe) => keyframe.offset)).toEqual(scanned.keyframes.map((keyframe) => keyframe.offset));
      row.keyframes!.forEach((keyframe, n) => expect(Math.abs(keyframe.atMs - scanned.keyframes[n]!.atMs)).toBeLessThan(1));
      // the same PAT + PMT packets (the continuity counter, byte 3, may differ from the parser's copy)
      const stored = fs.readFileSync(path.join(root, row.path)).subarray(0, row.psiBytes!);
      expect(stored.length).toBe(scanned.psi.length);
      for (let at = 0; at < stored.length; at += 188) expect(Buffer.concat([stored.subarray(at, at + 3), stored.subarray(at + 4, at + 188)])).toEqual(Buffer.concat([scanned.psi.subarray(at, at + 3), scanned.psi.subarray(at + 4, at + 188)]));
    }
    const report = await verifyFootage(recorded.index, root);
    expect(report.findings).toEqual([]);
    expect(report.ok).toBe(true);
    expect(report.unhashedSegments).toBe(0);

    const env = await exportEnv(recorded);
    const target = tempDir('custody-stick');
    const { status } = await runExport(env, { ...request, destination: target });
    expect(status.error).toBeNull();
    expect(status.state).toBe('done');
    const manifest = JSON.parse(fs.readFileSync(path.join(status.folder!, 'manifest.json'), 'utf8')) as Manifest;
    const sources = manifest.files.flatMap((file) => file.sources ?? []);
    expect(sources.length).toBeGreaterThanOrEqual(rows.length - 1);
    for (const source of sources) {
      const row = rows.find((candidate) => candidate.path === source.file)!;
      expect(source).toMatchObject({ sha256: row.sha256, chainSeq: row.chainSeq, rowHash: row.rowHash, cameraId: 'cam-1', startMs: row.startMs, endMs: row.endMs });
    }
  }, 120_000);

  it('a byte flipped in a closed segment: verify names it with its time range, the export is refused in Vietnamese, the CLI exits 1 and audits', async () => {
    const copy = copyData(recorded);
    closers.push(copy.close);
    const rows = rowsOf(copy.index, 'cam-1');
    const victim = rows[1]!;
    const file = path.join(copy.root, victim.path);
    const data = fs.readFileSync(file);
    data[Math.floor(data.length / 2)]! ^= 0x01;
    fs.writeFileSync(file, data);

    const report = await verifyFootage(copy.index, copy.root);
    expect(report.ok).toBe(false);
    expect(report.findings).toEqual([expect.objectContaining({ kind: 'altered', reason: 'hashMismatch', cameraId: 'cam-1', path: victim.path, startMs: victim.startMs, endMs: victim.endMs })]);

    const env = await exportEnv({ ...recorded, dataDir: copy.dataDir, index: copy.index });
    const target = tempDir('custody-stick');
    const { job, status } = await runExport(env, { ...request, destination: target });
    expect(status.state).toBe('failed');
    expect(status.error).toBe('footageAltered');
    expect(status.errorDetail).toContain('Ngã ba QL47 – chợ Đông Khê');
    expect(status.errorDetail).toContain('không còn khớp');
    expect(job.altered.map((finding) => finding.path)).toEqual([victim.path]);
    // nothing cut: the target holds no export folder
    expect(fs.readdirSync(target)).toEqual([]);

    // the command line: exit 1, the file named, a footageVerified audit row
    copy.close();
    const core = await startCore({ sitePath: writeSite(copy.dataDir, recorded), dataDir: copy.dataDir, port: 0, host: 'browser', language: 'vi', staticDir: null, stderrLevel: null });
    await core.stop();
    const cli = await new Promise<{ code: number; stdout: string }>((resolve) => {
      execFile(process.execPath, [path.join(repoRoot, 'scripts', 'run-ts.mjs'), 'main/core/recording/footageCli.ts', '--data', copy.dataDir], { cwd: repoRoot }, (error, stdout) =>
        resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout }),
      );
    });
    expect(cli.code).toBe(1);
    expect(cli.stdout).toContain(victim.path);
    expect(cli.stdout).toContain('nội dung bị thay đổi');
    const verified = auditActions(copy.dataDir).filter((row) => row.action === 'footageVerified');
    expect(verified).toHaveLength(1);
    expect(JSON.parse(verified[0]!.detail)).toMatchObject({ by: 'cli', ok: false, altered: 1 });
  }, 180_000);

  it('a segment deleted, one renamed, two swapped with the other camera: verify names the gap, the foreign file and the swapped ones', async () => {
    const copy = copyData(recorded);
    closers.push(copy.close);
    const one = rowsOf(copy.index, 'cam-1');
    const two = rowsOf(copy.index, 'cam-2');
    // deleted
    fs.rmSync(path.join(copy.root, one[1]!.path));
    // renamed to another valid name
    const renamedTo = one[2]!.path.replace(/_(\d+)\.ts$/, (_match, ms: string) => `_${Number(ms) + 1000}.ts`);
    fs.renameSync(path.join(copy.root, one[2]!.path), path.join(copy.root, renamedTo));
    // swapped with camera 2's segment of the same minute
    const mine = path.join(copy.root, one[0]!.path);
    const theirs = path.join(copy.root, two[0]!.path);
    const a = fs.readFileSync(mine);
    fs.writeFileSync(mine, fs.readFileSync(theirs));
    fs.writeFileSync(theirs, a);

    const report = await verifyFootage(copy.index, copy.root);
    const brief = report.findings.map((finding) => ({ kind: finding.kind, reason: finding.reason, cameraId: finding.cameraId, path: finding.path }));
    expect(brief).toEqual(
      expect.arrayContaining([
        { kind: 'missing', reason: 'fileGone', cameraId: 'cam-1', path: one[1]!.path },
        { kind: 'missing', reason: 'fileGone', cameraId: 'cam-1', path: one[2]!.path },
        { kind: 'foreign', reason: 'notIndexed', cameraId: 'cam-1', path: renamedTo },
        { kind: 'altered', reason: expect.stringMatching(/hashMismatch|sizeChanged/), cameraId: 'cam-1', path: one[0]!.path },
        { kind: 'altered', reason: expect.stringMatching(/hashMismatch|sizeChanged/), cameraId: 'cam-2', path: two[0]!.path },
      ]),
    );
    expect(report.findings).toHaveLength(5);

    // the start-up pass drops the rows of the vanished files (footageMissing gaps): the chain still shows the hole
    recover(copy.index, copy.root, () => 0, { clock: systemClock, log: silentLogger, stats: new DurabilityStats(), quarantineDir: path.join(copy.dataDir, 'quarantine') });
    const after = await verifyFootage(copy.index, copy.root);
    const holes = after.findings.filter((finding) => finding.kind === 'missing');
    expect(one.length).toBeGreaterThanOrEqual(4);
    // the swapped-in file of camera 2 may be shorter: the start-up pass then ends the row where its file ends (a footageMissing gap after it)
    const before = rowsOf(copy.index, 'cam-1').find((row) => row.path === one[0]!.path)!;
    expect(before.endMs).toBeGreaterThan(one[0]!.startMs);
    expect(before.endMs).toBeLessThanOrEqual(one[0]!.endMs);
    expect(holes).toEqual([expect.objectContaining({ reason: 'rowsRemoved', cameraId: 'cam-1', startMs: before.endMs, endMs: one[3]!.startMs, chainSeq: 2 })]);
  }, 120_000);

  it('a planted file with a valid name: quarantined at start, audited, on the storage page, never indexed nor exportable', async () => {
    const copy = copyData(recorded);
    const rows = rowsOf(copy.index, 'cam-1');
    copy.close();
    // a time when the console was not running, in today's folder of camera 1
    const plantedMs = recorded.stoppedMs + 120_000;
    const folder = path.dirname(path.join(copy.root, rows.at(-1)!.path));
    const stamp = path.basename(rows.at(-1)!.path).slice(0, 8);
    const planted = path.join(folder, `${stamp}_${plantedMs}.ts`);
    fs.copyFileSync(path.join(copy.root, rows[0]!.path), planted);
    const relative = path.relative(copy.root, planted).split(path.sep).join('/');

    const core = await startCore({ sitePath: writeSite(copy.dataDir, recorded), dataDir: copy.dataDir, port: 0, host: 'browser', language: 'vi', staticDir: null, stderrLevel: null });
    try {
      expect(fs.existsSync(planted)).toBe(false);
      expect(fs.existsSync(path.join(copy.dataDir, 'quarantine', ...relative.split('/')))).toBe(true);
      expect(core.recording.index.segmentByPath(relative)).toBeNull();
      const info = core.recording.storageInfo();
      expect(info.quarantined).toEqual([expect.objectContaining({ path: relative, to: `quarantine/${relative}`, cameraId: 'cam-1', startMs: plantedMs })]);
      expect(info.warnings.map((warning) => warning.kind)).toContain('fileQuarantined');
      // the storage page's button: runs in the background, its result audited
      expect(core.recording.startVerification('mai')).toBe(true);
      const report = await core.recording.verificationDone();
      expect(report?.ok).toBe(true);
      expect(core.recording.storageInfo().verification).toMatchObject({ state: 'done', findingCount: 0 });
    } finally {
      await core.stop();
    }
    const audit = auditActions(copy.dataDir);
    expect(audit.filter((row) => row.action === 'footageQuarantined').map((row) => JSON.parse(row.detail) as { path: string })).toEqual([expect.objectContaining({ path: relative })]);
    expect(audit.filter((row) => row.action === 'footageVerified')).toHaveLength(1);
    // not exportable: nothing is indexed at that time
    const index = new RecordingIndex(path.join(copy.dataDir, 'recordings.sqlite'));
    closers.push(() => index.close());
    const env = await exportEnv({ ...recorded, dataDir: copy.dataDir, index });
    const { status } = await runExport(env, { ...request, startMs: plantedMs, endMs: plantedMs + 10_000, destination: tempDir('custody-stick') });
    expect(status.error).toBe('noFootage');
  }, 120_000);

  it('the storage page: the button verifies in the background and names the altered segment with its time; quarantined files listed (screenshots)', async () => {
    const copy = copyData(recorded);
    const rows = rowsOf(copy.index, 'cam-1');
    copy.close();
    const victim = path.join(copy.root, rows[1]!.path);
    const data = fs.readFileSync(victim);
    data[1000]! ^= 0xff;
    fs.writeFileSync(victim, data);
    const folder = path.dirname(path.join(copy.root, rows.at(-1)!.path));
    fs.copyFileSync(path.join(copy.root, rows[0]!.path), path.join(folder, `${path.basename(rows.at(-1)!.path).slice(0, 8)}_${recorded.stoppedMs + 60_000}.ts`));
    const app = await openConsole(['--site', writeSite(copy.dataDir, recorded), '--data', copy.dataDir, '--port', '0'], { width: 1366, height: 768 });
    try {
      const page = app.page;
      await page.click('[data-page=storage]');
      await expect.poll(() => page.locator('[data-testid=quarantined]').textContent(), { timeout: 20000 }).toContain('quarantine/cam-1/main/');
      await page.click('[data-action=verify-footage]');
      await expect.poll(() => page.locator('[data-testid=verify-result]').textContent(), { timeout: 60000 }).toContain('Phát hiện 1 vấn đề');
      const text = await page.locator('[data-testid=verify-findings]').textContent();
      expect(text).toContain('Bị thay đổi');
      expect(text).toContain('Ngã ba QL47 – chợ Đông Khê');
      expect(text).toContain(rows[1]!.path);
      await page.locator('[data-testid=integrity]').scrollIntoViewIfNeeded();
      await screenshot(page, outputPath('custody', 'storage-verify-1366.png'));
      await page.setViewportSize({ width: 1920, height: 1080 });
      await page.locator('[data-testid=integrity]').scrollIntoViewIfNeeded();
      await screenshot(page, outputPath('custody', 'storage-verify-1920.png'));
    } finally {
      await app.close();
    }
  }, 180_000);
});

function writeSite(dataDir: string, recorded: Recorded): string {
  // the cameras point nowhere: the core starts, recovers and waits (no new footage)
  const site = { ...recorded.site, cameras: recorded.site.cameras.map((camera) => ({ ...camera, streams: { main: 'rtsp://127.0.0.1:9/none' } })) };
  const file = path.join(path.dirname(dataDir), 'site.json');
  fs.writeFileSync(file, JSON.stringify(site));
  return file;
}
