import { LIVE_PATH, LIVE_PROTOCOL, LIVE_TOKEN_PROTOCOL_PREFIX, readFrameHeader, ServerTextMessageSchema, FRAME_HEADER_BYTES, type FrameHeader } from '../../common/liveProtocol';
import type { EventEnvelope, SessionInfo } from '../../common/contract';

export interface LiveSocketHandlers {
  onClientId(liveClientId: string | null): void;
  onFrame(header: FrameHeader, pixels: Uint8Array): void;
  onEvent(envelope: EventEnvelope): void;
  onConnection(state: 'connecting' | 'open' | 'closed'): void;
  /**
   * The core says this socket's session locked, is active again, or ended (issue 15);
   * `wallPlaysOn`: locked, but this second screen's wall keeps its video (site option).
   */
  onSession?(state: 'active' | 'locked' | 'ended', wallPlaysOn: boolean): void;
}

/**
 * The page's one live socket to the core. Reconnects by itself (0.5 s, then up to 2 s: a
 * restarted core is back within seconds, and loopback attempts cost nothing); every
 * reconnect gives a new live client id, on which the wall reopens its views. Frames are
 * acknowledged by the wall once drawn (ack()), which is what paces the core.
 */
export class LiveSocket {
  private socket: WebSocket | null = null;
  private retryMs = 500;
  private closed = false;
  private retryTimer: number | null = null;

  constructor(
    private readonly session: SessionInfo,
    private readonly wantEvents: boolean,
    private readonly handlers: LiveSocketHandlers,
    /** This window's screen ('1' the operator's, '2'… a second monitor's wall). */
    private readonly screen: string = '1',
  ) {}

  open(): void {
    this.closed = false;
    this.connect();
  }

  close(): void {
    this.closed = true;
    if (this.retryTimer !== null) window.clearTimeout(this.retryTimer);
    this.socket?.close();
  }

  /** The host restarted the core (coreRestarted): connect now instead of waiting for the retry. */
  reconnectNow(): void {
    if (this.closed) return;
    if (this.socket?.readyState === WebSocket.OPEN) return;
    if (this.retryTimer !== null) window.clearTimeout(this.retryTimer);
    this.retryTimer = null;
    if (this.socket === null) this.connect();
  }

  private pendingAcks: [number, number][] = [];
  private acksScheduled = false;

  /** Acknowledges a drawn frame; every ack of one animation frame leaves in one message. */
  ack(viewId: number, seq: number): void {
    this.pendingAcks.push([viewId, seq]);
    if (this.acksScheduled) return;
    this.acksScheduled = true;
    queueMicrotask(() => this.flushAcks());
  }

  private flushAcks(): void {
    this.acksScheduled = false;
    while (this.pendingAcks.length > 0) {
      const frames = this.pendingAcks.splice(0, 256);
      if (this.socket?.readyState === WebSocket.OPEN) this.socket.send(JSON.stringify({ t: 'acks', frames }));
    }
  }

  /** The live socket's address; it names this window's screen (a second screen's wall may play on while locked). */
  private url(): string {
    const url = new URL(this.session.host === 'browser' ? `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}${LIVE_PATH}` : this.session.liveUrl);
    url.searchParams.set('screen', this.screen);
    return url.toString();
  }

  private connect(): void {
    this.handlers.onConnection('connecting');
    const protocols = [LIVE_PROTOCOL];
    if (this.session.liveToken) protocols.push(`${LIVE_TOKEN_PROTOCOL_PREFIX}${this.session.liveToken}`);
    const socket = new WebSocket(this.url(), protocols);
    socket.binaryType = 'arraybuffer';
    this.socket = socket;
    socket.onopen = () => {
      this.retryMs = 500;
      this.handlers.onConnection('open');
      if (this.wantEvents) socket.send(JSON.stringify({ t: 'subscribeEvents' }));
    };
    socket.onmessage = (message: MessageEvent<ArrayBuffer | string>) => {
      if (typeof message.data === 'string') {
        let raw: unknown;
        try {
          raw = JSON.parse(message.data);
        } catch {
          return;
        }
        const parsed = ServerTextMessageSchema.safeParse(raw);
        if (!parsed.success) return;
        if (parsed.data.t === 'hello') this.handlers.onClientId(parsed.data.liveClientId);
        else if (parsed.data.t === 'session') this.handlers.onSession?.(parsed.data.state, parsed.data.wallPlaysOn === true);
        else this.handlers.onEvent(parsed.data.envelope);
        return;
      }
      const header = readFrameHeader(message.data);
      if (header) this.handlers.onFrame(header, new Uint8Array(message.data, FRAME_HEADER_BYTES));
    };
    socket.onclose = () => {
      if (this.socket !== socket) return;
      this.socket = null;
      this.handlers.onClientId(null);
      this.handlers.onConnection('closed');
      if (this.closed) return;
      this.retryTimer = window.setTimeout(() => this.connect(), this.retryMs);
      this.retryMs = Math.min(2000, this.retryMs * 2);
    };
  }
}
