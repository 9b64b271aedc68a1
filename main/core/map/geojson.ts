import type { MapFeatureCollection } from '../../../common/mapContract';

/**
 * Checks a GeoJSON file before it becomes a map layer, and says what is wrong in a form the UI
 * can turn into Vietnamese (`map.problems.*` plus a short detail: which feature, which value).
 * Accepts a FeatureCollection, a single Feature or a bare geometry; refuses anything that is not
 * WGS84 longitude/latitude (a file in VN-2000 metres is the usual mistake).
 */
export type GeoJsonCheck =
  | { ok: true; collection: MapFeatureCollection; bounds: [number, number, number, number] | null }
  | { ok: false; problem: 'badGeoJson' | 'emptyGeoJson'; detail: string };

const GEOMETRY_TYPES = new Set(['Point', 'MultiPoint', 'LineString', 'MultiLineString', 'Polygon', 'MultiPolygon', 'GeometryCollection']);
const MAX_FEATURES = 50000;

class Invalid extends Error {}

function checkPosition(value: unknown, where: string, bounds: number[]): void {
  if (!Array.isArray(value) || value.length < 2 || typeof value[0] !== 'number' || typeof value[1] !== 'number' || !Number.isFinite(value[0]) || !Number.isFinite(value[1])) {
    throw new Invalid(`${where}: tọa độ không phải [kinh độ, vĩ độ]`);
  }
  const [lng, lat] = value as [number, number];
  if (Math.abs(lng) > 180 || Math.abs(lat) > 90) throw new Invalid(`${where}: tọa độ [${lng}, ${lat}] không phải kinh độ/vĩ độ WGS84 (tệp dùng hệ VN-2000?)`);
  bounds[0] = Math.min(bounds[0] ?? Infinity, lng);
  bounds[1] = Math.min(bounds[1] ?? Infinity, lat);
  bounds[2] = Math.max(bounds[2] ?? -Infinity, lng);
  bounds[3] = Math.max(bounds[3] ?? -Infinity, lat);
}

function checkList(value: unknown, depth: number, where: string, bounds: number[], minLength: number): void {
  if (!Array.isArray(value)) throw new Invalid(`${where}: thiếu danh sách tọa độ`);
  if (depth === 0) return checkPosition(value, where, bounds);
  if (depth === 1 && value.length < minLength) throw new Invalid(`${where}: cần ít nhất ${minLength} điểm`);
  for (const item of value) checkList(item, depth - 1, where, bounds, minLength);
}

function checkGeometry(geometry: unknown, where: string, bounds: number[]): void {
  if (geometry === null) return;
  const g = geometry as { type?: unknown; coordinates?: unknown; geometries?: unknown };
  if (typeof g !== 'object' || typeof g.type !== 'string' || !GEOMETRY_TYPES.has(g.type)) throw new Invalid(`${where}: kiểu hình học không hợp lệ`);
  switch (g.type) {
    case 'Point':
      return checkPosition(g.coordinates, where, bounds);
    case 'MultiPoint':
      return checkList(g.coordinates, 1, where, bounds, 1);
    case 'LineString':
      return checkList(g.coordinates, 1, where, bounds, 2);
    case 'MultiLineString':
      return checkList(g.coordinates, 2, where, bounds, 2);
    case 'Polygon':
      return checkList(g.coordinates, 2, where, bounds, 4);
    case 'MultiPolygon':
      return checkList(g.coordinates, 3, where, bounds, 4);
    default:
      if (!Array.isArray(g.geometries)) throw new Invalid(`${where}: GeometryCollection thiếu "geometries"`);
      for (const part of g.geometries) checkGeometry(part, where, bounds);
  }
}

export function checkGeoJson(text: string): GeoJsonCheck {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (error) {
    return { ok: false, problem: 'badGeoJson', detail: `JSON: ${(error as Error).message.slice(0, 120)}` };
  }
  const root = parsed as { type?: unknown; features?: unknown; metadata?: unknown };
  let rawFeatures: unknown[];
  if (root && typeof root === 'object' && root.type === 'FeatureCollection') {
    if (!Array.isArray(root.features)) return { ok: false, problem: 'badGeoJson', detail: 'FeatureCollection thiếu "features"' };
    rawFeatures = root.features;
  } else if (root && typeof root === 'object' && root.type === 'Feature') {
    rawFeatures = [root];
  } else if (root && typeof root === 'object' && typeof root.type === 'string' && GEOMETRY_TYPES.has(root.type)) {
    rawFeatures = [{ type: 'Feature', properties: {}, geometry: root }];
  } else {
    return { ok: false, problem: 'badGeoJson', detail: 'không phải GeoJSON (thiếu "type": "FeatureCollection")' };
  }
  if (rawFeatures.length === 0) return { ok: false, problem: 'emptyGeoJson', detail: '0' };
  if (rawFeatures.length > MAX_FEATURES) return { ok: false, problem: 'badGeoJson', detail: `quá ${MAX_FEATURES} đối tượng` };
  const bounds: number[] = [];
  const features: MapFeatureCollection['features'] = [];
  try {
    rawFeatures.forEach((raw, index) => {
      const feature = raw as { type?: unknown; geometry?: unknown; properties?: unknown };
      const where = `đối tượng số ${index + 1}`;
      if (!feature || typeof feature !== 'object' || feature.type !== 'Feature') throw new Invalid(`${where}: không phải "Feature"`);
      checkGeometry(feature.geometry ?? null, where, bounds);
      const properties = feature.properties && typeof feature.properties === 'object' && !Array.isArray(feature.properties) ? (feature.properties as Record<string, unknown>) : null;
      features.push({ type: 'Feature', geometry: (feature.geometry ?? null) as MapFeatureCollection['features'][number]['geometry'], properties });
    });
  } catch (error) {
    if (error instanceof Invalid) return { ok: false, problem: 'badGeoJson', detail: error.message };
    throw error;
  }
  if (features.every((feature) => feature.geometry === null)) return { ok: false, problem: 'emptyGeoJson', detail: 'không có hình học' };
  const metadata = root.metadata && typeof root.metadata === 'object' && !Array.isArray(root.metadata) ? (root.metadata as Record<string, unknown>) : undefined;
  return {
    ok: true,
    collection: { type: 'FeatureCollection', ...(metadata ? { metadata } : {}), features },
    bounds: bounds.length === 4 ? (bounds as [number, number, number, number]) : null,
  };
}
