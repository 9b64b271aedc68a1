import { z } from 'zod';
import { CameraId, method, NoParams } from './contractKit';

/**
 * Contract of the commune map (layers, camera placement, thumbnails). Merged into `methods` /
 * `events` by contract.ts; method and event names must be unique across all contract files.
 * Map data travels as GeoJSON and tiles through these methods: the map makes no request of its
 * own, to the network or to the core.
 */

const Position = z.tuple([z.number().min(-180).max(180), z.number().min(-90).max(90)]);

/** Loose GeoJSON: the core has checked it on import (main/core/map/geojson.ts). */
export const FeatureCollectionSchema = z.object({
  type: z.literal('FeatureCollection'),
  metadata: z.record(z.string(), z.unknown()).optional(),
  features: z.array(
    z.object({
      type: z.literal('Feature'),
      geometry: z.object({ type: z.string(), coordinates: z.unknown() }).nullable(),
      properties: z.record(z.string(), z.unknown()).nullable(),
    }),
  ),
});
export type MapFeatureCollection = z.infer<typeof FeatureCollectionSchema>;

export const MAP_LAYER_KINDS = ['geojson', 'image', 'pmtiles', 'mbtiles'] as const;
export type MapLayerKind = (typeof MAP_LAYER_KINDS)[number];

/** Why an import was refused, as a code the UI says in Vietnamese (`map.problems.<code>`). */
export const MAP_IMPORT_PROBLEMS = [
  'badGeoJson',
  'emptyGeoJson',
  'noCorners',
  'badCorners',
  'badImage',
  'badPmtiles',
  'vectorTiles',
  'badMbtiles',
  'tooBig',
  'incomplete',
  'pmtilesLimits',
  'mbtilesNotPlain',
  'checkFailed',
] as const;
export type MapImportProblem = (typeof MAP_IMPORT_PROBLEMS)[number];

/** Image corners, maplibre's order: top-left, top-right, bottom-right, bottom-left. */
export const CornersSchema = z.tuple([Position, Position, Position, Position]);
export type Corners = z.infer<typeof CornersSchema>;

export const MapLayerInfoSchema = z.object({
  id: z.string().regex(/^[a-z0-9-]{1,40}$/),
  name: z.string().min(1).max(120),
  kind: z.enum(MAP_LAYER_KINDS),
  visible: z.boolean(),
  createdAtMs: z.number(),
  bytes: z.number().int().nonnegative(),
  /** [west, south, east, north] when known. */
  bounds: z.tuple([z.number(), z.number(), z.number(), z.number()]).nullable(),
  /** Tiles: zoom range and format. */
  minZoom: z.number().int().min(0).max(24).nullable(),
  maxZoom: z.number().int().min(0).max(24).nullable(),
  tileFormat: z.enum(['png', 'jpg', 'webp']).nullable(),
});
export type MapLayerInfo = z.infer<typeof MapLayerInfoSchema>;

export const CameraPlacementSchema = z.object({
  cameraId: CameraId,
  latitude: z.number().min(-90).max(90).nullable(),
  longitude: z.number().min(-180).max(180).nullable(),
  headingDeg: z.number().min(0).lt(360).nullable(),
  fieldOfViewDeg: z.number().min(1).max(360).nullable(),
});
export type CameraPlacement = z.infer<typeof CameraPlacementSchema>;

export const MapDataSchema = z.object({
  /** The built-in map of Đông Khê (approximate), null if the file is missing or broken. */
  base: FeatureCollectionSchema.nullable(),
  /** Whether the built-in map is shown (a layer toggle like the others). */
  baseVisible: z.boolean(),
  layers: z.array(MapLayerInfoSchema),
  placements: z.array(CameraPlacementSchema),
});
export type MapData = z.infer<typeof MapDataSchema>;

export const MapLayerDataSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('geojson'), data: FeatureCollectionSchema }),
  z.object({ kind: z.literal('image'), dataUrl: z.string().startsWith('data:image/'), corners: CornersSchema }),
]);
export type MapLayerData = z.infer<typeof MapLayerDataSchema>;

/** Upload chunk: the HTTP body limit is 64 KB, so imports go in pieces (base64). */
export const MAP_IMPORT_CHUNK_BYTES = 36 * 1024;
export const MAP_IMPORT_MAX_BYTES = 512 * 1024 * 1024;
const LayerId = z.string().regex(/^[a-z0-9-]{1,40}$/);

export const mapMethods = {
  getMapData: method({ permission: 'viewLive', params: NoParams, result: MapDataSchema }),
  /** GeoJSON or image layer contents (tile layers are read tile by tile). */
  getMapLayerData: method({ permission: 'viewLive', params: z.strictObject({ id: LayerId }), result: MapLayerDataSchema }),
  getMapTile: method({
    permission: 'viewLive',
    params: z.strictObject({ id: LayerId, z: z.number().int().min(0).max(24), x: z.number().int().min(0), y: z.number().int().min(0) }),
    result: z.object({ dataBase64: z.string().nullable() }),
  }),
  startMapImport: method({
    permission: 'configure',
    params: z.strictObject({
      kind: z.enum(MAP_LAYER_KINDS),
      name: z.string().trim().min(1).max(120),
      bytes: z.number().int().positive().max(MAP_IMPORT_MAX_BYTES),
      /** Images only: where the picture's corners are. */
      corners: CornersSchema.nullable(),
    }),
    result: z.object({ uploadId: z.string() }),
  }),
  appendMapImport: method({
    permission: 'configure',
    params: z.strictObject({
      uploadId: z.string().regex(/^[a-f0-9]{16,64}$/),
      offset: z.number().int().nonnegative(),
      dataBase64: z.string().max(Math.ceil(MAP_IMPORT_CHUNK_BYTES / 3) * 4 + 4),
    }),
    result: z.null(),
  }),
  /** Checks the file; a refused file leaves nothing behind and says why. */
  finishMapImport: method({
    permission: 'configure',
    params: z.strictObject({ uploadId: z.string().regex(/^[a-f0-9]{16,64}$/) }),
    result: z.object({ layer: MapLayerInfoSchema.nullable(), problem: z.enum(MAP_IMPORT_PROBLEMS).nullable(), detail: z.string().max(300).nullable() }),
  }),
  /** Shows or hides an imported layer, or the built-in map (id "builtin"). */
  setMapLayerVisible: method({ permission: 'viewLive', params: z.strictObject({ id: z.union([LayerId, z.literal('builtin')]), visible: z.boolean() }), result: z.null() }),
  deleteMapLayer: method({ permission: 'configure', params: z.strictObject({ id: LayerId }), result: z.null() }),
  /** Places (or, with nulls, un-places) a camera and sets where it looks; saved to the site file. */
  placeCamera: method({ permission: 'configure', params: CameraPlacementSchema.strict(), result: CameraPlacementSchema }),
  /** A small JPEG of the camera's newest picture, for the pin's hover card (no file is kept). */
  getMapThumbnail: method({
    permission: 'viewLive',
    params: z.strictObject({ cameraId: CameraId }),
    result: z.object({ dataUrl: z.string().startsWith('data:image/jpeg;base64,'), takenAtMs: z.number() }),
  }),
} as const;

export const mapEvents = {
  /** Imported layers or their visibility changed: getMapData again. */
  mapLayersChanged: z.object({ revision: z.number().int().nonnegative() }),
} as const;
