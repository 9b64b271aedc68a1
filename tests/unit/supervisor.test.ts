import { describe, expect, it } from 'vitest';
import { FfmpegSupervisor, ProcessRegistry, runFfmpegOnce, type RunEnd } from '../../main/core/ffmpeg/supervisor';
import { createLogger, silentLogger } from '../../main/core/log/logger';
import { systemClock } from '../../main/core/util/clock';
import { testFfmpeg } from '../helpers/ffmpeg';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function waitForEnd(): { promise: Promise<RunEnd>; resolve: (end: RunEnd) => void } {
  let resolve!: (end: RunEnd) => void;
  const promise = new Promise<RunEnd>((done) => (resolve = done));
  return { promise, resolve };
}

// Against real ffmpeg: the one class that owns every ffmpeg child.
describe('FfmpegSupervisor', () => {
  it('runs ffmpeg once and returns its output', async () => {
    const ffmpeg = await testFfmpeg();
    const result = await runFfmpegOnce({ binary: ffmpeg.path, clock: systemClock, log: silentLogger }, 'version', ['-hide_banner', '-version']);
    expect(result.code).toBe(0);
    expect(result.stdout.toString()).toMatch(/^ffmpeg version /);
  });

  it('kills a child that produces nothing within the start-up timeout', async () => {
    const ffmpeg = await testFfmpeg();
    const registry = new ProcessRegistry();
    const ended = waitForEnd();
    let pid = 0;
    const supervisor = new FfmpegSupervisor(
      // waits for MPEG-TS on stdin that never comes
      { name: 'silent', args: () => ['-hide_banner', '-f', 'mpegts', '-i', 'pipe:0', '-f', 'null', '-'], stdin: true, startupTimeoutMs: 400, restart: null },
      { onStart: (info) => (pid = info.pid), onEnd: (end) => ended.resolve(end) },
      { binary: ffmpeg.path, clock: systemClock, log: silentLogger, registry },
    );
    const started = Date.now();
    supervisor.start();
    const end = await ended.promise;
    expect(end.reason).toBe('startupTimeout');
    expect(Date.now() - started).toBeLessThan(3000);
    expect(alive(pid)).toBe(false);
    expect(registry.size).toBe(0);
  });

  it('kills a child whose output stalls', async () => {
    const ffmpeg = await testFfmpeg();
    const ended = waitForEnd();
    const supervisor = new FfmpegSupervisor(
      {
        name: 'stalling',
        // raw frames for ~1 s, then the input (stdin) stops: ffmpeg is alive but silent
        args: () => ['-hide_banner', '-loglevel', 'error', '-f', 'rawvideo', '-pix_fmt', 'gray', '-s', '16x16', '-r', '10', '-i', 'pipe:0', '-f', 'rawvideo', 'pipe:1'],
        stdin: true,
        stallTimeoutMs: 500,
        restart: null,
      },
      { onEnd: (end) => ended.resolve(end) },
      { binary: ffmpeg.path, clock: systemClock, log: silentLogger },
    );
    supervisor.start();
    const frame = Buffer.alloc(256, 128);
    for (let index = 0; index < 20; index++) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      supervisor.write(frame);
    }
    const end = await ended.promise;
    expect(end.reason).toBe('stalled');
    expect(end.gotData).toBe(true);
  });

  it('restarts with back-off after each failure and attaches the stderr tail', async () => {
    const ffmpeg = await testFfmpeg();
    const ends: { end: RunEnd; restartInMs: number | null; atMs: number }[] = [];
    const supervisor = new FfmpegSupervisor(
      { name: 'failing', args: () => ['-hide_banner', '-i', '/nonexistent/input.ts'], restart: { delaysMs: [100, 200, 400], resetAfterMs: 10000 } },
      { onEnd: (end, restartInMs) => ends.push({ end, restartInMs, atMs: Date.now() }) },
      { binary: ffmpeg.path, clock: systemClock, log: silentLogger },
    );
    supervisor.start();
    await new Promise((resolve) => setTimeout(resolve, 2500));
    await supervisor.stop();
    expect(ends.length).toBeGreaterThanOrEqual(4);
    expect(ends.slice(0, 4).map((entry) => entry.restartInMs)).toEqual([100, 200, 400, 400]);
    expect(ends[0]?.end.stderrTail).toContain('No such file or directory');
    for (let index = 1; index < 4; index++) {
      const gap = ends[index]!.atMs - ends[index - 1]!.atMs;
      expect(gap).toBeGreaterThanOrEqual(ends[index - 1]!.restartInMs! - 20);
    }
  });

  it('keeps only a bounded tail of stderr', async () => {
    const ffmpeg = await testFfmpeg();
    const ended = waitForEnd();
    const supervisor = new FfmpegSupervisor(
      // -loglevel debug on a short encode prints far more than 2 KB
      { name: 'chatty', args: () => ['-hide_banner', '-loglevel', 'debug', '-f', 'lavfi', '-i', 'testsrc=size=64x64:rate=5', '-t', '1', '-f', 'null', '-'], restart: null, stderrTailBytes: 2048 },
      { onEnd: (end) => ended.resolve(end) },
      { binary: ffmpeg.path, clock: systemClock, log: silentLogger },
    );
    supervisor.start();
    const end = await ended.promise;
    expect(end.code).toBe(0);
    expect(end.stderrTail.length).toBeLessThanOrEqual(2048);
    expect(end.stderrTail.length).toBeGreaterThan(1000);
  });

  it('reaps its child on stop, and never logs a password from the arguments', async () => {
    const ffmpeg = await testFfmpeg();
    const lines: string[] = [];
    const log = createLogger({ level: 'debug', console: { write: (line) => lines.push(line) } });
    const registry = new ProcessRegistry();
    let pid = 0;
    const supervisor = new FfmpegSupervisor(
      {
        name: 'endless',
        args: () => ['-hide_banner', '-re', '-f', 'lavfi', '-i', 'testsrc=size=32x32:rate=5', '-metadata', 'title=rtsp://admin:hunter2@10.0.0.9/ch1', '-f', 'null', '-'],
        restart: { delaysMs: [100], resetAfterMs: 1000 },
      },
      { onStart: (info) => (pid = info.pid) },
      { binary: ffmpeg.path, clock: systemClock, log, registry },
    );
    supervisor.start();
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(alive(pid)).toBe(true);
    await supervisor.stop();
    expect(alive(pid)).toBe(false);
    expect(registry.size).toBe(0);
    expect(lines.join('')).not.toContain('hunter2');
    expect(lines.join('')).toContain('rtsp://***@10.0.0.9');
  });
});
