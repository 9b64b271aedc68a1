/**
 * The camera's NTP clock from its RTCP sender reports (issue 20): a short RTSP session of our own
 * beside the recorder's ffmpeg (which reads the reports but neither prints nor records them).
 *
 * DESCRIBE (digest or basic auth, as the camera asks) → SETUP of the first video track over TCP
 * (interleaved channels 0-1) → PLAY → the first RTCP sender report (PT 200) on channel 1: its NTP
 * time against the PC clock at reception → TEARDOWN. The offset includes the network delay of one
 * packet (milliseconds on a LAN). Bounded: one connection, a deadline, at most `maxBytes` read.
 * The RTSP exchange itself is rtspClient.ts's.
 */
import { RtspConnection, RtspError, videoControl } from './rtspClient';

export interface RtcpClock {
  /** The camera's NTP time minus the PC clock at reception, ms. */
  offsetMs: number;
  /** The camera's NTP time of that report, ms since the epoch. */
  cameraNtpMs: number;
  /** The PC clock when the report arrived. */
  receivedAtMs: number;
}

export interface RtcpClockOptions {
  /** The whole exchange, connection to the first sender report. */
  timeoutMs: number;
  /** Most bytes read (RTP packets arrive before the report). */
  maxBytes: number;
  now: () => number;
}

export const DEFAULT_RTCP_CLOCK: RtcpClockOptions = { timeoutMs: 12_000, maxBytes: 16 * 1024 * 1024, now: () => Date.now() };

/** Why no report was read: the camera refused, did not answer, or sends none. */
export class RtcpClockError extends Error {
  constructor(
    readonly problem: 'authFailed' | 'unreachable' | 'badReply' | 'noReport' | 'noVideo',
    message: string,
  ) {
    super(message);
  }
}

/** Seconds from 1900 (NTP) to 1970 (Unix). */
const NTP_UNIX_OFFSET_S = 2_208_988_800;

/** NTP timestamp (64 bits, seconds since 1900 and a binary fraction) → ms since the epoch. */
export function ntpToUnixMs(seconds: number, fraction: number): number {
  return (seconds - NTP_UNIX_OFFSET_S) * 1000 + (fraction / 2 ** 32) * 1000;
}

/** The NTP time of the first sender report in an RTCP compound packet (null: none in it). */
export function senderReportNtpMs(packet: Buffer): number | null {
  let offset = 0;
  while (offset + 4 <= packet.length) {
    const version = packet[offset]! >> 6;
    const type = packet[offset + 1]!;
    const length = (packet.readUInt16BE(offset + 2) + 1) * 4;
    if (version !== 2 || offset + length > packet.length) return null;
    if (type === 200 && length >= 28) return ntpToUnixMs(packet.readUInt32BE(offset + 8), packet.readUInt32BE(offset + 12));
    offset += length;
  }
  return null;
}

/**
 * One RTSP session over TCP up to the first RTCP sender report. Rejects with RtcpClockError.
 */
export function measureRtcpClock(url: string, options: Partial<RtcpClockOptions> = {}): Promise<RtcpClock> {
  const settings = { ...DEFAULT_RTCP_CLOCK, ...options };
  return new Promise<RtcpClock>((resolve, reject) => {
    let playing = false;
    let done = false;
    let connection: RtspConnection | null = null;
    const finish = (error: RtcpClockError | null, value?: RtcpClock) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      opening.close();
      connection?.close();
      if (error) reject(error);
      else resolve(value!);
    };
    const timer = setTimeout(() => finish(new RtcpClockError(playing ? 'noReport' : 'unreachable', `no sender report within ${settings.timeoutMs} ms`)), settings.timeoutMs);
    const asClockError = (error: unknown): RtcpClockError => {
      if (error instanceof RtcpClockError) return error;
      if (error instanceof RtspError) {
        if (error.problem === 'tooMuch') return new RtcpClockError('noReport', `no sender report in ${settings.maxBytes} bytes`);
        if (error.problem === 'unreachable' && playing) return new RtcpClockError('noReport', error.message);
        return new RtcpClockError(error.problem, error.message);
      }
      return new RtcpClockError('badReply', String(error));
    };
    const opening = RtspConnection.open(url, {
      maxBytes: settings.maxBytes,
      onInterleaved: (channel, payload) => {
        if (channel !== 1) return;
        const ntpMs = senderReportNtpMs(payload);
        if (ntpMs === null) return;
        const receivedAtMs = settings.now();
        finish(null, { offsetMs: Math.round(ntpMs - receivedAtMs), cameraNtpMs: Math.round(ntpMs), receivedAtMs });
      },
      onEnd: (error) => finish(asClockError(error)),
    });
    void (async () => {
      const rtsp = await opening.connected;
      connection = rtsp;
      if (done) return rtsp.close();
      const described = await rtsp.request('DESCRIBE', rtsp.requestUrl, { Accept: 'application/sdp' });
      const base = described.headers.get('content-base') ?? described.headers.get('content-location') ?? rtsp.requestUrl;
      const control = videoControl(described.body, base);
      if (!control) throw new RtcpClockError('noVideo', 'no video track in the SDP');
      const setup = await rtsp.request('SETUP', control, { Transport: 'RTP/AVP/TCP;unicast;interleaved=0-1' });
      rtsp.session = (setup.headers.get('session') ?? '').split(';')[0]!.trim() || null;
      await rtsp.request('PLAY', base, { Range: 'npt=0.000-' });
      playing = true;
    })().catch((error: unknown) => finish(asClockError(error)));
  });
}
