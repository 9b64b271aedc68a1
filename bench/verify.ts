/**
 * npm run bench:verify — throughput of the footage verification (issue 17) against bare
 * `sha256sum` of the same files, side by side in one run (goal: ratio ≥ 0.9). Footage: N segment
 * files of S MiB (default 48 × 8 MiB) written through the recorder's own writer (SegmentFile,
 * hashed as written) and indexed in a real SQLite index. Both read from the page cache (each is run
 * twice, alternating, the best of each kept): the figure compares the hashing and reading code,
 * not the disk. Figures only. Usage: npm run bench:verify -- [files] [MiB each]
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { RecordingIndex } from '../main/core/recording/recordingIndex';
import { DurabilityStats, SegmentFile } from '../main/core/recording/segmentFile';
import { verifyFootage } from '../main/core/recording/verify';
import { systemClock } from '../main/core/util/clock';
import { tempDir, removeTempDirs } from '../tests/helpers/paths';
import { machine } from './proc';

const files = Number(process.argv[2] ?? 48);
const mib = Number(process.argv[3] ?? 8);

function sha256sum(paths: string[]): Promise<number> {
  const started = performance.now();
  return new Promise((resolve, reject) =>
    execFile('sha256sum', paths, { maxBuffer: 64 * 1024 * 1024 }, (error) => (error ? reject(error) : resolve(performance.now() - started))),
  );
}

async function main(): Promise<void> {
  const dir = tempDir('bench-verify');
  const root = path.join(dir, 'recordings');
  const index = new RecordingIndex(path.join(dir, 'recordings.sqlite'));
  const block = randomBytes(188 * 5000);
  const paths: string[] = [];
  let writeCpuHash = 0;
  let writeCpuBare = 0;
  for (let n = 0; n < files; n++) {
    const startMs = 1_800_000_000_000 + n * 60_000;
    const relative = `cam-${(n % 31) + 1}/main/2027-01-15/08-00-00_${startMs}.ts`;
    const cpu = process.cpuUsage();
    const segment = new SegmentFile(path.join(root, ...relative.split('/')), new DurabilityStats(), systemClock);
    for (let written = 0; written < mib * 2 ** 20; written += block.length) segment.write(block);
    await segment.finish();
    const used = process.cpuUsage(cpu);
    writeCpuHash += used.user + used.system;
    index.insertSegment({ cameraId: `cam-${(n % 31) + 1}`, stream: 'main', startMs, endMs: startMs + 60_000, bytes: segment.bytes, path: relative, codec: 'h264', widthPx: null, heightPx: null, hasAudio: false, recovered: false, sha256: segment.sha256 });
    paths.push(path.join(root, ...relative.split('/')));
    // the same write without the hash, for the cost of hashing while writing
    const bareFile = path.join(dir, 'bare', `${n}.ts`);
    const cpu2 = process.cpuUsage();
    const bare = new SegmentFile(bareFile, new DurabilityStats(), systemClock, { hash: false });
    for (let written = 0; written < mib * 2 ** 20; written += block.length) bare.write(block);
    await bare.finish();
    const used2 = process.cpuUsage(cpu2);
    writeCpuBare += used2.user + used2.system;
    fs.rmSync(bareFile);
  }
  const totalBytes = paths.reduce((sum, file) => sum + fs.statSync(file).size, 0);
  let best = { verify: Infinity, sum: Infinity };
  for (let round = 0; round < 2; round++) {
    const sumMs = await sha256sum(paths);
    const started = performance.now();
    const report = await verifyFootage(index, root);
    const verifyMs = performance.now() - started;
    if (!report.ok) throw new Error(`verification found ${report.findings.length} problems`);
    best = { verify: Math.min(best.verify, verifyMs), sum: Math.min(best.sum, sumMs) };
  }
  index.close();
  const mbs = (ms: number) => (totalBytes / 2 ** 20 / (ms / 1000)).toFixed(0);
  console.log(machine());
  console.log(`footage: ${files} segments, ${(totalBytes / 2 ** 20).toFixed(0)} MiB (page cache)`);
  console.log(`verify (index + chain + re-hash): ${best.verify.toFixed(0)} ms, ${mbs(best.verify)} MiB/s`);
  console.log(`sha256sum of the same files:      ${best.sum.toFixed(0)} ms, ${mbs(best.sum)} MiB/s`);
  console.log(`throughput ratio verify / sha256sum: ${(best.sum / best.verify).toFixed(2)} (goal ≥ 0.9)`);
  console.log(`hashing while writing (SegmentFile, same bytes): CPU ${(writeCpuHash / 1000).toFixed(0)} ms with the hash, ${(writeCpuBare / 1000).toFixed(0)} ms without, ratio ${(writeCpuHash / writeCpuBare).toFixed(2)} (write path alone)`);
  removeTempDirs();
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    removeTempDirs();
    process.exit(1);
  },
);
