/**
 * npm run bench:record — recording 31 cameras (720p H.264 at about 1.5 Mbit/s from the real RTSP
 * test server) for N minutes (default 5), printing side by side in one run:
 *   - CPU of the console's recording path (its Node process, in which the core runs here, and
 *     its 31 pulls) divided by the CPU of 31 bare `ffmpeg -c copy -f segment` doing the same;
 *   - bytes written to disk divided by bytes received from the cameras;
 *   - resident memory and its growth; fsync count and time spent in fsync;
 *   - footage lost per camera after kill -9 (from the crash test's output, when it ran);
 *   - the cost of hashing each segment while it is written (issue 17), as a CPU ratio.
 * Figures only. Usage: npm run bench:record -- [minutes] [cameras]
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { startCore } from '../main/core/core';
import { runFfmpegOnce } from '../main/core/ffmpeg/supervisor';
import { deps, testFfmpeg } from '../tests/helpers/ffmpeg';
import { RtspTestServer } from '../tests/helpers/rtspServer';
import { cacheDir, outputPath, tempDir } from '../tests/helpers/paths';
import { coresBetween, machine, sampleTree } from './proc';

const minutes = Number(process.argv[2] ?? 5);
const cameraCount = Number(process.argv[3] ?? 31);
const CLIP_SECONDS = 8;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function dirBytes(dir: string): number {
  if (!fs.existsSync(dir)) return 0;
  let total = 0;
  for (const name of fs.readdirSync(dir, { recursive: true }) as string[]) {
    const stat = fs.statSync(path.join(dir, name));
    if (stat.isFile()) total += stat.size;
  }
  return total;
}

function rssOf(pid: number): number {
  return sampleTree(pid).rssBytes;
}

async function realisticClip(): Promise<string> {
  const file = path.join(cacheDir, `bench-1280x720-15fps-${CLIP_SECONDS}s-1500k.h264`);
  if (fs.existsSync(file)) return file;
  fs.mkdirSync(cacheDir, { recursive: true });
  const ffmpeg = await testFfmpeg();
  const result = await runFfmpegOnce({ binary: ffmpeg.path, ...deps }, 'bench clip', [
    '-hide_banner', '-loglevel', 'error', '-y', '-f', 'lavfi', '-i', 'testsrc2=size=1280x720:rate=15', '-t', String(CLIP_SECONDS),
    '-vf', 'noise=alls=12:allf=t',
    '-c:v', 'libx264', '-preset', 'veryfast', '-tune', 'zerolatency', '-b:v', '1500k', '-maxrate', '1500k', '-bufsize', '3000k',
    '-x264-params', 'keyint=30:min-keyint=30:scenecut=0:repeat-headers=1:aud=1', '-f', 'h264', `${file}.tmp`,
  ]);
  if (result.code !== 0) throw new Error(result.stderrTail);
  fs.renameSync(`${file}.tmp`, file);
  return file;
}

async function main(): Promise<void> {
  const ffmpeg = await testFfmpeg();
  const clip = await realisticClip();
  const clipBytesPerSecond = fs.statSync(clip).size / CLIP_SECONDS;
  const mounts = Array.from({ length: cameraCount }, (_, index) => `/cam${index + 1}`);
  const rtsp = await RtspTestServer.start(mounts.map((mount) => ({ path: mount, clip })));
  const lines: string[] = [];
  const print = (line: string): void => {
    lines.push(line);
    console.log(line);
  };
  print(`machine: ${machine()}`);
  print(`ffmpeg: ${ffmpeg.source} ${ffmpeg.version}`);
  print(`recording: ${cameraCount} cameras, 1280x720@15 H.264 at ${Math.round((clipBytesPerSecond * 8) / 1000)} kbit/s, ${minutes} min per phase`);
  const durationMs = minutes * 60_000;

  // A. the console recording every camera (no live view)
  const dir = tempDir('bench-record');
  const sitePath = path.join(dir, 'site.json');
  fs.writeFileSync(
    sitePath,
    JSON.stringify({
      schemaVersion: 1,
      name: 'Bench',
      recording: { minFreeGb: 1 },
      cameras: mounts.map((mount, index) => ({ id: `cam-${index + 1}`, name: `Camera ${index + 1}`, streams: { main: rtsp.url(mount) } })),
    }),
  );
  const dataDir = path.join(dir, 'data');
  const core = await startCore({ sitePath, dataDir, port: 0, host: 'browser', language: 'vi', staticDir: null, stderrLevel: null });
  await sleep(15_000); // every pull connected and recording
  const bytesStart = dirBytes(path.join(dataDir, 'recordings'));
  const receivedStart = core.hub.rates().length ? totalBytesIn(core) : 0;
  const fsyncsStart = { count: core.recording.stats.fsyncs, ms: core.recording.stats.fsyncMs };
  const rssStart = rssOf(process.pid);
  const before = sampleTree(process.pid, (stat) => stat.pid === process.pid || /ffmpeg/.test(stat.command));
  const rssSamples: number[] = [];
  for (let elapsed = 0; elapsed < durationMs; elapsed += 10_000) {
    await sleep(Math.min(10_000, durationMs - elapsed));
    rssSamples.push(rssOf(process.pid));
  }
  const after = sampleTree(process.pid, (stat) => stat.pid === process.pid || /ffmpeg/.test(stat.command));
  await core.recording.settled();
  const written = dirBytes(path.join(dataDir, 'recordings')) - bytesStart;
  const received = totalBytesIn(core) - receivedStart;
  const fsyncs = core.recording.stats.fsyncs - fsyncsStart.count;
  const fsyncMs = core.recording.stats.fsyncMs - fsyncsStart.ms;
  const consoleCores = coresBetween(before, after);
  const processes = after.count;
  await core.stop();

  // B. bare ffmpeg segmenters doing the same job
  const bareDir = tempDir('bench-record-bare');
  const bare: ChildProcess[] = mounts.map((mount, index) => {
    const out = path.join(bareDir, `cam-${index + 1}`);
    fs.mkdirSync(out);
    return spawn(
      ffmpeg.path,
      ['-hide_banner', '-loglevel', 'error', '-rtsp_transport', 'tcp', '-i', rtsp.url(mount), '-map', '0:v:0', '-c', 'copy', '-f', 'segment', '-segment_time', '60', '-segment_format', 'mpegts', path.join(out, '%05d.ts')],
      { stdio: 'ignore' },
    );
  });
  await sleep(15_000);
  const bareBytesStart = dirBytes(bareDir);
  const bareBefore = bare.map((child) => sampleTree(child.pid!));
  await sleep(durationMs);
  const bareAfter = bare.map((child) => sampleTree(child.pid!));
  const bareWritten = dirBytes(bareDir) - bareBytesStart;
  const bareCores = bareBefore.reduce((sum, sample, index) => sum + coresBetween(sample, bareAfter[index]!), 0);
  bare.forEach((child) => child.kill('SIGINT'));
  await sleep(2000);
  await rtsp.close();

  const mb = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MiB`;
  const growth = rssSamples.length > 1 ? (rssSamples.at(-1)! - rssSamples[0]!) / rssSamples[0]! : 0;
  print('');
  print(`CPU, cores: console ${consoleCores.toFixed(2)} (1 Node + ${processes - 1} pulls), bare ffmpeg -c copy -f segment ${bareCores.toFixed(2)}, ratio ${(consoleCores / bareCores).toFixed(2)}`);
  print(`bytes: written ${mb(written)}, received from the cameras ${mb(received)} (H.264 in MPEG-TS from the pulls), ratio ${(written / received).toFixed(3)}; bare ffmpeg wrote ${mb(bareWritten)} (ratio to ours ${(written / bareWritten).toFixed(3)})`);
  print(`camera payload (the clips' own bytes) ${mb(clipBytesPerSecond * cameraCount * (durationMs / 1000))}: written / payload ${(written / (clipBytesPerSecond * cameraCount * (durationMs / 1000))).toFixed(3)}`);
  print(`memory: resident ${mb(rssStart)} at start of recording, ${mb(rssSamples.at(-1) ?? rssStart)} at the end (growth ${(growth * 100).toFixed(1)}% over the run)`);
  print(`fsync: ${fsyncs} calls (${(fsyncs / (durationMs / 1000)).toFixed(1)}/s), ${fsyncMs.toFixed(0)} ms in all, ${(fsyncMs / Math.max(1, fsyncs)).toFixed(2)} ms each`);
  // issue 17: the cost of hashing while writing. The recorder feeds every byte it writes to
  // SHA-256 in its 64 KiB write blocks; the same number of bytes hashed the same way, timed in CPU,
  // is the share of the console's recording CPU that hashing takes (measured, not a second run).
  const hashBlock = Buffer.alloc(64 * 1024, 0x47);
  const hashCpu = process.cpuUsage();
  const hasher = createHash('sha256');
  for (let done = 0; done < written; done += hashBlock.length) hasher.update(hashBlock);
  hasher.digest();
  const hashUsed = process.cpuUsage(hashCpu);
  const hashCores = (hashUsed.user + hashUsed.system) / 1e6 / (durationMs / 1000);
  print(`hashing while writing (SHA-256 of ${mb(written)}): ${hashCores.toFixed(4)} cores; recording CPU with hashing / without ${(consoleCores / Math.max(1e-9, consoleCores - hashCores)).toFixed(3)} (goal ≤ 1.05)`);
  const loss = outputPath('recording', 'kill-loss.txt');
  print(`footage lost after kill -9: ${fs.existsSync(loss) ? fs.readFileSync(loss, 'utf8').split('\n')[0] : 'run the crash test (npx vitest run tests/integration/recording.test.ts -t kill) first'}`);
  fs.mkdirSync(path.join('test-results', 'bench'), { recursive: true });
  fs.writeFileSync(path.join('test-results', 'bench', 'record.txt'), `${new Date().toISOString()}\n${lines.join('\n')}\n`);
  process.exit(0);
}

function totalBytesIn(core: Awaited<ReturnType<typeof startCore>>): number {
  let total = 0;
  for (const camera of core.site.cameras) total += core.hub.get(camera.id, 'main')?.bytesIn ?? 0;
  return total;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
