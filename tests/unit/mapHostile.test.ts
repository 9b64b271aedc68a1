import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { translate } from '../../common/i18n';
import { silentLogger } from '../../main/core/log/logger';
import { MapLayerStore, MAX_OPEN_UPLOADS, UPLOAD_IDLE_MS } from '../../main/core/map/layerStore';
import { openMbtiles, openPmtiles, TileArchiveError } from '../../main/core/map/tiles';
import { ManualClock, systemClock } from '../../main/core/util/clock';
import { writeHostileMbtiles, writeHostilePmtiles } from '../helpers/hostileMaps';
import { testTileHost } from '../helpers/mapWorker';
import { tempDir } from '../helpers/paths';

const dirs: string[] = [];
function dir(prefix: string): string {
  const made = tempDir(prefix);
  dirs.push(made);
  return made;
}
afterAll(() => {
  for (const made of dirs) fs.rmSync(made, { recursive: true, force: true });
});

function archiveProblem(open: () => unknown): string | null {
  try {
    const archive = open() as { close(): void };
    archive.close();
    return null;
  } catch (error) {
    return error instanceof TileArchiveError ? error.problem : `unexpected: ${String(error)}`;
  }
}

async function importFile(store: MapLayerStore, kind: 'pmtiles' | 'mbtiles', file: string) {
  const bytes = fs.readFileSync(file);
  const uploadId = store.start(kind, 'lớp độc hại', bytes.length, null);
  expect(uploadId).not.toBeNull();
  for (let offset = 0; offset < bytes.length; offset += 36 * 1024) expect(store.append(uploadId ?? '', offset, bytes.subarray(offset, offset + 36 * 1024))).toBe('ok');
  return store.finish(uploadId ?? '');
}

/** A worker that answers nothing and spins (a parser stuck in a loop). */
const SPINNING_WORKER = `require('node:worker_threads').parentPort.on('message', () => { for (;;) {} });`;
/** A worker whose heap grows until the resource limit kills it (the 150-million-entry directory). */
const GREEDY_WORKER = `require('node:worker_threads').parentPort.on('message', () => { const keep = []; for (;;) keep.push({ a: Math.random(), b: [1, 2, 3] }); });`;

describe('hostile map files (issue 19)', () => {
  it('refuses the 583 KB PMTiles whose leaf directory claims 150 million entries, without inflating it', async () => {
    const file = path.join(dir('hostile-pm'), 'map.pmtiles');
    await writeHostilePmtiles(file);
    expect(fs.statSync(file).size).toBeLessThan(700 * 1024);
    const before = process.memoryUsage();
    // At import the whole tree is walked: the leaf is refused at its decompression ceiling.
    expect(archiveProblem(() => openPmtiles(file, true))).toBe('pmtilesLimits');
    // Serving a tile reads the same leaf with the same limits.
    const archive = openPmtiles(file);
    expect(() => archive.tile(3, 1, 1)).toThrow(/vượt quá/);
    archive.close();
    const after = process.memoryUsage();
    expect(after.heapUsed - before.heapUsed).toBeLessThan(64 * 1024 * 1024);
    expect(after.arrayBuffers - before.arrayBuffers).toBeLessThan(64 * 1024 * 1024);
  });

  it('refuses the MBTiles whose metadata is a recursive view, without running the view', async () => {
    const file = path.join(dir('hostile-mb'), 'map.mbtiles');
    await writeHostileMbtiles(file);
    // The old importer's query never returned; the check reads sqlite_master only.
    expect(archiveProblem(() => openMbtiles(file))).toBe('mbtilesNotPlain');
    expect(archiveProblem(() => openMbtiles(file, false))).toBe('mbtilesNotPlain');
  });

  it('refuses MBTiles with a trigger, a generated column or a virtual table, and accepts plain tables', () => {
    const base = dir('mb-schemas');
    const make = (name: string, sql: string): string => {
      const file = path.join(base, `${name}.mbtiles`);
      const db = new Database(file);
      db.exec(sql);
      db.prepare('INSERT INTO tiles (zoom_level, tile_column, tile_row, tile_data) VALUES (0, 0, 0, ?)').run(Buffer.from('89504e470d0a1a0a', 'hex'));
      db.close();
      return file;
    };
    const plain = 'CREATE TABLE metadata (name TEXT, value TEXT); CREATE TABLE tiles (zoom_level INTEGER, tile_column INTEGER, tile_row INTEGER, tile_data BLOB);';
    expect(archiveProblem(() => openMbtiles(make('plain', plain)))).toBeNull();
    expect(archiveProblem(() => openMbtiles(make('trigger', `${plain} CREATE TRIGGER t AFTER INSERT ON metadata BEGIN DELETE FROM tiles; END;`)))).toBe('mbtilesNotPlain');
    expect(archiveProblem(() => openMbtiles(make('generated', 'CREATE TABLE metadata (name TEXT, value TEXT AS (upper(name))); CREATE TABLE tiles (zoom_level INTEGER, tile_column INTEGER, tile_row INTEGER, tile_data BLOB);')))).toBe('mbtilesNotPlain');
    expect(archiveProblem(() => openMbtiles(make('missing', 'CREATE TABLE tiles (zoom_level INTEGER, tile_column INTEGER, tile_row INTEGER, tile_data BLOB);')))).toBe('badMbtiles');
  });

  it('refuses both hostile files at import with a clear Vietnamese reason, leaving nothing behind', async () => {
    const dataDir = dir('hostile-import');
    const store = new MapLayerStore(dataDir, { log: silentLogger, clock: systemClock, tiles: testTileHost() });
    store.load();
    const pm = path.join(dataDir, 'src.pmtiles');
    const mb = path.join(dataDir, 'src.mbtiles');
    await writeHostilePmtiles(pm);
    await writeHostileMbtiles(mb);
    const pmOutcome = await importFile(store, 'pmtiles', pm);
    const mbOutcome = await importFile(store, 'mbtiles', mb);
    expect(pmOutcome).toMatchObject({ layer: null, problem: 'pmtilesLimits' });
    expect(mbOutcome).toMatchObject({ layer: null, problem: 'mbtilesNotPlain' });
    expect(translate('vi', `map.problems.${pmOutcome?.problem}`)).toMatch(/PMTiles.*quá lớn hoặc lồng quá sâu/);
    expect(translate('vi', `map.problems.${mbOutcome?.problem}`)).toMatch(/MBTiles dùng view, trigger/);
    expect(translate('en', `map.problems.${mbOutcome?.problem}`)).toMatch(/views, triggers/);
    expect(store.list()).toEqual([]);
    expect(fs.readdirSync(path.join(dataDir, 'map', 'layers'))).toEqual([]);
    expect(fs.readdirSync(path.join(dataDir, 'map', 'uploads'))).toEqual([]);
    await store.close();
  });

  it('a file that hangs the map worker fails its request at the deadline; the core keeps its event loop; the layer is disabled after 3 failures, for good', async () => {
    const base = dir('worker-spin');
    const script = path.join(base, 'spin.cjs');
    fs.writeFileSync(script, SPINNING_WORKER);
    const host = testTileHost({ script, tileDeadlineMs: 300, maxFailures: 3 });
    const disabled: string[] = [];
    host.onLayerFailed = (file) => disabled.push(file);
    let ticks = 0;
    const ticker = setInterval(() => ticks++, 20);
    try {
      const started = Date.now();
      expect(await host.tile('pmtiles', '/layer/a.pmtiles', 0, 0, 0)).toMatchObject({ ok: false, failure: 'timeout' });
      const elapsedMs = Date.now() - started;
      // The core's event loop ran all along (a 20 ms ticker kept ticking while the worker spun).
      expect(ticks).toBeGreaterThanOrEqual(Math.floor(elapsedMs / 20 / 3));
      expect(await host.tile('pmtiles', '/layer/a.pmtiles', 0, 0, 0)).toMatchObject({ ok: false, failure: 'timeout' });
      expect(disabled).toEqual([]);
      expect(await host.tile('pmtiles', '/layer/a.pmtiles', 0, 0, 0)).toMatchObject({ ok: false, failure: 'timeout' });
      expect(disabled).toEqual(['/layer/a.pmtiles']);
      // Refused at once from now on: no fourth worker.
      const startedWorkers = host.stats.started;
      expect(await host.tile('pmtiles', '/layer/a.pmtiles', 0, 0, 0)).toMatchObject({ ok: false, failure: 'disabled' });
      expect(host.stats.started).toBe(startedWorkers);
      expect(host.stats.timedOut).toBe(3);
    } finally {
      clearInterval(ticker);
      await host.stop();
    }
  });

  it('a file that exhausts the worker heap kills the worker only: the request fails, the next one gets a fresh worker', async () => {
    const base = dir('worker-greedy');
    const script = path.join(base, 'greedy.cjs');
    fs.writeFileSync(script, GREEDY_WORKER);
    const host = testTileHost({ script, tileDeadlineMs: 60_000, maxFailures: 2, resourceLimits: { maxOldGenerationSizeMb: 32, maxYoungGenerationSizeMb: 8 } });
    try {
      const before = process.memoryUsage().heapUsed;
      expect(await host.tile('mbtiles', '/layer/b.mbtiles', 0, 0, 0)).toMatchObject({ ok: false, failure: 'crashed' });
      expect(process.memoryUsage().heapUsed - before).toBeLessThan(32 * 1024 * 1024);
      expect(host.stats.crashed).toBe(1);
      expect(await host.tile('mbtiles', '/layer/b.mbtiles', 0, 0, 0)).toMatchObject({ ok: false, failure: 'crashed' });
      expect(host.stats.started).toBe(2);
      expect(await host.tile('mbtiles', '/layer/b.mbtiles', 0, 0, 0)).toMatchObject({ ok: false, failure: 'disabled' });
    } finally {
      await host.stop();
    }
  });

  it('a layer disabled at run time stays disabled across a restart (kept in layers.json)', async () => {
    const dataDir = dir('layer-failed');
    const good = path.join(dataDir, 'good.pmtiles');
    // A valid archive to import, later replaced by a file that fails at run time.
    fs.writeFileSync(good, onePngPmtiles());
    const store = new MapLayerStore(dataDir, { log: silentLogger, clock: systemClock, tiles: testTileHost({ maxFailures: 2 }) });
    store.load();
    const imported = await importFile(store, 'pmtiles', good);
    const id = imported?.layer?.id ?? '';
    expect(imported?.layer).toMatchObject({ kind: 'pmtiles' });
    const layerFile = path.join(dataDir, 'map', 'layers', `${id}.pmtiles`);
    await store.close();
    // The file is now the hostile archive (an import by an older version, or a swapped file).
    await writeHostilePmtiles(layerFile);
    const again = new MapLayerStore(dataDir, { log: silentLogger, clock: systemClock, tiles: testTileHost({ maxFailures: 2 }) });
    again.load();
    expect(await again.tile(id, 0, 0, 0)).toMatchObject({ unavailable: expect.any(String) });
    expect(await again.tile(id, 1, 0, 0)).toMatchObject({ unavailable: expect.any(String) });
    await again.close();
    expect(JSON.parse(fs.readFileSync(path.join(dataDir, 'map', 'layers.json'), 'utf8')).layers[0].failed).toMatch(/vượt quá/);
    const host = testTileHost();
    const third = new MapLayerStore(dataDir, { log: silentLogger, clock: systemClock, tiles: host });
    third.load();
    expect(await third.tile(id, 0, 0, 0)).toMatchObject({ unavailable: expect.stringMatching(/disabled/) });
    expect(host.stats.started).toBe(0);
    await third.close();
  });

  it('map uploads are bounded in number and age: a fifth is refused, an idle one is dropped with its file', () => {
    const dataDir = dir('uploads');
    const clock = new ManualClock();
    const store = new MapLayerStore(dataDir, { log: silentLogger, clock, tiles: testTileHost({}, clock) });
    store.load();
    const ids = Array.from({ length: MAX_OPEN_UPLOADS }, () => store.start('geojson', 'x', 100, null));
    expect(ids.every((id) => id !== null)).toBe(true);
    expect(store.start('geojson', 'x', 100, null)).toBeNull();
    const uploads = path.join(dataDir, 'map', 'uploads');
    expect(fs.readdirSync(uploads)).toHaveLength(MAX_OPEN_UPLOADS);
    // One keeps sending; the others go quiet. The sweep timer drops the quiet ones by itself.
    clock.advance(UPLOAD_IDLE_MS / 2);
    expect(store.append(ids[0] ?? '', 0, Buffer.from('{"type":'))).toBe('ok');
    clock.advance(UPLOAD_IDLE_MS / 2 + 61_000);
    expect(store.openUploads).toBe(1);
    expect(fs.readdirSync(uploads)).toEqual([`${ids[0]}.part`]);
    expect(store.append(ids[1] ?? '', 0, Buffer.from('{'))).toBe('unknown');
    expect(store.start('geojson', 'x', 100, null)).not.toBeNull();
    void store.close();
  });
});

/** A one-tile (z0) PMTiles v3 archive with an uncompressed directory. */
function onePngPmtiles(): Buffer {
  const tile = Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex');
  const directory = Buffer.from([1, 0, 1, tile.length, 1]);
  const header = Buffer.alloc(127);
  header.write('PMTiles', 0, 'latin1');
  header.writeUInt8(3, 7);
  const u64 = (offset: number, value: number): void => {
    header.writeBigUInt64LE(BigInt(value), offset);
  };
  u64(8, 127);
  u64(16, directory.length);
  u64(24, 127 + directory.length);
  u64(32, 0);
  u64(40, 127 + directory.length);
  u64(48, 0);
  u64(56, 127 + directory.length);
  u64(64, tile.length);
  header.writeUInt8(1, 97);
  header.writeUInt8(1, 98);
  header.writeUInt8(2, 99);
  header.writeUInt8(0, 100);
  header.writeUInt8(14, 101);
  return Buffer.concat([header, directory, tile]);
}
