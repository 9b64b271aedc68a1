/**
 * npm run bench:wall — a 3x3 wall of 640x360@15 H.264 cameras from the real RTSP test server.
 * Prints, side by side in one run:
 *   A. the core alone: frames per tile per second delivered to a headless consumer of the live
 *      socket, and the CPU of the console (Node + its ffmpeg children) next to bare ffmpeg
 *      processes doing the same decode and scale;
 *   B. Chromium: frames drawn per tile per second, the WebGL renderer, browser CPU.
 * Figures only; nothing is asserted. Usage: npm run bench:wall -- [seconds]
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { h264Clip, testFfmpeg } from '../tests/helpers/ffmpeg';
import { RtspTestServer } from '../tests/helpers/rtspServer';
import { startConsoleProcess } from '../tests/helpers/consoleProcess';
import { LiveConsumer } from '../tests/helpers/liveConsumer';
import { launchBrowser } from '../tests/helpers/browser';
import { tempDir } from '../tests/helpers/paths';
import type { WithDiagnostics } from '../common/diagnostics';
import { coresBetween, machine, median, sampleTree } from './proc';

const CAMERAS = 9;
const TILE = { width: 528, height: 280 };
const seconds = Number(process.argv[2] ?? 30);

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function fmt(value: number, digits = 2): string {
  return value.toFixed(digits);
}

async function main(): Promise<void> {
  const ffmpeg = await testFfmpeg();
  const clip = await h264Clip({ width: 640, height: 360, fps: 15, seconds: 4, gopFrames: 15 });
  const mounts = Array.from({ length: CAMERAS }, (_, index) => `/cam${index + 1}`);
  const rtsp = await RtspTestServer.start(mounts.map((mount) => ({ path: mount, clip })));
  const dir = tempDir('bench-wall');
  const sitePath = path.join(dir, 'site.json');
  fs.writeFileSync(
    sitePath,
    JSON.stringify({ schemaVersion: 1, name: 'Bench', cameras: mounts.map((mount, index) => ({ id: `cam-${index + 1}`, name: `Camera ${index + 1}`, streams: { main: rtsp.url(mount) } })) }),
  );
  const console_ = await startConsoleProcess(['--site', sitePath, '--data', path.join(dir, 'data'), '--port', '0']);
  const consolePid = console_.child.pid!;
  const lines: string[] = [];
  const print = (line: string) => {
    lines.push(line);
    console.log(line);
  };
  print(`machine: ${machine()}`);
  print(`ffmpeg: ${ffmpeg.source} ${ffmpeg.version}`);
  print(`wall: ${CAMERAS} cameras, 640x360@15 H.264 over RTSP/TCP, tiles ${TILE.width}x${TILE.height}, ${seconds} s per phase`);

  // A. headless consumer
  const consumer = await LiveConsumer.connect(console_.url, console_.token);
  const views = await Promise.all(mounts.map((_, index) => consumer.openView(`cam-${index + 1}`, 'main', TILE.width, TILE.height)));
  await sleep(5000);
  const countsBefore = views.map((viewId) => consumer.frames.get(viewId)?.count ?? 0);
  const cpuBefore = sampleTree(consolePid);
  const nodeBefore = sampleTree(consolePid, (stat) => stat.pid === consolePid);
  await sleep(seconds * 1000);
  const cpuAfter = sampleTree(consolePid);
  const nodeAfter = sampleTree(consolePid, (stat) => stat.pid === consolePid);
  const fpsHeadless = views.map((viewId, index) => ((consumer.frames.get(viewId)?.count ?? 0) - countsBefore[index]!) / seconds);
  const consoleCores = coresBetween(cpuBefore, cpuAfter);
  const nodeCores = coresBetween(nodeBefore, nodeAfter);
  await Promise.all(views.map((viewId) => consumer.closeView(viewId)));
  await consumer.close();

  // baseline: bare ffmpeg, same input, same decode and scale, frames drained
  const bare: ChildProcess[] = mounts.map((mount) =>
    spawn(ffmpeg.path, [
      '-hide_banner', '-loglevel', 'error', '-rtsp_transport', 'tcp', '-i', rtsp.url(mount),
      '-vf', `scale=${TILE.width}:${TILE.height}`, '-pix_fmt', 'yuv420p', '-f', 'rawvideo', 'pipe:1',
    ], { stdio: ['ignore', 'pipe', 'ignore'] }),
  );
  const bareFrames = bare.map(() => 0);
  const frameBytes = TILE.width * TILE.height * 1.5;
  bare.forEach((child, index) => {
    let bytes = 0;
    child.stdout?.on('data', (chunk: Buffer) => {
      bytes += chunk.length;
      bareFrames[index] = Math.floor(bytes / frameBytes);
    });
  });
  await sleep(5000);
  const bareCountsBefore = [...bareFrames];
  const bareBefore = bare.map((child) => sampleTree(child.pid!));
  await sleep(seconds * 1000);
  const bareAfter = bare.map((child) => sampleTree(child.pid!));
  const bareCores = bareBefore.reduce((sum, before, index) => sum + coresBetween(before, bareAfter[index]!), 0);
  const bareFps = bareFrames.map((count, index) => (count - bareCountsBefore[index]!) / seconds);
  bare.forEach((child) => child.kill('SIGKILL'));
  await sleep(3000); // let the console's pulls go cold? no: they linger warm, as in real use

  print('');
  print('A. core → headless consumer of the live socket');
  print(`   frames per tile per second: min ${fmt(Math.min(...fpsHeadless), 1)}, median ${fmt(median(fpsHeadless), 1)} (bare ffmpeg: min ${fmt(Math.min(...bareFps), 1)}, median ${fmt(median(bareFps), 1)})`);
  print(`   CPU, cores: console ${fmt(consoleCores)} (Node ${fmt(nodeCores)}, ffmpeg children ${fmt(consoleCores - nodeCores)}), bare ffmpeg ${fmt(bareCores)}, ratio ${fmt(consoleCores / bareCores)}`);
  print(`   resident memory: console and children ${fmt(cpuAfter.rssBytes / 2 ** 20, 0)} MiB in ${cpuAfter.count} processes`);

  // B. Chromium drawing the 3x3 wall
  const browser = await launchBrowser();
  const page = await browser.newPage({ viewport: { width: 1600, height: 900 } });
  await page.goto(console_.url);
  await page.waitForFunction(() => document.querySelectorAll('[data-testid=tile][data-state=live]').length === 9, undefined, { timeout: 60000 });
  await sleep(8000);
  type Stats = Record<string, { framesDrawn: number }>;
  const drawnBefore = (await page.evaluate(() => (window as WithDiagnostics).consoleDiagnostics?.stats() ?? {})) as Stats;
  const processes = sampleTree(process.pid, (stat) => /chrom/i.test(stat.command));
  const consoleB = sampleTree(consolePid);
  await sleep(seconds * 1000);
  const processesAfter = sampleTree(process.pid, (stat) => /chrom/i.test(stat.command));
  const consoleBAfter = sampleTree(consolePid);
  const drawnAfter = (await page.evaluate(() => (window as WithDiagnostics).consoleDiagnostics?.stats() ?? {})) as Stats;
  const renderer = await page.evaluate(() => (window as WithDiagnostics).consoleDiagnostics?.renderer ?? 'none');
  const drawnFps = Object.keys(drawnAfter)
    .filter((key) => drawnBefore[key])
    .map((key) => (drawnAfter[key]!.framesDrawn - drawnBefore[key]!.framesDrawn) / seconds);
  const browserCores = coresBetween(processes, processesAfter);
  const drawnTotal = drawnFps.reduce((sum, value) => sum + value, 0);
  await browser.close();

  print('');
  print('B. Chromium (3x3 wall, 1600x900 viewport)');
  print(`   WebGL renderer: ${renderer}`);
  print(`   frames drawn per tile per second: min ${fmt(Math.min(...drawnFps), 1)}, median ${fmt(median(drawnFps), 1)} over ${drawnFps.length} tiles`);
  print(`   CPU, cores: browser ${fmt(browserCores)} (${fmt((browserCores * 1000) / Math.max(1, drawnTotal), 1)} ms of CPU per drawn tile-frame), console ${fmt(coresBetween(consoleB, consoleBAfter))}`);

  await console_.stop();
  await rtsp.close();
  fs.mkdirSync(path.join('test-results', 'bench'), { recursive: true });
  fs.writeFileSync(path.join('test-results', 'bench', 'wall.txt'), `${new Date().toISOString()}\n${lines.join('\n')}\n`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
