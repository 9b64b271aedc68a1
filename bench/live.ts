/**
 * npm run bench:live — the live core at the station's scale: 32 cameras, 640x360@15 H.264 from
 * the real RTSP test server, each shown in a 320x180 tile, consumed by a headless page (no
 * browser drawing in the way). Prints, side by side in one run:
 *   1. throughput: frames the core delivers per tile per second (min, median);
 *   2. cost: CPU of the console (Node + its ffmpeg children) / CPU of bare ffmpeg processes doing
 *      the same decode and scale to the same tile size (a separate phase, console stopped);
 *   3. time to first picture: a view opened on an already-pulled camera (p50, p95 over 20 opens)
 *      next to a cold bare ffmpeg start on the same stream, and a cold open in the console;
 *   4. glass-to-glass latency: a live-encoded camera whose frames carry their send time
 *      (common/timecode.ts), read from the Y plane of the frames the headless page receives;
 *   5. memory: resident memory of the console and its children over the run, and its growth;
 *   6. sessions: RTSP SETUPs the camera server saw per stream, with 2 views on some cameras.
 * Figures only; nothing is asserted. Results also go to test-results/bench/live.txt.
 *
 * Usage: npm run bench:live -- [seconds=60] [cameras=32] [--record]
 *   seconds: length of the throughput/memory phase (600 for the 10-minute memory run; the bare
 *   ffmpeg phase lasts min(seconds, 60)).
 *   --record: keep the console's 24/7 recording of every camera on (by default the bench site
 *   turns it off, so the figures are the live path's and a camera nobody watches is not pulled).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { decodeArgs } from '../main/core/ffmpeg/args';
import { readTimecode, timecodeLatencyMs } from '../common/timecode';
import { SiteSchema } from '../common/site';
import { h264Clip, testFfmpeg } from '../tests/helpers/ffmpeg';
import { RtspTestServer, type MountSpec } from '../tests/helpers/rtspServer';
import { startConsoleProcess } from '../tests/helpers/consoleProcess';
import { LiveConsumer } from '../tests/helpers/liveConsumer';
import { outputPath, tempDir } from '../tests/helpers/paths';
import { launchBrowser } from '../tests/helpers/browser';
import type { WithDiagnostics } from '../common/diagnostics';
import { coresBetween, machine, median, sampleTree, type TreeSample } from './proc';

const numbers = process.argv.slice(2).filter((arg) => !arg.startsWith('--'));
const seconds = Number(numbers[0] ?? 60);
const CAMERAS = Number(numbers[1] ?? 32);
const RECORD = process.argv.includes('--record');
const TILE = { width: 320, height: 180 };
const BARE_SECONDS = Math.min(seconds, 60);
const WARM_OPENS = 20;
const COLD_OPENS = 5;
const LATENCY_SECONDS = 10;
/** Every DOUBLE_EVERY-th camera gets a second view (a second window, another tile size). */
const DOUBLE_EVERY = 4;

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function fmt(value: number, digits = 2): string {
  return Number.isFinite(value) ? value.toFixed(digits) : 'n/a';
}

function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

function mib(bytes: number): string {
  return `${fmt(bytes / 2 ** 20, 0)} MiB`;
}

/** Resident memory of a tree, split into the root (Node) and the rest (ffmpeg). */
function memoryOf(rootPid: number): { total: number; node: number; children: number; count: number } {
  const all = sampleTree(rootPid);
  const node = sampleTree(rootPid, (stat) => stat.pid === rootPid);
  return { total: all.rssBytes, node: node.rssBytes, children: all.rssBytes - node.rssBytes, count: all.count };
}

async function main(): Promise<void> {
  const ffmpeg = await testFfmpeg();
  const clip = await h264Clip({ width: 640, height: 360, fps: 15, seconds: 4, gopFrames: 15 });
  const cameraMounts = Array.from({ length: CAMERAS }, (_, index) => `/cam${index + 1}`);
  const coldMounts = Array.from({ length: COLD_OPENS }, (_, index) => `/cold${index + 1}`);
  const mounts: MountSpec[] = [
    ...[...cameraMounts, ...coldMounts].map((mount) => ({ path: mount, clip })),
    { path: '/timecode', kind: 'timecode', width: 640, height: 360, fps: 15 },
  ];
  const rtsp = await RtspTestServer.start(mounts);
  const dir = tempDir('bench-live');
  const sitePath = path.join(dir, 'site.json');
  const cameraId = (mount: string) => `cam-${mount.slice(1)}`;
  const site = { schemaVersion: 1, name: 'Bench', cameras: mounts.map((mount) => ({ id: cameraId(mount.path), name: mount.path.slice(1), streams: { main: rtsp.url(mount.path) } })) };
  // live figures: recording off where the site file can say so (it records every camera by default)
  const recordingOff = { ...site, cameras: site.cameras.map((camera) => ({ ...camera, recording: { stream: 'off' } })) };
  const canTurnOff = SiteSchema.safeParse(recordingOff).success;
  fs.writeFileSync(sitePath, JSON.stringify(!RECORD && canTurnOff ? recordingOff : site));
  const lines: string[] = [];
  const print = (line: string) => {
    lines.push(line);
    console.log(line);
  };
  const bare: ChildProcess[] = [];
  let console_: Awaited<ReturnType<typeof startConsoleProcess>> | null = null;
  try {
    console_ = await startConsoleProcess(['--site', sitePath, '--data', path.join(dir, 'data'), '--port', '0']);
    const consolePid = console_.child.pid!;
    print(`machine: ${machine()}`);
    print(`ffmpeg: ${ffmpeg.source} ${ffmpeg.version}`);
    print(`run: ${CAMERAS} cameras, 640x360@15 H.264 (GOP 1 s) over RTSP/TCP, tiles ${TILE.width}x${TILE.height}, ${seconds} s measured (bare ffmpeg ${BARE_SECONDS} s)`);
    print(`recording: ${!RECORD && canTurnOff ? 'off (live path only)' : canTurnOff ? 'on, every camera (--record)' : 'as the console does by default'}`);

    // ---- 1, 2, 5: throughput, console CPU, memory --------------------------------------------
    const consumer = await LiveConsumer.connect(console_.url, console_.token);
    const views = await Promise.all(cameraMounts.map((mount) => consumer.openView(cameraId(mount), 'main', TILE.width, TILE.height)));
    await consumer.waitFor(() => views.every((viewId) => (consumer.frames.get(viewId)?.count ?? 0) > 0), 60000, 'frames on every tile');
    await sleep(5000);
    const countsBefore = views.map((viewId) => consumer.frames.get(viewId)?.count ?? 0);
    const cpuBefore = sampleTree(consolePid);
    const nodeBefore = sampleTree(consolePid, (stat) => stat.pid === consolePid);
    const memoryStart = memoryOf(consolePid);
    const memorySamples = [memoryStart];
    const startedAt = Date.now();
    while (Date.now() - startedAt < seconds * 1000) {
      await sleep(Math.min(5000, seconds * 1000 - (Date.now() - startedAt)));
      memorySamples.push(memoryOf(consolePid));
    }
    const cpuAfter = sampleTree(consolePid);
    const nodeAfter = sampleTree(consolePid, (stat) => stat.pid === consolePid);
    const elapsedS = (cpuAfter.atMs - cpuBefore.atMs) / 1000;
    const fpsPerTile = views.map((viewId, index) => ((consumer.frames.get(viewId)?.count ?? 0) - countsBefore[index]!) / elapsedS);
    const consoleCores = coresBetween(cpuBefore, cpuAfter);
    const nodeCores = coresBetween(nodeBefore, nodeAfter);
    const memoryEnd = memorySamples.at(-1)!;
    const memoryPeak = Math.max(...memorySamples.map((sample) => sample.total));

    // ---- 6: a second view on some cameras (one session per stream whatever the views) -----
    const doubled = cameraMounts.filter((_, index) => index % DOUBLE_EVERY === 0);
    const secondViews = await Promise.all(doubled.map((mount) => consumer.openView(cameraId(mount), 'main', TILE.width / 2, TILE.height / 2)));
    await consumer.waitFor(() => secondViews.every((viewId) => (consumer.frames.get(viewId)?.count ?? 0) > 5), 30000, 'frames on the second views');

    // ---- 3: time to first picture -----------------------------------------------------------
    const firstPicture = async (camera: string): Promise<number> => {
      const openedAt = Date.now();
      const viewId = await consumer.openView(camera, 'main', TILE.width, TILE.height);
      await consumer.waitFor(() => (consumer.frames.get(viewId)?.count ?? 0) > 0, 20000, `first picture of ${camera}`);
      const ms = consumer.frames.get(viewId)!.firstAtMs! - openedAt;
      await consumer.closeView(viewId);
      return ms;
    };
    const warmMs: number[] = [];
    for (let open = 0; open < WARM_OPENS; open++) {
      warmMs.push(await firstPicture(cameraId(cameraMounts[open % cameraMounts.length]!)));
      await sleep(150);
    }
    const coldConsoleMs: number[] = [];
    for (const mount of coldMounts) coldConsoleMs.push(await firstPicture(cameraId(mount)));
    // before the bare cold starts below, which are sessions of their own
    const sessions = await rtsp.sessions();
    const coldBareMs: number[] = [];
    for (let run = 0; run < COLD_OPENS; run++) coldBareMs.push(await bareFirstFrame(ffmpeg.path, rtsp.url(cameraMounts[run % cameraMounts.length]!)));

    // ---- 4: glass-to-glass latency ----------------------------------------------------------
    const latencies: number[] = [];
    const timecodeView = await consumer.openView(cameraId('/timecode'), 'main', 640, 360);
    await consumer.waitFor(() => (consumer.frames.get(timecodeView)?.count ?? 0) > 15, 30000, 'timecode frames');
    const stopLatency = consumer.onFrame((header, pixels, atMs) => {
      if (header.viewId === timecodeView) latencies.push(timecodeLatencyMs(readTimecode(pixels, header.width, header.height), atMs));
    });
    await sleep(LATENCY_SECONDS * 1000);
    stopLatency();
    const decodedLatency = consumer.frames.get(timecodeView)!.last!;
    await consumer.close();

    // ---- 7: drawing in Chromium (software GL here) ------------------------------------------
    const drawing = process.env.BENCH_NO_CHROMIUM ? { renderer: "not measured (BENCH_NO_CHROMIUM)", walls: [], latencies: [] as number[] } : await measureDrawing(console_.url, cameraId("/timecode"), cameraMounts.map(cameraId), consolePid);
    await console_.stop();
    console_ = null;

    // ---- 2 (baseline): bare ffmpeg, same streams, same decode and scale ---------------------
    const decode = decodeArgs(ffmpeg, TILE.width, TILE.height);
    const frameBytes = TILE.width * TILE.height * 1.5;
    const bareFrames = cameraMounts.map(() => 0);
    for (const [index, mount] of cameraMounts.entries()) {
      const child = spawn(ffmpeg.path, bareDecodeArgs(decode, rtsp.url(mount)), { stdio: ['ignore', 'pipe', 'ignore'] });
      let bytes = 0;
      child.stdout?.on('data', (chunk: Buffer) => {
        bytes += chunk.length;
        bareFrames[index] = Math.floor(bytes / frameBytes);
      });
      bare.push(child);
    }
    await sleep(8000);
    const bareCountsBefore = [...bareFrames];
    const isBare = (stat: { command: string }) => stat.command === 'ffmpeg';
    const bareBefore = sampleTree(process.pid, isBare);
    await sleep(BARE_SECONDS * 1000);
    const bareAfter: TreeSample = sampleTree(process.pid, isBare);
    const bareCores = coresBetween(bareBefore, bareAfter);
    const bareFps = bareFrames.map((count, index) => (count - bareCountsBefore[index]!) / ((bareAfter.atMs - bareBefore.atMs) / 1000));

    // ---- report ------------------------------------------------------------------------------
    const cameraSetups = cameraMounts.map((mount) => sessions[mount] ?? 0);
    const notOne = cameraMounts.filter((mount) => (sessions[mount] ?? 0) !== 1);
    const code = readTimecode(decodedLatency.pixels, decodedLatency.header.width, decodedLatency.header.height);
    print('');
    print('1. throughput: core → headless consumer of the live socket');
    print(`   frames per tile per second: min ${fmt(Math.min(...fpsPerTile), 1)}, median ${fmt(median(fpsPerTile), 1)} over ${views.length} tiles (camera rate 15; bare ffmpeg: min ${fmt(Math.min(...bareFps), 1)}, median ${fmt(median(bareFps), 1)})`);
    print('2. cost');
    print(`   CPU, cores: console ${fmt(consoleCores)} (Node ${fmt(nodeCores)}, ${cpuAfter.count - 1} ffmpeg children ${fmt(consoleCores - nodeCores)}); ${bare.length} bare ffmpeg ${fmt(bareCores)} (${bareAfter.count} processes); ratio console / bare ${fmt(consoleCores / bareCores)}`);
    print('3. time to first picture');
    print(`   view opened on an already-pulled camera (${warmMs.length} opens): p50 ${fmt(percentile(warmMs, 50), 0)} ms, p95 ${fmt(percentile(warmMs, 95), 0)} ms (all, sorted: ${[...warmMs].sort((a, b) => a - b).join(' ')})`);
    print(`   cold bare ffmpeg on the same streams, first decoded frame on stdout (${coldBareMs.length} starts): p50 ${fmt(percentile(coldBareMs, 50), 0)} ms, p95 ${fmt(percentile(coldBareMs, 95), 0)} ms`);
    print(`   cold open in the console (pull + decoder, ${coldConsoleMs.length} cameras nobody pulled): p50 ${fmt(percentile(coldConsoleMs, 50), 0)} ms, max ${fmt(Math.max(...coldConsoleMs), 0)} ms`);
    print(`4. glass-to-glass latency, headless page (${latencies.length} frames of a live x264 zerolatency 640x360@15 camera, ${CAMERAS} cameras playing)`);
    print(`   p50 ${fmt(percentile(latencies, 50), 0)} ms, p95 ${fmt(percentile(latencies, 95), 0)} ms, max ${fmt(Math.max(...latencies), 0)} ms (last code read ${code})`);
    print('5. memory (resident), console and its children');
    print(`   at the start of the measured phase: ${mib(memoryStart.total)} in ${memoryStart.count} processes (Node ${mib(memoryStart.node)}, ffmpeg ${mib(memoryStart.children)})`);
    print(`   at the end (${seconds} s later): ${mib(memoryEnd.total)} (Node ${mib(memoryEnd.node)}, ffmpeg ${mib(memoryEnd.children)}); growth ${fmt((memoryEnd.total - memoryStart.total) / 2 ** 20, 1)} MiB (Node ${fmt((memoryEnd.node - memoryStart.node) / 2 ** 20, 1)} MiB); peak ${mib(memoryPeak)}`);
    print(`   bare ffmpeg for comparison: ${mib(bareAfter.rssBytes)} in ${bareAfter.count} processes`);
    print('6. sessions: RTSP SETUPs seen by the camera server per stream');
    print(
      `   ${CAMERAS} camera streams, ${doubled.length} of them with 2 views, ${WARM_OPENS} more views opened and closed: ` +
        (notOne.length === 0 ? `exactly 1 SETUP each` : `min ${Math.min(...cameraSetups)}, max ${Math.max(...cameraSetups)}; not 1: ${notOne.map((mount) => `${mount}=${sessions[mount] ?? 0}`).join(', ')}`),
    );
    print(`7. drawing in Chromium (${drawing.renderer})`);
    for (const wall of drawing.walls) {
      print(`   ${wall.name}: frames drawn per tile per second min ${fmt(wall.min, 1)}, median ${fmt(wall.median, 1)} over ${wall.tiles} tiles; browser ${fmt(wall.browserCores)} cores, ${fmt(wall.cpuMsPerFrame, 1)} ms of CPU per drawn tile-frame; console ${fmt(wall.consoleCores)} cores`);
    }
    print(`   glass-to-glass latency in a 3x3 wall, read back from the frames drawn (${drawing.latencies.length} frames): p50 ${fmt(percentile(drawing.latencies, 50), 0)} ms, p95 ${fmt(percentile(drawing.latencies, 95), 0)} ms, max ${fmt(Math.max(...drawing.latencies), 0)} ms`);
    fs.writeFileSync(outputPath('bench', 'live.txt'), `${new Date().toISOString()}\n${lines.join('\n')}\n`);
  } finally {
    for (const child of bare) child.kill('SIGKILL');
    await Promise.all(bare.map((child) => (child.exitCode !== null || child.signalCode !== null ? null : new Promise((resolve) => child.once('exit', resolve)))));
    await console_?.stop();
    await rtsp.close();
  }
}

interface WallDrawing {
  name: string;
  tiles: number;
  min: number;
  median: number;
  browserCores: number;
  cpuMsPerFrame: number;
  consoleCores: number;
}

/**
 * The wall in Debian Chromium with the flags the tests use: frames drawn per tile per second on a
 * 3x3 and a 36-tile wall, CPU per drawn frame, and the latency read back by the page from what it
 * drew (the time code camera in the first tile of the 3x3 wall).
 */
async function measureDrawing(url: string, timecodeCamera: string, cameras: string[], consolePid: number): Promise<{ renderer: string; walls: WallDrawing[]; latencies: number[] }> {
  const browser = await launchBrowser();
  try {
    const context = await browser.newContext({ viewport: { width: 1600, height: 900 } });
    const tiles = [timecodeCamera, ...cameras].slice(0, 36);
    await context.addInitScript((arrangement) => localStorage.setItem('console.wall.1', arrangement), JSON.stringify({ layoutId: 'grid-9', tiles }));
    const page = await context.newPage();
    await page.goto(url);
    const walls: WallDrawing[] = [];
    let latencies: number[] = [];
    type Stats = Record<string, { framesDrawn: number }>;
    const stats = () => page.evaluate(() => (window as WithDiagnostics).consoleDiagnostics?.stats() ?? {}) as Promise<Stats>;
    for (const [name, layout, count] of [['3x3 wall', 'grid-9', 9], ['36-tile wall', 'grid-36', Math.min(36, tiles.length)]] as const) {
      await page.click(`[data-layout="${layout}"]`);
      await page.waitForFunction((expected) => document.querySelectorAll('[data-testid=tile][data-picture=yes]').length >= expected, count, { timeout: 120000 });
      await sleep(5000);
      if (layout === 'grid-9') await page.evaluate((camera) => (window as WithDiagnostics).consoleDiagnostics?.probeLatency(camera), timecodeCamera);
      const before = await stats();
      const browserBefore = sampleTree(process.pid, (stat) => /chrom/i.test(stat.command));
      const consoleBefore = sampleTree(consolePid);
      await sleep(15000);
      const after = await stats();
      const browserAfter = sampleTree(process.pid, (stat) => /chrom/i.test(stat.command));
      const consoleAfter = sampleTree(consolePid);
      if (layout === 'grid-9') latencies = await page.evaluate(() => (window as WithDiagnostics).consoleDiagnostics?.takeLatencySamples() ?? []);
      const elapsedS = (browserAfter.atMs - browserBefore.atMs) / 1000;
      const fps = Object.keys(after)
        .filter((key) => before[key])
        .map((key) => (after[key]!.framesDrawn - before[key]!.framesDrawn) / elapsedS)
        .sort((a, b) => b - a)
        .slice(0, count);
      const browserCores = coresBetween(browserBefore, browserAfter);
      const drawn = fps.reduce((sum, value) => sum + value, 0);
      walls.push({ name, tiles: fps.length, min: Math.min(...fps), median: median(fps), browserCores, cpuMsPerFrame: (browserCores * 1000) / Math.max(1, drawn), consoleCores: coresBetween(consoleBefore, consoleAfter) });
    }
    const renderer = await page.evaluate(() => (window as WithDiagnostics).consoleDiagnostics?.renderer ?? 'no WebGL');
    return { renderer, walls, latencies };
  } finally {
    await browser.close();
  }
}

/** The console's own decode (same filter, one thread), fed straight from RTSP instead of from a pull. */
function bareDecodeArgs(decode: string[], url: string): string[] {
  const input = decode.indexOf('-i');
  // drop the input format (`-f mpegts` just before `-i pipe:0`)
  const inputOptions = decode[input - 2] === '-f' ? decode.slice(0, input - 2) : decode.slice(0, input);
  return [...inputOptions, '-rtsp_transport', 'tcp', '-i', url, ...decode.slice(input + 2)];
}

/** A cold ffmpeg on the stream: ms from spawn to its first whole decoded frame on stdout. */
function bareFirstFrame(binary: string, url: string): Promise<number> {
  return new Promise((resolve) => {
    const frameBytes = TILE.width * TILE.height * 1.5;
    const startedAt = Date.now();
    const child = spawn(binary, [
      '-hide_banner', '-loglevel', 'error', '-rtsp_transport', 'tcp', '-i', url,
      '-vf', `scale=${TILE.width}:${TILE.height}`, '-pix_fmt', 'yuv420p', '-f', 'rawvideo', 'pipe:1',
    ], { stdio: ['ignore', 'pipe', 'ignore'] });
    let bytes = 0;
    let done = false;
    const finish = (ms: number) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      child.kill('SIGKILL');
      child.once('exit', () => resolve(ms));
    };
    const timer = setTimeout(() => finish(NaN), 20000);
    child.stdout?.on('data', (chunk: Buffer) => {
      bytes += chunk.length;
      if (bytes >= frameBytes) finish(Date.now() - startedAt);
    });
  });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
