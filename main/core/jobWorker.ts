import { parentPort, workerData } from 'node:worker_threads';
import { recordPdf, type RecordPdfInput } from './export/record';
import { auditPdf, type AuditPdfInput } from './security/auditReport';
import type { WorkerJobReply } from './util/workerJobs';

/**
 * The job worker (dist/core/jobWorker.cjs): one task per worker thread, started by `WorkerJobs`
 * with a capped heap and a deadline (issue 19 item 5). It knows the tasks of every feature, as
 * core.ts does, so features never import each other; a task takes its input as structured-cloned
 * data and answers bytes.
 */
const TASKS: Record<string, (input: never) => Promise<Uint8Array>> = {
  recordPdf: (input: RecordPdfInput) => recordPdf(input.manifest, input.manifestSha256),
  auditPdf: (input: AuditPdfInput) => auditPdf(input.rows, input.info),
};

async function main(): Promise<void> {
  const { task, input } = workerData as { task: string; input: never };
  let reply: WorkerJobReply;
  try {
    const run = TASKS[task];
    if (!run) throw new Error(`unknown task ${task}`);
    reply = { ok: true, data: await run(input) };
  } catch (error) {
    reply = { ok: false, error: (error as Error).message };
  }
  parentPort?.postMessage(reply, reply.ok ? [reply.data.buffer as ArrayBuffer] : []);
}

void main();
