import crypto from 'node:crypto';
import fs from 'node:fs';
import { copyFileAtomic, writeFileAtomic } from '../util/durableFile';
import path from 'node:path';
import { z } from 'zod';
import { CornersSchema, MapLayerInfoSchema, MAP_IMPORT_MAX_BYTES, type Corners, type MapImportProblem, type MapLayerData, type MapLayerInfo, type MapLayerKind } from '../../../common/mapContract';
import { isLngLat } from '../../../common/geo';
import type { Logger } from '../log/logger';
import type { Clock } from '../util/clock';
import { checkGeoJson } from './geojson';
import { TileWorkerHost } from './tileWorkerHost';

/**
 * The station's own map layers, kept in DATA/map: `layers.json` (the list, visibility, image
 * corners) and one file per layer in `layers/`. Imports arrive in chunks (the contract's HTTP
 * body is small) into `uploads/`, are checked whole, then renamed into place; a refused file
 * leaves nothing behind. Every write is tmp + fsync + rename.
 */
const StoredLayerSchema = MapLayerInfoSchema.extend({
  file: z.string().regex(/^[a-z0-9-]+\.(?:geojson|png|jpg|webp|pmtiles|mbtiles)$/),
  corners: CornersSchema.nullable(),
  /** Set when the layer's file failed at run time (timeouts, crashes of the map worker): never read again. */
  failed: z.string().max(200).optional(),
});
type StoredLayer = z.infer<typeof StoredLayerSchema>;
const StoreSchema = z.object({ builtinVisible: z.boolean(), layers: z.array(StoredLayerSchema) });
type Store = z.infer<typeof StoreSchema>;

interface Upload {
  kind: MapLayerKind;
  name: string;
  bytes: number;
  corners: Corners | null;
  file: string;
  received: number;
  startedAtMs: number;
  lastChunkAtMs: number;
}

/** Uploads open at once; a page that starts more is refused until one ends. */
export const MAX_OPEN_UPLOADS = 4;
/** An upload with no chunk for this long is dropped with its file. */
export const UPLOAD_IDLE_MS = 10 * 60_000;
/** And none lives longer than this, however slowly it trickles in. */
export const UPLOAD_MAX_AGE_MS = 2 * 3600_000;

export type TileOutcome = { data: Buffer | null } | { unavailable: string };

export type ImportOutcome = { layer: MapLayerInfo; problem: null; detail: null } | { layer: null; problem: MapImportProblem; detail: string | null };


function imageFormat(head: Buffer): 'png' | 'jpg' | 'webp' | null {
  if (head.subarray(0, 8).toString('hex') === '89504e470d0a1a0a') return 'png';
  if (head.subarray(0, 3).toString('hex') === 'ffd8ff') return 'jpg';
  if (head.subarray(0, 4).toString('latin1') === 'RIFF' && head.subarray(8, 12).toString('latin1') === 'WEBP') return 'webp';
  return null;
}

/** Corners must be real positions and make a picture with some area (not four times one point). */
function cornersProblem(corners: Corners | null): 'noCorners' | 'badCorners' | null {
  if (!corners) return 'noCorners';
  if (!corners.every((corner) => isLngLat(corner))) return 'badCorners';
  const lngs = corners.map((corner) => corner[0]);
  const lats = corners.map((corner) => corner[1]);
  const width = Math.max(...lngs) - Math.min(...lngs);
  const height = Math.max(...lats) - Math.min(...lats);
  return width > 1e-5 && height > 1e-5 && width < 5 && height < 5 ? null : 'badCorners';
}

export class MapLayerStore {
  private readonly dir: string;
  private readonly layerDir: string;
  private readonly uploadDir: string;
  private store: Store = { builtinVisible: true, layers: [] };
  private readonly uploads = new Map<string, Upload>();
  private readonly tiles: TileWorkerHost;
  private sweepTimer: { cancel(): void } | null = null;

  constructor(
    dataDir: string,
    private readonly deps: { log: Logger; clock: Clock; tiles?: TileWorkerHost },
  ) {
    this.dir = path.join(dataDir, 'map');
    this.layerDir = path.join(this.dir, 'layers');
    this.uploadDir = path.join(this.dir, 'uploads');
    this.tiles = deps.tiles ?? new TileWorkerHost({ log: deps.log, clock: deps.clock });
    this.tiles.onLayerFailed = (file, detail) => this.markFailed(file, detail);
  }

  private markFailed(file: string, detail: string): void {
    const layer = this.store.layers.find((entry) => path.join(this.layerDir, entry.file) === file);
    if (!layer || layer.failed) return;
    layer.failed = detail.slice(0, 200);
    this.deps.log.warn('map layer disabled after repeated failures', { id: layer.id, detail });
    try {
      this.save();
    } catch (error) {
      this.deps.log.warn('map layers.json not saved', { error: String(error) });
    }
  }

  load(): void {
    fs.mkdirSync(this.layerDir, { recursive: true });
    fs.rmSync(this.uploadDir, { recursive: true, force: true });
    fs.mkdirSync(this.uploadDir, { recursive: true });
    const file = path.join(this.dir, 'layers.json');
    try {
      const parsed = StoreSchema.safeParse(JSON.parse(fs.readFileSync(file, 'utf8')));
      if (parsed.success) this.store = { ...parsed.data, layers: parsed.data.layers.filter((layer) => fs.existsSync(path.join(this.layerDir, layer.file))) };
      for (const layer of this.store.layers) if (layer.failed) this.tiles.disable(path.join(this.layerDir, layer.file));
      else this.deps.log.warn('map layers.json unreadable, starting empty', {});
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') this.deps.log.warn('map layers.json unreadable, starting empty', { error: String(error) });
    }
  }

  private save(): void {
    writeFileAtomic(path.join(this.dir, 'layers.json'), JSON.stringify(this.store, null, 2));
  }

  get builtinVisible(): boolean {
    return this.store.builtinVisible;
  }

  list(): MapLayerInfo[] {
    return this.store.layers.map(({ file: _file, corners: _corners, failed: _failed, ...info }) => info);
  }

  private find(id: string): StoredLayer | undefined {
    return this.store.layers.find((layer) => layer.id === id);
  }

  setVisible(id: string, visible: boolean): boolean {
    if (id === 'builtin') this.store.builtinVisible = visible;
    else {
      const layer = this.find(id);
      if (!layer) return false;
      layer.visible = visible;
    }
    this.save();
    return true;
  }

  async remove(id: string): Promise<boolean> {
    const layer = this.find(id);
    if (!layer) return false;
    this.tiles.forget(path.join(this.layerDir, layer.file));
    await Promise.resolve();
    this.store.layers = this.store.layers.filter((entry) => entry.id !== id);
    this.save();
    fs.rmSync(path.join(this.layerDir, layer.file), { force: true });
    return true;
  }

  data(id: string): MapLayerData | null {
    const layer = this.find(id);
    if (!layer) return null;
    const bytes = fs.readFileSync(path.join(this.layerDir, layer.file));
    if (layer.kind === 'geojson') {
      const checked = checkGeoJson(bytes.toString('utf8'));
      return checked.ok ? { kind: 'geojson', data: checked.collection } : null;
    }
    if (layer.kind === 'image' && layer.corners) {
      const mime = layer.file.endsWith('.png') ? 'image/png' : layer.file.endsWith('.webp') ? 'image/webp' : 'image/jpeg';
      return { kind: 'image', dataUrl: `data:${mime};base64,${bytes.toString('base64')}`, corners: layer.corners };
    }
    return null;
  }

  /** A tile of an imported PMTiles/MBTiles layer, read by the map worker (never on this thread). */
  async tile(id: string, z: number, x: number, y: number): Promise<TileOutcome> {
    const layer = this.find(id);
    if (!layer || (layer.kind !== 'pmtiles' && layer.kind !== 'mbtiles')) return { data: null };
    if (layer.failed) return { unavailable: `layer disabled: ${layer.failed}` };
    const reply = await this.tiles.tile(layer.kind, path.join(this.layerDir, layer.file), z, x, y);
    return reply.ok ? { data: reply.data } : { unavailable: reply.failure ?? reply.problem ?? 'failed' };
  }

  /** Drops uploads left idle or too old (a page closed mid-way), with their files. */
  private sweepUploads(): void {
    const now = this.deps.clock.monotonic();
    for (const [id, upload] of this.uploads) if (now - upload.lastChunkAtMs > UPLOAD_IDLE_MS || now - upload.startedAtMs > UPLOAD_MAX_AGE_MS) this.discard(id);
  }

  private scheduleSweep(): void {
    if (this.sweepTimer || this.uploads.size === 0) return;
    this.sweepTimer = this.deps.clock.setTimeout(() => {
      this.sweepTimer = null;
      this.sweepUploads();
      this.scheduleSweep();
    }, 60_000);
  }

  /** null: too many uploads open at once (`MAX_OPEN_UPLOADS`). */
  start(kind: MapLayerKind, name: string, bytes: number, corners: Corners | null): string | null {
    this.sweepUploads();
    if (this.uploads.size >= MAX_OPEN_UPLOADS) return null;
    const uploadId = crypto.randomBytes(12).toString('hex');
    const file = path.join(this.uploadDir, `${uploadId}.part`);
    fs.writeFileSync(file, Buffer.alloc(0));
    const now = this.deps.clock.monotonic();
    this.uploads.set(uploadId, { kind, name, bytes, corners, file, received: 0, startedAtMs: now, lastChunkAtMs: now });
    this.scheduleSweep();
    return uploadId;
  }

  get openUploads(): number {
    return this.uploads.size;
  }

  /** Appends a chunk; chunks must come in order. */
  append(uploadId: string, offset: number, data: Buffer): 'ok' | 'unknown' | 'order' | 'tooBig' {
    this.sweepUploads();
    const upload = this.uploads.get(uploadId);
    if (!upload) return 'unknown';
    if (offset !== upload.received) return 'order';
    if (upload.received + data.length > Math.min(upload.bytes, MAP_IMPORT_MAX_BYTES)) {
      this.discard(uploadId);
      return 'tooBig';
    }
    fs.appendFileSync(upload.file, data);
    upload.received += data.length;
    upload.lastChunkAtMs = this.deps.clock.monotonic();
    return 'ok';
  }

  private discard(uploadId: string): void {
    const upload = this.uploads.get(uploadId);
    this.uploads.delete(uploadId);
    if (upload) fs.rmSync(upload.file, { force: true });
  }

  async finish(uploadId: string): Promise<ImportOutcome | null> {
    const upload = this.uploads.get(uploadId);
    if (!upload) return null;
    this.uploads.delete(uploadId);
    try {
      if (upload.received !== upload.bytes) return { layer: null, problem: 'incomplete', detail: `${upload.received}/${upload.bytes}` };
      return await this.accept(upload);
    } finally {
      fs.rmSync(upload.file, { force: true });
    }
  }

  private async accept(upload: Upload): Promise<ImportOutcome> {
    const id = `${upload.kind}-${crypto.randomBytes(5).toString('hex')}`;
    const base = { id, name: upload.name, kind: upload.kind, visible: true, createdAtMs: this.deps.clock.now(), bytes: upload.bytes };
    let stored: StoredLayer;
    let extension: string;
    if (upload.kind === 'geojson') {
      const checked = checkGeoJson(fs.readFileSync(upload.file, 'utf8'));
      if (!checked.ok) return { layer: null, problem: checked.problem, detail: checked.detail };
      extension = 'geojson';
      stored = { ...base, bounds: checked.bounds, minZoom: null, maxZoom: null, tileFormat: null, file: `${id}.${extension}`, corners: null };
    } else if (upload.kind === 'image') {
      const head = Buffer.alloc(16);
      const fd = fs.openSync(upload.file, 'r');
      fs.readSync(fd, head, 0, 16, 0);
      fs.closeSync(fd);
      const format = imageFormat(head);
      if (!format) return { layer: null, problem: 'badImage', detail: null };
      const corners = upload.corners;
      const problem = cornersProblem(corners);
      if (problem || !corners) return { layer: null, problem: problem ?? 'noCorners', detail: null };
      if (upload.bytes > 40 * 1024 * 1024) return { layer: null, problem: 'tooBig', detail: '40 MB' };
      extension = format;
      const lngs = corners.map((corner) => corner[0]);
      const lats = corners.map((corner) => corner[1]);
      stored = { ...base, bounds: [Math.min(...lngs), Math.min(...lats), Math.max(...lngs), Math.max(...lats)], minZoom: null, maxZoom: null, tileFormat: null, file: `${id}.${extension}`, corners };
    } else {
      // Checked whole by the map worker (every PMTiles directory walked, the MBTiles schema
      // read first), with its memory and time limits: a hostile file cannot reach the core.
      const checked = await this.tiles.check(upload.kind, upload.file);
      if (!checked.ok) return { layer: null, problem: checked.problem ?? 'checkFailed', detail: checked.failure ?? checked.detail };
      const info = checked.info;
      extension = upload.kind;
      stored = { ...base, bounds: info.bounds, minZoom: info.minZoom, maxZoom: info.maxZoom, tileFormat: info.format, file: `${id}.${extension}`, corners: null };
    }
    const target = path.join(this.layerDir, stored.file);
    copyFileAtomic(upload.file, target);
    this.store.layers.push(stored);
    this.save();
    this.deps.log.info('map layer imported', { id, kind: stored.kind, bytes: stored.bytes });
    const { file: _file, corners: _corners, failed: _failed, ...info } = stored;
    return { layer: info, problem: null, detail: null };
  }

  async close(): Promise<void> {
    this.sweepTimer?.cancel();
    this.sweepTimer = null;
    await this.tiles.stop();
    for (const id of [...this.uploads.keys()]) this.discard(id);
  }
}
