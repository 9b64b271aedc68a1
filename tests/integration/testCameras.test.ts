import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readTimecode, timecodeLatencyMs } from '../../common/timecode';
import { h264Clip, testFfmpeg } from '../helpers/ffmpeg';
import { RtspTestServer } from '../helpers/rtspServer';

// The test cameras are what the reliability tests and the benchmarks say they are, checked with
// bare ffmpeg (not the console).
describe('test cameras of the RTSP test server', () => {
  let rtsp: RtspTestServer;

  beforeAll(async () => {
    rtsp = await RtspTestServer.start([{ path: '/timecode', kind: 'timecode', width: 640, height: 360, fps: 15 }]);
  });

  afterAll(async () => {
    await rtsp?.close();
  });

  it('timecode: frames decoded by ffmpeg carry their send time (common/timecode.ts), a sane latency', async () => {
    const ffmpeg = await testFfmpeg();
    const width = 320;
    const height = 180;
    const frameBytes = width * height * 1.5;
    const child = spawn(ffmpeg.path, [
      '-hide_banner', '-loglevel', 'error', '-rtsp_transport', 'tcp', '-fflags', '+nobuffer', '-flags', 'low_delay',
      '-i', rtsp.url('/timecode'), '-vf', `scale=${width}:${height}`, '-pix_fmt', 'yuv420p', '-f', 'rawvideo', 'pipe:1',
    ], { stdio: ['ignore', 'pipe', 'ignore'] });
    const samples: { code: number; latencyMs: number }[] = [];
    let pending = Buffer.alloc(0);
    child.stdout.on('data', (chunk: Buffer) => {
      pending = Buffer.concat([pending, chunk]);
      while (pending.length >= frameBytes) {
        const code = readTimecode(pending.subarray(0, frameBytes), width, height);
        samples.push({ code, latencyMs: timecodeLatencyMs(code, Date.now()) });
        pending = pending.subarray(frameBytes);
      }
    });
    try {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`only ${samples.length} frames`)), 20000);
        const poll = setInterval(() => {
          if (samples.length < 45) return;
          clearInterval(poll);
          clearTimeout(timer);
          resolve();
        }, 100);
      });
    } finally {
      child.kill('SIGKILL');
    }
    const steady = samples.slice(15).map((sample) => sample.latencyMs).sort((a, b) => a - b);
    const median = steady[Math.floor(steady.length / 2)]!;
    console.log(`timecode camera through bare ffmpeg: median ${median} ms, range ${steady[0]}-${steady.at(-1)} ms`);
    expect(median).toBeGreaterThan(0);
    expect(median).toBeLessThan(1000);
    // one frame every 1/15 s: consecutive codes about 67 ms apart
    const steps = samples.slice(16).map((sample, index) => sample.code - samples[15 + index]!.code).sort((a, b) => a - b);
    expect(steps[Math.floor(steps.length / 2)]!).toBeGreaterThan(40);
    expect(steps[Math.floor(steps.length / 2)]!).toBeLessThan(100);
  });

  it('a long-GOP clip has exactly one keyframe every 12 s', async () => {
    const clip = fs.readFileSync(await h264Clip({ width: 320, height: 180, fps: 15, seconds: 12, gopFrames: 180 }));
    // access units (each begins with a delimiter, NAL type 9) holding IDR slices (type 5)
    let accessUnits = 0;
    const keyframes = new Set<number>();
    for (let index = clip.indexOf(Buffer.from([0, 0, 1])); index !== -1; index = clip.indexOf(Buffer.from([0, 0, 1]), index + 3)) {
      const type = (clip[index + 3] ?? 0) & 0x1f;
      if (type === 9) accessUnits += 1;
      if (type === 5) keyframes.add(accessUnits);
    }
    expect(accessUnits).toBe(180);
    expect([...keyframes]).toEqual([1]);
  });
});
