/**
 * The camera's NTP clock from its RTCP sender reports (issue 20): a short RTSP session of our own
 * beside the recorder's ffmpeg (which reads the reports but neither prints nor records them).
 *
 * DESCRIBE (digest or basic auth, as the camera asks) → SETUP of the first video track over TCP
 * (interleaved channels 0-1) → PLAY → the first RTCP sender report (PT 200) on channel 1: its NTP
 * time against the PC clock at reception → TEARDOWN. The offset includes the network delay of one
 * packet (milliseconds on a LAN). Bounded: one connection, a deadline, at most `maxBytes` read.
 * Credentials come from the URL's user info and are never sent in a request line or logged.
 */
import { createHash, randomBytes } from 'node:crypto';
import net from 'node:net';

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

interface Reply {
  status: number;
  headers: Map<string, string>;
  body: string;
}

/** Parses a `WWW-Authenticate` value's parameters (realm="…", nonce="…", qop="auth,…"). */
function authParams(value: string): Map<string, string> {
  const params = new Map<string, string>();
  for (const match of value.matchAll(/(\w+)=(?:"([^"]*)"|([^\s,]+))/g)) params.set(match[1]!.toLowerCase(), match[2] ?? match[3] ?? '');
  return params;
}

const md5 = (text: string) => createHash('md5').update(text).digest('hex');

/** The Authorization header for one request, from the camera's challenges (digest preferred). */
export function authorization(challenges: readonly string[], username: string, password: string, method: string, uri: string, count = 1, cnonce = randomBytes(8).toString('hex')): string | null {
  const digest = challenges.find((challenge) => /^digest\s/i.test(challenge));
  if (digest) {
    const params = authParams(digest.slice(7));
    const realm = params.get('realm') ?? '';
    const nonce = params.get('nonce') ?? '';
    const ha1 = md5(`${username}:${realm}:${password}`);
    const ha2 = md5(`${method}:${uri}`);
    const qop = (params.get('qop') ?? '').split(',').map((item) => item.trim()).includes('auth') ? 'auth' : null;
    // the nonce count grows with every request under the same nonce (RFC 2617 3.2.2)
    const nc = count.toString(16).padStart(8, '0');
    const response = qop ? md5(`${ha1}:${nonce}:${nc}:${cnonce}:${qop}:${ha2}`) : md5(`${ha1}:${nonce}:${ha2}`);
    const opaque = params.get('opaque');
    return (
      `Digest username="${username}", realm="${realm}", nonce="${nonce}", uri="${uri}", response="${response}"` +
      (qop ? `, qop=${qop}, nc=${nc}, cnonce="${cnonce}"` : '') +
      (opaque !== undefined ? `, opaque="${opaque}"` : '')
    );
  }
  if (challenges.some((challenge) => /^basic\b/i.test(challenge))) return `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
  return null;
}

/** The control URL of the first video track of an SDP (absolute, or relative to `base`). */
export function videoControl(sdp: string, base: string): string | null {
  const sections = sdp.split(/\r?\n(?=m=)/);
  const video = sections.find((section) => section.startsWith('m=video'));
  if (!video) return null;
  const control = /^a=control:(\S+)/m.exec(video)?.[1];
  if (!control || control === '*') return base;
  if (/^rtsp:\/\//i.test(control)) return control;
  return `${base.replace(/\/?$/, '/')}${control}`;
}

/**
 * One RTSP session over TCP up to the first RTCP sender report. Rejects with RtcpClockError.
 */
export function measureRtcpClock(url: string, options: Partial<RtcpClockOptions> = {}): Promise<RtcpClock> {
  const settings = { ...DEFAULT_RTCP_CLOCK, ...options };
  const parsed = new URL(url);
  const username = decodeURIComponent(parsed.username);
  const password = decodeURIComponent(parsed.password);
  parsed.username = '';
  parsed.password = '';
  const requestUrl = parsed.toString();
  const port = Number(parsed.port || 554);
  const host = parsed.hostname.replace(/^\[|\]$/g, '');

  return new Promise<RtcpClock>((resolve, reject) => {
    const socket = net.connect({ host, port });
    let buffer: Buffer = Buffer.alloc(0);
    let read = 0;
    let cseq = 0;
    let session: string | null = null;
    let challenges: string[] = [];
    let nonceCount = 0;
    let pending: ((reply: Reply) => void) | null = null;
    let playing = false;
    let done = false;
    const finish = (error: RtcpClockError | null, value?: RtcpClock) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      if (session && !socket.destroyed) {
        // polite end; the camera frees the session at once instead of at its timeout
        socket.write(`TEARDOWN ${requestUrl} RTSP/1.0\r\nCSeq: ${++cseq}\r\nSession: ${session}\r\n\r\n`, () => socket.destroy());
        setTimeout(() => socket.destroy(), 500).unref();
      } else socket.destroy();
      if (error) reject(error);
      else resolve(value!);
    };
    const timer = setTimeout(() => finish(new RtcpClockError(playing ? 'noReport' : 'unreachable', `no sender report within ${settings.timeoutMs} ms`)), settings.timeoutMs);

    const send = (method: string, uri: string, headers: Record<string, string> = {}): Promise<Reply> =>
      new Promise<Reply>((resolveReply) => {
        const lines = [`${method} ${uri} RTSP/1.0`, `CSeq: ${++cseq}`, 'User-Agent: commune-console'];
        const auth = challenges.length > 0 ? authorization(challenges, username, password, method, uri, ++nonceCount) : null;
        if (auth) lines.push(`Authorization: ${auth}`);
        if (session) lines.push(`Session: ${session}`);
        for (const [name, value] of Object.entries(headers)) lines.push(`${name}: ${value}`);
        pending = resolveReply;
        socket.write(`${lines.join('\r\n')}\r\n\r\n`);
      });
    /** A request, once more with credentials when the camera challenges it (401). */
    const request = async (method: string, uri: string, headers: Record<string, string> = {}): Promise<Reply> => {
      let reply = await send(method, uri, headers);
      if (reply.status === 401 && username) {
        challenges = (reply.headers.get('www-authenticate') ?? '').split('\n');
        nonceCount = 0;
        reply = await send(method, uri, headers);
      }
      if (reply.status === 401) throw new RtcpClockError('authFailed', `${method}: 401`);
      if (reply.status !== 200) throw new RtcpClockError('badReply', `${method}: ${reply.status}`);
      return reply;
    };

    const parse = (): void => {
      for (;;) {
        if (buffer.length === 0) return;
        if (buffer[0] === 0x24) {
          // interleaved binary data: $ channel length payload
          if (buffer.length < 4) return;
          const length = buffer.readUInt16BE(2);
          if (buffer.length < 4 + length) return;
          const channel = buffer[1]!;
          const payload = buffer.subarray(4, 4 + length);
          buffer = buffer.subarray(4 + length);
          if (channel === 1) {
            const ntpMs = senderReportNtpMs(payload);
            if (ntpMs !== null) {
              const receivedAtMs = settings.now();
              finish(null, { offsetMs: Math.round(ntpMs - receivedAtMs), cameraNtpMs: Math.round(ntpMs), receivedAtMs });
              return;
            }
          }
          continue;
        }
        const end = buffer.indexOf('\r\n\r\n');
        if (end < 0) {
          if (buffer.length > 64 * 1024) finish(new RtcpClockError('badReply', 'reply header too long'));
          return;
        }
        const head = buffer.subarray(0, end).toString('latin1').split('\r\n');
        const headers = new Map<string, string>();
        for (const line of head.slice(1)) {
          const colon = line.indexOf(':');
          if (colon < 0) continue;
          const name = line.slice(0, colon).trim().toLowerCase();
          const value = line.slice(colon + 1).trim();
          headers.set(name, headers.has(name) ? `${headers.get(name)}\n${value}` : value);
        }
        const bodyLength = Number(headers.get('content-length') ?? 0);
        if (buffer.length < end + 4 + bodyLength) return;
        const body = buffer.subarray(end + 4, end + 4 + bodyLength).toString('utf8');
        buffer = buffer.subarray(end + 4 + bodyLength);
        const status = Number(/^RTSP\/1\.\d (\d{3})/.exec(head[0] ?? '')?.[1] ?? 0);
        if (status === 0) {
          // a request from the camera (GET_PARAMETER, ANNOUNCE) or noise: not ours to answer
          continue;
        }
        const waiting = pending;
        pending = null;
        waiting?.({ status, headers, body });
      }
    };

    socket.on('data', (chunk: Buffer) => {
      read += chunk.length;
      if (read > settings.maxBytes) return finish(new RtcpClockError('noReport', `no sender report in ${settings.maxBytes} bytes`));
      buffer = buffer.length === 0 ? chunk : Buffer.concat([buffer, chunk]);
      parse();
    });
    socket.on('error', (error) => finish(new RtcpClockError('unreachable', error.message)));
    socket.on('close', () => finish(new RtcpClockError(playing ? 'noReport' : 'unreachable', 'connection closed')));
    socket.on('connect', () => {
      void (async () => {
        const described = await request('DESCRIBE', requestUrl, { Accept: 'application/sdp' });
        const base = described.headers.get('content-base') ?? described.headers.get('content-location') ?? requestUrl;
        const control = videoControl(described.body, base);
        if (!control) throw new RtcpClockError('noVideo', 'no video track in the SDP');
        const setup = await request('SETUP', control, { Transport: 'RTP/AVP/TCP;unicast;interleaved=0-1' });
        session = (setup.headers.get('session') ?? '').split(';')[0]!.trim() || null;
        await request('PLAY', base, { Range: 'npt=0.000-' });
        playing = true;
      })().catch((error: unknown) => finish(error instanceof RtcpClockError ? error : new RtcpClockError('badReply', String(error))));
    });
  });
}
