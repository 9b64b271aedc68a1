import { describe, expect, it } from 'vitest';
import { redact } from '../../main/core/log/redact';
import { messages, translate } from '../../common/i18n';
import { formatDate, formatDateTime, formatTime } from '../../common/time';
import { FrameAssembler } from '../../main/core/media/frameAssembler';
import { FRAME_HEADER_BYTES } from '../../common/liveProtocol';
import { LAYOUTS, tileRects } from '../../renderer/util/layouts';
import { parseCliArgs, pickOwnOptions } from '../../main/core/cliArgs';
import { resolveFfmpeg } from '../../main/core/ffmpeg/resolve';
import { ManualClock } from '../../main/core/util/clock';

describe('redact', () => {
  it('removes credentials from URLs and secrets from key=value text', () => {
    expect(redact('rtsp://admin:12345@192.168.1.64:554/Streaming/Channels/101')).toBe('rtsp://***@192.168.1.64:554/Streaming/Channels/101');
    expect(redact('open http://user@cam/x')).toBe('open http://***@cam/x');
    expect(redact('GET /?token=abcDEF123&x=1')).toBe('GET /?token=***&x=1');
    expect(redact('{"password":"hunter2"}')).toBe('{"password":"***"}');
    expect(redact('Authorization: Bearer abc.def')).toBe('Authorization: ***');
    expect(redact('nothing secret here')).toBe('nothing secret here');
  });
});

function keysOf(node: unknown, prefix = ''): string[] {
  if (typeof node === 'string') return [prefix];
  return Object.entries(node as Record<string, unknown>).flatMap(([key, value]) => keysOf(value, prefix ? `${prefix}.${key}` : key));
}

describe('i18n', () => {
  it('has the same keys in Vietnamese and English, none empty', () => {
    expect(keysOf(messages.en)).toEqual(keysOf(messages.vi));
    for (const key of keysOf(messages.vi)) expect(translate('vi', key).trim()).not.toBe('');
  });

  it('interpolates and falls back to the key', () => {
    expect(translate('vi', 'app.station', { name: 'Đông Khê' })).toBe('Công an xã Đông Khê');
    expect(translate('en', 'streamState.offline')).toBe('Offline');
    expect(translate('vi', 'streamState.offline')).toBe('Mất kết nối');
    expect(translate('vi', 'no.such.key')).toBe('no.such.key');
  });
});

describe('time in the station time zone', () => {
  it('formats dd/MM/yyyy HH:mm:ss in Asia/Ho_Chi_Minh whatever the PC zone', () => {
    const ms = Date.UTC(2026, 10, 29, 20, 43, 16); // 29/11/2026 20:43:16 UTC
    expect(formatDateTime(ms)).toBe('30/11/2026 03:43:16');
    expect(formatTime(ms)).toBe('03:43:16');
    expect(formatDate(ms)).toBe('30/11/2026');
    expect(formatDateTime(ms, 'UTC')).toBe('29/11/2026 20:43:16');
  });
});

describe('FrameAssembler', () => {
  it('cuts raw I420 output into whole frames with room for the header', () => {
    const assembler = new FrameAssembler(4, 2); // 12 bytes a frame
    expect(assembler.push(Buffer.alloc(5, 1))).toHaveLength(0);
    const frames = assembler.push(Buffer.concat([Buffer.alloc(7, 1), Buffer.alloc(12, 2), Buffer.alloc(3, 3)]));
    expect(frames).toHaveLength(2);
    expect(frames[0]!.length).toBe(FRAME_HEADER_BYTES + 12);
    expect([...frames[0]!.subarray(FRAME_HEADER_BYTES)]).toEqual(Array(12).fill(1));
    expect([...frames[1]!.subarray(FRAME_HEADER_BYTES)]).toEqual(Array(12).fill(2));
  });
});

describe('wall layouts', () => {
  it.each(LAYOUTS.map((layout) => [layout.id, layout] as const))('%s: tiles inside the wall, not overlapping', (_id, layout) => {
    const rects = tileRects(layout, 1597, 853);
    expect(rects).toHaveLength(layout.cells.length);
    for (const rect of rects) {
      expect(rect.x).toBeGreaterThanOrEqual(0);
      expect(rect.y).toBeGreaterThanOrEqual(0);
      expect(rect.x + rect.width).toBeLessThanOrEqual(1597);
      expect(rect.y + rect.height).toBeLessThanOrEqual(853);
    }
    for (let a = 0; a < rects.length; a++) {
      for (let b = a + 1; b < rects.length; b++) {
        const r = rects[a]!;
        const s = rects[b]!;
        const overlap = r.x < s.x + s.width && s.x < r.x + r.width && r.y < s.y + s.height && s.y < r.y + r.height;
        expect(overlap).toBe(false);
      }
    }
  });
});

describe('command line', () => {
  it('takes --site, --data, --port and --lang', () => {
    const options = parseCliArgs(['--site', 'x.json', '--data', '/tmp/d', '--port', '8123', '--lang', 'en'], {});
    expect(options).toMatchObject({ data: '/tmp/d', port: 8123, language: 'en' });
    expect(options.site).toMatch(/x\.json$/);
    expect(parseCliArgs([], {}).site).toBeNull();
    expect(parseCliArgs([], {}).language).toBe('vi');
    expect(() => parseCliArgs(['--port', '70000'], {})).toThrow();
    expect(() => parseCliArgs(['--lang', 'fr'], {})).toThrow();
    expect(() => parseCliArgs(['--bogus'], {})).toThrow();
  });

  it('takes --demo-trouble on|off (null: the default), and refuses anything else', () => {
    expect(parseCliArgs([], {}).demoTrouble).toBeNull();
    expect(parseCliArgs(['--demo-trouble', 'off'], {}).demoTrouble).toBe(false);
    expect(parseCliArgs(['--demo-trouble', 'on'], {}).demoTrouble).toBe(true);
    expect(() => parseCliArgs(['--demo-trouble', 'maybe'], {})).toThrow();
    expect(pickOwnOptions(['.', '--demo-trouble', 'off', '--disable-gpu'])).toEqual(['--demo-trouble', 'off']);
  });

  it('keeps only its own options from an Electron argv', () => {
    expect(pickOwnOptions(['.', '--no-sandbox', '--site', 'a.json', '--enable-logging', '--port=9'])).toEqual(['--site', 'a.json', '--port=9']);
  });
});

describe('ffmpeg resolution order', () => {
  const exists = process.execPath; // any executable file will do
  it('prefers the configured path, then FFMPEG_PATH, then the npm packages, then PATH', () => {
    const packages = (name: string) => (name === '@ffmpeg-installer/ffmpeg' ? exists : null);
    expect(resolveFfmpeg({ configuredPath: exists, env: { FFMPEG_PATH: exists }, packagePath: packages })?.source).toBe('config');
    expect(resolveFfmpeg({ env: { FFMPEG_PATH: exists }, packagePath: packages })?.source).toBe('env');
    expect(resolveFfmpeg({ env: {}, packagePath: (name) => (name === 'ffmpeg-static' ? exists : null) })?.source).toBe('ffmpeg-static');
    expect(resolveFfmpeg({ env: {}, packagePath: packages })?.source).toBe('@ffmpeg-installer');
    expect(resolveFfmpeg({ env: { PATH: '/nonexistent' }, packagePath: () => null })).toBeNull();
  });

  it('skips a configured path that does not exist', () => {
    expect(resolveFfmpeg({ configuredPath: '/nonexistent/ffmpeg', env: {}, packagePath: () => exists })?.source).toBe('ffmpeg-static');
  });
});

describe('ManualClock', () => {
  it('fires timers in order as time advances', () => {
    const clock = new ManualClock(0);
    const fired: string[] = [];
    clock.setTimeout(() => fired.push('b'), 200);
    clock.setTimeout(() => fired.push('a'), 100);
    const cancelled = clock.setTimeout(() => fired.push('never'), 150);
    cancelled.cancel();
    clock.advance(150);
    expect(fired).toEqual(['a']);
    clock.advance(100);
    expect(fired).toEqual(['a', 'b']);
    expect(clock.now()).toBe(250);
  });
});

describe('latency time code', () => {
  it('reads back what was written, through a band of blocks', async () => {
    const { readTimecode, timecodeBits, timecodeLatencyMs, TIMECODE_BITS } = await import('../../common/timecode');
    const width = 320;
    const height = 180;
    const y = new Uint8Array(width * height).fill(100);
    const sentAt = 1795990000123;
    timecodeBits(sentAt).forEach((bit, index) => {
      for (let row = 0; row < height / 8; row++) {
        for (let x = Math.floor((index * width) / TIMECODE_BITS); x < Math.floor(((index + 1) * width) / TIMECODE_BITS); x++) y[row * width + x] = bit ? 235 : 16;
      }
    });
    const code = readTimecode(y, width, height);
    expect(code).toBe(sentAt % 2 ** 32);
    expect(timecodeLatencyMs(code, sentAt + 87)).toBe(87);
  });
});
