import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { CallRequestSchema, type EventEnvelope } from '../../../common/contract';
import { CALL_PATH, ClientTextMessageSchema, LIVE_PATH, LIVE_PROTOCOL, SNAPSHOT_PATH, type ServerTextMessage } from '../../../common/liveProtocol';
import { fail } from '../../../common/result';
import type { Logger } from '../log/logger';
import type { LiveService } from '../media/liveService';
import { principalFor, type CallContext, type Dispatch, type Principal } from '../api/dispatch';
import { allowedOrigins, checkRequest, cookieName, readCookie, sessionCookieName, tokensEqual, type AuthPolicy } from './auth';
import { resolveStatic } from './staticFiles';

export interface ConsoleServerOptions {
  /** 0 picks a free port. */
  port: number;
  token: string;
  /** The built renderer, served in browser mode; null when the host serves it (Electron). */
  staticDir: string | null;
  dispatch: Dispatch;
  live: LiveService;
  log: Logger;
  extraOrigins?: readonly string[];
  /** Snapshot files by name (GET /api/snapshots/NAME), or null for an unknown name. */
  snapshotFile?: (name: string) => string | null;
  /** Sessions (issue 15). Absent only in transport tests: then every caller is an administrator. */
  security?: ServerSecurity;
}

/** What the server needs from the sessions: the principal of a call comes from here only. */
export interface ServerSecurity {
  principalOf(sessionId: string | null, transport: Principal['transport']): Principal;
  /** Electron: the session the core keeps for the host (its socket carries the token, no cookie). */
  hostSessionId(): string | null;
  /** `wall`: the socket of a second screen (`?screen=2`…), which the site may let play on while locked. */
  bindClient(sessionId: string, liveClientId: string, screen: 'operator' | 'wall'): void;
  unbindClient(liveClientId: string): void;
  mayReceiveFrames(liveClientId: string): boolean;
}

export interface RunningServer {
  port: number;
  /** The address to open, token included (print it; never log it). */
  url: string;
  liveUrl: string;
  broadcast(envelope: EventEnvelope): void;
  /** A text message to one live client's socket (its session locked or ended). */
  sendToClient(liveClientId: string, message: ServerTextMessage): void;
  /** Closes one live client's socket (its session ended). */
  closeClient(liveClientId: string): void;
  close(): Promise<void>;
}

const MAX_BODY_BYTES = 64 * 1024;
/** A page that stopped reading (frozen tab) gets no more frames past this much queued data. */
const MAX_SOCKET_BACKLOG_BYTES = 16 * 1024 * 1024;

function securityHeaders(port: number): Record<string, string> {
  const sockets = [`ws://127.0.0.1:${port}`, `ws://localhost:${port}`].join(' ');
  return {
    'Content-Security-Policy': [
      "default-src 'none'",
      "script-src 'self'",
      "style-src 'self'",
      "img-src 'self' data: blob:",
      "font-src 'self'",
      `connect-src 'self' ${sockets}`,
      "worker-src 'self' blob:",
      "base-uri 'none'",
      "form-action 'none'",
      "frame-ancestors 'none'",
      "object-src 'none'",
    ].join('; '),
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    'Cross-Origin-Opener-Policy': 'same-origin',
    'Cross-Origin-Resource-Policy': 'same-origin',
    'X-Frame-Options': 'DENY',
    'Cache-Control': 'no-store',
  };
}

const UNAUTHORIZED_PAGE = `<!doctype html><html lang="vi"><meta charset="utf-8"><title>Không có quyền truy cập</title>
<body style="font-family:sans-serif;background:#111;color:#eee;padding:2em">
<h1>Không có quyền truy cập</h1>
<p>Hãy mở đúng địa chỉ (có mã truy cập) được in ra khi khởi động phần mềm giám sát.</p>
<p lang="en" style="color:#aaa">Access denied. Open the address (with its token) printed when the console started.</p></body></html>`;

/** A URL path decoded, or null for a malformed percent-escape (answered 400, never 500). */
export function decodePathPart(part: string): string | null {
  try {
    const decoded = decodeURIComponent(part);
    return decoded.includes('\0') ? null : decoded;
  } catch {
    return null;
  }
}

function parseRequestUrl(raw: string | undefined): URL | null {
  try {
    return new URL(raw ?? '/', 'http://127.0.0.1');
  } catch {
    return null;
  }
}

export function startConsoleServer(options: ConsoleServerOptions): Promise<RunningServer> {
  const { log, live, dispatch } = options;
  const extraOrigins = options.extraOrigins ?? [];
  let port = options.port;
  const policy = (): AuthPolicy => ({ token: options.token, port, extraOrigins });
  const eventSockets = new Set<WebSocket>();

  function send(response: ServerResponse, status: number, body: string | Buffer, contentType: string, extra: Record<string, string> = {}): void {
    response.writeHead(status, { ...securityHeaders(port), 'Content-Type': contentType, ...extra });
    response.end(body);
  }

  function sendJson(response: ServerResponse, status: number, value: unknown): void {
    send(response, status, JSON.stringify(value), 'application/json; charset=utf-8');
  }

  async function readBody(request: IncomingMessage): Promise<string | null> {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of request as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) return null;
      chunks.push(chunk);
    }
    return Buffer.concat(chunks).toString('utf8');
  }

  async function handleCall(request: IncomingMessage, response: ServerResponse): Promise<void> {
    if (!(request.headers['content-type'] ?? '').startsWith('application/json')) {
      sendJson(response, 415, fail('badRequest', 'JSON only'));
      return;
    }
    const body = await readBody(request);
    if (body === null) {
      sendJson(response, 413, fail('badRequest', 'body too large'));
      return;
    }
    let raw: unknown;
    try {
      raw = JSON.parse(body);
    } catch {
      sendJson(response, 400, fail('badRequest', 'invalid JSON'));
      return;
    }
    const envelope = CallRequestSchema.safeParse(raw);
    if (!envelope.success) {
      sendJson(response, 400, fail('badRequest', 'invalid call envelope'));
      return;
    }
    const security = options.security;
    const sessionId = readCookie(request.headers.cookie, sessionCookieName(port));
    let cookie: string | null = null;
    const context: CallContext = {
      clientKey: `http:${request.socket.remoteAddress ?? '?'}`,
      sessionId,
      setSession(id) {
        cookie = id === null ? `${sessionCookieName(port)}=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0` : `${sessionCookieName(port)}=${id}; HttpOnly; SameSite=Strict; Path=/`;
      },
    };
    const principal = security ? security.principalOf(sessionId, 'http') : principalFor('administrator', 'http');
    const result = await dispatch(principal, envelope.data.method, envelope.data.params, context);
    if (cookie !== null) send(response, 200, JSON.stringify(result), 'application/json; charset=utf-8', { 'Set-Cookie': cookie });
    else sendJson(response, 200, result);
  }

  async function onRequest(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = parseRequestUrl(request.url);
    // Every path the server decodes is decoded here once: a malformed escape is the client's error.
    if (!url || decodePathPart(url.pathname) === null) {
      send(response, 400, 'Bad request', 'text/plain');
      return;
    }
    // First visit from the printed address: trade the token in the URL for a cookie, then drop
    // it from the address bar (and from the browser history) with a redirect.
    const queryToken = url.searchParams.get('token');
    if (queryToken !== null && request.method === 'GET') {
      const hostOk = request.headers.host === `127.0.0.1:${port}` || request.headers.host === `localhost:${port}`;
      if (!hostOk || !tokensEqual(options.token, queryToken)) {
        send(response, 401, UNAUTHORIZED_PAGE, 'text/html; charset=utf-8');
        return;
      }
      url.searchParams.delete('token');
      send(response, 303, '', 'text/plain', {
        Location: url.pathname + (url.search || ''),
        'Set-Cookie': `${cookieName(port)}=${options.token}; HttpOnly; SameSite=Strict; Path=/`,
      });
      return;
    }
    const auth = checkRequest(request, policy());
    if (!auth.ok) {
      log.warn('request refused', { reason: auth.reason, method: request.method, path: url.pathname });
      if (url.pathname.startsWith('/api/')) sendJson(response, auth.reason === 'noToken' || auth.reason === 'badToken' ? 401 : 403, fail('unauthorized', auth.reason));
      else send(response, 401, UNAUTHORIZED_PAGE, 'text/html; charset=utf-8');
      return;
    }
    if (url.pathname === CALL_PATH) {
      if (request.method !== 'POST') {
        sendJson(response, 405, fail('badRequest', 'POST only'));
        return;
      }
      await handleCall(request, response);
      return;
    }
    if (url.pathname.startsWith(SNAPSHOT_PATH) && request.method === 'GET') {
      const name = decodePathPart(url.pathname.slice(SNAPSHOT_PATH.length));
      const file = name === null ? null : options.snapshotFile?.(name);
      let bytes: Buffer | null = null;
      try {
        bytes = file ? fs.readFileSync(file) : null;
      } catch {
        bytes = null;
      }
      if (!file || !bytes) {
        send(response, 404, 'Not found', 'text/plain');
        return;
      }
      send(response, 200, bytes, 'image/png', { 'Content-Disposition': `attachment; filename="${path.basename(file)}"` });
      return;
    }
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      send(response, 405, 'Method not allowed', 'text/plain');
      return;
    }
    const found = options.staticDir ? resolveStatic(options.staticDir, url.pathname) : null;
    if (!found) {
      send(response, 404, 'Not found', 'text/plain');
      return;
    }
    send(response, 200, fs.readFileSync(found.file), found.contentType, { 'Cache-Control': 'no-cache' });
  }

  const sockets = new WebSocketServer({
    noServer: true,
    maxPayload: 64 * 1024,
    perMessageDeflate: false,
    handleProtocols: (protocols) => (protocols.has(LIVE_PROTOCOL) ? LIVE_PROTOCOL : false),
  });

  function onUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void {
    const url = parseRequestUrl(request.url);
    const auth = checkRequest(request, policy());
    if (!url || url.pathname !== LIVE_PATH || !auth.ok) {
      log.warn('socket refused', { reason: auth.ok ? 'badPath' : auth.reason });
      socket.write(`HTTP/1.1 ${auth.ok ? 404 : 401} Refused\r\nConnection: close\r\n\r\n`);
      socket.destroy();
      return;
    }
    // the socket belongs to a session (cookie; Electron: the host's session): none, no socket
    let sessionId: string | null = null;
    if (options.security) {
      const cookieSession = readCookie(request.headers.cookie, sessionCookieName(port));
      sessionId = options.security.principalOf(cookieSession, 'http').sessionId ?? (auth.via === 'protocol' ? options.security.principalOf(options.security.hostSessionId(), 'ipc').sessionId : null);
      if (sessionId === null) {
        log.warn('socket refused', { reason: 'noSession' });
        socket.write('HTTP/1.1 401 Refused\r\nConnection: close\r\n\r\n');
        socket.destroy();
        return;
      }
    }
    // the page says which screen it is (the renderer's ?screen=N): 2 and up are second screens' walls
    const screen = /^[2-9]$/.test(url.searchParams.get('screen') ?? '') ? 'wall' : 'operator';
    sockets.handleUpgrade(request, socket, head, (ws) => onSocket(ws, sessionId, screen));
  }

  const socketsByClient = new Map<string, WebSocket>();

  function onSocket(ws: WebSocket, sessionId: string | null, screen: 'operator' | 'wall'): void {
    const security = options.security;
    const sendText = (message: ServerTextMessage): void => {
      if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(message));
    };
    const clientId = live.connectClient({
      sendText,
      sendFrame(frame) {
        if (ws.readyState !== ws.OPEN || ws.bufferedAmount > MAX_SOCKET_BACKLOG_BYTES) return;
        // a locked or ended session gets no picture, whatever view is still open
        if (security && !security.mayReceiveFrames(clientId)) return;
        ws.send(frame, { binary: true });
      },
    });
    socketsByClient.set(clientId, ws);
    if (security && sessionId) security.bindClient(sessionId, clientId, screen);
    ws.on('message', (data, isBinary) => {
      if (isBinary) return;
      let raw: unknown;
      try {
        raw = JSON.parse(data.toString());
      } catch {
        return;
      }
      const message = ClientTextMessageSchema.safeParse(raw);
      if (!message.success) return;
      if (message.data.t === 'ack') live.ack(clientId, message.data.viewId, message.data.seq);
      else if (message.data.t === 'acks') for (const [viewId, seq] of message.data.frames) live.ack(clientId, viewId, seq);
      else if (message.data.t === 'subscribeEvents') eventSockets.add(ws);
    });
    ws.on('close', () => {
      eventSockets.delete(ws);
      socketsByClient.delete(clientId);
      security?.unbindClient(clientId);
      live.disconnectClient(clientId);
    });
    ws.on('error', () => undefined);
  }

  const server = http.createServer((request, response) => {
    onRequest(request, response).catch((error: unknown) => {
      log.error('request failed', { error });
      if (!response.headersSent) sendJson(response, 500, fail('internal', 'request failed'));
      else response.destroy();
    });
  });
  server.on('upgrade', onUpgrade);
  server.headersTimeout = 10000;
  server.requestTimeout = 30000;

  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, '127.0.0.1', () => {
      const address = server.address();
      port = typeof address === 'object' && address ? address.port : options.port;
      log.info('listening', { address: `http://127.0.0.1:${port}/`, origins: allowedOrigins(policy()) });
      resolve({
        port,
        url: `http://127.0.0.1:${port}/?token=${options.token}`,
        liveUrl: `ws://127.0.0.1:${port}${LIVE_PATH}`,
        broadcast(envelope) {
          const text = JSON.stringify({ t: 'event', envelope } satisfies ServerTextMessage);
          for (const ws of eventSockets) if (ws.readyState === ws.OPEN) ws.send(text);
        },
        sendToClient(liveClientId, message) {
          const ws = socketsByClient.get(liveClientId);
          if (ws && ws.readyState === ws.OPEN) ws.send(JSON.stringify(message));
        },
        closeClient(liveClientId) {
          socketsByClient.get(liveClientId)?.close(4401, 'session ended');
        },
        close: () =>
          new Promise<void>((done) => {
            for (const ws of sockets.clients) ws.terminate();
            sockets.close();
            server.close(() => done());
            server.closeAllConnections();
          }),
      });
    });
  });
}
