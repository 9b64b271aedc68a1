import { describe, expect, it } from 'vitest';
import { CallRequestSchema, EventEnvelopeSchema, METHOD_NAMES, isMethodName, methods, resultSchemaOf } from '../../common/contract';
import { PERMISSIONS, ROLES, permissionsOf } from '../../common/permissions';
import { ClientTextMessageSchema, FRAME_HEADER_BYTES, i420Bytes, readFrameHeader, writeFrameHeader } from '../../common/liveProtocol';
import { fail, ok } from '../../common/result';

describe('the contract', () => {
  it('declares a known permission for every method', () => {
    expect(METHOD_NAMES.length).toBeGreaterThan(5);
    for (const name of METHOD_NAMES) expect([...PERMISSIONS, 'signIn']).toContain(methods[name].permission);
  });

  it('recognises its own method names only', () => {
    expect(isMethodName('openLive')).toBe(true);
    expect(isMethodName('toString')).toBe(false);
    expect(isMethodName('__proto__')).toBe(false);
    expect(isMethodName(42)).toBe(false);
  });

  it('rejects params outside the schema', () => {
    const open = methods.openLive.params;
    const good = { liveClientId: 'abcdefgh-1234', cameraId: 'dk-01', stream: 'sub', widthPx: 640, heightPx: 360 };
    expect(open.safeParse(good).success).toBe(true);
    expect(open.safeParse({ ...good, widthPx: 100000 }).success).toBe(false);
    expect(open.safeParse({ ...good, cameraId: '../etc/passwd' }).success).toBe(false);
    expect(open.safeParse({ ...good, stream: 'third' }).success).toBe(false);
    expect(open.safeParse({ ...good, extra: 1 }).success).toBe(false);
    expect(methods.getSite.params.safeParse({ sneaky: true }).success).toBe(false);
  });

  it('validates tagged results in both shapes and nothing else', () => {
    const schema = resultSchemaOf('closeLive');
    expect(schema.safeParse(ok(null)).success).toBe(true);
    expect(schema.safeParse(fail('notFound', 'no such view')).success).toBe(true);
    expect(schema.safeParse({ ok: true }).success).toBe(false);
    expect(schema.safeParse({ ok: false, error: { code: 'made-up', message: '' } }).success).toBe(false);
    expect(schema.safeParse(ok('not null')).success).toBe(false);
  });

  it('validates call envelopes and events', () => {
    expect(CallRequestSchema.safeParse({ method: 'getSite', params: {} }).success).toBe(true);
    expect(CallRequestSchema.safeParse({ method: 'getSite', params: {}, more: 1 }).success).toBe(false);
    const status = { cameraId: 'dk-01', stream: 'main', state: 'offline', sinceMs: 1, problem: 'unreachable', codec: null, widthPx: null, heightPx: null, revision: 7 };
    expect(EventEnvelopeSchema.safeParse({ event: 'streamStatus', payload: status }).success).toBe(true);
    expect(EventEnvelopeSchema.safeParse({ event: 'streamStatus', payload: { ...status, state: 'weird' } }).success).toBe(false);
    expect(EventEnvelopeSchema.safeParse({ event: 'unknown', payload: status }).success).toBe(false);
  });

  it('gives each role only its permissions', () => {
    // every role also has `signIn` (log-in, lock, unlock: issue 15)
    expect(permissionsOf('administrator').size).toBe(PERMISSIONS.length + 1);
    expect(permissionsOf('dutyOfficer').has('export')).toBe(false);
    expect(permissionsOf('clerk').has('export')).toBe(true);
    expect(permissionsOf('ptzOperator').has('controlPtz')).toBe(true);
    expect(Object.keys(ROLES)).toEqual(['dutyOfficer', 'ptzOperator', 'clerk', 'administrator']);
  });
});

describe('the live socket protocol', () => {
  it('round-trips a frame header and refuses malformed frames', () => {
    const width = 64;
    const height = 36;
    const frame = new Uint8Array(FRAME_HEADER_BYTES + i420Bytes(width, height));
    writeFrameHeader(frame, { viewId: 7, seq: 123456, width, height, decodedAtMs: 1700000000123.5 });
    expect(readFrameHeader(frame)).toEqual({ viewId: 7, seq: 123456, width, height, decodedAtMs: 1700000000123.5 });
    expect(readFrameHeader(frame.subarray(0, frame.length - 1))).toBeNull();
    expect(readFrameHeader(new Uint8Array(10))).toBeNull();
    const wrongKind = frame.slice();
    wrongKind[0] = 9;
    expect(readFrameHeader(wrongKind)).toBeNull();
  });

  it('accepts only known client messages', () => {
    expect(ClientTextMessageSchema.safeParse({ t: 'ack', viewId: 1, seq: 2 }).success).toBe(true);
    expect(ClientTextMessageSchema.safeParse({ t: 'ack', viewId: -1, seq: 2 }).success).toBe(false);
    expect(ClientTextMessageSchema.safeParse({ t: 'exec', command: 'rm' }).success).toBe(false);
  });
});

describe('the contract split by feature', () => {
  it('has no method or event name defined twice across its files', async () => {
    const parts = await Promise.all([import('../../common/ptzContract'), import('../../common/mapContract'), import('../../common/playbackContract'), import('../../common/exportContract'), import('../../common/authContract')]);
    const { coreMethods, methods, events } = await import('../../common/contract');
    const allMethodNames = [Object.keys(coreMethods), ...parts.map((part) => Object.keys(Object.entries(part).find(([key]) => key.endsWith('Methods'))?.[1] ?? {}))].flat();
    const allEventNames = ['streamStatus', 'viewHealth', 'recordingStatus', 'camerasChanged', 'coreRestarted', ...parts.flatMap((part) => Object.keys(Object.entries(part).find(([key]) => key.endsWith('Events'))?.[1] ?? {}))];
    expect(new Set(allMethodNames).size).toBe(allMethodNames.length);
    expect(Object.keys(methods)).toHaveLength(allMethodNames.length);
    expect(new Set(allEventNames).size).toBe(allEventNames.length);
    expect(Object.keys(events)).toHaveLength(allEventNames.length);
  });
});
