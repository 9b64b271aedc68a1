import { distanceM as lngLatDistanceM } from '../../../common/geo';

/** Great-circle distance in metres (haversine of common/geo.ts), between two lat/long points. */
export function distanceM(a: { latitude: number; longitude: number }, b: { latitude: number; longitude: number }): number {
  return lngLatDistanceM([a.longitude, a.latitude], [b.longitude, b.latitude]);
}

export interface Located {
  id: string;
  latitude?: number | undefined;
  longitude?: number | undefined;
}

/** Cameras with a position within `radiusM` of the point, nearest first (incident export). */
export function camerasWithin(cameras: readonly Located[], point: { latitude: number; longitude: number }, radiusM: number): { cameraId: string; distanceM: number }[] {
  const found: { cameraId: string; distanceM: number }[] = [];
  for (const camera of cameras) {
    if (camera.latitude === undefined || camera.longitude === undefined) continue;
    const distance = distanceM(point, { latitude: camera.latitude, longitude: camera.longitude });
    if (distance <= radiusM) found.push({ cameraId: camera.id, distanceM: Math.round(distance) });
  }
  return found.sort((a, b) => a.distanceM - b.distanceM);
}
