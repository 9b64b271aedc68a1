import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  classifyPullFailure,
  InputInfoParser,
  parseHasEncoder,
  parseHasFilter,
  parseHasFpsMode,
  parseRtspTimeoutOption,
  parseVersionOutput,
} from '../../main/core/ffmpeg/probeParse';
import { runFfmpegOnce } from '../../main/core/ffmpeg/supervisor';
import { testPictureProblem } from '../../main/core/devices/devices';
import { listFfmpegCandidates } from '../../main/core/ffmpeg/resolve';
import { deps, tsClip } from '../helpers/ffmpeg';

/** Every ffmpeg on this machine: @ffmpeg-installer's 4.1 and Debian's 5.1 here. */
const binaries = [...new Set(listFfmpegCandidates().filter((candidate) => candidate.usable).map((candidate) => candidate.path!))];

async function output(binary: string, args: string[]): Promise<string> {
  const result = await runFfmpegOnce({ binary, ...deps }, 'probe', ['-hide_banner', ...args]);
  return result.stdout.toString() + result.stderrTail;
}

describe.each(binaries)('parsing the real output of %s', (binary) => {
  it('reads the version and libavformat major', async () => {
    const version = parseVersionOutput(await output(binary, ['-version']));
    expect(version?.version).toBeTruthy();
    expect(version?.libavformatMajor).toBeGreaterThanOrEqual(58);
  });

  it('picks the RTSP timeout option and the fps-mode option of that version', async () => {
    const lavf = parseVersionOutput(await output(binary, ['-version']))!.libavformatMajor!;
    const timeout = parseRtspTimeoutOption(await output(binary, ['-h', 'demuxer=rtsp']));
    const fpsMode = parseHasFpsMode(await output(binary, ['-h', 'long']));
    if (lavf <= 58) {
      // ffmpeg 4.x: -timeout there would make ffmpeg *listen* as an RTSP server
      expect(timeout).toBe('stimeout');
      expect(fpsMode).toBe(false);
    } else {
      expect(timeout).toBe('timeout');
      expect(fpsMode).toBe(true);
    }
  });

  it('sees drawtext and libx264', async () => {
    expect(parseHasFilter(await output(binary, ['-filters']), 'drawtext')).toBe(true);
    expect(parseHasFilter(await output(binary, ['-filters']), 'nosuchfilter')).toBe(false);
    expect(parseHasEncoder(await output(binary, ['-encoders']), 'libx264')).toBe(true);
  });

  it('reads the input video stream from the banner, not the output one', async () => {
    const clip = await tsClip({ width: 160, height: 90, fps: 15, seconds: 3, gopFrames: 15 });
    const result = await runFfmpegOnce({ binary, ...deps }, 'banner', ['-hide_banner', '-i', clip, '-t', '0.2', '-vf', 'scale=64:36', '-f', 'rawvideo', '-pix_fmt', 'gray', '-y', '/dev/null']);
    const parser = new InputInfoParser();
    const found = result.stderrTail.split('\n').map((line) => parser.pushLine(line)).filter((info) => info !== null);
    expect(found).toEqual([{ codec: 'h264', widthPx: 160, heightPx: 90, fps: 15 }]);
  });

  it('classifies a refused connection as unreachable', async () => {
    const result = await runFfmpegOnce({ binary, ...deps }, 'refused', ['-hide_banner', '-rtsp_transport', 'tcp', '-i', 'rtsp://127.0.0.1:9/none', '-f', 'null', '-'], { timeoutMs: 10000 });
    expect(result.code).not.toBe(0);
    expect(classifyPullFailure(result.stderrTail, 'exited', false)).toBe('unreachable');
  });
});

describe('failure classification', () => {
  it('recognises authentication and missing paths', () => {
    expect(classifyPullFailure('[rtsp @ 0x1] method DESCRIBE failed: 401 Unauthorized\n', 'exited', false)).toBe('authFailed');
    expect(classifyPullFailure('[rtsp @ 0x1] method DESCRIBE failed: 404 Not Found\n', 'exited', false)).toBe('notFound');
    expect(classifyPullFailure('', 'stalled', true)).toBe('noData');
    expect(classifyPullFailure('', 'exited', true)).toBe('ended');
    expect(classifyPullFailure('pipe:0: Invalid data found when processing input\n', 'exited', false)).toBe('badStream');
  });

  it('reads a test picture failure the same way, not fooled by a 401 inside a port number', () => {
    // the CI flake: the RTSP test server listened on port 40157 and a missing path read as "wrong password"
    const missingOnPort401xx = '[rtsp @ 0x55] method DESCRIBE failed: 404 Not Found\nrtsp://127.0.0.1:40157/nope: Server returned 404 Not Found\n';
    expect(testPictureProblem(missingOnPort401xx, 'exited')).toBe('noMedia');
    expect(testPictureProblem('[rtsp @ 0x1] method DESCRIBE failed: 401 Unauthorized\n', 'exited')).toBe('authFailed');
    expect(testPictureProblem('rtsp://10.0.0.9:40100/x: Connection refused\n', 'exited')).toBe('unreachable');
    expect(testPictureProblem('', 'stopped')).toBe('unreachable');
    expect(testPictureProblem('pipe:0: Invalid data found when processing input\n', 'exited')).toBe('noPicture');
  });

  it('has found at least one ffmpeg to test against', () => {
    expect(binaries.length).toBeGreaterThan(0);
    for (const binary of binaries) expect(fs.existsSync(binary)).toBe(true);
  });
});
