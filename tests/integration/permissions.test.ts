import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { METHOD_NAMES, methods } from '../../common/contract';
import { CALL_PATH } from '../../common/liveProtocol';
import { permissionsOf, ROLE_NAMES, type Role } from '../../common/permissions';
import { startCore, type RunningCore } from '../../main/core/core';
import { LiveConsumer } from '../helpers/liveConsumer';
import { signInHttp, TEST_ADMIN } from '../helpers/signIn';
import { tempDir } from '../helpers/paths';

/**
 * Issue 15, through the real server: every role against every contract method (the method's
 * permission holds, nothing is reachable without a session), a forged principal, a locked
 * session, another session's live client id. Params are deliberately invalid ('x'): the
 * permission is checked before the params, so an allowed call answers badRequest and no handler
 * runs (no side effect).
 */
describe('roles × contract methods through the real server', () => {
  let dir: string;
  let core: RunningCore;
  const cookies = new Map<Role, string>();
  const password = 'mat-khau-thu-nghiem';

  async function call(cookie: string | null, body: unknown): Promise<{ status: number; json: { ok: boolean; error?: { code: string; message: string }; value?: unknown } }> {
    const response = await fetch(`http://127.0.0.1:${core.port}${CALL_PATH}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${core.token}`, ...(cookie ? { Cookie: cookie } : {}) },
      body: JSON.stringify(body),
    });
    return { status: response.status, json: (await response.json()) as never };
  }

  beforeAll(async () => {
    dir = tempDir('permissions');
    const sitePath = path.join(dir, 'site.json');
    fs.writeFileSync(sitePath, JSON.stringify({ schemaVersion: 1, name: 'Thử quyền', cameras: [{ id: 'cam-1', name: 'Camera 1', streams: { main: 'rtsp://127.0.0.1:9/none' } }] }));
    core = await startCore({ sitePath, dataDir: path.join(dir, 'data'), port: 0, host: 'browser', language: 'vi', staticDir: null, stderrLevel: null, openFolder: async () => true });
    const admin = await signInHttp(core.url, core.token); // first start: creates TEST_ADMIN
    cookies.set('administrator', admin);
    for (const role of ROLE_NAMES.filter((name) => name !== 'administrator')) {
      const created = await call(admin, { method: 'createUser', params: { userName: `u-${role}`, fullName: `Người ${role}`, rank: 'Trung úy', role, password } });
      expect(created.json).toMatchObject({ ok: true, value: { problem: null } });
      cookies.set(role, await signInHttp(core.url, core.token, { userName: `u-${role}`, password }));
    }
  }, 60000);

  afterAll(async () => {
    await core?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('answers every method as the role allows, and nothing but sign-in without a session', async () => {
    const mismatches: string[] = [];
    for (const name of METHOD_NAMES) {
      const permission = methods[name].permission;
      const anonymous = await call(null, { method: name, params: 'x' });
      const expectedAnonymous = permission === 'signIn' ? 'badRequest' : 'unauthorized';
      if (anonymous.json.error?.code !== expectedAnonymous) mismatches.push(`no session × ${name}: ${anonymous.json.error?.code}`);
      for (const role of ROLE_NAMES) {
        const result = await call(cookies.get(role)!, { method: name, params: 'x' });
        const expected = permissionsOf(role).has(permission) ? 'badRequest' : 'forbidden';
        if (result.json.error?.code !== expected) mismatches.push(`${role} × ${name}: ${result.json.error?.code} (expected ${expected})`);
      }
    }
    expect(mismatches).toEqual([]);
  });

  it('refuses a principal carried in the request body', async () => {
    const forged = await call(null, { method: 'getSystemInfo', params: {}, principal: { role: 'administrator' } });
    expect(forged.status).toBe(400);
    const officer = await call(cookies.get('dutyOfficer')!, { method: 'getSystemInfo', params: { role: 'administrator' } });
    expect(officer.json.error?.code).toBe('forbidden');
  });

  it('refuses a live client id that belongs to another session (PTZ holder, live views)', async () => {
    const adminWindow = await LiveConsumer.connect(core.url, core.token, { sessionCookie: cookies.get('administrator')! });
    const operator = await LiveConsumer.connect(core.url, core.token, { sessionCookie: cookies.get('ptzOperator')! });
    try {
      const foreign = await operator.call('ptzRelease', { cameraId: 'cam-1', liveClientId: adminWindow.liveClientId });
      expect(foreign).toMatchObject({ ok: false, error: { code: 'forbidden' } });
      const view = await operator.call('openLive', { liveClientId: adminWindow.liveClientId, cameraId: 'cam-1', stream: 'main', widthPx: 320, heightPx: 180 });
      expect(view).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    } finally {
      await adminWindow.close();
      await operator.close();
    }
  });

  it('a locked session gets nothing but unlock, its socket is told at once, and unlock needs the password', async () => {
    const cookie = await signInHttp(core.url, core.token, { userName: 'u-clerk', password });
    const window = await LiveConsumer.connect(core.url, core.token, { sessionCookie: cookie });
    try {
      expect((await call(cookie, { method: 'lockSession', params: {} })).json.ok).toBe(true);
      await window.waitFor(() => window.sessionStates.includes('locked'), 3000, 'locked message');
      expect((await call(cookie, { method: 'listCameras', params: {} })).json.error).toEqual({ code: 'unauthorized', message: 'locked' });
      expect((await call(cookie, { method: 'unlockSession', params: { password: 'sai-mat-khau' } })).json.value).toMatchObject({ status: 'refused', reason: 'wrongCredentials' });
      // the growing delay: the next try too soon is refused without checking
      expect((await call(cookie, { method: 'unlockSession', params: { password } })).json.value).toMatchObject({ status: 'refused', reason: 'throttled' });
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect((await call(cookie, { method: 'unlockSession', params: { password } })).json.value).toMatchObject({ status: 'signedIn' });
      expect((await call(cookie, { method: 'listCameras', params: {} })).json.ok).toBe(true);
      const actions = core.security.audit.query({ actor: 'u-clerk' }).map((row) => row.action);
      expect(actions).toEqual(expect.arrayContaining(['login', 'lock', 'unlockFailed', 'unlock']));
    } finally {
      await window.close();
    }
  });

  it('refuses a user name with a bidirectional override, and a wrong password, and audits both', async () => {
    const bidi = await call(null, { method: 'login', params: { userName: 'nimda\u202e', password } });
    expect(bidi.json.value).toMatchObject({ status: 'refused', reason: 'badUserName' });
    // same client (127.0.0.1), its second failure here: wait out the growing delay (500 ms) before the next try
    await new Promise((resolve) => setTimeout(resolve, 700));
    const wrong = await call(null, { method: 'login', params: { userName: TEST_ADMIN.userName, password: 'khong-dung' } });
    expect(wrong.json.value).toMatchObject({ status: 'refused', reason: 'wrongCredentials' });
    const failed = core.security.audit.query({ action: 'loginFailed' });
    expect(failed.map((row) => row.actor)).toEqual(expect.arrayContaining(['nimda\\u202e', TEST_ADMIN.userName]));
    expect(core.security.audit.verify().ok).toBe(true);
  });

  it('legal hold: a clerk places one, only an administrator releases it, with a reason, and both are audited', async () => {
    const hour = 3_600_000;
    const startMs = Date.UTC(2026, 11, 5, 1);
    const params = { cameraIds: ['cam-1'], startMs, endMs: startMs + hour, reason: 'Vụ 12/2026 trộm xe' };
    expect((await call(cookies.get('dutyOfficer')!, { method: 'placeHold', params })).json.error?.code).toBe('forbidden');
    expect((await call(cookies.get('clerk')!, { method: 'placeHold', params: { ...params, endMs: startMs } })).json.error?.code).toBe('badRequest');
    expect((await call(cookies.get('clerk')!, { method: 'placeHold', params: { ...params, endMs: startMs + 40 * 24 * hour } })).json.error?.code).toBe('badRequest');
    expect((await call(cookies.get('clerk')!, { method: 'placeHold', params: { ...params, cameraIds: ['cam-9'] } })).json.error?.code).toBe('notFound');
    expect((await call(cookies.get('clerk')!, { method: 'placeHold', params: { ...params, reason: '   ' } })).json.error?.code).toBe('badRequest');
    const placed = await call(cookies.get('clerk')!, { method: 'placeHold', params });
    expect(placed.json.ok).toBe(true);
    const holdId = (placed.json.value as { holdIds: number[] }).holdIds[0]!;

    const storage = async () => (await call(cookies.get('administrator')!, { method: 'getStorage', params: {} })).json.value as { holds: { id: number; createdBy: string; reason: string; source: string; releasedMs: number | null; releasedBy: string | null; releaseReason: string | null }[] };
    expect((await storage()).holds.find((hold) => hold.id === holdId)).toMatchObject({ createdBy: 'u-clerk', reason: params.reason, source: 'manual', releasedMs: null });

    expect((await call(cookies.get('clerk')!, { method: 'releaseHold', params: { holdId, reason: 'xong' } })).json.error?.code).toBe('forbidden');
    expect((await call(cookies.get('administrator')!, { method: 'releaseHold', params: { holdId, reason: '' } })).json.error?.code).toBe('badRequest');
    expect((await call(cookies.get('administrator')!, { method: 'releaseHold', params: { holdId: holdId + 1000, reason: 'xong' } })).json.error?.code).toBe('notFound');
    expect((await call(cookies.get('administrator')!, { method: 'releaseHold', params: { holdId, reason: 'Vụ án đã đình chỉ' } })).json.ok).toBe(true);
    expect((await call(cookies.get('administrator')!, { method: 'releaseHold', params: { holdId, reason: 'lần nữa' } })).json.error?.code).toBe('badRequest');
    expect((await storage()).holds.find((hold) => hold.id === holdId)).toMatchObject({ releasedBy: TEST_ADMIN.userName, releaseReason: 'Vụ án đã đình chỉ' });

    const placedRow = core.security.audit.query({ action: 'holdPlaced' }).find((row) => row.actor === 'u-clerk');
    expect(JSON.parse(placedRow!.detail)).toMatchObject({ cameraIds: ['cam-1'], startMs, endMs: startMs + hour, reason: params.reason });
    const releasedRows = core.security.audit.query({ action: 'holdReleased' });
    expect(releasedRows).toHaveLength(1);
    expect(releasedRows[0]).toMatchObject({ actor: TEST_ADMIN.userName, cameraId: 'cam-1' });
    expect(JSON.parse(releasedRows[0]!.detail)).toMatchObject({ holdId, reason: 'Vụ án đã đình chỉ', createdBy: 'u-clerk' });
    expect(core.security.audit.verify().ok).toBe(true);
  });
});
