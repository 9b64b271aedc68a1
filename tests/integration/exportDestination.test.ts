import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ExportJob } from '../../common/exportContract';
import { exportVi } from '../../common/i18n/export';
import { CALL_PATH } from '../../common/liveProtocol';
import { startCore, type RunningCore } from '../../main/core/core';
import { PRIVATE_PEM, PUBLIC_PEM } from '../../main/core/export/stationKey';
import { signInHttp } from '../helpers/signIn';
import { tempDir } from '../helpers/paths';

/**
 * Issue 17 items 5 and 8 through the real server, signed in: the station key exists after the
 * first start, and an export to a folder that is neither a removable drive nor listed in the
 * site file is refused before any byte, with the clerk's words and an audit row.
 */
describe('export destination policy and the station key, through the real server', () => {
  let dir: string;
  let core: RunningCore;
  let cookie: string;
  let allowed: string;

  async function call<T>(method: string, params: unknown): Promise<{ ok: boolean; value?: T; error?: { code: string; message: string } }> {
    const response = await fetch(`http://127.0.0.1:${core.port}${CALL_PATH}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${core.token}`, Cookie: cookie },
      body: JSON.stringify({ method, params }),
    });
    return (await response.json()) as never;
  }

  beforeAll(async () => {
    dir = tempDir('export-destination');
    allowed = path.join(dir, 'ho-so');
    fs.mkdirSync(allowed);
    const sitePath = path.join(dir, 'site.json');
    fs.writeFileSync(sitePath, JSON.stringify({ schemaVersion: 1, name: 'Thử nơi lưu', export: { allowedFolders: [allowed] }, cameras: [{ id: 'cam-1', name: 'Camera 1', streams: { main: 'rtsp://127.0.0.1:9/none' } }] }));
    core = await startCore({ sitePath, dataDir: path.join(dir, 'data'), port: 0, host: 'browser', language: 'vi', staticDir: null, stderrLevel: null });
    cookie = await signInHttp(core.url, core.token);
  }, 60_000);
  afterAll(async () => {
    await core?.stop();
  });

  async function finished(jobId: string): Promise<ExportJob> {
    for (let n = 0; n < 100; n++) {
      const jobs = await call<ExportJob[]>('exportListJobs', {});
      const job = jobs.value?.find((candidate) => candidate.jobId === jobId);
      if (job?.finishedAtMs) return job;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error('the export did not finish');
  }

  const request = (destination: string) => ({ cameraIds: ['cam-1'], startMs: Date.now() - 120_000, endMs: Date.now() - 60_000, caseNumber: '7/2026', officer: 'Nguyễn Văn A', reason: 'thử', operator: 'x', destination });

  it('made the station key at the first start (browser mode: a 0600 PEM in DATA)', () => {
    const key = path.join(dir, 'data', PRIVATE_PEM);
    expect(fs.statSync(key).mode & 0o777).toBe(0o600);
    expect(fs.readFileSync(path.join(dir, 'data', PUBLIC_PEM), 'utf8')).toMatch(/BEGIN PUBLIC KEY/);
  });

  it('refuses a folder on the PC’s disk with destinationNotAllowed before writing, and audits it', async () => {
    const elsewhere = path.join(dir, 'desktop');
    fs.mkdirSync(elsewhere);
    const started = await call<ExportJob>('exportStart', request(elsewhere));
    expect(started.ok, JSON.stringify(started.error)).toBe(true);
    const job = await finished(started.value!.jobId);
    expect(job.state).toBe('failed');
    expect(job.error).toBe('destinationNotAllowed');
    expect(job.removable).toBe(false);
    expect(fs.readdirSync(elsewhere)).toEqual([]);
    expect(exportVi.errors.destinationNotAllowed).toContain('Chỉ được trích xuất ra ổ USB');
    const audited = core.security.audit.query({ actor: 'kiemthu' }).filter((row) => row.action === 'exportFailed');
    expect(audited.map((row) => (JSON.parse(String(row.detail)) as { error?: string }).error)).toContain('destinationNotAllowed');
  });

  it('a refusal travels typed: the reason the page translates, not a code inside the message (issue 14)', async () => {
    const refused = await call<unknown>('exportEstimate', { ...request(allowed), cameraIds: ['cam-9'] });
    expect(refused.error).toMatchObject({ code: 'badRequest', reason: 'unknownCamera' });
    expect(refused.error?.message).not.toMatch(/^unknownCamera:/);
    expect(exportVi.errors.unknownCamera).toBeTruthy();
  });

  it('a folder listed in the site file passes the policy (and fails later only for want of footage)', async () => {
    const started = await call<ExportJob>('exportStart', request(path.join(allowed)));
    const job = await finished(started.value!.jobId);
    expect(job.error).not.toBe('destinationNotAllowed');
    expect(['noFootage', 'ffmpegMissing']).toContain(job.error);
  });
});
