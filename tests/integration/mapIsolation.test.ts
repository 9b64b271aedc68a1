import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startCore, type RunningCore } from '../../main/core/core';
import { DEFAULT_TILE_WORKER_OPTIONS } from '../../main/core/map/tileWorkerHost';
import { h264Clip } from '../helpers/ffmpeg';
import { writeHostileMbtiles, writeHostilePmtiles } from '../helpers/hostileMaps';
import { tempDir } from '../helpers/paths';
import { RtspTestServer } from '../helpers/rtspServer';
import { signInHttp } from '../helpers/signIn';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Bytes of footage on disk, the open `.part` segment included. */
function recordedBytes(dataDir: string): number {
  const root = path.join(dataDir, 'recordings');
  if (!fs.existsSync(root)) return 0;
  let total = 0;
  for (const name of fs.readdirSync(root, { recursive: true }) as string[]) {
    const stat = fs.statSync(path.join(root, name));
    if (stat.isFile()) total += stat.size;
  }
  return total;
}

/** Session cookies per core (issue 15: every call is made by a signed-in user). */
const cookies = new WeakMap<RunningCore, string>();

async function call(core: RunningCore, method: string, params: unknown): Promise<{ ok: boolean; value?: unknown; error?: { code: string } }> {
  if (!cookies.has(core)) cookies.set(core, await signInHttp(`http://127.0.0.1:${core.port}`, core.token));
  const response = await fetch(`http://127.0.0.1:${core.port}/api/call`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${core.token}`, Cookie: cookies.get(core)! },
    body: JSON.stringify({ method, params }),
  });
  return (await response.json()) as { ok: boolean; value?: unknown; error?: { code: string } };
}

async function importThroughHttp(core: RunningCore, kind: 'pmtiles' | 'mbtiles', file: string): Promise<unknown> {
  const bytes = fs.readFileSync(file);
  const started = await call(core, 'startMapImport', { kind, name: `độc hại ${kind}`, bytes: bytes.length, corners: null });
  const uploadId = (started.value as { uploadId: string }).uploadId;
  for (let offset = 0; offset < bytes.length; offset += 36 * 1024) {
    const appended = await call(core, 'appendMapImport', { uploadId, offset, dataBase64: bytes.subarray(offset, offset + 36 * 1024).toString('base64') });
    expect(appended.ok).toBe(true);
  }
  return (await call(core, 'finishMapImport', { uploadId })).value;
}

// The real core (HTTP, a recording camera on a real RTSP server, the built map worker) against
// the two files that stopped the station in issue 19.
describe('a hostile map file never stops the recorder (issue 19)', () => {
  const cleanups: (() => Promise<void> | void)[] = [];
  afterAll(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  });

  it('refuses the hostile PMTiles and MBTiles at import, and requests to such layers already in DATA fail fast while HTTP answers and the camera keeps recording', async () => {
    expect(fs.existsSync(DEFAULT_TILE_WORKER_OPTIONS.script), 'the map worker is built (node scripts/build.mjs)').toBe(true);
    const clip = await h264Clip({ width: 640, height: 360, fps: 15, seconds: 4, gopFrames: 15 });
    const rtsp = await RtspTestServer.start([{ path: '/cam1', clip }]);
    cleanups.push(() => rtsp.close());
    const dir = tempDir('map-isolation');
    cleanups.push(() => fs.rmSync(dir, { recursive: true, force: true }));
    const sitePath = path.join(dir, 'site.json');
    fs.writeFileSync(sitePath, JSON.stringify({ schemaVersion: 1, name: 'Cách ly bản đồ', recording: { segmentSeconds: 10, minFreeGb: 0.05 }, cameras: [{ id: 'cam-1', name: 'Camera 1', streams: { main: rtsp.url('/cam1') } }] }));
    const dataDir = path.join(dir, 'data');

    // Two layers imported by an older version, before the checks existed: already in DATA.
    const layerDir = path.join(dataDir, 'map', 'layers');
    fs.mkdirSync(layerDir, { recursive: true });
    await writeHostilePmtiles(path.join(layerDir, 'pmtiles-0badbad001.pmtiles'));
    await writeHostileMbtiles(path.join(layerDir, 'mbtiles-0badbad002.mbtiles'));
    const planted = (id: string, kind: 'pmtiles' | 'mbtiles') => ({ id, name: id, kind, visible: true, createdAtMs: 0, bytes: fs.statSync(path.join(layerDir, `${id}.${kind}`)).size, bounds: null, minZoom: 0, maxZoom: 14, tileFormat: 'png', file: `${id}.${kind}`, corners: null });
    fs.writeFileSync(path.join(dataDir, 'map', 'layers.json'), JSON.stringify({ builtinVisible: true, layers: [planted('pmtiles-0badbad001', 'pmtiles'), planted('mbtiles-0badbad002', 'mbtiles')] }));

    const core = await startCore({ sitePath, dataDir, port: 0, host: 'browser', language: 'vi', staticDir: null, stderrLevel: null });
    cleanups.push(() => core.stop());
    for (let waited = 0; recordedBytes(dataDir) === 0 && waited < 30_000; waited += 250) await sleep(250);
    expect(core.recording.statuses().map((status) => status.state)).toEqual(['recording']);

    // 1. import: both refused with the reason the page shows in Vietnamese
    const source = path.join(dir, 'source');
    fs.mkdirSync(source);
    await writeHostilePmtiles(path.join(source, 'map.pmtiles'));
    await writeHostileMbtiles(path.join(source, 'map.mbtiles'));
    expect(await importThroughHttp(core, 'pmtiles', path.join(source, 'map.pmtiles'))).toMatchObject({ layer: null, problem: 'pmtilesLimits' });
    expect(await importThroughHttp(core, 'mbtiles', path.join(source, 'map.mbtiles'))).toMatchObject({ layer: null, problem: 'mbtilesNotPlain' });

    // 2. the map page opens and asks for tiles of the two planted layers, again and again,
    //    while the camera records and the console answers other calls
    const heapBefore = process.memoryUsage().heapUsed;
    const bytesBefore = recordedBytes(dataDir);
    let longestGapMs = 0;
    let last = performance.now();
    const watcher = setInterval(() => {
      const now = performance.now();
      longestGapMs = Math.max(longestGapMs, now - last);
      last = now;
    }, 25);
    const tileReplies: { ok: boolean; error?: { code: string } }[] = [];
    const otherCalls: boolean[] = [];
    const hammer = (async () => {
      for (let round = 0; round < 20; round++) {
        const replies = await Promise.all(
          ['pmtiles-0badbad001', 'mbtiles-0badbad002'].flatMap((id) => [0, 1, 2].map((z) => call(core, 'getMapTile', { id, z, x: 0, y: 0 }))),
        );
        tileReplies.push(...replies);
        await sleep(250);
      }
    })();
    const others = (async () => {
      for (let round = 0; round < 20; round++) {
        otherCalls.push((await call(core, 'listRecordingStatus', {})).ok);
        await sleep(250);
      }
    })();
    await Promise.all([hammer, others]);
    await sleep(Math.max(0, 12_000 - 20 * 250));
    clearInterval(watcher);

    // every tile request answered, none with a picture; the layers are disabled for good
    expect(tileReplies).toHaveLength(20 * 6);
    expect(tileReplies.every((reply) => !reply.ok && reply.error?.code === 'unavailable')).toBe(true);
    const stored = JSON.parse(fs.readFileSync(path.join(dataDir, 'map', 'layers.json'), 'utf8')) as { layers: { id: string; failed?: string }[] };
    expect(stored.layers.map((layer) => [layer.id, typeof layer.failed])).toEqual([
      ['pmtiles-0badbad001', 'string'],
      ['mbtiles-0badbad002', 'string'],
    ]);
    // the console answered all along, its heap did not take the file in, and it kept recording
    expect(otherCalls.every(Boolean)).toBe(true);
    expect(longestGapMs).toBeLessThan(2000);
    expect(process.memoryUsage().heapUsed - heapBefore).toBeLessThan(128 * 1024 * 1024);
    expect(recordedBytes(dataDir)).toBeGreaterThan(bytesBefore + 50_000);
    expect(core.recording.statuses().map((status) => status.state)).toEqual(['recording']);

    // 3. everything the running core wrote is owner-only: recordings, the index and its WAL, logs, map
    if (process.platform !== 'win32') {
      const entries = ['.', ...(fs.readdirSync(dataDir, { recursive: true }) as string[])];
      const loose = entries.filter((name) => {
        const stat = fs.lstatSync(path.join(dataDir, name));
        return (stat.mode & 0o777) !== (stat.isDirectory() ? 0o700 : 0o600);
      });
      expect(loose).toEqual([]);
      expect(entries.some((name) => name.endsWith('.sqlite-wal'))).toBe(true);
      expect(entries.some((name) => name.endsWith('.ts') || name.endsWith('.part'))).toBe(true);
    }
  });
});
