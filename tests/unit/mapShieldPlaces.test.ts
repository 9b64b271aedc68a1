import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { distanceM, type LngLat } from '../../common/geo';
import { shieldPlaces } from '../../renderer/map/shieldPlaces';
import { repoRoot } from '../helpers/paths';

// On the demo map the camera pins 01 and 06 sat on both QL47 shields (issue 18 item 6).
const base = JSON.parse(fs.readFileSync(path.join(repoRoot, 'resources', 'map', 'dong-khe.geojson'), 'utf8')) as { features: { properties: Record<string, unknown>; geometry: { type: string; coordinates: unknown } }[] };
const road = base.features.find((feature) => feature.properties.kind === 'road' && feature.properties.class === 'national' && feature.geometry.type === 'LineString')!;
const line = road.geometry.coordinates as LngLat[];
const pins = (JSON.parse(fs.readFileSync(path.join(repoRoot, 'resources', 'demo-site.json'), 'utf8')) as { cameras: { latitude?: number; longitude?: number }[] }).cameras.flatMap((camera): LngLat[] => (camera.latitude !== undefined && camera.longitude !== undefined ? [[camera.longitude, camera.latitude]] : []));
const clearance = (point: LngLat) => Math.min(...pins.map((pin) => distanceM(point, pin)));

describe('QL47 shields on the demo map', () => {
  it('two shields on the road, each far from every camera pin (the old places were under pins 01 and 06)', () => {
    expect(pins.length).toBe(31);
    const places = shieldPlaces(line, pins);
    expect(places).toHaveLength(2);
    const old = [0.12, 0.62].map((fraction) => line[Math.floor(line.length * fraction)]!);
    for (const [index, place] of places.entries()) {
      // on the road: within a metre of one of its segments' straight lines between vertices
      expect(Math.min(...line.slice(1).map((to, at) => { const from = line[at]!; return distanceM(from, place) + distanceM(place, to) - distanceM(from, to); }))).toBeLessThan(1);
      // a pin is ~24 px, ~60 m at the commune's zoom: at least 100 m clear, and clearer than before
      expect(clearance(place)).toBeGreaterThan(100);
      expect(clearance(place)).toBeGreaterThan(clearance(old[index]!));
    }
    expect(distanceM(places[0]!, places[1]!)).toBeGreaterThan(500);
  });

  it('a road too short or without pins still gets its shields', () => {
    expect(shieldPlaces([[105.6, 19.8]], [])).toEqual([]);
    expect(shieldPlaces(line, [])).toHaveLength(2);
  });
});
