import fs from 'node:fs';
import path from 'node:path';
import type { mapMethods, MapFeatureCollection } from '../../../common/mapContract';
import { fail, ok } from '../../../common/result';
import type { CoreFeature, FeatureDeps } from '../features';
import { resourcesDir } from '../paths';
import { nextRevision } from '../util/revision';
import { runFfmpegOnce } from '../ffmpeg/supervisor';
import { checkGeoJson } from './geojson';
import { MapLayerStore } from './layerStore';
import { CameraPlacements } from './placement';

/** The built-in map of Đông Khê (resources/map/dong-khe.geojson), checked like an import. */
export function loadBuiltinMap(file = path.join(resourcesDir(), 'map', 'dong-khe.geojson')): MapFeatureCollection | null {
  try {
    const checked = checkGeoJson(fs.readFileSync(file, 'utf8'));
    return checked.ok ? checked.collection : null;
  } catch {
    return null;
  }
}

const THUMBNAIL_TTL_MS = 4000;
const THUMBNAIL_WIDTH_PX = 320;

/** Composition of the map feature: creates its services and returns their handlers. */
export function createMapFeature(deps: FeatureDeps): CoreFeature<typeof mapMethods> {
  const builtin = loadBuiltinMap();
  if (!builtin) deps.log.warn('built-in map missing or invalid', {});
  const layers = new MapLayerStore(deps.dataDir, { log: deps.log, clock: deps.clock });
  const placements = new CameraPlacements(deps.siteStore, deps.isDemo, deps.dataDir);
  const thumbnails = new Map<string, Promise<{ dataUrl: string; takenAtMs: number } | null>>();
  layers.load();
  placements.load();

  const layersChanged = (): void => deps.emit({ event: 'mapLayersChanged', payload: { revision: nextRevision() } });

  async function thumbnail(cameraId: string): Promise<{ dataUrl: string; takenAtMs: number } | null> {
    const camera = deps.site.cameras.find((entry) => entry.id === cameraId);
    if (!camera || !deps.ffmpeg) return null;
    const source = await deps.live.keyframeData(cameraId, camera.streams.sub ? 'sub' : 'main', 4000);
    if (!source.ok) return null;
    // The GOP cache starts at a keyframe: its first picture is at most one GOP old, enough for a hover card.
    const result = await runFfmpegOnce(
      { binary: deps.ffmpeg.path, clock: deps.clock, log: deps.log, registry: deps.registry },
      `thumbnail ${cameraId}`,
      ['-hide_banner', '-loglevel', 'error', '-f', 'mpegts', '-i', 'pipe:0', '-map', '0:v:0', '-an', '-frames:v', '1', '-vf', `scale=${THUMBNAIL_WIDTH_PX}:-2`, '-q:v', '6', '-f', 'image2pipe', '-c:v', 'mjpeg', 'pipe:1'],
      { input: source.value.data, timeoutMs: 8000, maxStdoutBytes: 2 * 1024 * 1024 },
    );
    if (result.code !== 0 || result.stdout.length < 100) return null;
    return { dataUrl: `data:image/jpeg;base64,${result.stdout.toString('base64')}`, takenAtMs: deps.clock.now() };
  }

  return {
    handlers: {
      getMapData() {
        return ok({ base: builtin, baseVisible: layers.builtinVisible, layers: layers.list(), placements: placements.all() });
      },
      getMapLayerData({ id }) {
        try {
          const data = layers.data(id);
          return data ? ok(data) : fail('notFound', `no layer ${id}`);
        } catch (error) {
          deps.log.warn('map layer unreadable', { id, error: String(error) });
          return fail('unavailable', 'layer unreadable');
        }
      },
      async getMapTile({ id, z, x, y }) {
        try {
          const outcome = await layers.tile(id, z, x, y);
          if ('unavailable' in outcome) return fail('unavailable', outcome.unavailable);
          return ok({ dataBase64: outcome.data ? outcome.data.toString('base64') : null });
        } catch (error) {
          deps.log.warn('map tile unreadable', { id, z, x, y, error: String(error) });
          return ok({ dataBase64: null });
        }
      },
      startMapImport({ kind, name, bytes, corners }) {
        const uploadId = layers.start(kind, name, bytes, corners);
        return uploadId ? ok({ uploadId }) : fail('unavailable', 'too many imports open at once');
      },
      appendMapImport({ uploadId, offset, dataBase64 }) {
        const outcome = layers.append(uploadId, offset, Buffer.from(dataBase64, 'base64'));
        if (outcome === 'unknown') return fail('notFound', 'no such upload');
        if (outcome === 'order') return fail('badRequest', 'chunk out of order');
        if (outcome === 'tooBig') return fail('badRequest', 'more bytes than announced');
        return ok(null);
      },
      async finishMapImport({ uploadId }) {
        const outcome = await layers.finish(uploadId);
        if (!outcome) return fail('notFound', 'no such upload');
        if (outcome.layer) layersChanged();
        else deps.log.info('map import refused', { problem: outcome.problem });
        return ok(outcome);
      },
      setMapLayerVisible({ id, visible }) {
        if (!layers.setVisible(id, visible)) return fail('notFound', `no layer ${id}`);
        layersChanged();
        return ok(null);
      },
      async deleteMapLayer({ id }) {
        if (!(await layers.remove(id))) return fail('notFound', `no layer ${id}`);
        layersChanged();
        return ok(null);
      },
      placeCamera(params) {
        try {
          const outcome = placements.place(params);
          if (!outcome.ok) return fail(outcome.code, outcome.message);
          deps.log.info('camera placed', { cameraId: params.cameraId });
          return ok(outcome.placement);
        } catch (error) {
          deps.log.error('camera placement not saved', { cameraId: params.cameraId, error: String(error) });
          return fail('internal', 'placement not saved');
        }
      },
      async getMapThumbnail({ cameraId }) {
        if (!deps.site.cameras.some((camera) => camera.id === cameraId)) return fail('notFound', `unknown camera ${cameraId}`);
        let pending = thumbnails.get(cameraId);
        if (!pending) {
          pending = thumbnail(cameraId);
          thumbnails.set(cameraId, pending);
          deps.clock.setTimeout(() => thumbnails.delete(cameraId), THUMBNAIL_TTL_MS);
        }
        const picture = await pending;
        return picture ? ok(picture) : fail('unavailable', 'no picture from the camera');
      },
    },
    stop: () => layers.close(),
  };
}
