import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Camera } from '../../common/site';
import { createLogger } from '../../main/core/log/logger';
import { nalUnits } from '../../main/core/media/parameterSets';
import { describeStream, RtspError } from '../../main/core/media/rtspClient';
import { CameraStreamSource, DEFAULT_SOURCE_OPTIONS } from '../../main/core/media/source';
import { scanSegment } from '../../main/core/playback/segmentScan';
import { systemClock } from '../../main/core/util/clock';
import { RtspTestServer } from '../helpers/rtspServer';
import { ffmpegBuilds } from './encoderFixture';

const PASSWORD = 'Khe@2026';

// The pull's codec, asked of the camera before the pull starts (issue 20: the pull takes the
// camera's delimiters out by codec so that ffmpeg's muxer writes the parameter sets).
describe("the camera's codec before the pull: our own DESCRIBE", () => {
  let rtsp: RtspTestServer;
  beforeAll(async () => {
    rtsp = await RtspTestServer.start(
      [
        { path: '/h264', kind: 'timecode', width: 320, height: 180, fps: 15, encoder: 'x264-once' },
        { path: '/h265', kind: 'timecode', width: 320, height: 180, fps: 15, encoder: 'h265' },
      ],
      { auth: { username: 'admin', password: PASSWORD } },
    );
  });
  afterAll(async () => {
    await rtsp?.close();
  });

  it('H.264 and H.265 cameras behind digest auth say their codec; no session is made; a wrong password, a closed port and a silent server are told apart', async () => {
    expect((await describeStream(rtsp.urlWithCredentials('/h264'), 3000)).videoCodec).toBe('h264');
    const h265 = await describeStream(rtsp.urlWithCredentials('/h265'), 3000);
    expect(h265.videoCodec).toBe('hevc');
    expect(h265.sdp).toMatch(/a=rtpmap:\d+ H265\/90000/);
    // DESCRIBE only: the camera counts no SETUP (its session limit untouched)
    const setups = await rtsp.sessions();
    expect(setups['/h264'] ?? 0).toBe(0);
    expect(setups['/h265'] ?? 0).toBe(0);

    const refused = await describeStream(rtsp.urlWithCredentials('/h264', 'sai'), 3000).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(RtspError);
    expect((refused as RtspError).problem).toBe('authFailed');
    const closed = await describeStream('rtsp://127.0.0.1:1/x', 3000).catch((error: unknown) => error);
    expect((closed as RtspError).problem).toBe('unreachable');
    // a server that accepts and never answers: given up at the deadline, its socket closed
    let closedByUs = 0;
    const silent = net.createServer((socket) => {
      socket.resume();
      socket.on('close', () => (closedByUs += 1));
    });
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const started = Date.now();
    const hung = await describeStream(`rtsp://127.0.0.1:${(silent.address() as net.AddressInfo).port}/x`, 400).catch((error: unknown) => error);
    expect((hung as RtspError).problem).toBe('unreachable');
    expect(Date.now() - started).toBeGreaterThanOrEqual(380);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(closedByUs).toBe(1);
    await new Promise((resolve) => silent.close(resolve));
  });

  it('a pull made for the wrong codec (the camera was switched to H.264 after its SDP said H.265) is dropped unseen and pulled again for H.264; its keyframes then carry SPS/PPS', async () => {
    const [build] = await ffmpegBuilds();
    const warnings: string[] = [];
    const log = createLogger({ console: { write: (line) => (/WARN/i.test(line) ? warnings.push(line) : undefined) }, level: 'info', file: null });
    const camera: Camera = { id: 'h264', name: 'Đổi mã hóa', streams: { main: rtsp.urlWithCredentials('/h264') } };
    const source = new CameraStreamSource(
      camera,
      'main',
      { ffmpeg: build!.info, clock: systemClock, log, demoClip: () => Promise.reject(new Error('no demo')), describeCodec: () => Promise.resolve('hevc') },
      DEFAULT_SOURCE_OPTIONS,
      () => undefined,
    );
    const received: { epoch: number; data: Buffer; keyframe: boolean }[] = [];
    source.subscribe({ onData: (data, keyframe, epoch) => received.push({ epoch, data, keyframe }) });
    source.start();
    try {
      const deadline = Date.now() + 20_000;
      while (received.filter((piece) => piece.keyframe && piece.epoch >= 2).length < 3 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
    } finally {
      await source.stop();
    }
    // the first pull (H.265's delimiter taken out of an H.264 stream) gave nothing to anyone
    expect(received.filter((piece) => piece.epoch === 1)).toEqual([]);
    expect(received.some((piece) => piece.epoch === 2)).toBe(true);
    expect(warnings.some((line) => line.includes('its pull was made for hevc'))).toBe(true);
    // the second pull's stream: every keyframe after its delimiter has SPS and PPS
    const stream = Buffer.concat(received.filter((piece) => piece.epoch === 2).map((piece) => piece.data));
    const scan = scanSegment(stream.subarray(0, stream.length - (stream.length % 188)));
    expect(scan?.codec).toBe('h264');
    const keyframes = scan!.frames.filter((frame) => frame.keyframe);
    expect(keyframes.length).toBeGreaterThanOrEqual(2);
    for (const [at, frame] of scan!.frames.entries()) {
      if (!frame.keyframe) continue;
      const end = scan!.frames[at + 1]?.offset ?? scan!.bytes;
      const pieces: Buffer[] = [];
      for (let offset = frame.offset; offset < end; offset += 188) {
        if ((((stream[offset + 1]! & 0x1f) << 8) | stream[offset + 2]!) !== scan!.videoPid) continue;
        const control = (stream[offset + 3]! >> 4) & 0x3;
        if ((control & 0x1) !== 0) pieces.push(stream.subarray(offset + 4 + ((control & 0x2) !== 0 ? 1 + stream[offset + 4]! : 0), offset + 188));
      }
      const pes = Buffer.concat(pieces);
      const types = nalUnits('h264', pes.subarray(9 + pes[8]!)).map((unit) => unit.type);
      expect(types.slice(0, 3)).toEqual([9, 7, 8]);
    }
  }, 60_000);
});
