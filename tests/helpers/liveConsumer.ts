import WebSocket from 'ws';
import type { MethodName, ParamsOf, ResultOf, StreamStatus, ViewHealth } from '../../common/contract';
import { resultSchemaOf } from '../../common/contract';
import { signInHttp, type Credentials } from './signIn';
import { CALL_PATH, FRAME_HEADER_BYTES, LIVE_PATH, LIVE_PROTOCOL, LIVE_TOKEN_PROTOCOL_PREFIX, readFrameHeader, ServerTextMessageSchema, type FrameHeader } from '../../common/liveProtocol';

export interface ViewFrames {
  count: number;
  firstAtMs: number | null;
  lastAtMs: number | null;
  last: { header: FrameHeader; pixels: Buffer } | null;
}

/**
 * A headless page: speaks the real contract over HTTP (Bearer token) and the real live socket
 * (token as subprotocol), acknowledging every frame at once. Used by integration tests and by
 * the benchmarks to measure what the core delivers without a browser's drawing in the way.
 */
export class LiveConsumer {
  readonly frames = new Map<number, ViewFrames>();
  readonly statuses: StreamStatus[] = [];
  /** Every `viewHealth` event, in order of arrival, with the consumer's clock when it came. */
  readonly healthEvents: (ViewHealth & { atMs: number })[] = [];
  /** `session` messages from the core (locked, active, ended; `locked:wall` when this second screen's wall plays on), in order. */
  readonly sessionStates: string[] = [];
  private readonly listeners = new Set<() => void>();
  private readonly frameListeners = new Set<(header: FrameHeader, pixels: Buffer, atMs: number) => void>();

  private constructor(
    private readonly baseUrl: string,
    private readonly token: string,
    /** The session cookie (signed in as the demo or test administrator unless told otherwise). */
    readonly sessionCookie: string,
    private readonly socket: WebSocket,
    readonly liveClientId: string,
    private readonly autoAck: boolean,
  ) {
    socket.on('message', (data: Buffer, isBinary: boolean) => this.onMessage(data, isBinary));
  }

  /** The core closed the socket (or it was closed here). */
  get closed(): boolean {
    return this.socket.readyState === WebSocket.CLOSED;
  }

  /** `screen`: the page's screen the socket names, as the renderer does ('2' and up: a second screen's wall). */
  static async connect(baseUrl: string, token: string, options: { autoAck?: boolean; credentials?: Credentials; sessionCookie?: string; screen?: string } = {}): Promise<LiveConsumer> {
    const url = new URL(baseUrl);
    const sessionCookie = options.sessionCookie ?? (await signInHttp(baseUrl, token, options.credentials));
    const socket = new WebSocket(`ws://${url.host}${LIVE_PATH}${options.screen ? `?screen=${options.screen}` : ''}`, [LIVE_PROTOCOL, `${LIVE_TOKEN_PROTOCOL_PREFIX}${token}`], { headers: { Cookie: sessionCookie } });
    const liveClientId = await new Promise<string>((resolve, reject) => {
      socket.once('error', reject);
      socket.once('unexpected-response', (_request, response) => reject(new Error(`socket refused: ${response.statusCode}`)));
      socket.once('message', (data: Buffer) => {
        const parsed = ServerTextMessageSchema.safeParse(JSON.parse(data.toString()));
        if (parsed.success && parsed.data.t === 'hello') resolve(parsed.data.liveClientId);
        else reject(new Error('no hello'));
      });
    });
    socket.send(JSON.stringify({ t: 'subscribeEvents' }));
    return new LiveConsumer(`${url.protocol}//${url.host}`, token, sessionCookie, socket, liveClientId, options.autoAck ?? true);
  }

  async call<M extends MethodName>(method: M, params: ParamsOf<M>): Promise<ResultOf<M>> {
    const response = await fetch(`${this.baseUrl}${CALL_PATH}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${this.token}`, Cookie: this.sessionCookie },
      body: JSON.stringify({ method, params }),
    });
    const parsed = resultSchemaOf(method).parse(await response.json());
    return parsed as ResultOf<M>;
  }

  async openView(cameraId: string, stream: 'main' | 'sub', widthPx: number, heightPx: number): Promise<number> {
    const result = await this.call('openLive', { liveClientId: this.liveClientId, cameraId, stream, widthPx, heightPx });
    if (!result.ok) throw new Error(`openLive failed: ${result.error.code} ${result.error.message}`);
    this.frames.set(result.value.viewId, { count: 0, firstAtMs: null, lastAtMs: null, last: null });
    return result.value.viewId;
  }

  async closeView(viewId: number): Promise<void> {
    await this.call('closeLive', { viewId });
  }

  ack(viewId: number, seq: number): void {
    this.socket.send(JSON.stringify({ t: 'ack', viewId, seq }));
  }

  latestStatus(cameraId: string, stream: 'main' | 'sub'): StreamStatus | undefined {
    return this.statuses.filter((status) => status.cameraId === cameraId && status.stream === stream).at(-1);
  }

  /** Calls `listener` with every frame as it arrives (pixels valid only during the call). */
  onFrame(listener: (header: FrameHeader, pixels: Buffer, atMs: number) => void): () => void {
    this.frameListeners.add(listener);
    return () => this.frameListeners.delete(listener);
  }

  latestHealth(viewId: number): ViewHealth | undefined {
    return this.healthEvents.filter((event) => event.viewId === viewId).at(-1);
  }

  /** Resolves when `predicate` holds (checked on every message), rejects after `timeoutMs`. */
  waitFor(predicate: () => boolean, timeoutMs: number, what = 'condition'): Promise<number> {
    const started = Date.now();
    if (predicate()) return Promise.resolve(0);
    return new Promise((resolve, reject) => {
      const check = (): void => {
        if (predicate()) {
          cleanup();
          resolve(Date.now() - started);
        }
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`));
      }, timeoutMs);
      const poll = setInterval(check, 100);
      const cleanup = (): void => {
        clearTimeout(timer);
        clearInterval(poll);
        this.listeners.delete(check);
      };
      this.listeners.add(check);
    });
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      if (this.socket.readyState === WebSocket.CLOSED) return resolve();
      this.socket.once('close', () => resolve());
      this.socket.close();
    });
  }

  private onMessage(data: Buffer, isBinary: boolean): void {
    if (isBinary) {
      const header = readFrameHeader(data);
      if (header) {
        const entry = this.frames.get(header.viewId) ?? { count: 0, firstAtMs: null, lastAtMs: null, last: null };
        const now = Date.now();
        entry.count += 1;
        entry.firstAtMs ??= now;
        entry.lastAtMs = now;
        entry.last = { header, pixels: data.subarray(FRAME_HEADER_BYTES) };
        this.frames.set(header.viewId, entry);
        for (const listener of this.frameListeners) listener(header, entry.last.pixels, now);
        if (this.autoAck) this.ack(header.viewId, header.seq);
      }
    } else {
      const parsed = ServerTextMessageSchema.safeParse(JSON.parse(data.toString()));
      if (parsed.success && parsed.data.t === 'session') this.sessionStates.push(`${parsed.data.state}${parsed.data.wallPlaysOn ? ':wall' : ''}`);
      if (parsed.success && parsed.data.t === 'event') {
        const envelope = parsed.data.envelope;
        if (envelope.event === 'streamStatus') this.statuses.push(envelope.payload);
        else if (envelope.event === 'viewHealth') this.healthEvents.push({ ...envelope.payload, atMs: Date.now() });
      }
    }
    for (const listener of this.listeners) listener();
  }
}

/** Mean luma of the Y plane (0-255): near 0 is a black picture. */
export function meanLuma(pixels: Buffer, width: number, height: number): number {
  let sum = 0;
  const count = width * height;
  for (let index = 0; index < count; index += 7) sum += pixels[index] ?? 0;
  return sum / Math.ceil(count / 7);
}

/** Fraction of Y samples that differ by more than `threshold` between two frames. */
export function changedFraction(a: Buffer, b: Buffer, width: number, height: number, threshold = 12): number {
  let changed = 0;
  let total = 0;
  for (let index = 0; index < width * height; index += 5) {
    total += 1;
    if (Math.abs((a[index] ?? 0) - (b[index] ?? 0)) > threshold) changed += 1;
  }
  return changed / total;
}
