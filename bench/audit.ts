import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openSecurityDb } from '../main/core/security/db';
import { AuditLog, verifyAuditDb, verifyAuditDbInBatches } from '../main/core/security/auditLog';
import { canonicalJson, chainRow, GENESIS_HASH } from '../main/core/security/auditChain';
import { systemClock } from '../main/core/util/clock';
import { createLogger } from '../main/core/log/logger';
import { h264Clip } from '../tests/helpers/ffmpeg';
import { RtspTestServer } from '../tests/helpers/rtspServer';
import { startConsoleProcess, type ConsoleProcess } from '../tests/helpers/consoleProcess';

/**
 * npm run bench:audit — the audit writer (issue 15):
 *  1. rows per second appended by the real writer, one committed and fsynced transaction each
 *     (WAL, synchronous=FULL), and the CPU it takes;
 *  2. the CPU share at the station's real rate of events (assumed: 1 row/s sustained, which is
 *     far above a commune station's log-ins, live views, PTZ holds and exports);
 *  3. the same appends again while the real console process records `--cameras` cameras (default
 *     31, 320x180 15 fps from the RTSP test server) on the same disk: rows/s and CPU per row side
 *     by side with the quiet run (the ratio is the figure);
 *  4. the time to verify a chain of 1,000,000 rows (goal ≤ 10 s).
 * Usage: npm run bench:audit [-- --rows 2000 --chain 1000000 --cameras 31]
 */
function arg(name: string, fallback: number): number {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 ? Number(process.argv[index + 1]) : fallback;
}

const appendRows = arg('rows', 2000);
const chainRows = arg('chain', 1_000_000);
const cameraCount = arg('cameras', 31);
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-audit-'));
async function main(): Promise<void> {
  try {
    const log = createLogger({ console: null, file: null });
    // 1. the writer, quiet
    const quiet = appendRun(path.join(dir, 'writer'), log);
    console.log(`append (quiet): ${appendRows} rows in ${quiet.seconds.toFixed(2)} s = ${Math.round(appendRows / quiet.seconds)} rows/s (fsync on every commit)`);
    console.log(`append CPU (quiet): ${(quiet.cpuSecondsPerRow * 1e6).toFixed(0)} µs per row; at 1 row/s that is ${(quiet.cpuSecondsPerRow * 100).toFixed(3)} % of one core (goal < 1 %)`);

    // 2. the writer while the console records the station's cameras on the same disk
    if (cameraCount > 0) {
      const recording = await recordCameras(cameraCount);
      try {
        const loaded = appendRun(path.join(dir, 'writer-loaded'), log);
        const load = recording.cpuPercent();
        console.log(`recording ${cameraCount} cameras (${recording.recordingCameras()} writing segments; console + its ffmpeg pulls: ${load.toFixed(0)} % of one core over 10 s before the run)`);
        console.log(`append (while recording): ${appendRows} rows in ${loaded.seconds.toFixed(2)} s = ${Math.round(appendRows / loaded.seconds)} rows/s (${(quiet.seconds / loaded.seconds).toFixed(2)}× the quiet rate)`);
        console.log(`append CPU (while recording): ${(loaded.cpuSecondsPerRow * 1e6).toFixed(0)} µs per row (${(loaded.cpuSecondsPerRow / quiet.cpuSecondsPerRow).toFixed(2)}× quiet); at 1 row/s that is ${(loaded.cpuSecondsPerRow * 100).toFixed(3)} % of one core (goal < 1 %)`);
      } finally {
        await recording.stop();
      }
    }

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

/** `appendRows` rows through the real writer into a fresh database: wall seconds and CPU per row. */
function appendRun(folder: string, log: ReturnType<typeof createLogger>): { seconds: number; cpuSecondsPerRow: number } {
  const db = openSecurityDb(folder);
  const audit = new AuditLog(db, { clock: systemClock, log });
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  for (let index = 0; index < appendRows; index += 1) {
    const written = audit.append({ actor: 'trucban', action: 'liveView', cameraId: `cam-${index % 31}`, detail: { phase: 'opened', stream: 'sub' } });
    if (!written.ok) throw new Error(written.error.message);
  }
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  db.close();
  return { seconds, cpuSecondsPerRow: (cpu.user + cpu.system) / 1e6 / appendRows };
}

/** CPU seconds used so far by a process and its children (Linux /proc: utime+stime+cutime+cstime). */
function processTreeCpuSeconds(pid: number): number {
  const ticks = (id: number): number => {
    try {
      const fields = fs.readFileSync(`/proc/${id}/stat`, 'utf8').split(') ')[1]!.split(' ');
      return Number(fields[11]) + Number(fields[12]);
    } catch {
      return 0;
    }
  };
  let total = ticks(pid);
  // live children (the ffmpeg pulls): /proc/<pid>/task/<pid>/children
  try {
    for (const child of fs.readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean)) total += ticks(Number(child));
  } catch {
    // no children file: the console alone
  }
  return total / 100;
}

/** The real console recording `count` cameras from the RTSP test server, in the bench folder. */
async function recordCameras(count: number): Promise<{ stop: () => Promise<void>; cpuPercent: () => number; recordingCameras: () => number }> {
  const clip = await h264Clip({ width: 320, height: 180, fps: 15, seconds: 4, gopFrames: 15 });
  const mounts = Array.from({ length: count }, (_, n) => `/cam${n + 1}`);
  const rtsp = await RtspTestServer.start(mounts.map((mount) => ({ path: mount, clip })));
  const sitePath = path.join(dir, 'site.json');
  const dataDir = path.join(dir, 'station');
  fs.writeFileSync(sitePath, JSON.stringify({ schemaVersion: 1, name: 'Bench', recording: { segmentSeconds: 10, minFreeGb: 0.5 }, cameras: mounts.map((mount, n) => ({ id: `cam-${n + 1}`, name: `Camera ${n + 1}`, streams: { main: rtsp.url(mount) } })) }));
  let core: ConsoleProcess | null = null;
  try {
    core = await startConsoleProcess(['--site', sitePath, '--data', dataDir, '--port', '0']);
  } catch (error) {
    await rtsp.close();
    throw error;
  }
  const recordingCameras = () => {
    const root = path.join(dataDir, 'recordings');
    return fs.existsSync(root) ? fs.readdirSync(root).filter((camera) => (fs.readdirSync(path.join(root, camera), { recursive: true }) as string[]).some((name) => /\.ts(\.part)?$/.test(name))).length : 0;
  };
  // every pull up and writing before the measured run
  const deadline = Date.now() + 60_000;
  while (recordingCameras() < count && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 500));
  await new Promise((resolve) => setTimeout(resolve, 3000));
  // the recording's own load, over 10 s before the measured appends
  const cpuStart = processTreeCpuSeconds(core.child.pid!);
  await new Promise((resolve) => setTimeout(resolve, 10_000));
  const loadPercent = (processTreeCpuSeconds(core.child.pid!) - cpuStart) * 10;
  const running = core;
  return {
    recordingCameras,
    cpuPercent: () => loadPercent,
    stop: async () => {
      await running.stop();
      await rtsp.close();
    },
  };
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
