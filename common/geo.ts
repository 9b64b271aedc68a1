/**
 * Small-area geometry on the WGS84 sphere: distances, bearings, destination points. Good to a
 * few centimetres over a commune (a few km); the map, the neighbour ranking and the view cones
 * use it. Positions are [longitude, latitude] like GeoJSON.
 */
export type LngLat = readonly [longitude: number, latitude: number];

const EARTH_RADIUS_M = 6371008.8;
const RAD = Math.PI / 180;

/** Great-circle distance in metres (haversine). */
export function distanceM(a: LngLat, b: LngLat): number {
  const dLat = (b[1] - a[1]) * RAD;
  const dLng = (b[0] - a[0]) * RAD;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a[1] * RAD) * Math.cos(b[1] * RAD) * Math.sin(dLng / 2) ** 2;
  return 2 * EARTH_RADIUS_M * Math.asin(Math.min(1, Math.sqrt(h)));
}

/** Initial bearing from a to b, degrees clockwise from north in [0, 360). */
export function bearingDeg(a: LngLat, b: LngLat): number {
  const phi1 = a[1] * RAD;
  const phi2 = b[1] * RAD;
  const dLng = (b[0] - a[0]) * RAD;
  const y = Math.sin(dLng) * Math.cos(phi2);
  const x = Math.cos(phi1) * Math.sin(phi2) - Math.sin(phi1) * Math.cos(phi2) * Math.cos(dLng);
  return normalizeDeg(Math.atan2(y, x) / RAD);
}

export function normalizeDeg(deg: number): number {
  const value = deg % 360;
  return value < 0 ? value + 360 : value;
}

/** Smallest angle between two bearings, in [0, 180]. */
export function angleBetweenDeg(a: number, b: number): number {
  const d = Math.abs(normalizeDeg(a) - normalizeDeg(b));
  return d > 180 ? 360 - d : d;
}

/** The point `distance` metres from `from` along `bearing`. */
export function destination(from: LngLat, bearing: number, distance: number): [number, number] {
  const delta = distance / EARTH_RADIUS_M;
  const theta = bearing * RAD;
  const phi1 = from[1] * RAD;
  const lambda1 = from[0] * RAD;
  const phi2 = Math.asin(Math.sin(phi1) * Math.cos(delta) + Math.cos(phi1) * Math.sin(delta) * Math.cos(theta));
  const lambda2 = lambda1 + Math.atan2(Math.sin(theta) * Math.sin(delta) * Math.cos(phi1), Math.cos(delta) - Math.sin(phi1) * Math.sin(phi2));
  return [lambda2 / RAD, phi2 / RAD];
}

/**
 * The closest point to `p` on segment a-b, with its distance and the fraction along the segment.
 * Uses a local equirectangular plane around `p` (exact enough below a few km).
 */
export function closestOnSegment(p: LngLat, a: LngLat, b: LngLat): { point: [number, number]; distanceM: number; fraction: number } {
  const k = Math.cos(p[1] * RAD);
  const ax = (a[0] - p[0]) * k;
  const ay = a[1] - p[1];
  const bx = (b[0] - p[0]) * k;
  const by = b[1] - p[1];
  const dx = bx - ax;
  const dy = by - ay;
  const lengthSquared = dx * dx + dy * dy;
  const fraction = lengthSquared === 0 ? 0 : Math.max(0, Math.min(1, -(ax * dx + ay * dy) / lengthSquared));
  const point: [number, number] = [a[0] + (b[0] - a[0]) * fraction, a[1] + (b[1] - a[1]) * fraction];
  return { point, distanceM: distanceM(p, point), fraction };
}

/**
 * A camera's view cone as a closed polygon ring: apex at the camera, an arc of `fovDeg` around
 * `headingDeg` at `radiusM`. A field of view of 360 gives a circle.
 */
export function viewCone(apex: LngLat, headingDeg: number, fovDeg: number, radiusM: number, steps = 12): [number, number][] {
  const fov = Math.max(1, Math.min(360, fovDeg));
  const ring: [number, number][] = [];
  if (fov < 360) ring.push([apex[0], apex[1]]);
  for (let step = 0; step <= steps; step++) ring.push(destination(apex, headingDeg - fov / 2 + (fov * step) / steps, radiusM));
  ring.push(ring[0] as [number, number]);
  return ring;
}

export function isLngLat(value: unknown): value is [number, number] {
  return Array.isArray(value) && value.length >= 2 && typeof value[0] === 'number' && typeof value[1] === 'number' && Math.abs(value[0]) <= 180 && Math.abs(value[1]) <= 90 && Number.isFinite(value[0]) && Number.isFinite(value[1]);
}
