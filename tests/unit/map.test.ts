import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';
import { distanceM } from '../../common/geo';
import { neighbourCameras, neighbours, roadLinesOf } from '../../common/neighbours';
import type { CameraSummary } from '../../common/contract';
import { checkGeoJson } from '../../main/core/map/geojson';
import { loadBuiltinMap } from '../../main/core/map/feature';
import { MapLayerStore } from '../../main/core/map/layerStore';
import { CameraPlacements } from '../../main/core/map/placement';
import { SiteStore } from '../../main/core/site/siteStore';
import { parseSiteText } from '../../main/core/site/parseSite';
import { silentLogger } from '../../main/core/log/logger';
import { systemClock } from '../../main/core/util/clock';
import { closestOnSegment } from '../../common/geo';
import { buildSearchIndex, searchMap } from '../../renderer/map/mapSearch';
import { tempDir } from '../helpers/paths';
import { testTileHost } from '../helpers/mapWorker';

const demoSite = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'resources', 'demo-site.json'), 'utf8')) as {
  cameras: { id: string; name: string; village?: string; latitude: number; longitude: number; headingDeg: number; ptz?: boolean }[];
};

describe('GeoJSON check (imports and the built-in map)', () => {
  it('accepts a collection, a feature or a bare geometry, and measures its bounds', () => {
    const checked = checkGeoJson(JSON.stringify({ type: 'FeatureCollection', features: [{ type: 'Feature', properties: { name: 'Đường' }, geometry: { type: 'LineString', coordinates: [[105.66, 19.83], [105.67, 19.84]] } }] }));
    expect(checked.ok && checked.bounds).toEqual([105.66, 19.83, 105.67, 19.84]);
    expect(checkGeoJson(JSON.stringify({ type: 'Point', coordinates: [105.6, 19.8] })).ok).toBe(true);
    expect(checkGeoJson(`\uFEFF${JSON.stringify({ type: 'Feature', properties: null, geometry: { type: 'Polygon', coordinates: [[[105.6, 19.8], [105.7, 19.8], [105.7, 19.9], [105.6, 19.8]]] } })}`).ok).toBe(true);
  });

  it('says what is wrong with a broken file', () => {
    const cases: [string, string, string][] = [
      ['{"type": "FeatureCollection", "features": [', 'badGeoJson', 'JSON'],
      [JSON.stringify({ hello: 1 }), 'badGeoJson', 'FeatureCollection'],
      [JSON.stringify({ type: 'FeatureCollection', features: [] }), 'emptyGeoJson', '0'],
      [JSON.stringify({ type: 'FeatureCollection', features: [{ type: 'Feature', properties: {}, geometry: { type: 'Point', coordinates: [585000, 2190000] } }] }), 'badGeoJson', 'VN-2000'],
      [JSON.stringify({ type: 'FeatureCollection', features: [{ type: 'Feature', properties: {}, geometry: { type: 'LineString', coordinates: [[105.6, 19.8]] } }] }), 'badGeoJson', 'ít nhất 2'],
      [JSON.stringify({ type: 'FeatureCollection', features: [{ type: 'Feature', properties: {}, geometry: { type: 'Circle', coordinates: [1, 2] } }] }), 'badGeoJson', 'số 1'],
      [JSON.stringify({ type: 'FeatureCollection', features: [{ type: 'Feature', properties: {}, geometry: null }] }), 'emptyGeoJson', 'hình học'],
    ];
    for (const [text, problem, detail] of cases) {
      const checked = checkGeoJson(text);
      expect(checked.ok, text).toBe(false);
      if (!checked.ok) {
        expect(checked.problem, text).toBe(problem);
        expect(checked.detail, text).toContain(detail);
      }
    }
  });
});

describe('the built-in map of Đông Khê', () => {
  const base = loadBuiltinMap();
  const features = base?.features ?? [];
  const named = (kind: string): string[] => features.filter((feature) => feature.properties?.kind === kind).map((feature) => String(feature.properties?.name));

  it('has the commune, its 9 villages, QL47, the police office, the market and the schools, and says it is approximate', () => {
    expect(base).not.toBeNull();
    expect(named('boundary')).toEqual(['Xã Đông Khê']);
    expect(named('village').sort()).toEqual(['Thôn Đồng Tâm', 'Thôn Hòa Bình', 'Thôn Khê Hạ', 'Thôn Khê Thượng', 'Thôn Phú Khê', 'Thôn Quyết Thắng', 'Thôn Tân Lập', 'Thôn Trung Thành', 'Thôn Yên Khê'].sort());
    expect(named('road')).toContain('Quốc lộ 47');
    expect(named('road').length).toBeGreaterThanOrEqual(8);
    expect(named('police')).toEqual(['Công an xã Đông Khê']);
    expect(named('market')).toEqual(['Chợ Đông Khê']);
    expect(named('school')).toHaveLength(3);
    expect(String(base?.metadata?.accuracy)).toMatch(/APPROXIMATE/);
    // Vietnamese written in precomposed form, as a search or a label expects it.
    for (const name of named('village')) expect(name).toBe(name.normalize('NFC'));
  });

  it('has every demo camera on a road and every one of them with a neighbour along the roads', () => {
    const roads = roadLinesOf(base);
    for (const camera of demoSite.cameras) {
      const nearest = Math.min(...roads.flatMap((line) => line.slice(1).map((point, index) => closestOnSegment([camera.longitude, camera.latitude], line[index] as [number, number], point).distanceM)));
      expect(nearest, camera.id).toBeLessThan(60);
    }
    const cameras = neighbourCameras(demoSite.cameras);
    for (const camera of demoSite.cameras) expect(neighbours(camera.id, cameras, roads).length, camera.id).toBeGreaterThan(0);
    // The market junction on QL47: the market gate up the side road, both ways along QL47.
    const fromJunction = neighbours('dk-04', cameras, roads).map((entry) => entry.cameraId);
    expect(fromJunction).toContain('dk-12');
    expect(fromJunction).toContain('dk-03');
    // Heading east on QL47 from the west bridge head, the east bridge head comes first.
    expect(neighbours('dk-02', cameras, roads, { travelBearingDeg: 100 })[0]?.cameraId).toBe('dk-03');
    expect(distanceM([105.658, 19.8402], [105.6598, 19.8398])).toBeLessThan(250);
  });

  it('is found by search without diacritics', () => {
    const cameras: CameraSummary[] = demoSite.cameras.map((camera) => ({
      id: camera.id,
      name: camera.name,
      village: camera.village ?? null,
      latitude: camera.latitude,
      longitude: camera.longitude,
      headingDeg: camera.headingDeg,
      ptz: camera.ptz ?? false,
      streams: ['sub', 'main'],
    }));
    const index = buildSearchIndex(cameras, base ? [base] : []);
    expect(searchMap(index, 'cho dong khe')[0]).toMatchObject({ kind: 'place', name: 'Chợ Đông Khê' });
    expect(searchMap(index, 'THON QUYET THANG')[0]).toMatchObject({ kind: 'village', name: 'Thôn Quyết Thắng' });
    expect(searchMap(index, 'dk-12').map((hit) => hit.id)).toEqual(['dk-12']);
    expect(searchMap(index, 'ql47 cau khe').map((hit) => hit.id)).toEqual(expect.arrayContaining(['dk-02', 'dk-03']));
    expect(searchMap(index, 'không có gì')).toEqual([]);
  });
});

// ---- imported layers -----------------------------------------------------------------------

function pngTile(): Buffer {
  const png = new PNG({ width: 256, height: 256 });
  for (let index = 0; index < png.data.length; index += 4) png.data.set([200, 120, 40, 255], index);
  return PNG.sync.write(png);
}

function varint(value: number): number[] {
  const bytes: number[] = [];
  let rest = value;
  while (rest >= 0x80) {
    bytes.push((rest & 0x7f) | 0x80);
    rest = Math.floor(rest / 128);
  }
  bytes.push(rest);
  return bytes;
}

/** A one-tile (z0) PMTiles v3 archive, uncompressed directories: written by hand, read by the library. */
function pmtilesArchive(tile: Buffer): Buffer {
  const directory = Buffer.from([...varint(1), ...varint(0), ...varint(1), ...varint(tile.length), ...varint(1)]);
  const metadata = Buffer.from('{}');
  const header = Buffer.alloc(127);
  header.write('PMTiles', 0, 'latin1');
  header.writeUInt8(3, 7);
  const u64 = (offset: number, value: number): void => {
    header.writeBigUInt64LE(BigInt(value), offset);
  };
  u64(8, 127);
  u64(16, directory.length);
  u64(24, 127 + directory.length);
  u64(32, metadata.length);
  u64(40, 0);
  u64(48, 0);
  u64(56, 127 + directory.length + metadata.length);
  u64(64, tile.length);
  u64(72, 1);
  u64(80, 1);
  u64(88, 1);
  header.writeUInt8(1, 96);
  header.writeUInt8(1, 97);
  header.writeUInt8(1, 98);
  header.writeUInt8(2, 99);
  header.writeUInt8(0, 100);
  header.writeUInt8(0, 101);
  header.writeInt32LE(105.6 * 1e7, 102);
  header.writeInt32LE(19.8 * 1e7, 106);
  header.writeInt32LE(105.7 * 1e7, 110);
  header.writeInt32LE(19.9 * 1e7, 114);
  return Buffer.concat([header, directory, metadata, tile]);
}

function mbtilesArchive(file: string, tile: Buffer): void {
  const db = new Database(file);
  db.exec('CREATE TABLE metadata (name TEXT, value TEXT); CREATE TABLE tiles (zoom_level INTEGER, tile_column INTEGER, tile_row INTEGER, tile_data BLOB);');
  db.prepare('INSERT INTO metadata VALUES (?, ?)').run('format', 'png');
  db.prepare('INSERT INTO metadata VALUES (?, ?)').run('bounds', '105.6,19.8,105.7,19.9');
  // z1, x1, XYZ row 0 = TMS row 1.
  db.prepare('INSERT INTO tiles VALUES (1, 1, 1, ?)').run(tile);
  db.close();
}

async function importBytes(store: MapLayerStore, kind: 'geojson' | 'image' | 'pmtiles' | 'mbtiles', bytes: Buffer, corners: [number, number][] | null = null) {
  const uploadId = store.start(kind, `lớp ${kind}`, bytes.length, corners as never) ?? '';
  for (let offset = 0; offset < bytes.length; offset += 1000) expect(store.append(uploadId, offset, bytes.subarray(offset, offset + 1000))).toBe('ok');
  return store.finish(uploadId);
}

describe('imported map layers (DATA/map)', () => {
  const corners: [number, number][] = [[105.65, 19.85], [105.69, 19.85], [105.69, 19.82], [105.65, 19.82]];

  it('keeps a good GeoJSON and refuses a broken one, leaving nothing of it behind', async () => {
    const dataDir = tempDir('map-layers');
    const store = new MapLayerStore(dataDir, { log: silentLogger, clock: systemClock, tiles: testTileHost() });
    store.load();
    const good = await importBytes(store, 'geojson', Buffer.from(JSON.stringify({ type: 'FeatureCollection', features: [{ type: 'Feature', properties: { name: 'Đường mới' }, geometry: { type: 'LineString', coordinates: [[105.66, 19.83], [105.67, 19.84]] } }] })));
    expect(good?.layer?.kind).toBe('geojson');
    const bad = await importBytes(store, 'geojson', Buffer.from('{"type": "FeatureCollection", "features": [{'));
    expect(bad).toMatchObject({ layer: null, problem: 'badGeoJson' });
    expect(store.list()).toHaveLength(1);
    expect(fs.readdirSync(path.join(dataDir, 'map', 'layers'))).toHaveLength(1);
    expect(fs.readdirSync(path.join(dataDir, 'map', 'uploads'))).toHaveLength(0);
    const data = store.data(good?.layer?.id ?? '');
    expect(data?.kind === 'geojson' && data.data.features[0]?.properties?.name).toBe('Đường mới');

    // Hidden, and still hidden after a restart; the built-in map too.
    expect(store.setVisible(good?.layer?.id ?? '', false)).toBe(true);
    expect(store.setVisible('builtin', false)).toBe(true);
    const reopened = new MapLayerStore(dataDir, { log: silentLogger, clock: systemClock, tiles: testTileHost() });
    reopened.load();
    expect(reopened.list()[0]?.visible).toBe(false);
    expect(reopened.builtinVisible).toBe(false);
    expect(await reopened.remove(good?.layer?.id ?? '')).toBe(true);
    expect(reopened.list()).toEqual([]);
    expect(fs.readdirSync(path.join(dataDir, 'map', 'layers'))).toHaveLength(0);
  });

  it('places a scanned map by its corners, and says so when they are missing or the file is no image', async () => {
    const store = new MapLayerStore(tempDir('map-image'), { log: silentLogger, clock: systemClock, tiles: testTileHost() });
    store.load();
    const png = pngTile();
    expect(await importBytes(store, 'image', png)).toMatchObject({ layer: null, problem: 'noCorners' });
    expect(await importBytes(store, 'image', png, [[105.65, 19.85], [105.65, 19.85], [105.65, 19.85], [105.65, 19.85]])).toMatchObject({ layer: null, problem: 'badCorners' });
    expect(await importBytes(store, 'image', Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"/>'), corners)).toMatchObject({ layer: null, problem: 'badImage' });
    const good = await importBytes(store, 'image', png, corners);
    expect(good?.layer?.bounds).toEqual([105.65, 19.82, 105.69, 19.85]);
    const data = store.data(good?.layer?.id ?? '');
    expect(data?.kind === 'image' && data.dataUrl.startsWith('data:image/png;base64,')).toBe(true);
    expect(data?.kind === 'image' && data.corners).toEqual(corners);
  });

  it('reads offline tiles from PMTiles and MBTiles, and refuses files that are not', async () => {
    const store = new MapLayerStore(tempDir('map-tiles'), { log: silentLogger, clock: systemClock, tiles: testTileHost() });
    store.load();
    const tile = pngTile();
    const pm = await importBytes(store, 'pmtiles', pmtilesArchive(tile));
    expect(pm?.layer).toMatchObject({ kind: 'pmtiles', tileFormat: 'png', minZoom: 0, maxZoom: 0 });
    expect(await store.tile(pm?.layer?.id ?? '', 0, 0, 0)).toEqual({ data: tile });
    expect(await store.tile(pm?.layer?.id ?? '', 3, 1, 1)).toEqual({ data: null });
    expect(await importBytes(store, 'pmtiles', Buffer.from('not a pmtiles archive, only words'))).toMatchObject({ layer: null, problem: 'badPmtiles' });

    const mbFile = path.join(tempDir('mbtiles-src'), 'map.mbtiles');
    mbtilesArchive(mbFile, tile);
    const mb = await importBytes(store, 'mbtiles', fs.readFileSync(mbFile));
    expect(mb?.layer).toMatchObject({ kind: 'mbtiles', tileFormat: 'png', minZoom: 1, maxZoom: 1, bounds: [105.6, 19.8, 105.7, 19.9] });
    expect(await store.tile(mb?.layer?.id ?? '', 1, 1, 0)).toEqual({ data: tile });
    expect(await store.tile(mb?.layer?.id ?? '', 1, 1, 1)).toEqual({ data: null });
    expect(await importBytes(store, 'mbtiles', Buffer.from('SQLite format 3 but not really'))).toMatchObject({ layer: null, problem: 'badMbtiles' });
    expect(store.list().map((layer) => layer.kind)).toEqual(['pmtiles', 'mbtiles']);
    await store.close();
  });

  it('takes chunks in order only, and no more than announced', () => {
    const store = new MapLayerStore(tempDir('map-chunks'), { log: silentLogger, clock: systemClock, tiles: testTileHost() });
    store.load();
    const uploadId = store.start('geojson', 'x', 10, null) ?? '';
    expect(store.append(uploadId, 5, Buffer.from('abc'))).toBe('order');
    expect(store.append(uploadId, 0, Buffer.from('0123456789abc'))).toBe('tooBig');
    expect(store.append(uploadId, 0, Buffer.from('a'))).toBe('unknown');
    expect(store.append('feedfacefeedface', 0, Buffer.from('a'))).toBe('unknown');
  });
});

// ---- camera placement --------------------------------------------------------------------

describe('camera placement from the map', () => {
  function siteFile(): { file: string; text: string } {
    const file = path.join(tempDir('map-site'), 'site.json');
    const text = `{
    "schemaVersion": 1,
    "name": "Đông Khê",
    "cameras": [
        { "id": "a", "name": "Cổng chợ", "latitude": 19.84, "longitude": 105.67, "headingDeg": 90, "streams": { "main": "rtsp://10.0.0.2/1" } },
        {
            "id": "b",
            "name": "Chưa đặt",
            "streams": { "main": "rtsp://10.0.0.3/1" }
        }
    ]
}
`;
    fs.writeFileSync(file, text);
    return { file, text };
  }

  it('writes only that camera\'s fields to the site file, valid, and updates the cameras in memory', () => {
    const { file } = siteFile();
    const loaded = parseSiteText(fs.readFileSync(file, 'utf8'));
    if (!loaded.ok) throw new Error('fixture');
    const placements = new CameraPlacements(new SiteStore(loaded.site, file, true), false, tempDir('map-data'));
    const outcome = placements.place({ cameraId: 'b', latitude: 19.8391234567, longitude: 105.6689, headingDeg: 370, fieldOfViewDeg: 75 });
    expect(outcome).toMatchObject({ ok: true, placement: { cameraId: 'b', latitude: 19.839123, longitude: 105.6689, headingDeg: 10, fieldOfViewDeg: 75 } });
    const written = fs.readFileSync(file, 'utf8');
    const reparsed = parseSiteText(written);
    expect(reparsed.ok && reparsed.site.cameras[1]).toMatchObject({ id: 'b', latitude: 19.839123, longitude: 105.6689, headingDeg: 10, fieldOfViewDeg: 75 });
    expect(written).toContain('"name": "Chưa đặt"');
    expect(written.split('\n')[1]).toBe('    "schemaVersion": 1,');
    expect(loaded.site.cameras[1]?.latitude).toBe(19.839123);
    expect(fs.readdirSync(path.dirname(file))).toEqual(['site.json']);

    // Undo is placing the previous values back: here, no position at all.
    expect(placements.place({ cameraId: 'b', latitude: null, longitude: null, headingDeg: null, fieldOfViewDeg: null }).ok).toBe(true);
    const undone = parseSiteText(fs.readFileSync(file, 'utf8'));
    expect(undone.ok && undone.site.cameras[1]?.latitude).toBeUndefined();
    expect(loaded.site.cameras[1]?.latitude).toBeUndefined();
  });

  it('refuses a half position and an unknown camera, leaving the file as it was', () => {
    const { file, text } = siteFile();
    const loaded = parseSiteText(text);
    if (!loaded.ok) throw new Error('fixture');
    const placements = new CameraPlacements(new SiteStore(loaded.site, file, true), false, tempDir('map-data'));
    expect(placements.place({ cameraId: 'a', latitude: 19.8, longitude: null, headingDeg: null, fieldOfViewDeg: null })).toMatchObject({ ok: false, code: 'badRequest' });
    expect(placements.place({ cameraId: 'zz', latitude: 19.8, longitude: 105.6, headingDeg: null, fieldOfViewDeg: null })).toMatchObject({ ok: false, code: 'notFound' });
    expect(fs.readFileSync(file, 'utf8')).toBe(text);
    expect(loaded.site.cameras[0]?.headingDeg).toBe(90);
  });

  it('keeps demo placements in the data folder, never in the shipped demo file', () => {
    const demoPath = path.join(__dirname, '..', '..', 'resources', 'demo-site.json');
    const before = fs.readFileSync(demoPath, 'utf8');
    const dataDir = tempDir('map-demo');
    const site = (() => {
      const parsed = parseSiteText(before);
      if (!parsed.ok) throw new Error('demo site invalid');
      return parsed.site;
    })();
    const placements = new CameraPlacements(new SiteStore(site, demoPath, false), true, dataDir);
    expect(placements.place({ cameraId: 'dk-05', latitude: 19.837, longitude: 105.6701, headingDeg: 200, fieldOfViewDeg: 80 }).ok).toBe(true);
    expect(fs.readFileSync(demoPath, 'utf8')).toBe(before);
    const again = parseSiteText(before);
    if (!again.ok) throw new Error('demo site invalid');
    new CameraPlacements(new SiteStore(again.site, demoPath, false), true, dataDir).load();
    expect(again.site.cameras.find((camera) => camera.id === 'dk-05')).toMatchObject({ latitude: 19.837, headingDeg: 200, fieldOfViewDeg: 80 });
  });
});
