import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../main/core/log/logger';
import { DEFAULT_WORKER_JOBS_OPTIONS, inWorkerOrHere, WorkerJobError, WorkerJobs, type WorkerJobsOptions } from '../../main/core/util/workerJobs';
import { auditPdf, type AuditPdfInput } from '../../main/core/security/auditReport';
import { jobWorkerScript } from '../helpers/jobWorker';
import { tempDir } from '../helpers/paths';

// Issue 19 item 5: the PDFs (biên bản, audit report) are made in a worker thread with a capped
// heap and a deadline, so a large document can neither block the event loop that indexes the
// recordings nor grow the core's heap. The real job worker, built from the sources.

const dir = tempDir('worker-jobs-');
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function jobs(options: Partial<WorkerJobsOptions> = {}): WorkerJobs {
  return new WorkerJobs(silentLogger, { ...DEFAULT_WORKER_JOBS_OPTIONS, script: jobWorkerScript(), ...options });
}

function auditInput(rowCount: number): AuditPdfInput {
  const base = Date.UTC(2026, 11, 5, 1, 0, 0);
  return {
    rows: Array.from({ length: rowCount }, (_, index) => ({
      seq: index + 1,
      atMs: base + index * 1000,
      actor: 'trucban',
      action: 'liveView',
      cameraId: 'dk-01',
      detail: `{"i":${index}}`,
      prevHash: 'a',
      contentHash: 'b',
      rowHash: 'c',
    })),
    info: { station: 'Công an xã Đông Khê', timeZone: 'Asia/Ho_Chi_Minh', createdMs: base, createdBy: 'Đại úy Quản', filter: '', headHash: 'e'.repeat(64), verified: { ok: true, rows: rowCount, firstBadSeq: null } },
  };
}

function pdfText(data: Buffer, name: string): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, data);
  return execFileSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' });
}

describe('heavy work of the core in a worker thread with limits (util/workerJobs.ts, jobWorker.ts)', () => {
  it('makes the audit report in the worker: the same document as made in-process', async () => {
    const input = auditInput(100);
    const runner = jobs();
    expect(runner.available()).toBe(true);
    const [inWorker, here] = await Promise.all([inWorkerOrHere(runner, 'auditPdf', input, (i) => auditPdf(i.rows, i.info)), auditPdf(input.rows, input.info)]);
    expect(runner.stats.started).toBe(1);
    expect(inWorker.subarray(0, 5).toString()).toBe('%PDF-');
    expect(pdfText(inWorker, 'worker.pdf')).toBe(pdfText(here, 'here.pdf'));
  });

  it('keeps the event loop free while a large document is made: timers run on time in the worker, not in-process', async () => {
    const input = auditInput(2000);
    /** The longest gap between 5-ms timer ticks while `work` runs. */
    const longestStall = async (work: () => Promise<Buffer>): Promise<number> => {
      let last = performance.now();
      let longest = 0;
      const ticker = setInterval(() => {
        const now = performance.now();
        longest = Math.max(longest, now - last);
        last = now;
      }, 5);
      await work();
      clearInterval(ticker);
      return longest;
    };
    const inWorker = await longestStall(() => jobs().run('auditPdf', input));
    const here = await longestStall(() => auditPdf(input.rows, input.info));
    console.log(`2,000-row audit PDF: longest event-loop stall ${inWorker.toFixed(0)} ms in the worker, ${here.toFixed(0)} ms in-process`);
    // in-process the document is one synchronous stretch of seconds; in the worker the loop ticks
    expect(here).toBeGreaterThan(inWorker * 3);
  }, 120_000);

  it('ends a job past its deadline with a timeout, and the next job still runs', async () => {
    const runner = jobs({ deadlineMs: 30 });
    const failed = await runner.run('auditPdf', auditInput(10_000)).catch((error: unknown) => error);
    expect(failed).toBeInstanceOf(WorkerJobError);
    expect((failed as WorkerJobError).failure).toBe('timeout');
    expect(runner.stats.timedOut).toBe(1);
    const ok = await jobs().run('auditPdf', auditInput(5));
    expect(ok.subarray(0, 5).toString()).toBe('%PDF-');
  }, 60_000);

  it('a job that outgrows its heap ends its worker, not the core: the job fails as crashed', async () => {
    const runner = jobs({ resourceLimits: { maxOldGenerationSizeMb: 8, maxYoungGenerationSizeMb: 2 } });
    const failed = await runner.run('auditPdf', auditInput(20_000)).catch((error: unknown) => error);
    expect(failed).toBeInstanceOf(WorkerJobError);
    expect((failed as WorkerJobError).failure).toBe('crashed');
    expect((failed as Error).message).toMatch(/memory|ERR_WORKER_OUT_OF_MEMORY/i);
  }, 60_000);

  it('an unknown task or bad input fails with the worker’s reason; jobs wait their turn (one at a time)', async () => {
    const runner = jobs();
    await expect(runner.run('noSuchTask', {})).rejects.toMatchObject({ failure: 'failed', message: expect.stringContaining('unknown task noSuchTask') });
    await expect(runner.run('auditPdf', { rows: null, info: null })).rejects.toMatchObject({ failure: 'failed' });
    const results = await Promise.all([runner.run('auditPdf', auditInput(3)), runner.run('auditPdf', auditInput(4))]);
    expect(results.every((data) => data.subarray(0, 5).toString() === '%PDF-')).toBe(true);
  }, 60_000);

  it('without a built worker the same task runs in-process', async () => {
    const runner = jobs({ script: path.join(dir, 'missing.cjs') });
    expect(runner.available()).toBe(false);
    const data = await inWorkerOrHere(runner, 'auditPdf', auditInput(2), (i) => auditPdf(i.rows, i.info));
    expect(runner.stats.started).toBe(0);
    expect(pdfText(data, 'fallback.pdf')).toContain('NHẬT KÝ THAO TÁC');
  });
});
