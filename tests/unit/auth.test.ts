import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startConsoleServer, type RunningServer } from '../../main/core/server/consoleServer';
import { createDispatcher } from '../../main/core/api/dispatch';
import { createHandlers } from '../../main/core/api/handlers';
import { LiveService } from '../../main/core/media/liveService';
import { SourceHub } from '../../main/core/media/sourceHub';
import { RecordingService } from '../../main/core/recording/recordingService';
import { DEFAULT_SOURCE_OPTIONS } from '../../main/core/media/source';
import { silentLogger } from '../../main/core/log/logger';
import { systemClock } from '../../main/core/util/clock';
import { newToken } from '../../main/core/server/auth';
import { SnapshotService } from '../../main/core/snapshots/snapshots';
import { SavedViews } from '../../main/core/views/savedViews';
import { LIVE_PROTOCOL } from '../../common/liveProtocol';
import type { Site } from '../../common/site';
import { tempDir } from '../helpers/paths';

interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

function request(port: number, options: { method?: string; path?: string; headers?: Record<string, string>; body?: string }): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method: options.method ?? 'GET', path: options.path ?? '/', headers: options.headers }, (res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

function socketOutcome(url: string, protocols: string[], headers: Record<string, string> = {}): Promise<'open' | number> {
  return new Promise((resolve) => {
    const socket = new WebSocket(url, protocols, { headers });
    socket.once('open', () => {
      socket.close();
      resolve('open');
    });
    socket.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
    socket.once('error', () => resolve(-1));
  });
}

// The browser-mode server: loopback only, and every request and socket must carry the token.
describe('browser-mode server security', () => {
  const token = newToken();
  let server: RunningServer;
  let port: number;
  const site: Site = { schemaVersion: 1, name: 'Đông Khê', cameras: [] };

  beforeAll(async () => {
    const staticDir = tempDir('static');
    fs.writeFileSync(path.join(staticDir, 'index.html'), '<!doctype html><title>ok</title>');
    fs.writeFileSync(path.join(tempDir('outside'), 'secret.txt'), 'secret');
    const hub = new SourceHub(site, { ffmpeg: null, clock: systemClock, log: silentLogger, demoClip: () => Promise.reject(new Error('none')) }, { source: DEFAULT_SOURCE_OPTIONS, lingerMs: 1000 });
    const live = new LiveService(hub, { ffmpeg: null, clock: systemClock, log: silentLogger });
    const dataDir = tempDir('auth-data');
    const snapshots = new SnapshotService(dataDir, live, null, 'Asia/Ho_Chi_Minh', { clock: systemClock, log: silentLogger });
    fs.mkdirSync(snapshots.folder, { recursive: true });
    fs.writeFileSync(path.join(snapshots.folder, 'cam-1_2026-11-30_04-33-26.png'), 'png');
    const dispatch = createDispatcher(
      createHandlers({
        site, isDemo: false, version: 't', dataDir, ffmpeg: null, live, hub, snapshots,
        recording: new RecordingService(site, hub, dataDir, { clock: systemClock, log: silentLogger }),
        savedViews: new SavedViews(dataDir, silentLogger), openFolder: () => Promise.resolve(false),
        host: 'browser', liveEndpoint: () => ({ url: '', token }),
        audit: { append: () => ({ ok: true, value: null }), appendOrLog: () => undefined, headHash: () => '' },
      }),
      silentLogger,
    );
    server = await startConsoleServer({ port: 0, token, staticDir, dispatch, live, log: silentLogger, snapshotFile: (name) => snapshots.pathOf(name) });
    port = server.port;
  });

  afterAll(async () => {
    await server?.close();
  });

  const host = () => ({ Host: `127.0.0.1:${port}` });
  const call = (headers: Record<string, string>) =>
    request(port, { method: 'POST', path: '/api/call', headers: { 'Content-Type': 'application/json', ...host(), ...headers }, body: JSON.stringify({ method: 'getSite', params: {} }) });

  it('listens on 127.0.0.1 only', () => {
    expect(server.url.startsWith(`http://127.0.0.1:${port}/?token=`)).toBe(true);
  });

  it('refuses a call without a token, or with a wrong one', async () => {
    expect((await call({})).status).toBe(401);
    expect((await call({ Authorization: `Bearer ${newToken()}` })).status).toBe(401);
    expect((await call({ Authorization: `Bearer ${token}x` })).status).toBe(401);
  });

  it('answers a call with the right bearer token', async () => {
    const reply = await call({ Authorization: `Bearer ${token}` });
    expect(reply.status).toBe(200);
    expect(JSON.parse(reply.body)).toMatchObject({ ok: true, value: { name: 'Đông Khê' } });
  });

  it('trades the token in the printed address for an HttpOnly cookie and drops it from the address', async () => {
    const first = await request(port, { path: `/?token=${token}`, headers: host() });
    expect(first.status).toBe(303);
    expect(first.headers.location).toBe('/');
    const cookie = String(first.headers['set-cookie']?.[0] ?? '');
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Strict/);
    const page = await request(port, { path: '/', headers: { ...host(), Cookie: cookie.split(';')[0] ?? '' } });
    expect(page.status).toBe(200);
    expect(page.headers['content-security-policy']).toContain("script-src 'self'");
    expect(page.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    expect((await request(port, { path: `/?token=${newToken()}`, headers: host() })).status).toBe(401);
  });

  it('serves nothing, not even the page, without the token', async () => {
    const page = await request(port, { path: '/', headers: host() });
    expect(page.status).toBe(401);
    expect(page.body).toContain('Không có quyền truy cập');
  });

  it('accepts a cookie only with our own Origin on calls (no cross-site requests)', async () => {
    const cookie = `ccc_token_${port}=${token}`;
    expect((await call({ Cookie: cookie })).status).toBe(403);
    expect((await call({ Cookie: cookie, Origin: 'http://evil.example' })).status).toBe(403);
    expect((await call({ Cookie: cookie, Origin: `http://127.0.0.1:${port}` })).status).toBe(200);
  });

  it('refuses a foreign Host header (DNS rebinding)', async () => {
    expect((await call({ Authorization: `Bearer ${token}`, Host: `evil.example:${port}` })).status).toBe(403);
  });

  it('does not serve files outside the renderer folder', async () => {
    const reply = await request(port, { path: '/..%2f..%2fetc%2fpasswd', headers: { ...host(), Authorization: `Bearer ${token}` } });
    expect(reply.status).toBe(404);
  });

  it('serves our snapshots with the token, and nothing else from that path', async () => {
    const auth = { ...host(), Authorization: `Bearer ${token}` };
    expect((await request(port, { path: '/api/snapshots/cam-1_2026-11-30_04-33-26.png', headers: host() })).status).toBe(401);
    const reply = await request(port, { path: '/api/snapshots/cam-1_2026-11-30_04-33-26.png', headers: auth });
    expect(reply.status).toBe(200);
    expect(reply.headers['content-type']).toBe('image/png');
    expect((await request(port, { path: '/api/snapshots/..%2F..%2Fviews.json', headers: auth })).status).toBe(404);
    expect((await request(port, { path: '/api/snapshots/other.txt', headers: auth })).status).toBe(404);
  });

  it('answers 400, not 500, to a malformed percent-escape in any path it decodes (snapshots, static files, the API)', async () => {
    const auth = { ...host(), Authorization: `Bearer ${token}` };
    for (const bad of ['/api/snapshots/%E0%A4%A.png', '/api/snapshots/%zz', '/api/snapshots/%', '/%E0%A4%A', '/index%.html', '/api/call%zz', '/api/snapshots/a%00b.png']) {
      const reply = await request(port, { path: bad, headers: auth });
      expect(reply.status, bad).toBe(400);
    }
    // and the well-formed ones still work
    expect((await request(port, { path: '/api/snapshots/cam-1_2026-11-30_04-33-26%2Epng', headers: auth })).status).toBe(200);
    expect((await request(port, { path: '/index%2Ehtml', headers: auth })).status).toBe(200);
  });

  it('opens the live socket only with the token and our origin', async () => {
    const url = `ws://127.0.0.1:${port}/api/live`;
    expect(await socketOutcome(url, [LIVE_PROTOCOL])).toBe(401);
    expect(await socketOutcome(url, [LIVE_PROTOCOL, `token.${newToken()}`])).toBe(401);
    expect(await socketOutcome(url, [LIVE_PROTOCOL, `token.${token}`])).toBe('open');
    expect(await socketOutcome(url, [LIVE_PROTOCOL], { Cookie: `ccc_token_${port}=${token}`, Origin: 'http://evil.example' })).toBe(401);
    expect(await socketOutcome(url, [LIVE_PROTOCOL], { Cookie: `ccc_token_${port}=${token}`, Origin: `http://127.0.0.1:${port}` })).toBe('open');
  });
});
