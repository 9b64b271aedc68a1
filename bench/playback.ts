/**
 * npm run bench:playback — playback of real recordings (the recorder's own MPEG-TS segments of
 * 16 test cameras, 640x360@15 H.264, GOP 1 s, 10 s segments, recorded once and kept under
 * test-results/cache). Prints, in one run:
 *   1. seek latency: a seek asked on the contract → the requested frame received by a headless
 *      page on the live socket (p50, p95 over random targets), next to a cold `ffmpeg -ss` of the
 *      same segment to its first decoded frame (the same targets);
 *   2. 16 cameras in synchronized playback at 1× and 4×: frames the core delivers per tile per
 *      second to a headless consumer, against the recorded frame rate × speed; CPU of the console;
 *   3. drawing in Chromium (software GL here): the playback page with a 2x2 wall at 1×, frames
 *      drawn per tile per second and the browser's CPU per drawn frame.
 *   0. seek per encoder setting (the time-stamped camera's matrix, TIMECODE_ENCODERS: x264 sliced
 *      zerolatency, x264 with B-frames, parameter sets only in the SDP, a 5-s GOP, H.265;
 *      tests/integration/encoderFixture.ts)
 *      with each ffmpeg build here (bundled 4.1, system 5.1): the playback decoder (DecodeRun,
 *      fed as the session feeds it) from the seek to the target's frame out of the decoder, p50
 *      and p95, as a ratio to a cold `ffmpeg -ss` of the same segment and build; retried
 *      decoders, and frames that were not the newest at or before the target (read from the
 *      burned-in send time).
 * Figures only; nothing is asserted. Results also go to test-results/bench/playback.txt.
 *
 * Usage: npm run bench:playback -- [seconds=20] [--chromium (phase 3 only)] [--encoders (phase 0 only)]
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { formatDateTime } from '../common/time';
import { scanSegment } from '../main/core/playback/segmentScan';
import { RecordingIndex, type SegmentRow } from '../main/core/recording/recordingIndex';
import { h264Clip, testFfmpeg } from '../tests/helpers/ffmpeg';
import { RtspTestServer } from '../tests/helpers/rtspServer';
import { startConsoleProcess } from '../tests/helpers/consoleProcess';
import { LiveConsumer } from '../tests/helpers/liveConsumer';
import { cacheDir, outputPath, tempDir } from '../tests/helpers/paths';
import { launchBrowser } from '../tests/helpers/browser';
import type { WithDiagnostics } from '../common/diagnostics';
import { coresBetween, machine, median, sampleTree } from './proc';
import { FRAME_HEADER_BYTES } from '../common/liveProtocol';
import { readTimecode } from '../common/timecode';
import { silentLogger } from '../main/core/log/logger';
import { DecodeRun } from '../main/core/playback/decodeRun';
import { keyframeBefore } from '../main/core/playback/segmentScan';
import { systemClock } from '../main/core/util/clock';
import { TIMECODE_ENCODERS } from '../tests/helpers/rtspServer';
import { burnedTimes, encoderRecordings, ffmpegBuilds, indexTimes, segmentFile } from '../tests/integration/encoderFixture';

const seconds = Number(process.argv.slice(2).find((arg) => !arg.startsWith('--')) ?? 20);
/** `--chromium`: only the drawing phase (3). */
const chromiumOnly = process.argv.includes('--chromium');
/** `--encoders`: only the per-encoder decoder phase (0). */
const encodersOnly = process.argv.includes('--encoders');
const CAMERAS = 16;
const RECORD_S = 75;
const TILE = { width: 320, height: 180 };
const SEEKS = 30;
const CACHE = path.join(cacheDir, 'playback-bench-v1');

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const fmt = (value: number, digits = 1) => (Number.isFinite(value) ? value.toFixed(digits) : 'n/a');
function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? NaN;
}

function siteOf(urls: string[], recording: boolean): string {
  return JSON.stringify({
    schemaVersion: 1,
    name: 'Bench playback',
    recording: { segmentSeconds: 10, minFreeGb: 0.05 },
    cameras: urls.map((url, index) => ({ id: `cam-${index + 1}`, name: `Camera ${index + 1}`, streams: { main: url }, ...(recording ? {} : { recording: { stream: 'off' } }) })),
  });
}

/** 16 cameras recorded by the console itself for RECORD_S seconds (once; kept in the cache). */
async function recordings(): Promise<void> {
  if (fs.existsSync(path.join(CACHE, 'done'))) return;
  const clip = await h264Clip({ width: 640, height: 360, fps: 15, seconds: 4, gopFrames: 15 });
  const mounts = Array.from({ length: CAMERAS }, (_, index) => `/cam${index + 1}`);
  const rtsp = await RtspTestServer.start(mounts.map((mount) => ({ path: mount, clip })));
  const dir = tempDir('bench-pb-record');
  fs.writeFileSync(path.join(dir, 'site.json'), siteOf(mounts.map((mount) => rtsp.url(mount)), true));
  console.log(`recording ${CAMERAS} cameras for ${RECORD_S} s (once)…`);
  const recorder = await startConsoleProcess(['--site', path.join(dir, 'site.json'), '--data', path.join(dir, 'data'), '--port', '0']);
  await sleep(RECORD_S * 1000);
  await recorder.stop();
  await rtsp.close();
  fs.rmSync(CACHE, { recursive: true, force: true });
  fs.cpSync(path.join(dir, 'data'), CACHE, { recursive: true });
  fs.writeFileSync(path.join(CACHE, 'done'), '');
  fs.rmSync(dir, { recursive: true, force: true });
}

/** Cold `ffmpeg -ss` on a segment: ms from spawn to its first decoded frame at the tile's size. */
function coldSeek(binary: string, file: string, offsetS: number): Promise<number> {
  return new Promise((resolve) => {
    const frameBytes = TILE.width * TILE.height * 1.5;
    const startedAt = performance.now();
    const child = spawn(binary, ['-hide_banner', '-loglevel', 'error', '-ss', offsetS.toFixed(3), '-i', file, '-map', '0:v:0', '-frames:v', '1', '-vf', `scale=${TILE.width}:${TILE.height}`, '-pix_fmt', 'yuv420p', '-f', 'rawvideo', 'pipe:1'], { stdio: ['ignore', 'pipe', 'ignore'] });
    let bytes = 0;
    let done = false;
    child.stdout.on('data', (chunk: Buffer) => {
      bytes += chunk.length;
      if (!done && bytes >= frameBytes) {
        done = true;
        resolve(performance.now() - startedAt);
      }
    });
    child.once('exit', () => {
      if (!done) resolve(NaN);
    });
  });
}

/** Phase 0: the playback decoder's seek per encoder setting and ffmpeg build. */
async function encoderSeeks(print: (line: string) => void): Promise<void> {
  const recorded = await encoderRecordings();
  try {
    const builds = await ffmpegBuilds();
    print(`0. seek per encoder setting: the playback decoder from a seek to the target's frame (${SEEKS} random targets in a 10-15 s segment, 640x360@15, GOP 1 s, x264-longgop 5 s, tile ${TILE.width}x${TILE.height}); baseline: cold ffmpeg -ss of the same segment and build to its first frame`);
    for (const build of builds) {
      for (const encoder of TIMECODE_ENCODERS) {
        const segment = recorded.segments.find((candidate) => candidate.cameraId === encoder && candidate.endMs - candidate.startMs > 5000);
        if (!segment) {
          print(`   ${build.label} ${build.info.version} ${encoder}: no recording`);
          continue;
        }
        const file = segmentFile(recorded, segment);
        const scan = scanSegment(fs.readFileSync(file))!;
        const codes = await burnedTimes(builds.at(-1)!.info, file);
        const times = indexTimes(file, segment.startMs);
        const ours: number[] = [];
        const cold: number[] = [];
        let retried = 0;
        let wrong = 0;
        let failed = 0;
        for (let n = 0; n < SEEKS; n++) {
          const target = segment.startMs + 200 + Math.random() * (segment.endMs - segment.startMs - 400);
          const from = keyframeBefore(scan, target - segment.startMs);
          const plan = Array.from({ length: scan.frames.length - from }, (_, k) => from + k);
          const asked = performance.now();
          const result = await new Promise<{ atMs: number; code: number | null; attempt: number; failed: boolean }>((resolve) => {
            let shown: { code: number } | null = null;
            let settled = false;
            const settle = (run: DecodeRun): void => {
              if (settled) return;
              settled = true;
              resolve({ atMs: performance.now() - asked, code: shown?.code ?? null, attempt: run.attempt, failed: run.failed });
            };
            new DecodeRun(file, segment.startMs, scan, plan, TILE.width, TILE.height, build.info, { clock: systemClock, log: silentLogger }, (run, wallMs, frame) => {
              if (wallMs <= target + 0.5) shown = { code: readTimecode(frame.subarray(FRAME_HEADER_BYTES), TILE.width, TILE.height) };
              // the target's frame is known once the plan's next frame is later than the target
              if (wallMs > target + 0.5 || (run.plannedAfter(wallMs) ?? Infinity) > target + 0.5) {
                settle(run);
                void run.stop();
              } else run.feed(1);
            }, settle);
          });
          ours.push(result.atMs);
          if (result.attempt > 0) retried += 1;
          if (result.failed || result.code === null) failed += 1;
          else if (result.code !== codes[times.filter((wallMs) => wallMs <= target + 0.5).length - 1]) wrong += 1;
          cold.push(await coldSeek(build.info.path, file, (target - segment.startMs) / 1000));
        }
        const coldOk = cold.filter((value) => Number.isFinite(value));
        const p50 = percentile(ours, 50);
        const coldP50 = percentile(coldOk, 50);
        print(`   ffmpeg ${build.label} ${build.info.version}, ${encoder.padEnd(12)}: p50 ${fmt(p50, 0)} ms, p95 ${fmt(percentile(ours, 95), 0)} ms; cold -ss p50 ${fmt(coldP50, 0)} ms (ratio ${fmt(p50 / coldP50, 2)}); retried ${retried}, failed ${failed}, wrong frame ${wrong} of ${SEEKS}`);
      }
    }
  } finally {
    recorded.remove();
  }
}

async function main(): Promise<void> {
  if (encodersOnly) {
    const lines: string[] = [];
    try {
      await encoderSeeks((line) => {
        lines.push(line);
        console.log(line);
      });
    } finally {
      fs.writeFileSync(outputPath('bench', 'playback-encoders.txt'), `${lines.join('\n')}\n`);
    }
    return;
  }
  const ffmpeg = await testFfmpeg();
  await recordings();
  const work = tempDir('bench-pb');
  const dataDir = path.join(work, 'data');
  fs.cpSync(CACHE, dataDir, { recursive: true });
  const sitePath = path.join(work, 'site.json');
  fs.writeFileSync(sitePath, siteOf(Array.from({ length: CAMERAS }, (_, index) => `rtsp://127.0.0.1:9/cam${index + 1}`), false));
  const index = new RecordingIndex(path.join(dataDir, 'recordings.sqlite'));
  const segments = index.allSegments();
  index.close();
  const lines: string[] = [];
  const print = (line: string) => {
    lines.push(line);
    console.log(line);
  };
  const console_ = await startConsoleProcess(['--site', sitePath, '--data', dataDir, '--port', '0']);
  try {
    const consolePid = console_.child.pid!;
    const byCamera = (cameraId: string): SegmentRow[] => segments.filter((segment) => segment.cameraId === cameraId);
    const startMs = Math.max(...Array.from({ length: CAMERAS }, (_, i) => byCamera(`cam-${i + 1}`)[0]!.startMs));
    const endMs = Math.min(...Array.from({ length: CAMERAS }, (_, i) => byCamera(`cam-${i + 1}`).at(-1)!.endMs));
    const fileOf = (segment: SegmentRow) => path.join(dataDir, 'recordings', ...segment.path.split('/'));
    const recordedFps = (() => {
      const scan = scanSegment(fs.readFileSync(fileOf(byCamera('cam-1')[1]!)))!;
      return 1000 / scan.frameIntervalMs;
    })();
    print(`machine: ${machine()}`);
    print(`ffmpeg: ${ffmpeg.source} ${ffmpeg.version}`);
    print(`recordings: ${CAMERAS} cameras, 640x360 H.264 at ${fmt(recordedFps)} fps, GOP 1 s, ${segments.length} segments of ~10 s, ${fmt((endMs - startMs) / 1000, 0)} s in common; tiles ${TILE.width}x${TILE.height}`);

    if (!chromiumOnly) {
      print('');
      await encoderSeeks(print);
      print('');
      // ---- 1. seek latency -----------------------------------------------------------------------
      const consumer = await LiveConsumer.connect(console_.url, console_.token);
      const opened = await consumer.call('openPlayback', { liveClientId: consumer.liveClientId, tiles: [{ cameraId: 'cam-1', ...{ widthPx: TILE.width, heightPx: TILE.height } }], atMs: startMs + 1000 });
      if (!opened.ok) throw new Error(opened.error.message);
      const session = opened.value.sessionId;
      const viewId = opened.value.tiles[0]!.viewId;
      let lastFrame: { frameMs: number; atMs: number } | null = null;
      consumer.onFrame((header) => {
        if (header.viewId === viewId) lastFrame = { frameMs: header.decodedAtMs, atMs: performance.now() };
      });
      await sleep(1500);
      const ours: number[] = [];
      let wrong = 0;
      const cold: number[] = [];
      const cam1 = byCamera('cam-1');
      for (let n = 0; n < SEEKS; n++) {
        const target = Math.round(startMs + 2000 + Math.random() * (endMs - startMs - 4000));
        const asked = performance.now();
        lastFrame = null;
        await consumer.call('controlPlayback', { sessionId: session, control: { action: 'seek', atMs: target } });
        await consumer.waitFor(() => lastFrame !== null, 10000, 'the seek frame');
        ours.push(lastFrame!.atMs - asked);
        // the frame received is the one of the target: not later, and less than a frame before
        if (lastFrame!.frameMs > target || target - lastFrame!.frameMs > 1000 / recordedFps + 1) wrong += 1;
        const segment = cam1.find((entry) => entry.startMs <= target && target < entry.endMs)!;
        cold.push(await coldSeek(ffmpeg.path, fileOf(segment), (target - segment.startMs) / 1000));
        await sleep(200);
      }
      await consumer.call('closePlayback', { sessionId: session });
      print('');
      print(`1. seek latency over ${SEEKS} random targets (a seek on the contract → the frame of that time on the live socket)`);
      print(`   console: p50 ${fmt(percentile(ours, 50), 0)} ms, p95 ${fmt(percentile(ours, 95), 0)} ms   (goal p50 ≤ 300 ms)`);
      const coldOk = cold.filter((value) => Number.isFinite(value));
      print(`   cold ffmpeg -ss on the same segment, to its first frame: p50 ${fmt(percentile(coldOk, 50), 0)} ms, p95 ${fmt(percentile(coldOk, 95), 0)} ms (${cold.length - coldOk.length} gave no frame)`);
      print(`   frames shown after a seek that were not the newest frame at or before the target: ${wrong}`);

      // ---- 2. 16 cameras synchronized at 1x and 4x ------------------------------------------------
      print('');
      print(`2. ${CAMERAS} cameras in synchronized playback, ${TILE.width}x${TILE.height} tiles, headless consumer`);
      for (const speed of [1, 4] as const) {
        const playFor = speed === 1 ? seconds : Math.min(seconds, Math.floor((endMs - startMs - 6000) / 4000));
        const wall = await consumer.call('openPlayback', {
          liveClientId: consumer.liveClientId,
          tiles: Array.from({ length: CAMERAS }, (_, i) => ({ cameraId: `cam-${i + 1}`, widthPx: TILE.width, heightPx: TILE.height })),
          atMs: startMs + 1000,
          speed,
        });
        if (!wall.ok) throw new Error(wall.error.message);
        const views = wall.value.tiles.map((tile) => tile.viewId);
        await consumer.waitFor(() => views.every((id) => (consumer.frames.get(id)?.count ?? 0) > 0), 30000, 'a frame on every tile');
        await consumer.call('controlPlayback', { sessionId: wall.value.sessionId, control: { action: 'play' } });
        await sleep(1500);
        const before = views.map((id) => consumer.frames.get(id)!.count);
        const cpuBefore = sampleTree(consolePid);
        await sleep(playFor * 1000);
        const after = views.map((id) => consumer.frames.get(id)!.count);
        const cpuAfter = sampleTree(consolePid);
        const elapsed = (cpuAfter.atMs - cpuBefore.atMs) / 1000;
        const rates = after.map((count, i) => (count - before[i]!) / elapsed);
        const state = await consumer.call('getPlaybackState', { sessionId: wall.value.sessionId });
        await consumer.call('closePlayback', { sessionId: wall.value.sessionId });
        print(`   ${speed}×: frames per tile per second min ${fmt(Math.min(...rates))}, median ${fmt(median(rates))}, max ${fmt(Math.max(...rates))} (recorded ${fmt(recordedFps)} fps × ${speed} = ${fmt(recordedFps * speed)}${speed >= 8 ? ', keyframes only' : ''}); console ${fmt(coresBetween(cpuBefore, cpuAfter), 2)} cores over ${fmt(elapsed, 0)} s; tiles ${state.ok ? state.value.tiles.map((tile) => tile.state).filter((value) => value === 'playing').length : '?'}/${CAMERAS} playing`);
      }
      await consumer.close();
    }

    // ---- 3. Chromium 2x2 ----------------------------------------------------------------------
    print('');
    const browser = await launchBrowser();
    try {
      const context = await browser.newContext({ viewport: { width: 1600, height: 900 } });
      const page = await context.newPage();
      await page.goto(console_.url);
      await page.click('[data-page="playback"]');
      await page.click('[data-testid=pb-layout-4]');
      await page.fill('[data-testid=pb-goto]', formatDateTime(startMs + 2000, 'Asia/Ho_Chi_Minh'));
      await page.click('[data-testid=pb-goto-button]');
      try {
        await page.waitForFunction(() => document.querySelectorAll('[data-testid=pb-tile][data-state=playing]').length >= 4, undefined, { timeout: 60000 });
      } catch (error) {
        await page.screenshot({ path: outputPath('bench', 'playback-chromium-timeout.png') });
        const states = await page.evaluate(() => Array.from(document.querySelectorAll('[data-testid=pb-tile]')).map((tile) => tile.getAttribute('data-state')));
        throw new Error(`the 2x2 wall did not play: tiles ${JSON.stringify(states)} (screenshot test-results/bench/playback-chromium-timeout.png)`, { cause: error });
      }
      await page.click('[data-testid=pb-play]');
      await sleep(2000);
      type Stats = Record<string, { framesDrawn: number }>;
      const stats = () => page.evaluate(() => (window as WithDiagnostics).consoleDiagnostics?.stats() ?? {}) as Promise<Stats>;
      const drawSeconds = Math.min(seconds, Math.floor((endMs - startMs) / 1000) - 6);
      const before = await stats();
      const browserBefore = sampleTree(process.pid, (stat) => /chrom/i.test(stat.command));
      const consoleBefore = sampleTree(consolePid);
      await sleep(drawSeconds * 1000);
      const after = await stats();
      const tileFrames = () => page.evaluate(() => Array.from(document.querySelectorAll('[data-testid=pb-tile]')).map((tile) => Number(tile.getAttribute('data-frame-ms'))));
      print(`   (diagnostics: playing=${await page.getAttribute('[data-testid=pb-play]', 'data-playing')}, tile clocks ${JSON.stringify(await tileFrames())}, views before ${JSON.stringify(before)}, after ${JSON.stringify(after)})`);
      const browserAfter = sampleTree(process.pid, (stat) => /chrom/i.test(stat.command));
      const consoleAfter = sampleTree(consolePid);
      const elapsed = (browserAfter.atMs - browserBefore.atMs) / 1000;
      const fps = Object.keys(after)
        .filter((key) => before[key])
        .map((key) => (after[key]!.framesDrawn - before[key]!.framesDrawn) / elapsed)
        .sort((a, b) => b - a)
        .slice(0, 4);
      const browserCores = coresBetween(browserBefore, browserAfter);
      const drawn = fps.reduce((sum, value) => sum + value, 0);
      const renderer = await page.evaluate(() => (window as WithDiagnostics).consoleDiagnostics?.renderer ?? 'no WebGL');
      print(`3. Chromium playback page, 2x2 wall at 1× (${renderer})`);
      print(`   frames drawn per tile per second min ${fmt(Math.min(...fps))}, median ${fmt(median(fps))} (recorded ${fmt(recordedFps)}); browser ${fmt(browserCores, 2)} cores, ${fmt((browserCores * 1000) / Math.max(1, drawn))} ms of CPU per drawn tile-frame; console ${fmt(coresBetween(consoleBefore, consoleAfter), 2)} cores`);
    } finally {
      await browser.close();
    }
  } finally {
    await console_.stop();
    fs.writeFileSync(outputPath('bench', 'playback.txt'), `${lines.join('\n')}\n`);
    fs.rmSync(work, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
