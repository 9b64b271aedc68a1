import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { LIVE_TOKEN_PROTOCOL_PREFIX } from '../../../common/liveProtocol';

/**
 * Browser mode listens on 127.0.0.1 only, and every request and socket must carry this launch's
 * random token: as a cookie (set when the printed URL is first opened), as `Authorization:
 * Bearer`, or as a WebSocket subprotocol (Electron). A browser request must also come from our
 * own origin (Origin header) and name our own host (Host header, against DNS rebinding).
 */
export function newToken(): string {
  return randomBytes(24).toString('base64url');
}

export function tokensEqual(expected: string, given: string | null | undefined): boolean {
  if (!given) return false;
  const a = Buffer.from(expected);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}

export function cookieName(port: number): string {
  // Cookies do not separate ports: name ours by port so two consoles on one PC do not clash.
  return `ccc_token_${port}`;
}

/** The log-in session's cookie (issue 15), next to the launch token's, named by port too. */
export function sessionCookieName(port: number): string {
  return `ccc_session_${port}`;
}

export function readCookie(header: string | undefined, name: string): string | null {
  if (!header) return null;
  for (const part of header.split(';')) {
    const [key, ...rest] = part.trim().split('=');
    if (key === name) return rest.join('=');
  }
  return null;
}

export type AuthVia = 'cookie' | 'bearer' | 'protocol';

export interface AuthCheck {
  ok: boolean;
  via: AuthVia | null;
  reason: 'ok' | 'noToken' | 'badToken' | 'badOrigin' | 'badHost';
}

export interface AuthPolicy {
  token: string;
  port: number;
  /** Extra allowed origins besides http://127.0.0.1:port and http://localhost:port (e.g. app://console). */
  extraOrigins: readonly string[];
}

export function allowedOrigins(policy: AuthPolicy): string[] {
  return [`http://127.0.0.1:${policy.port}`, `http://localhost:${policy.port}`, ...policy.extraOrigins];
}

function protocolToken(request: IncomingMessage): string | null {
  const header = request.headers['sec-websocket-protocol'];
  if (!header) return null;
  for (const value of header.split(',')) {
    const trimmed = value.trim();
    if (trimmed.startsWith(LIVE_TOKEN_PROTOCOL_PREFIX)) return trimmed.slice(LIVE_TOKEN_PROTOCOL_PREFIX.length);
  }
  return null;
}

export function checkRequest(request: IncomingMessage, policy: AuthPolicy): AuthCheck {
  const host = request.headers.host;
  if (host !== `127.0.0.1:${policy.port}` && host !== `localhost:${policy.port}`) return { ok: false, via: null, reason: 'badHost' };
  const origin = request.headers.origin;
  if (origin !== undefined && !allowedOrigins(policy).includes(origin)) return { ok: false, via: null, reason: 'badOrigin' };

  const authorization = request.headers.authorization;
  const bearer = authorization?.startsWith('Bearer ') ? authorization.slice(7) : null;
  const cookie = readCookie(request.headers.cookie, cookieName(policy.port));
  const protocol = protocolToken(request);
  if (bearer === null && cookie === null && protocol === null) return { ok: false, via: null, reason: 'noToken' };
  if (tokensEqual(policy.token, bearer)) return { ok: true, via: 'bearer', reason: 'ok' };
  if (tokensEqual(policy.token, protocol)) return { ok: true, via: 'protocol', reason: 'ok' };
  if (tokensEqual(policy.token, cookie)) {
    // A cookie rides along on any request the browser makes: accept it only with our Origin on
    // state-changing requests and sockets (checked above; browsers always send Origin there).
    if (request.method !== 'GET' || request.headers.upgrade) {
      if (origin === undefined) return { ok: false, via: null, reason: 'badOrigin' };
    }
    return { ok: true, via: 'cookie', reason: 'ok' };
  }
  return { ok: false, via: null, reason: 'badToken' };
}
