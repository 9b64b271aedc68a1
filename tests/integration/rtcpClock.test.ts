import { createHash } from 'node:crypto';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Camera } from '../../common/site';
import { silentLogger } from '../../main/core/log/logger';
import { measureRtcpClock, ntpToUnixMs, RtcpClockError } from '../../main/core/media/rtcpClock';
import { CameraClocks } from '../../main/core/onvif/cameraClocks';
import { ManualClock } from '../../main/core/util/clock';
import { h264Clip } from '../helpers/ffmpeg';
import { RtspTestServer } from '../helpers/rtspServer';

const md5 = (text: string) => createHash('md5').update(text).digest('hex');

/**
 * A camera whose clock runs `skewMs` ahead, for what GStreamer cannot do here (its sender reports
 * carry the PC's own clock): RTSP over TCP as RFC 2326 says, digest auth with qop=auth (RFC 2617)
 * checked for real, an RTP packet then an RTCP compound packet (RR-less SR + SDES) on channel 1.
 */
async function skewedCamera(skewMs: number, password: string): Promise<{ url: (password: string) => string; close: () => Promise<void>; authorized: () => number }> {
  let authorized = 0;
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    const nonce = createHash('sha1').update(String(Math.random())).digest('hex');
    let buffer = '';
    let lastCount = 0;
    socket.on('data', (chunk) => {
      buffer += chunk.toString('latin1');
      for (let end = buffer.indexOf('\r\n\r\n'); end >= 0; end = buffer.indexOf('\r\n\r\n')) {
        const lines = buffer.slice(0, end).split('\r\n');
        buffer = buffer.slice(end + 4);
        const [method, uri] = lines[0]!.split(' ');
        const cseq = lines.find((line) => /^cseq:/i.test(line))!.split(':')[1]!.trim();
        const auth = lines.find((line) => /^authorization:/i.test(line))?.slice(14).trim() ?? '';
        const field = (name: string) => new RegExp(`${name}="?([^",]+)"?`).exec(auth)?.[1] ?? '';
        const expected = md5(`${md5(`admin:Camera:${password}`)}:${nonce}:${field('nc')}:${field('cnonce')}:auth:${md5(`${method}:${field('uri')}`)}`);
        // the nonce count must grow with each request (a replayed one is refused)
        const count = parseInt(field('nc') || '0', 16);
        if (!auth.startsWith('Digest ') || field('response') !== expected || field('uri') !== uri || field('username') !== 'admin' || count <= lastCount) {
          socket.write(`RTSP/1.0 401 Unauthorized\r\nCSeq: ${cseq}\r\nWWW-Authenticate: Digest realm="Camera", nonce="${nonce}", qop="auth"\r\n\r\n`);
          continue;
        }
        authorized += 1;
        lastCount = count;
        if (method === 'DESCRIBE') {
          const sdp = 'v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=cam\r\nt=0 0\r\nm=video 0 RTP/AVP 96\r\na=rtpmap:96 H264/90000\r\na=control:trackID=1\r\n';
          socket.write(`RTSP/1.0 200 OK\r\nCSeq: ${cseq}\r\nContent-Base: ${uri}/\r\nContent-Type: application/sdp\r\nContent-Length: ${sdp.length}\r\n\r\n${sdp}`);
        } else if (method === 'SETUP') {
          socket.write(`RTSP/1.0 200 OK\r\nCSeq: ${cseq}\r\nTransport: RTP/AVP/TCP;unicast;interleaved=0-1\r\nSession: 12345678;timeout=60\r\n\r\n`);
        } else if (method === 'PLAY') {
          socket.write(`RTSP/1.0 200 OK\r\nCSeq: ${cseq}\r\nSession: 12345678\r\n\r\n`);
          // an RTP packet first (channel 0), then the sender report (channel 1)
          const rtp = Buffer.alloc(12 + 20, 0);
          rtp[0] = 0x80;
          rtp[1] = 96;
          socket.write(Buffer.concat([Buffer.from([0x24, 0, 0, rtp.length]), rtp]));
          const cameraMs = Date.now() + skewMs;
          const seconds = Math.floor(cameraMs / 1000) + 2_208_988_800;
          const fraction = Math.round(((cameraMs % 1000) / 1000) * 2 ** 32) >>> 0;
          const sr = Buffer.alloc(28);
          sr[0] = 0x80;
          sr[1] = 200;
          sr.writeUInt16BE(6, 2);
          sr.writeUInt32BE(0x1234, 4);
          sr.writeUInt32BE(seconds >>> 0, 8);
          sr.writeUInt32BE(fraction, 12);
          const sdes = Buffer.from([0x81, 202, 0, 1, 0, 0, 0x12, 0x34]);
          const rtcp = Buffer.concat([sr, sdes]);
          socket.write(Buffer.concat([Buffer.from([0x24, 1, 0, rtcp.length]), rtcp]));
        } else {
          socket.write(`RTSP/1.0 200 OK\r\nCSeq: ${cseq}\r\n\r\n`);
        }
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  return {
    url: (given: string) => `rtsp://admin:${encodeURIComponent(given)}@127.0.0.1:${port}/stream1`,
    authorized: () => authorized,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

// The camera's NTP time from its RTCP sender reports (issue 20): a short RTSP session of our own.
describe('camera clock from RTCP sender reports', () => {
  let rtsp: RtspTestServer;
  beforeAll(async () => {
    const clip = await h264Clip({ width: 320, height: 180, fps: 15, seconds: 2, gopFrames: 15 });
    rtsp = await RtspTestServer.start([{ path: '/gate', clip }], { auth: { username: 'admin', password: 'Khe@2026' } });
  });
  afterAll(async () => {
    await rtsp?.close();
  });

  it('NTP timestamps convert to Unix time', () => {
    expect(ntpToUnixMs(2_208_988_800, 0)).toBe(0);
    expect(ntpToUnixMs(2_208_988_800 + 1_796_560_000, 2 ** 31)).toBe(1_796_560_000_500);
  });

  it('reads the first sender report of the real RTSP server through digest auth (its clock is the PC clock: offset near 0); a wrong password is authFailed', async () => {
    const measured = await measureRtcpClock(rtsp.urlWithCredentials('/gate'));
    expect(Math.abs(measured.offsetMs)).toBeLessThan(250);
    expect(Math.abs(measured.receivedAtMs - Date.now())).toBeLessThan(15_000);
    const refused = await measureRtcpClock(rtsp.urlWithCredentials('/gate', 'sai')).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(RtcpClockError);
    expect((refused as RtcpClockError).problem).toBe('authFailed');
    const unreachable = await measureRtcpClock('rtsp://127.0.0.1:1/x', { timeoutMs: 2000 }).catch((error: unknown) => error);
    expect((unreachable as RtcpClockError).problem).toBe('unreachable');
  });

  it('a camera 7 s ahead (digest with qop=auth): offset +7 s; the camera clocks keep it as the RTCP measurement of a camera without ONVIF', async () => {
    const camera = await skewedCamera(7000, 'p@ss:w/rd');
    try {
      const measured = await measureRtcpClock(camera.url('p@ss:w/rd'));
      expect(Math.abs(measured.offsetMs - 7000)).toBeLessThan(100);
      expect(camera.authorized()).toBeGreaterThanOrEqual(3);

      const cameras: Camera[] = [
        { id: 'skewed', name: 'Camera lệch giờ', streams: { main: camera.url('p@ss:w/rd') } },
        { id: 'gate', name: 'Cổng', streams: { main: 'rtsp://127.0.0.1:1/none', sub: rtsp.urlWithCredentials('/gate') } },
      ];
      const clock = new ManualClock(Date.now());
      const clocks = new CameraClocks({ clock, log: silentLogger, cameras: () => cameras }, { periodMs: 900_000, staggerMs: 1000, warnAboveMs: 2000, rtcpFirstMs: 60_000, rtcpPeriodMs: 3_600_000 });
      clocks.start();
      clock.advance(59_000);
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(clocks.of('skewed')).toBeNull();
      clock.advance(1000);
      await expect.poll(() => clocks.of('gate'), { timeout: 15_000, interval: 100 }).not.toBeNull();
      expect(clocks.of('skewed')).toMatchObject({ source: 'rtcp' });
      expect(Math.abs(clocks.of('skewed')!.offsetMs - 7000)).toBeLessThan(100);
      // the sub stream was used (the main URL of 'gate' goes nowhere)
      expect(Math.abs(clocks.of('gate')!.offsetMs)).toBeLessThan(250);
      clocks.stop();
    } finally {
      await camera.close();
    }
  }, 60_000);
});
