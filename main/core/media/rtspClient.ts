/**
 * A minimal RTSP client of our own, beside ffmpeg's: one TCP connection, requests answered in
 * order, digest or basic auth as the camera asks, interleaved binary data ($ channel length) handed
 * to the caller. Two users: the camera's RTCP clock (rtcpClock.ts: DESCRIBE, SETUP, PLAY, first
 * sender report) and the pull's codec (`describeStream`: DESCRIBE only, no session is made).
 * Credentials come from the URL's user info and are never sent in a request line or logged.
 */
import { createHash, randomBytes } from 'node:crypto';
import net from 'node:net';

export interface RtspReply {
  status: number;
  headers: Map<string, string>;
  body: string;
}

/** Why an exchange failed: the camera refused the credentials, could not be reached, or answered badly. */
export class RtspError extends Error {
  constructor(
    readonly problem: 'authFailed' | 'unreachable' | 'badReply' | 'tooMuch',
    message: string,
  ) {
    super(message);
  }
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

/** The SDP's first video section (from its m=video line to the next m= line), or null. */
function videoSection(sdp: string): string | null {
  return sdp.split(/\r?\n(?=m=)/).find((section) => section.startsWith('m=video')) ?? null;
}

/** The control URL of the first video track of an SDP (absolute, or relative to `base`). */
export function videoControl(sdp: string, base: string): string | null {
  const video = videoSection(sdp);
  if (!video) return null;
  const control = /^a=control:(\S+)/m.exec(video)?.[1];
  if (!control || control === '*') return base;
  if (/^rtsp:\/\//i.test(control)) return control;
  return `${base.replace(/\/?$/, '/')}${control}`;
}

export type VideoCodec = 'h264' | 'hevc';

/**
 * The first video track's codec, from its payload type's `a=rtpmap` (RFC 6184 H264, RFC 7798
 * H265); null for any other codec or an SDP without video.
 */
export function sdpVideoCodec(sdp: string): VideoCodec | null {
  const video = videoSection(sdp);
  if (!video) return null;
  const payloadType = /^m=video\s+\d+(?:\/\d+)?\s+\S+\s+(\d+)/.exec(video)?.[1];
  if (payloadType === undefined) return null;
  const encoding = new RegExp(`^a=rtpmap:${payloadType}\\s+([\\w.-]+)/`, 'mi').exec(video)?.[1]?.toUpperCase();
  if (encoding === 'H264') return 'h264';
  if (encoding === 'H265' || encoding === 'HEVC') return 'hevc';
  return null;
}

export interface RtspConnectionOptions {
  /** Most bytes read over the connection's life (RTP arrives once playing); more closes it. */
  maxBytes: number;
  /** Interleaved binary data ($ channel length payload), once playing. */
  onInterleaved?: (channel: number, payload: Buffer) => void;
  /** The connection ended (error, close by the camera, too many bytes) while not closed by us. */
  onEnd?: (error: RtspError) => void;
}

/** One TCP connection to a camera's RTSP server. */
export class RtspConnection {
  /** The URL without its user info: what request lines carry. */
  readonly requestUrl: string;
  /** Set by the caller from the SETUP reply; sent with every later request and the TEARDOWN. */
  session: string | null = null;
  private readonly username: string;
  private readonly password: string;
  private buffer: Buffer = Buffer.alloc(0);
  private read = 0;
  private cseq = 0;
  private challenges: string[] = [];
  private nonceCount = 0;
  private pending: { resolve: (reply: RtspReply) => void; reject: (error: RtspError) => void } | null = null;
  private ended = false;

  private constructor(
    url: URL,
    private readonly socket: net.Socket,
    private readonly options: RtspConnectionOptions,
  ) {
    this.username = decodeURIComponent(url.username);
    this.password = decodeURIComponent(url.password);
    const bare = new URL(url.toString());
    bare.username = '';
    bare.password = '';
    this.requestUrl = bare.toString();
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', (error) => this.end(new RtspError('unreachable', error.message)));
    socket.on('close', () => this.end(new RtspError('unreachable', 'connection closed')));
  }

  /** Connects; rejects with RtspError 'unreachable' (the caller bounds the wait with its own deadline and `close`). */
  static open(url: string, options: RtspConnectionOptions): { connected: Promise<RtspConnection>; close: () => void } {
    const parsed = new URL(url);
    const socket = net.connect({ host: parsed.hostname.replace(/^\[|\]$/g, ''), port: Number(parsed.port || 554) });
    const connected = new Promise<RtspConnection>((resolve, reject) => {
      socket.once('connect', () => resolve(new RtspConnection(parsed, socket, options)));
      socket.once('error', (error) => reject(new RtspError('unreachable', error.message)));
      socket.once('close', () => reject(new RtspError('unreachable', 'connection closed')));
    });
    return { connected, close: () => socket.destroy() };
  }

  /** A request, once more with credentials when the camera challenges it (401). Non-200 rejects. */
  async request(method: string, uri: string, headers: Record<string, string> = {}): Promise<RtspReply> {
    let reply = await this.send(method, uri, headers);
    if (reply.status === 401 && this.username) {
      this.challenges = (reply.headers.get('www-authenticate') ?? '').split('\n');
      this.nonceCount = 0;
      reply = await this.send(method, uri, headers);
    }
    if (reply.status === 401) throw new RtspError('authFailed', `${method}: 401`);
    if (reply.status !== 200) throw new RtspError('badReply', `${method}: ${reply.status}`);
    return reply;
  }

  /** Ends the connection: a polite TEARDOWN first when a session was made (the camera frees it at once). */
  close(): void {
    if (this.ended) return;
    this.ended = true;
    this.pending?.reject(new RtspError('unreachable', 'closed'));
    this.pending = null;
    if (this.session && !this.socket.destroyed) {
      this.socket.write(`TEARDOWN ${this.requestUrl} RTSP/1.0\r\nCSeq: ${++this.cseq}\r\nSession: ${this.session}\r\n\r\n`, () => this.socket.destroy());
      setTimeout(() => this.socket.destroy(), 500).unref();
    } else this.socket.destroy();
  }

  private send(method: string, uri: string, headers: Record<string, string>): Promise<RtspReply> {
    return new Promise<RtspReply>((resolve, reject) => {
      if (this.ended) return reject(new RtspError('unreachable', 'connection closed'));
      const lines = [`${method} ${uri} RTSP/1.0`, `CSeq: ${++this.cseq}`, 'User-Agent: commune-console'];
      const auth = this.challenges.length > 0 ? authorization(this.challenges, this.username, this.password, method, uri, ++this.nonceCount) : null;
      if (auth) lines.push(`Authorization: ${auth}`);
      if (this.session) lines.push(`Session: ${this.session}`);
      for (const [name, value] of Object.entries(headers)) lines.push(`${name}: ${value}`);
      this.pending = { resolve, reject };
      this.socket.write(`${lines.join('\r\n')}\r\n\r\n`);
    });
  }

  private end(error: RtspError): void {
    if (this.ended) return;
    this.ended = true;
    this.socket.destroy();
    this.pending?.reject(error);
    this.pending = null;
    this.options.onEnd?.(error);
  }

  private onData(chunk: Buffer): void {
    this.read += chunk.length;
    if (this.read > this.options.maxBytes) return this.end(new RtspError('tooMuch', `more than ${this.options.maxBytes} bytes`));
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
    this.parse();
  }

  private parse(): void {
    while (!this.ended && this.buffer.length > 0) {
      if (this.buffer[0] === 0x24) {
        // interleaved binary data: $ channel length payload
        if (this.buffer.length < 4) return;
        const length = this.buffer.readUInt16BE(2);
        if (this.buffer.length < 4 + length) return;
        const channel = this.buffer[1]!;
        const payload = this.buffer.subarray(4, 4 + length);
        this.buffer = this.buffer.subarray(4 + length);
        this.options.onInterleaved?.(channel, payload);
        continue;
      }
      const end = this.buffer.indexOf('\r\n\r\n');
      if (end < 0) {
        if (this.buffer.length > 64 * 1024) this.end(new RtspError('badReply', 'reply header too long'));
        return;
      }
      const head = this.buffer.subarray(0, end).toString('latin1').split('\r\n');
      const headers = new Map<string, string>();
      for (const line of head.slice(1)) {
        const colon = line.indexOf(':');
        if (colon < 0) continue;
        const name = line.slice(0, colon).trim().toLowerCase();
        const value = line.slice(colon + 1).trim();
        headers.set(name, headers.has(name) ? `${headers.get(name)}\n${value}` : value);
      }
      const bodyLength = Number(headers.get('content-length') ?? 0);
      if (this.buffer.length < end + 4 + bodyLength) return;
      const body = this.buffer.subarray(end + 4, end + 4 + bodyLength).toString('utf8');
      this.buffer = this.buffer.subarray(end + 4 + bodyLength);
      const status = Number(/^RTSP\/1\.\d (\d{3})/.exec(head[0] ?? '')?.[1] ?? 0);
      // a request from the camera (GET_PARAMETER, ANNOUNCE) or noise: not ours to answer
      if (status === 0) continue;
      const waiting = this.pending;
      this.pending = null;
      waiting?.resolve({ status, headers, body });
    }
  }
}

export interface DescribedStream {
  sdp: string;
  videoCodec: VideoCodec | null;
}

/**
 * DESCRIBE only (no SETUP: the camera makes no session, so its session limit is not touched):
 * the stream's SDP and its video codec. Rejects with RtspError within `timeoutMs`.
 */
export async function describeStream(url: string, timeoutMs: number): Promise<DescribedStream> {
  const opening = RtspConnection.open(url, { maxBytes: 256 * 1024 });
  let connection: RtspConnection | null = null;
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new RtspError('unreachable', `no answer to DESCRIBE within ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    return await Promise.race([
      (async () => {
        connection = await opening.connected;
        const described = await connection.request('DESCRIBE', connection.requestUrl, { Accept: 'application/sdp' });
        return { sdp: described.body, videoCodec: sdpVideoCodec(described.body) };
      })(),
      deadline,
    ]);
  } finally {
    clearTimeout(timer);
    opening.close();
    (connection as RtspConnection | null)?.close();
  }
}
