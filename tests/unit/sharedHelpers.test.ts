import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { foldVietnamese, withoutMarks } from '../../common/text';
import { formatDateTime, parseTypedDateTime, zonedToMs, zoneOffsetMs } from '../../common/time';
import { parseLocalDateTime } from '../../renderer/export/exportTime';
import { copyFileAtomic, writeFileAtomic } from '../../main/core/util/durableFile';
import { DAY_FOLDER, OPEN_SEGMENT_NAME, parseSegmentPath, segmentFilePath, segmentRelativePath } from '../../main/core/util/recordingLayout';
import { writeDurable } from '../../main/core/export/durable';
import { safeName } from '../../main/core/export/safeName';
import { foldForSearch } from '../../main/core/playback/bookmarkStore';
import { cameraIdFrom } from '../../main/core/devices/vendors';
import { matchesSearch } from '../../renderer/components/search';
import { tempDir } from '../helpers/paths';

const ZONE = 'Asia/Ho_Chi_Minh';
const NOW = Date.UTC(2026, 10, 30, 3, 0, 0); // 30/11/2026 10:00:00 in Hà Nội

describe('one time-zone module (common/time.ts)', () => {
  it('gives the zone offset, with and without summer time', () => {
    expect(zoneOffsetMs(ZONE, NOW)).toBe(7 * 3600_000);
    expect(zoneOffsetMs('UTC', NOW)).toBe(0);
    expect(zoneOffsetMs('Europe/Berlin', Date.UTC(2026, 6, 1))).toBe(2 * 3600_000);
    expect(zoneOffsetMs('Europe/Berlin', Date.UTC(2026, 0, 1))).toBe(3600_000);
  });

  it('turns wall-clock fields into UTC and back', () => {
    const ms = zonedToMs(ZONE, 2026, 11, 29, 20, 15, 30);
    expect(ms).toBe(Date.UTC(2026, 10, 29, 13, 15, 30));
    expect(formatDateTime(ms, ZONE)).toBe('29/11/2026 20:15:30');
  });

  it('accepts the documented typed forms', () => {
    const cases: [string, number][] = [
      ['29/11/2026 20:15:30', Date.UTC(2026, 10, 29, 13, 15, 30)],
      ['29/11/2026 20:15', Date.UTC(2026, 10, 29, 13, 15, 0)],
      ['29/11/2026', Date.UTC(2026, 10, 28, 17, 0, 0)],
      [' 1/2/2026 07:05 ', Date.UTC(2026, 1, 1, 0, 5, 0)],
      ['01-02-2026 7:05', Date.UTC(2026, 1, 1, 0, 5, 0)],
      ['01.02.2026, 07:05:09', Date.UTC(2026, 1, 1, 0, 5, 9)],
      ['08:30', Date.UTC(2026, 10, 30, 1, 30, 0)],
      ['23:59:59', Date.UTC(2026, 10, 30, 16, 59, 59)],
    ];
    for (const [text, expected] of cases) expect(parseTypedDateTime(text, ZONE, NOW), text).toBe(expected);
  });

  it('refuses impossible and foreign forms', () => {
    for (const text of ['', '31/02/2026', '29/02/2025', '12/13/2026 10:00', '29/11/2026 24:00', '29/11/2026 10:60', 'hôm qua', '2026-11-29', '29/11/26', '1/1/1969', '29/11/2026 10']) {
      expect(parseTypedDateTime(text, ZONE, NOW), text).toBeNull();
    }
  });

  it('the export page and the playback page read the same text the same way (regression: two parsers disagreed)', () => {
    for (const text of ['29/11/2026 20:15', '29/11/2026', '29-11-2026 20:15:30', '08:30', '31/02/2026']) {
      expect(parseLocalDateTime(text, ZONE, NOW), text).toBe(parseTypedDateTime(text, ZONE, NOW));
    }
  });
});

describe('one Vietnamese text folding (common/text.ts)', () => {
  it('folds for search and for names', () => {
    expect(foldVietnamese('Chợ Đông Khê')).toBe('cho dong khe');
    expect(withoutMarks('Chợ Đông Khê')).toBe('Cho Dong Khe');
  });

  it('every user of folding agrees (regression: four copies, one folded Đ to lower-case d)', () => {
    expect(foldForSearch('Tai nạn ĐƯỜNG QL47')).toBe(foldVietnamese('Tai nạn ĐƯỜNG QL47'));
    expect(matchesSearch('Ngã ba Đông Khê', 'dong khe')).toBe(true);
    expect(cameraIdFrom('Cổng UBND Đông Khê', new Set())).toBe('cong-ubnd-dong-khe');
    expect(safeName('Vụ việc Đông Khê', 'x')).toBe('Vu_viec_Dong_Khe');
  });
});

describe('one durable-write module (main/core/util/durableFile.ts)', () => {
  it('replaces a file whole and leaves no temporary file', () => {
    const dir = tempDir('durable');
    const file = path.join(dir, 'site.json');
    fs.writeFileSync(file, 'old');
    writeFileAtomic(file, 'new');
    expect(fs.readFileSync(file, 'utf8')).toBe('new');
    writeFileAtomic(path.join(dir, 'secret.json'), '{}', { mode: 0o600 });
    if (process.platform !== 'win32') expect(fs.statSync(path.join(dir, 'secret.json')).mode & 0o777).toBe(0o600);
    copyFileAtomic(file, path.join(dir, 'copy.json'));
    expect(fs.readFileSync(path.join(dir, 'copy.json'), 'utf8')).toBe('new');
    expect(fs.readdirSync(dir).sort()).toEqual(['copy.json', 'secret.json', 'site.json']);
  });

  it('leaves the old file when the write fails, and never overwrites a leftover .part', () => {
    const dir = tempDir('durable');
    const file = path.join(dir, 'a.txt');
    fs.writeFileSync(file, 'kept');
    expect(() => writeFileAtomic(file, 'x', { temporary: path.join(dir, 'missing', 'a.tmp') })).toThrow();
    expect(fs.readFileSync(file, 'utf8')).toBe('kept');
    fs.writeFileSync(`${file}.part`, 'leftover');
    expect(() => writeDurable(file, 'new')).toThrow();
    expect(fs.readFileSync(`${file}.part`, 'utf8')).toBe('leftover');
    expect(fs.readFileSync(file, 'utf8')).toBe('kept');
  });
});

describe('one recording folder layout (main/core/util/recordingLayout.ts)', () => {
  it('names a segment by its local start and parses it back', () => {
    const startMs = Date.UTC(2026, 10, 30, 0, 41, 5, 300);
    const relative = segmentRelativePath('cam-01', 'main', startMs, ZONE);
    expect(relative).toBe(`cam-01/main/2026-11-30/07-41-05_${startMs}.ts`);
    expect(parseSegmentPath(relative)).toEqual({ cameraId: 'cam-01', stream: 'main', day: '2026-11-30', name: `07-41-05_${startMs}.ts`, startMs });
    expect(segmentFilePath('/rec', relative)).toBe(path.join('/rec', 'cam-01', 'main', '2026-11-30', `07-41-05_${startMs}.ts`));
    expect(OPEN_SEGMENT_NAME.exec(`07-41-05_${startMs}.ts.part`)?.[1]).toBe(String(startMs));
    expect(DAY_FOLDER.test('2026-11-30')).toBe(true);
  });

  it('refuses what is not a segment path', () => {
    for (const relative of ['cam-01/main/2026-11-30', 'cam-01/other/2026-11-30/07-41-05_1796000465000.ts', 'cam-01/main/30-11-2026/07-41-05_1796000465000.ts', 'cam-01/main/2026-11-30/x.ts']) {
      expect(parseSegmentPath(relative), relative).toBeNull();
    }
  });
});
