import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { destination, type LngLat } from '../../common/geo';
import { neighbourCameras, neighbours, roadLinesOf, type NeighbourCamera, type RoadLine } from '../../common/neighbours';

// Hand-made road layouts around a point of Đông Khê, in metres east/north of it.
const ORIGIN: LngLat = [105.67, 19.837];
function at(eastM: number, northM: number): [number, number] {
  const east = destination(ORIGIN, 90, eastM);
  return destination(east, 0, northM);
}
function camera(id: string, eastM: number, northM: number): NeighbourCamera {
  return { id, position: at(eastM, northM) };
}
function road(...points: [number, number][]): RoadLine {
  return points.map(([east, north]) => at(east, north));
}
const ids = (list: { cameraId: string }[]): string[] => list.map((entry) => entry.cameraId);

describe('neighbours along one straight road', () => {
  const roads = [road([-1000, 0], [1000, 0])];
  const cameras = [camera('A', 0, 0), camera('B', 300, 10), camera('C', 600, -10), camera('D', -400, 5)];

  it('lists the first camera each way, by road distance, and not the one behind it', () => {
    const found = neighbours('B', cameras, roads);
    expect(ids(found)).toEqual(['A', 'C']);
    expect(found[0]?.distanceM).toBeGreaterThan(290);
    expect(found[0]?.distanceM).toBeLessThan(330);
    expect(found[0]?.offRoad).toBe(false);
  });

  it('says which camera a farther one is behind when asked for it', () => {
    const found = neighbours('B', cameras, roads, { includeBehind: true });
    expect(ids(found)).toEqual(['A', 'C', 'D']);
    expect(found.find((entry) => entry.cameraId === 'D')?.via).toBe('A');
  });

  it('ranks by the direction of travel: heading east, C comes first and A is behind', () => {
    const east = neighbours('B', cameras, roads, { travelBearingDeg: 90 });
    expect(ids(east)).toEqual(['C', 'A']);
    expect(east[0]?.direction).toBe('ahead');
    expect(east[1]?.direction).toBe('behind');
    expect(east[0]?.departureBearingDeg).toBeCloseTo(90, -1);
    const west = neighbours('B', cameras, roads, { travelBearingDeg: 270 });
    expect(ids(west)).toEqual(['A', 'C']);
  });
});

describe('neighbours at a crossroads', () => {
  const roads = [road([-1000, 0], [1000, 0]), road([0, -1000], [0, 1000])];
  const cameras = [camera('X', 5, 5), camera('N', 0, 200), camera('E', 500, 0), camera('S', 3, -100), camera('W', -800, 0)];

  it('offers one camera per branch, nearest first', () => {
    expect(ids(neighbours('X', cameras, roads))).toEqual(['S', 'N', 'E', 'W']);
  });

  it('heading north: N ahead, E and W to the side, S behind', () => {
    const found = neighbours('X', cameras, roads, { travelBearingDeg: 0 });
    expect(found.map((entry) => `${entry.cameraId}:${entry.direction}`)).toEqual(['N:ahead', 'E:side', 'W:side', 'S:behind']);
  });

  it('stops at the distance limit', () => {
    expect(ids(neighbours('X', cameras, roads, { maxDistanceM: 600 }))).toEqual(['S', 'N', 'E']);
  });
});

describe('neighbours measure along the roads, not across the river', () => {
  // A U-shaped road: A and B face each other across a river 100 m wide, 1.2 km apart by road.
  const roads = [road([0, 0], [0, 500], [100, 500], [100, 0])];
  const cameras = [camera('A', 0, 0), camera('B', 100, 0), camera('C', 0, 400)];

  it('gives the road distance and puts the camera up the road first', () => {
    const found = neighbours('A', cameras, roads, { includeBehind: true });
    expect(ids(found)).toEqual(['C', 'B']);
    expect(found[1]?.distanceM).toBeGreaterThan(1050);
    expect(found[1]?.via).toBe('C');
  });
});

describe('hand-drawn junctions and bad input', () => {
  it('joins a side road that ends a few metres short of the main road', () => {
    const roads = [road([-500, 0], [500, 0]), road([200, 6], [200, 400])];
    const cameras = [camera('main', -100, 0), camera('side', 200, 300)];
    const found = neighbours('main', cameras, roads);
    expect(found[0]?.cameraId).toBe('side');
    expect(found[0]?.offRoad).toBe(false);
    expect(found[0]?.distanceM).toBeGreaterThan(590);
    expect(found[0]?.distanceM).toBeLessThan(620);
  });

  it('leaves out cameras with no position, and knows none for an unplaced camera', () => {
    const roads = [road([-500, 0], [500, 0])];
    const cameras: NeighbourCamera[] = [camera('A', 0, 0), { id: 'nowhere', position: null }, camera('B', 200, 0)];
    expect(ids(neighbours('A', cameras, roads))).toEqual(['B']);
    expect(neighbours('nowhere', cameras, roads)).toEqual([]);
    expect(neighbours('unknown', cameras, roads)).toEqual([]);
  });

  it('measures a camera far from every road in a straight line, stretched', () => {
    const roads = [road([-500, 0], [500, 0])];
    const found = neighbours('A', [camera('A', 0, 0), camera('field', 0, 400)], roads);
    expect(found[0]?.offRoad).toBe(true);
    expect(found[0]?.distanceM).toBeCloseTo(560, -1);
  });

  it('works with no roads at all, and ignores broken road data', () => {
    const broken = [[[Number.NaN, 1]], [], [[200, 100]]] as unknown as RoadLine[];
    const found = neighbours('A', [camera('A', 0, 0), camera('B', 300, 0)], broken);
    expect(ids(found)).toEqual(['B']);
    expect(found[0]?.offRoad).toBe(true);
  });

  it('reads road lines from GeoJSON, skipping water and boundaries', () => {
    const lines = roadLinesOf({
      type: 'FeatureCollection',
      features: [
        { type: 'Feature', properties: { kind: 'road' }, geometry: { type: 'LineString', coordinates: [[105.6, 19.8], [105.61, 19.8]] } },
        { type: 'Feature', properties: { kind: 'water' }, geometry: { type: 'LineString', coordinates: [[105.6, 19.8], [105.6, 19.81]] } },
        { type: 'Feature', properties: null, geometry: { type: 'MultiLineString', coordinates: [[[105.6, 19.8], [105.6, 19.7]], [[1, 2], [3, 4]]] } },
        { type: 'Feature', properties: {}, geometry: { type: 'Point', coordinates: [105.6, 19.8] } },
      ],
    });
    expect(lines).toHaveLength(3);
    expect(roadLinesOf('not json')).toEqual([]);
  });
});

describe('following a road by pressing 1 again and again (regression: the demo left QL47 at dk-04 and looped dk-05 ↔ dk-10)', () => {
  const resources = path.join(__dirname, '..', '..', 'resources');
  const site = JSON.parse(fs.readFileSync(path.join(resources, 'demo-site.json'), 'utf8')) as { cameras: { id: string; latitude: number; longitude: number }[] };
  const roads = roadLinesOf(JSON.parse(fs.readFileSync(path.join(resources, 'map', 'dong-khe.geojson'), 'utf8')));
  const cameras = neighbourCameras(site.cameras);

  /** What the map page does: the first neighbour each time, with the chain so far. */
  function walk(from: string, travelBearingDeg: number, steps: number): string[] {
    const trail: string[] = [];
    let at = from;
    for (let step = 0; step < steps; step++) {
      const first = neighbours(at, cameras, roads, { travelBearingDeg, limit: 6, exclude: trail, cameFrom: trail[trail.length - 1] ?? null })[0];
      if (!first) break;
      trail.push(at);
      at = first.cameraId;
    }
    return [...trail, at];
  }

  it('heading east ("Đông") from dk-01 walks QL47 dk-01 → dk-09 in order and stops at the commune edge', () => {
    expect(walk('dk-01', 90, 20)).toEqual(['dk-01', 'dk-02', 'dk-03', 'dk-04', 'dk-05', 'dk-06', 'dk-07', 'dk-08', 'dk-09']);
  });

  it('heading west from dk-09 walks QL47 back to dk-01', () => {
    expect(walk('dk-09', 270, 8)).toEqual(['dk-09', 'dk-08', 'dk-07', 'dk-06', 'dk-05', 'dk-04', 'dk-03', 'dk-02', 'dk-01']);
  });

  it('never revisits a camera, whatever the direction', () => {
    for (const bearing of [0, 45, 90, 135, 180, 225, 270, 315]) {
      for (const start of ['dk-01', 'dk-05', 'dk-12', 'dk-23', 'dk-30']) {
        const chain = walk(start, bearing, 40);
        expect(new Set(chain).size, `${start} heading ${bearing}: ${chain.join(' ')}`).toBe(chain.length);
      }
    }
  });

  it('ranks the next camera along the followed road before a nearer one in a yard off it', () => {
    const found = neighbours('dk-04', cameras, roads, { travelBearingDeg: 90, cameFrom: 'dk-03', exclude: ['dk-03'] });
    const yard = found.find((entry) => entry.cameraId === 'dk-11');
    const road = found.find((entry) => entry.cameraId === 'dk-05');
    expect(yard && road && yard.distanceM < road.distanceM).toBe(true);
    expect(found[0]?.cameraId).toBe('dk-05');
    expect(found[0]?.sameRoad).toBe(true);
  });
});
