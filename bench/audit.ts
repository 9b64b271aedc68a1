import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openSecurityDb } from '../main/core/security/db';
import { AuditLog, verifyAuditDb, verifyAuditDbInBatches } from '../main/core/security/auditLog';
import { canonicalJson, chainRow, GENESIS_HASH } from '../main/core/security/auditChain';
import { systemClock } from '../main/core/util/clock';
import { createLogger } from '../main/core/log/logger';

/**
 * npm run bench:audit — the audit writer (issue 15):
 *  1. rows per second appended by the real writer, one committed and fsynced transaction each
 *     (WAL, synchronous=FULL), and the CPU it takes;
 *  2. the CPU share at the station's real rate of events (assumed: 1 row/s sustained, which is
 *     far above a commune station's log-ins, live views, PTZ holds and exports);
 *  3. the time to verify a chain of 1,000,000 rows (goal ≤ 10 s).
 * Usage: npm run bench:audit [-- --rows 2000 --chain 1000000]
 */
function arg(name: string, fallback: number): number {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 ? Number(process.argv[index + 1]) : fallback;
}

const appendRows = arg('rows', 2000);
const chainRows = arg('chain', 1_000_000);
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-audit-'));
async function main(): Promise<void> {
  try {
    const log = createLogger({ console: null, file: null });
    // 1. the writer
    const db = openSecurityDb(path.join(dir, 'writer'));
    const audit = new AuditLog(db, { clock: systemClock, log });
    const cpuBefore = process.cpuUsage();
    const started = performance.now();
    for (let index = 0; index < appendRows; index += 1) {
      const written = audit.append({ actor: 'trucban', action: 'liveView', cameraId: `cam-${index % 31}`, detail: { phase: 'opened', stream: 'sub' } });
      if (!written.ok) throw new Error(written.error.message);
    }
    const seconds = (performance.now() - started) / 1000;
    const cpu = process.cpuUsage(cpuBefore);
    const cpuSecondsPerRow = (cpu.user + cpu.system) / 1e6 / appendRows;
    db.close();
    console.log(`append: ${appendRows} rows in ${seconds.toFixed(2)} s = ${Math.round(appendRows / seconds)} rows/s (fsync on every commit)`);
    console.log(`append CPU: ${(cpuSecondsPerRow * 1e6).toFixed(0)} µs per row; at 1 row/s that is ${(cpuSecondsPerRow * 100).toFixed(3)} % of one core (goal < 1 %)`);

    // 3. a chain of a million rows, built with the same hashing in one transaction, then verified
    const big = openSecurityDb(path.join(dir, 'chain'));
    big.pragma('synchronous = OFF');
    const insert = big.prepare('INSERT INTO audit (seq, at_ms, actor, action, camera_id, detail, prev_hash, content_hash, row_hash) VALUES (@seq, @atMs, @actor, @action, @cameraId, @detail, @prevHash, @contentHash, @rowHash)');
    const buildStarted = performance.now();
    big.transaction(() => {
      let prev = GENESIS_HASH;
      const base = Date.UTC(2026, 0, 1);
      for (let seq = 1; seq <= chainRows; seq += 1) {
        const row = chainRow({ seq, atMs: base + seq * 1000, actor: seq % 5 ? 'trucban' : 'system', action: seq % 7 ? 'liveView' : 'footageDeleted', cameraId: `cam-${seq % 31}`, detail: canonicalJson({ phase: 'opened', stream: 'sub' }) }, prev);
        insert.run(row);
        prev = row.rowHash;
      }
    })();
    console.log(`built ${chainRows} rows in ${((performance.now() - buildStarted) / 1000).toFixed(1)} s`);
    const verifyStarted = performance.now();
    const report = verifyAuditDb(big);
    const verifySeconds = (performance.now() - verifyStarted) / 1000;
    console.log(`verify: ${report.rows} rows in ${verifySeconds.toFixed(2)} s (${report.ok ? 'intact' : 'BROKEN'}; goal ≤ 10 s) = ${Math.round(report.rows / verifySeconds)} rows/s`);
    // the audit page's walk in a running core: batches of 20,000 rows, the event loop free between them
    let longestStallMs = 0;
    let lastTick = performance.now();
    const ticker = setInterval(() => {
      const now = performance.now();
      longestStallMs = Math.max(longestStallMs, now - lastTick);
      lastTick = now;
    }, 10);
    const batchedStarted = performance.now();
    const batched = await verifyAuditDbInBatches(big, 20_000);
    const batchedSeconds = (performance.now() - batchedStarted) / 1000;
    clearInterval(ticker);
    console.log(`verify in batches (the audit page): ${batched.rows} rows in ${batchedSeconds.toFixed(2)} s (${batched.ok ? 'intact' : 'BROKEN'}), longest time the event loop waited: ${longestStallMs.toFixed(0)} ms (one pass: the whole ${verifySeconds.toFixed(1)} s)`);
    console.log(`database size: ${(fs.statSync(path.join(dir, 'chain', 'security.sqlite')).size / 1024 / 1024).toFixed(0)} MB for ${chainRows} rows`);
    big.close();
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
