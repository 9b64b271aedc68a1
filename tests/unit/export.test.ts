import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { EXPORT_ERRORS, EXPORT_STATES, ExportRequestSchema, exportEvents, exportMethods } from '../../common/exportContract';
import { exportEn, exportVi } from '../../common/i18n/export';
import { isOnDrive } from '../../common/exportContract';
import { concatUrl, cutArgs, moovReserveBytes, parseProgressMicros, trailerFailed } from '../../main/core/export/cutter';
import { blockDeviceOf, FAT32_MAX_FILE_BYTES, parseMounts, parseWindowsDrives, unescapeMount, windowsEjectScript } from '../../main/core/export/drives';
import { ExportLog } from '../../main/core/export/exportLog';
import { camerasWithin, distanceM } from '../../main/core/export/geo';
import { failureOf } from '../../main/core/export/env';
import type { SegmentKeyframes } from '../../main/core/export/keyframes';
import { localIso, sha256sums } from '../../main/core/export/manifest';
import { planCamera } from '../../main/core/export/plan';
import { plainText, safeName } from '../../main/core/export/safeName';
import { silentLogger } from '../../main/core/log/logger';
import { RecordingIndex, type GapRow, type SegmentRow } from '../../main/core/recording/recordingIndex';
import { DurabilityStats } from '../../main/core/recording/segmentFile';
import { StorageManager } from '../../main/core/recording/storageManager';
import { systemClock } from '../../main/core/util/clock';
import { tempDir } from '../helpers/paths';

const T0 = Date.UTC(2026, 10, 30, 1, 0, 0);

/** 60 s segments of 60 000 bytes with a keyframe every 2 s (offset = 1000 bytes a second). */
function segment(n: number, cameraId = 'cam-1', startMs = T0 + n * 60_000): SegmentRow {
  return { id: n + 1, cameraId, stream: 'main', startMs, endMs: startMs + 60_000, bytes: 60_000, path: `${cameraId}/main/s${n}.ts`, codec: 'h264', widthPx: 640, heightPx: 360, hasAudio: false, recovered: false, sha256: null, recoveredRange: null, chainSeq: null, prevHash: null, rowHash: null, keyframes: null, psiBytes: null };
}
const keyframes = (row: SegmentRow): SegmentKeyframes => ({
  psi: Buffer.from('psi'),
  bytes: row.bytes,
  keyframes: Array.from({ length: 30 }, (_, k) => ({ offset: k * 2000, atMs: k * 2000 })),
});

describe('export planning (which bytes of which segments)', () => {
  it('cuts at the keyframe at or before the start and at the first keyframe at or after the end', () => {
    const segments = [0, 1, 2].map((n) => segment(n));
    const plan = planCamera(segments, [], T0 + 5_500, T0 + 125_100, null, keyframes);
    expect(plan.runs).toHaveLength(1);
    const [part] = plan.runs[0]!;
    expect(part!.startMs).toBe(T0 + 4000);
    expect(part!.endMs).toBe(T0 + 126_000);
    expect(part!.pieces).toEqual([
      { path: 'cam-1/main/s0.ts', start: 4000, end: 60_000 },
      { path: 'cam-1/main/s1.ts', start: 0, end: 60_000 },
      { path: 'cam-1/main/s2.ts', start: 0, end: 6000 },
    ]);
    expect(part!.psi?.toString()).toBe('psi');
    expect(plan.bytes).toBe(56_000 + 60_000 + 6000);
    expect(plan.gaps).toEqual([]);
  });

  it('one file per continuous run; the uncovered spans carry the index reason, or noRecording', () => {
    const segments = [segment(0), segment(2)];
    const gaps: GapRow[] = [{ id: 1, cameraId: 'cam-1', stream: 'main', startMs: T0 + 60_000, endMs: T0 + 120_000, reason: 'cameraOffline' }];
    const plan = planCamera(segments, gaps, T0 - 30_000, T0 + 180_000, null, keyframes);
    expect(plan.runs).toHaveLength(2);
    expect(plan.gaps).toEqual([
      { startMs: T0 - 30_000, endMs: T0, reason: 'noRecording' },
      { startMs: T0 + 60_000, endMs: T0 + 120_000, reason: 'cameraOffline' },
    ]);
  });

  it('splits into parts under the size budget at segment boundaries, and inside a segment at keyframes', () => {
    const segments = [0, 1, 2].map((n) => segment(n));
    const byBoundary = planCamera(segments, [], T0, T0 + 180_000, 140_000, keyframes);
    expect(byBoundary.runs[0]!.map((part) => part.bytes)).toEqual([120_000, 60_000]);
    const inside = planCamera(segments, [], T0, T0 + 180_000, 30_000, keyframes);
    const parts = inside.runs[0]!;
    expect(parts.every((part) => part.bytes <= 27_000)).toBe(true);
    expect(parts.reduce((sum, part) => sum + part.bytes, 0)).toBe(180_000);
    for (let n = 1; n < parts.length; n++) expect(parts[n]!.startMs).toBe(parts[n - 1]!.endMs);
    expect(parts[0]!.startMs).toBe(T0);
    expect(parts.at(-1)!.endMs).toBe(T0 + 180_000);
  });

  it('no segment: no run, the whole range a gap', () => {
    const plan = planCamera([], [], T0, T0 + 60_000, null, keyframes);
    expect(plan.runs).toEqual([]);
    expect(plan.bytes).toBe(0);
    expect(plan.gaps).toEqual([{ startMs: T0, endMs: T0 + 60_000, reason: 'noRecording' }]);
  });
});

describe('names typed by a person never leave the export folder', () => {
  it.each([
    ['123/2026/CAX', '123-2026-CAX'],
    ['../../etc/passwd', 'etc-passwd'],
    ['..', 'fallback'],
    ['a\u0000b\nc\u202ed', 'abcd'],
    ['Vụ việc Đông Khê', 'Vu_viec_Dong_Khe'],
    ['CON', 'fallback'],
    ['  . ', 'fallback'],
    ['C:\\Windows\\x', 'C-Windows-x'],
  ])('%j → %j', (input, expected) => {
    const name = safeName(input, 'fallback');
    expect(name).toBe(expected);
    expect(path.basename(name)).toBe(name);
    expect(name).not.toContain('..');
  });

  it('bounded in length and plain text keeps words but drops control characters', () => {
    expect(safeName('x'.repeat(300), 'f').length).toBeLessThanOrEqual(60);
    expect(plainText('Thượng úy\u0000\u0007 Hùng\n')).toBe('Thượng úy   Hùng');
  });
});

describe('distance for incident export', () => {
  it('haversine: one degree of latitude is about 111 km; cameras within the radius, nearest first', () => {
    expect(distanceM({ latitude: 19, longitude: 105 }, { latitude: 20, longitude: 105 })).toBeCloseTo(111_195, -2);
    const found = camerasWithin(
      [
        { id: 'a', latitude: 19.8712, longitude: 105.6204 },
        { id: 'b', latitude: 19.8745, longitude: 105.6251 },
        { id: 'far', latitude: 19.95, longitude: 105.7 },
        { id: 'nowhere' },
      ],
      { latitude: 19.8745, longitude: 105.6250 },
      800,
    );
    expect(found.map((camera) => camera.cameraId)).toEqual(['b', 'a']);
    expect(found[1]!.distanceM).toBeGreaterThan(500);
  });
});

describe('drive listing parsers', () => {
  it('reads /proc/mounts with escaped spaces and read-only flags', () => {
    const mounts = parseMounts('/dev/sdb1 /media/clerk/USB\\040KINGSTON vfat rw,nosuid 0 0\n/dev/sdc1 /media/ro ext4 ro,relatime 0 0\n');
    expect(mounts[0]).toEqual({ device: '/dev/sdb1', mountPoint: '/media/clerk/USB KINGSTON', filesystem: 'vfat', readOnly: false });
    expect(mounts[1]!.readOnly).toBe(true);
    expect(unescapeMount('a\\011b')).toBe('a\tb');
  });

  it('finds the disk of a partition', () => {
    expect(blockDeviceOf('/dev/sdb1')).toBe('sdb');
    expect(blockDeviceOf('/dev/mmcblk0p1')).toBe('mmcblk0');
    expect(blockDeviceOf('/dev/nvme0n1p2')).toBe('nvme0n1');
    expect(blockDeviceOf('tmpfs')).toBeNull();
  });

  it('reads Windows drives from PowerShell CIM JSON (one object or an array; a card reader without a card is left out)', () => {
    // what ConvertTo-Json -Compress prints for a FAT32 stick, a write-protected NTFS USB disk and an empty reader
    const json =
      '[{"DeviceID":"E:","VolumeName":"KINGSTON","FileSystem":"FAT32","Size":15500083200,"FreeSpace":15498608640,"Access":3},' +
      '{"DeviceID":"F:","VolumeName":"","FileSystem":"NTFS","Size":1000202039296,"FreeSpace":500000000000,"Access":1},' +
      '{"DeviceID":"G:","VolumeName":null,"FileSystem":null,"Size":null,"FreeSpace":null,"Access":0}]';
    expect(parseWindowsDrives(json)).toEqual([
      { mountPoint: 'E:\\', label: 'KINGSTON (E:)', filesystem: 'fat32', totalBytes: 15500083200, freeBytes: 15498608640, removable: true, readOnly: false, maxFileBytes: FAT32_MAX_FILE_BYTES },
      { mountPoint: 'F:\\', label: 'F:', filesystem: 'ntfs', totalBytes: 1000202039296, freeBytes: 500000000000, removable: true, readOnly: true, maxFileBytes: null },
    ]);
    expect(parseWindowsDrives('{"DeviceID":"E:","VolumeName":"USB","FileSystem":"exFAT","Size":64000000000,"FreeSpace":1000,"Access":3}')).toHaveLength(1);
    expect(parseWindowsDrives('')).toEqual([]);
    expect(parseWindowsDrives('not json')).toEqual([]);
    expect(parseWindowsDrives('[{"DeviceID":"E:; rm -rf","Size":1}]')).toEqual([]);
  });

  it('a folder is on a drive when it is its mount point or below it (Linux and Windows roots)', () => {
    expect(isOnDrive('/media/usb', '/media/usb')).toBe(true);
    expect(isOnDrive('/media/usb/ho-so', '/media/usb')).toBe(true);
    expect(isOnDrive('/media/usb2', '/media/usb')).toBe(false);
    expect(isOnDrive('E:\\', 'E:\\')).toBe(true);
    expect(isOnDrive('E:\\TrichXuat', 'E:\\')).toBe(true);
    expect(isOnDrive('F:\\TrichXuat', 'E:\\')).toBe(false);
  });

  it('ejects only a drive letter on Windows (nothing else reaches PowerShell)', () => {
    expect(windowsEjectScript('E:\\')).toBe("(New-Object -ComObject Shell.Application).NameSpace(17).ParseName('E:').InvokeVerb('Eject')");
    expect(windowsEjectScript('e:')).toContain("ParseName('E:')");
    expect(windowsEjectScript("E:\\'; Remove-Item C:\\")).toBeNull();
    expect(windowsEjectScript('/media/usb')).toBeNull();
  });
});

describe('pieces of the export job', () => {
  it('parses ffmpeg -progress output', () => {
    expect(parseProgressMicros('frame=10\nout_time_us=1500000\nout_time_ms=1500000\nprogress=continue\n')).toBe(1_500_000);
    expect(parseProgressMicros('frame=1\n')).toBeNull();
  });

  it('builds a concat of subfile byte ranges (no copy of the footage) and a stream-copy MP4 with faststart', () => {
    const root = tempDir('export-unit');
    fs.mkdirSync(path.join(root, 'cam-1', 'main'), { recursive: true });
    fs.writeFileSync(path.join(root, 'cam-1', 'main', 'a.ts'), Buffer.alloc(1880));
    fs.writeFileSync(path.join(root, 'cam-1', 'main', 'b.ts'), Buffer.alloc(1880));
    const url = concatUrl({ pieces: [{ path: 'cam-1/main/a.ts', start: 376, end: 1880 }, { path: 'cam-1/main/b.ts', start: 0, end: 1880 }], psi: null, startMs: 0, endMs: 1, bytes: 3384 }, root, '/tmp/psi.ts');
    expect(url).toBe(`concat:/tmp/psi.ts|subfile,,start,376,end,1880,,:${path.join(root, 'cam-1/main/a.ts')}|${path.join(root, 'cam-1/main/b.ts')}`);
    const args = cutArgs(url, '/stick/x.mp4.part');
    expect(args).toEqual(expect.arrayContaining(['-c', 'copy', '-movflags', '+faststart', '-f', 'mp4']));
    expect(args).not.toContain('libx264');
    // one pass: the moov goes into space reserved in front (an hour: a few MB of a 2 GB file)
    const reserved = cutArgs(url, '/stick/x.mp4.part', moovReserveBytes(3600_000));
    expect(reserved).toEqual(expect.arrayContaining(['-c', 'copy', '-moov_size', String(moovReserveBytes(3600_000))]));
    expect(reserved).not.toContain('+faststart');
    expect(moovReserveBytes(3600_000)).toBeLessThan(6e6);
    // ffmpeg may exit 0 when it could not write the moov
    expect(trailerFailed('[mp4 @ 0x1] reserved_moov_size is too small, needed 3886 additional\nError writing trailer of x.mp4: Invalid argument')).toBe(true);
    expect(trailerFailed('')).toBe(false);
  });

  it('SHA256SUMS in the format sha256sum -c reads; local times with the +07:00 offset', () => {
    expect(sha256sums([{ name: 'a.mp4', sha256: 'ab'.repeat(32) }])).toBe(`${'ab'.repeat(32)}  a.mp4\n`);
    expect(localIso(Date.UTC(2026, 10, 30, 17, 30, 5), 'Asia/Ho_Chi_Minh')).toBe('2026-12-01T00:30:05.000+07:00');
  });

  it('maps errors of the target drive to the clerk’s words', () => {
    const errno = (code: string) => Object.assign(new Error(code), { code });
    expect(failureOf(errno('ENOSPC')).code).toBe('notEnoughSpace');
    expect(failureOf(errno('EROFS')).code).toBe('readOnly');
    expect(failureOf(errno('EIO')).code).toBe('targetGone');
    expect(failureOf(errno('ENOENT')).code).toBe('targetGone');
    expect(failureOf(new Error('x')).code).toBe('writeFailed');
  });

  it('the export log keeps entries newest first and skips a line cut by a crash', () => {
    const dir = tempDir('export-log');
    const log = new ExportLog(dir);
    const entry = { jobId: 'j1', atMs: 1, operator: 'Mai', officer: 'Hùng', caseNumber: '1', reason: 'r', cameraIds: ['cam-1'], startMs: 0, endMs: 1, destination: '/media/usb', folder: null, state: 'failed' as const, error: 'targetGone' as const, bytes: 0, files: 0, manifestSha256: null };
    log.append(entry);
    fs.appendFileSync(log.file, '{"jobId":"cut sho');
    log.append({ ...entry, jobId: 'j2', state: 'done', error: null });
    expect(log.list(10).map((item) => item.jobId)).toEqual(['j2', 'j1']);
  });
});

describe('retention keeps the files an export is reading', () => {
  it('a pinned segment loses its row but keeps its file until the export releases it', () => {
    const dir = tempDir('export-pin');
    const index = new RecordingIndex(path.join(dir, 'recordings.sqlite'));
    const root = path.join(dir, 'recordings');
    const storage = new StorageManager(index, root, { retentionDays: 1, cameraRetentionDays: new Map(), quotaBytes: null, minFreeBytes: 0 }, { clock: systemClock, log: silentLogger, stats: new DurabilityStats() });
    const old = Date.now() - 3 * 86_400_000;
    for (const name of ['a.ts', 'b.ts']) {
      fs.mkdirSync(path.join(root, 'cam-1'), { recursive: true });
      fs.writeFileSync(path.join(root, 'cam-1', name), Buffer.alloc(188));
      index.insertSegment({ cameraId: 'cam-1', stream: 'main', startMs: old + (name === 'a.ts' ? 0 : 60_000), endMs: old + (name === 'a.ts' ? 60_000 : 120_000), bytes: 188, path: `cam-1/${name}`, codec: 'h264', widthPx: 1, heightPx: 1, hasAudio: false, recovered: false });
    }
    const release = storage.pin(['cam-1/a.ts']);
    expect(storage.enforce()).toBe(2);
    expect(index.allSegments()).toEqual([]);
    expect(fs.existsSync(path.join(root, 'cam-1', 'a.ts'))).toBe(true);
    expect(fs.existsSync(path.join(root, 'cam-1', 'b.ts'))).toBe(false);
    release();
    expect(fs.existsSync(path.join(root, 'cam-1', 'a.ts'))).toBe(false);
    expect(index.pendingDeletes()).toEqual([]);
    index.close();
  });
});

describe('export contract and texts', () => {
  it('every method needs the export permission; the request schema refuses unknown fields', () => {
    for (const definition of Object.values(exportMethods)) expect(definition.permission).toBe('export');
    expect(Object.keys(exportEvents)).toEqual(['exportProgress']);
    const base = { cameraIds: ['cam-1'], startMs: 1, endMs: 2, caseNumber: '', officer: '', reason: '', operator: '', destination: '/media/usb' };
    expect(ExportRequestSchema.safeParse(base).success).toBe(true);
    expect(ExportRequestSchema.safeParse({ ...base, extra: 1 }).success).toBe(false);
    expect(ExportRequestSchema.safeParse({ ...base, cameraIds: ['../x'] }).success).toBe(false);
  });

  it('English has exactly the Vietnamese keys', () => {
    const keys = (node: object, prefix = ''): string[] =>
      Object.entries(node).flatMap(([key, value]) => (typeof value === 'string' ? [`${prefix}${key}`] : keys(value as object, `${prefix}${key}.`)));
    expect(keys(exportEn).sort()).toEqual(keys(exportVi).sort());
    expect(keys(exportVi).length).toBeGreaterThan(20);
    // every error code and state the core can send has a sentence for the clerk
    for (const code of EXPORT_ERRORS) expect(exportVi.errors[code], code).toMatch(/\S/);
    for (const state of EXPORT_STATES) expect(exportVi.states[state], state).toMatch(/\S/);
  });
});
