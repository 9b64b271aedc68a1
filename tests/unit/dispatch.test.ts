import { describe, expect, it, vi } from 'vitest';
import { createDispatcher, principalFor, type Handlers } from '../../main/core/api/dispatch';
import { silentLogger } from '../../main/core/log/logger';
import { ok } from '../../common/result';
import { METHOD_NAMES } from '../../common/contract';

function handlers(overrides: Partial<Handlers> = {}): Handlers {
  const notUsed = () => {
    throw new Error('not used');
  };
  const all = Object.fromEntries(METHOD_NAMES.map((name) => [name, notUsed])) as unknown as Handlers;
  return {
    ...all,
    getSite: () => ok({ name: 'Đông Khê', timeZone: 'Asia/Ho_Chi_Minh', cameraCount: 31, isDemo: true }),
    listCameras: () => ok([]),
    getSystemInfo: () => ok({ version: '1', ffmpeg: null, dataDir: '/tmp' }),
    ...overrides,
  };
}

describe('the dispatcher (every call of both hosts goes through it)', () => {
  it('checks the permission before the handler runs', async () => {
    const getSystemInfo = vi.fn(() => ok({ version: '1', ffmpeg: null, dataDir: '/tmp' }));
    const dispatch = createDispatcher(handlers({ getSystemInfo }), silentLogger);
    const refused = await dispatch(principalFor('dutyOfficer', 'http'), 'getSystemInfo', {});
    expect(refused).toEqual({ ok: false, error: { code: 'forbidden', message: 'permission configure required' } });
    expect(getSystemInfo).not.toHaveBeenCalled();
    const allowed = await dispatch(principalFor('administrator', 'http'), 'getSystemInfo', {});
    expect(allowed.ok).toBe(true);
    expect(getSystemInfo).toHaveBeenCalledTimes(1);
  });

  it('refuses unknown methods and params outside the schema', async () => {
    const dispatch = createDispatcher(handlers(), silentLogger);
    const admin = principalFor('administrator', 'http');
    expect(await dispatch(admin, 'constructor', {})).toMatchObject({ ok: false, error: { code: 'badRequest' } });
    expect(await dispatch(admin, 'getSite', { extra: 1 })).toMatchObject({ ok: false, error: { code: 'badRequest' } });
    expect(await dispatch(admin, 'closeLive', { viewId: 'seven' })).toMatchObject({ ok: false, error: { code: 'badRequest' } });
  });

  it('turns a throwing handler into an internal error', async () => {
    const dispatch = createDispatcher(handlers({ listCameras: () => Promise.reject(new Error('boom')) }), silentLogger);
    expect(await dispatch(principalFor('administrator', 'ipc'), 'listCameras', {})).toEqual({ ok: false, error: { code: 'internal', message: 'handler failed' } });
  });

  it('refuses to send a result that breaks the contract', async () => {
    const broken = (() => ok({ name: 42 })) as unknown as Handlers['getSite'];
    const dispatch = createDispatcher(handlers({ getSite: broken }), silentLogger);
    expect(await dispatch(principalFor('administrator', 'ipc'), 'getSite', {})).toMatchObject({ ok: false, error: { code: 'internal' } });
  });
});
