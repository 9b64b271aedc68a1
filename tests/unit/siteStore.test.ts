import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Camera } from '../../common/site';
import { parseSiteText } from '../../main/core/site/parseSite';
import { SiteStore, SiteWriteError, type CamerasChange } from '../../main/core/site/siteStore';
import { tempDir } from '../helpers/paths';

// The site file's one owner: every change goes through one write path that keeps the file's
// BOM, indent and line endings, re-checks the schema and writes durably; memory after the file.

function siteFile(options: { bom?: boolean; crlf?: boolean; indent?: string } = {}): string {
  const indent = options.indent ?? '    ';
  const eol = options.crlf ? '\r\n' : '\n';
  const lines = [
    '{',
    `${indent}"schemaVersion": 1,`,
    `${indent}"name": "Đông Khê",`,
    `${indent}"cameras": [`,
    `${indent}${indent}{ "id": "a", "name": "Cổng chợ", "streams": { "main": "rtsp://10.0.0.2/1" } }`,
    `${indent}]`,
    '}',
    '',
  ];
  const file = path.join(tempDir('site-store'), 'site.json');
  fs.writeFileSync(file, (options.bom ? '\uFEFF' : '') + lines.join(eol));
  return file;
}

const newCamera = (id: string): { stored: Camera; live: Camera } => ({
  stored: { id, name: `Camera ${id}`, credentialsRef: `camera:${id}`, streams: { main: `rtsp://10.0.0.9/${id}` } },
  live: { id, name: `Camera ${id}`, credentialsRef: `camera:${id}`, streams: { main: `rtsp://admin:pw@10.0.0.9/${id}` } },
});

describe('SiteStore: the one owner of the site file', () => {
  it('adds cameras keeping BOM, CRLF, tab indent and order (regression: the devices writer used a fixed indent and dropped the BOM)', () => {
    const file = siteFile({ bom: true, crlf: true, indent: '\t' });
    const store = SiteStore.load(file, { writable: true });
    const changes: CamerasChange[] = [];
    store.onCamerasChanged((change) => changes.push(change));
    store.addCameras([newCamera('b')]);
    const written = fs.readFileSync(file, 'utf8');
    expect(written.startsWith('\uFEFF')).toBe(true);
    expect(written).toContain('"name": "Đông Khê"');
    expect(written.replace(/\r\n/g, '')).not.toContain('\n');
    expect(written).toContain('\t\t{\r\n\t\t\t"id": "b"');
    const reparsed = parseSiteText(written.slice(1));
    expect(reparsed.ok && reparsed.site.cameras.map((camera) => camera.id)).toEqual(['a', 'b']);
    // the file never holds credentials; memory (the pulls) does
    expect(written).not.toContain('admin:pw');
    expect(store.site.cameras[1]?.streams.main).toBe('rtsp://admin:pw@10.0.0.9/b');
    expect(changes).toEqual([{ reason: 'added', added: [store.site.cameras[1]], changedIds: [] }]);
    expect(fs.readdirSync(path.dirname(file))).toEqual(['site.json']);
  });

  it('places a camera (four fields) and says so; undo removes them', () => {
    const file = siteFile();
    const store = SiteStore.load(file, { writable: true });
    const changes: CamerasChange[] = [];
    store.onCamerasChanged((change) => changes.push(change));
    store.placeCamera({ cameraId: 'a', latitude: 19.84, longitude: 105.67, headingDeg: 90, fieldOfViewDeg: 60 });
    const placed = parseSiteText(fs.readFileSync(file, 'utf8'));
    expect(placed.ok && placed.site.cameras[0]).toMatchObject({ latitude: 19.84, longitude: 105.67, headingDeg: 90, fieldOfViewDeg: 60 });
    expect(fs.readFileSync(file, 'utf8').split('\n')[1]).toBe('    "schemaVersion": 1,');
    expect(store.site.cameras[0]?.headingDeg).toBe(90);
    store.placeCamera({ cameraId: 'a', latitude: null, longitude: null, headingDeg: null, fieldOfViewDeg: null });
    expect(store.site.cameras[0]?.latitude).toBeUndefined();
    expect(changes.map((change) => change.changedIds)).toEqual([['a'], ['a']]);
  });

  it('refuses what the schema refuses and leaves file and memory as they were', () => {
    const file = siteFile();
    const before = fs.readFileSync(file, 'utf8');
    const store = SiteStore.load(file, { writable: true });
    const bad = newCamera('c');
    bad.stored = { ...bad.stored, streams: { main: 'http://not-rtsp' } };
    expect(() => store.addCameras([bad])).toThrow(SiteWriteError);
    expect(() => store.addCameras([newCamera('a')])).toThrow(/taken/);
    expect(() => store.placeCamera({ cameraId: 'zz', latitude: 1, longitude: 1, headingDeg: null, fieldOfViewDeg: null })).toThrow(/unknown camera/);
    expect(() => store.changeSettings({ timeZone: '' })).toThrow(SiteWriteError);
    expect(fs.readFileSync(file, 'utf8')).toBe(before);
    expect(store.site.cameras.map((camera) => camera.id)).toEqual(['a']);
    expect(store.site.timeZone).toBeUndefined();
  });

  it('changes settings in the file and in memory', () => {
    const file = siteFile();
    const store = SiteStore.load(file, { writable: true });
    store.changeSettings({ name: 'Công an xã Đông Khê', timeZone: 'Asia/Ho_Chi_Minh' });
    const reparsed = parseSiteText(fs.readFileSync(file, 'utf8'));
    expect(reparsed.ok && reparsed.site).toMatchObject({ name: 'Công an xã Đông Khê', timeZone: 'Asia/Ho_Chi_Minh' });
    expect(store.site).toMatchObject({ name: 'Công an xã Đông Khê', timeZone: 'Asia/Ho_Chi_Minh' });
  });

  it('a file changed on disk since start is edited as it is now; a broken one is not overwritten', () => {
    const file = siteFile();
    const store = SiteStore.load(file, { writable: true });
    fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace('"name": "Đông Khê"', '"name": "Đông Khê (sửa tay)"'));
    store.addCameras([newCamera('b')]);
    expect(fs.readFileSync(file, 'utf8')).toContain('Đông Khê (sửa tay)');
    fs.writeFileSync(file, '{ broken');
    expect(() => store.addCameras([newCamera('c')])).toThrow(/no longer valid/);
    expect(fs.readFileSync(file, 'utf8')).toBe('{ broken');
    expect(store.site.cameras.map((camera) => camera.id)).toEqual(['a', 'b']);
  });

  it('a read-only site (the demo) changes in memory only', () => {
    const file = siteFile();
    const before = fs.readFileSync(file, 'utf8');
    const store = SiteStore.load(file, { writable: false });
    store.addCameras([newCamera('b')]);
    store.placeCamera({ cameraId: 'a', latitude: 19.8, longitude: 105.6, headingDeg: null, fieldOfViewDeg: null });
    expect(fs.readFileSync(file, 'utf8')).toBe(before);
    expect(store.site.cameras.map((camera) => camera.id)).toEqual(['a', 'b']);
    expect(store.site.cameras[0]?.latitude).toBe(19.8);
  });

  it('overlays credentials in memory only', () => {
    const file = siteFile();
    const before = fs.readFileSync(file, 'utf8');
    const store = SiteStore.load(file, { writable: true });
    const changes: CamerasChange[] = [];
    store.onCamerasChanged((change) => changes.push(change));
    expect(store.overlayCredentials((camera) => ({ main: camera.streams.main.replace('rtsp://', 'rtsp://u:p@') }))).toEqual(['a']);
    expect(store.site.cameras[0]?.streams.main).toBe('rtsp://u:p@10.0.0.2/1');
    expect(fs.readFileSync(file, 'utf8')).toBe(before);
    expect(changes).toEqual([{ reason: 'credentials', added: [], changedIds: ['a'] }]);
  });
});
