import { angleBetweenDeg, bearingDeg, closestOnSegment, distanceM, isLngLat, type LngLat } from './geo';

/**
 * Who is next along the road: for a selected camera, the cameras a person leaving it would reach
 * first, by distance along the roads, ranked by the direction of travel. The map highlights them
 * and offers them as one-key hand-offs; PTZ follow mode uses the same function.
 *
 * How: the roads become a graph (vertices shared by two lines are joined; a line ending within a
 * few metres of another line is joined to it, the usual T-junction of hand-drawn data). Every
 * camera is snapped to its nearest road (within `snapDistanceM`) and joined to it by a short
 * edge. Dijkstra from the selected camera gives each camera's road distance and the path to it;
 * the direction of travel is the bearing of the first stretch of road on that path. A camera
 * reached only by driving past another camera is "behind" that one (`via`) and left out unless
 * asked for: the suspect is seen by the nearer camera first.
 */

export interface NeighbourCamera {
  id: string;
  /** [longitude, latitude], or null for a camera not placed on the map (never a neighbour). */
  position: LngLat | null;
}

export type RoadLine = readonly LngLat[];

export interface NeighbourOptions {
  /** Farthest road distance to look, metres. */
  maxDistanceM?: number;
  /** A camera farther than this from every road is measured in a straight line (offRoad). */
  snapDistanceM?: number;
  /** Where the suspect is heading (degrees from north), or null to rank by distance only. */
  travelBearingDeg?: number | null;
  /** Also list cameras reached only past another camera. */
  includeBehind?: boolean;
  /** Cameras already passed in a hand-off chain: never offered again, so a chain cannot loop. */
  exclude?: readonly string[];
  /** The camera the chain came from: the road between it and the selected one is the road being
   *  followed (a camera at a junction stands on several roads). */
  cameFrom?: string | null;
  limit?: number;
}

export type NeighbourDirection = 'ahead' | 'side' | 'behind';

export interface Neighbour {
  cameraId: string;
  /** Along the roads (or straight, times 1.4, when either camera is off the roads). */
  distanceM: number;
  /** The direction one leaves the selected camera in to reach this one. */
  departureBearingDeg: number;
  /** Relative to the travel bearing; 'ahead' for everything when no travel bearing is given. */
  direction: NeighbourDirection;
  offRoad: boolean;
  /** Reached along one road line only (the followed one when `cameFrom` is given): following a
   *  direction, it ranks before a nearer camera up a side road or in a yard. */
  sameRoad: boolean;
  /** The first camera passed on the way (only listed with includeBehind). */
  via: string | null;
}

export const NEIGHBOUR_DEFAULTS = { maxDistanceM: 1500, snapDistanceM: 150, limit: 8 } as const;
/** Line ends this close to another line are a junction (hand-drawn roads rarely share the vertex). */
const JUNCTION_SNAP_M = 12;
/** How far along the path the departure bearing is measured. */
const DEPARTURE_SAMPLE_M = 30;
/** Straight-line distances are stretched by this to compare with road distances. */
const OFF_ROAD_FACTOR = 1.4;

interface Edge {
  a: number;
  b: number;
  lengthM: number;
  live: boolean;
  /** Index of the road line the edge is part of; -1 for a joint or a camera's spur. */
  line: number;
}

class RoadGraph {
  readonly nodes: [number, number][] = [];
  readonly edges: Edge[] = [];
  private readonly byKey = new Map<string, number>();

  node(position: LngLat): number {
    const key = `${position[0].toFixed(7)},${position[1].toFixed(7)}`;
    let index = this.byKey.get(key);
    if (index === undefined) {
      index = this.nodes.length;
      this.nodes.push([position[0], position[1]]);
      this.byKey.set(key, index);
    }
    return index;
  }

  /** A node not merged with anything (a camera). */
  freeNode(position: LngLat): number {
    this.nodes.push([position[0], position[1]]);
    return this.nodes.length - 1;
  }

  edge(a: number, b: number, line = -1): void {
    if (a === b) return;
    this.edges.push({ a, b, lengthM: distanceM(this.pos(a), this.pos(b)), live: true, line });
  }

  pos(index: number): [number, number] {
    return this.nodes[index] as [number, number];
  }

  /** The closest point of any live edge to `p` (skipping edges touching `exclude`). */
  nearest(p: LngLat, exclude = -1): { edge: Edge; point: [number, number]; distanceM: number; fraction: number } | null {
    let best: { edge: Edge; point: [number, number]; distanceM: number; fraction: number } | null = null;
    for (const edge of this.edges) {
      if (!edge.live || edge.a === exclude || edge.b === exclude) continue;
      const hit = closestOnSegment(p, this.pos(edge.a), this.pos(edge.b));
      if (!best || hit.distanceM < best.distanceM) best = { edge, ...hit };
    }
    return best;
  }

  /** Splits `edge` at `point` (or reuses an end when the point is on it); returns the node. */
  split(edge: Edge, point: [number, number], fraction: number): number {
    if (fraction <= 0.0001) return edge.a;
    if (fraction >= 0.9999) return edge.b;
    const middle = this.freeNode(point);
    edge.live = false;
    this.edge(edge.a, middle, edge.line);
    this.edge(middle, edge.b, edge.line);
    return middle;
  }

  adjacency(): { to: number; lengthM: number }[][] {
    const list: { to: number; lengthM: number }[][] = this.nodes.map(() => []);
    for (const edge of this.edges) {
      if (!edge.live) continue;
      list[edge.a]?.push({ to: edge.b, lengthM: edge.lengthM });
      list[edge.b]?.push({ to: edge.a, lengthM: edge.lengthM });
    }
    return list;
  }
}

/** Where segments p1-p2 and q1-q2 cross (strictly inside both), as fractions along each. */
function crossing(p1: LngLat, p2: LngLat, q1: LngLat, q2: LngLat): { t: number; u: number; point: [number, number] } | null {
  const rx = p2[0] - p1[0];
  const ry = p2[1] - p1[1];
  const sx = q2[0] - q1[0];
  const sy = q2[1] - q1[1];
  const denominator = rx * sy - ry * sx;
  if (Math.abs(denominator) < 1e-18) return null;
  const t = ((q1[0] - p1[0]) * sy - (q1[1] - p1[1]) * sx) / denominator;
  const u = ((q1[0] - p1[0]) * ry - (q1[1] - p1[1]) * rx) / denominator;
  if (t <= 1e-9 || t >= 1 - 1e-9 || u <= 1e-9 || u >= 1 - 1e-9) return null;
  return { t, u, point: [p1[0] + rx * t, p1[1] + ry * t] };
}

function buildGraph(roads: readonly RoadLine[]): RoadGraph {
  const graph = new RoadGraph();
  const ends: number[] = [];
  // Segments of every line; lines that cross without a shared vertex are joined where they cross
  // (hand-drawn imports often do that; OpenStreetMap-style data shares the vertex).
  const segments: { a: LngLat; b: LngLat; cuts: { fraction: number; point: [number, number] }[] }[] = [];
  const lineSegments: { line: number; segments: number[] }[] = [];
  for (const [lineIndex, line] of roads.entries()) {
    const points = line.filter((point) => isLngLat(point));
    if (points.length < 2) continue;
    const mine: number[] = [];
    for (let index = 1; index < points.length; index++) {
      mine.push(segments.length);
      segments.push({ a: points[index - 1] as LngLat, b: points[index] as LngLat, cuts: [] });
    }
    lineSegments.push({ line: lineIndex, segments: mine });
  }
  for (let i = 0; i < segments.length; i++) {
    const s = segments[i];
    if (!s) continue;
    for (let j = i + 1; j < segments.length; j++) {
      const o = segments[j];
      if (!o) continue;
      if (Math.max(s.a[0], s.b[0]) < Math.min(o.a[0], o.b[0]) || Math.max(o.a[0], o.b[0]) < Math.min(s.a[0], s.b[0])) continue;
      if (Math.max(s.a[1], s.b[1]) < Math.min(o.a[1], o.b[1]) || Math.max(o.a[1], o.b[1]) < Math.min(s.a[1], s.b[1])) continue;
      const hit = crossing(s.a, s.b, o.a, o.b);
      if (!hit) continue;
      s.cuts.push({ fraction: hit.t, point: hit.point });
      o.cuts.push({ fraction: hit.u, point: hit.point });
    }
  }
  for (const { line, segments: mine } of lineSegments) {
    let previous = -1;
    for (const index of mine) {
      const segment = segments[index];
      if (!segment) continue;
      if (previous === -1) {
        previous = graph.node(segment.a);
        ends.push(previous);
      }
      for (const cut of segment.cuts.sort((x, y) => x.fraction - y.fraction)) {
        const node = graph.node(cut.point);
        graph.edge(previous, node, line);
        previous = node;
      }
      const next = graph.node(segment.b);
      graph.edge(previous, next, line);
      previous = next;
    }
    if (previous !== -1) ends.push(previous);
  }
  // Join loose line ends to a nearby line (T-junctions drawn without a shared vertex).
  const degree = new Map<number, number>();
  for (const edge of graph.edges) {
    degree.set(edge.a, (degree.get(edge.a) ?? 0) + 1);
    degree.set(edge.b, (degree.get(edge.b) ?? 0) + 1);
  }
  for (const end of new Set(ends)) {
    if ((degree.get(end) ?? 0) !== 1) continue;
    const hit = graph.nearest(graph.pos(end), end);
    if (hit && hit.distanceM <= JUNCTION_SNAP_M) {
      const joint = graph.split(hit.edge, hit.point, hit.fraction);
      graph.edge(end, joint);
    }
  }
  return graph;
}

/** Binary-heap-free Dijkstra (a commune's road graph has a few thousand nodes at most). */
function shortestPaths(adjacency: { to: number; lengthM: number }[][], source: number, limitM: number): { distance: Float64Array; previous: Int32Array } {
  const distance = new Float64Array(adjacency.length).fill(Infinity);
  const previous = new Int32Array(adjacency.length).fill(-1);
  const done = new Uint8Array(adjacency.length);
  distance[source] = 0;
  const frontier = new Set<number>([source]);
  while (frontier.size > 0) {
    let current = -1;
    for (const node of frontier) if (current === -1 || (distance[node] ?? Infinity) < (distance[current] ?? Infinity)) current = node;
    frontier.delete(current);
    done[current] = 1;
    const base = distance[current] ?? Infinity;
    if (base > limitM) break;
    for (const { to, lengthM } of adjacency[current] ?? []) {
      if (done[to]) continue;
      const next = base + lengthM;
      if (next < (distance[to] ?? Infinity)) {
        distance[to] = next;
        previous[to] = current;
        frontier.add(to);
      }
    }
  }
  return { distance, previous };
}

function directionOf(travelBearingDeg: number | null | undefined, departureBearingDeg: number): NeighbourDirection {
  if (travelBearingDeg === null || travelBearingDeg === undefined) return 'ahead';
  const turn = angleBetweenDeg(travelBearingDeg, departureBearingDeg);
  return turn <= 60 ? 'ahead' : turn <= 120 ? 'side' : 'behind';
}

const DIRECTION_ORDER: Record<NeighbourDirection, number> = { ahead: 0, side: 1, behind: 2 };

/** The cameras next along the roads from `cameraId`, best first. */
export function neighbours(cameraId: string, cameras: readonly NeighbourCamera[], roads: readonly RoadLine[], options: NeighbourOptions = {}): Neighbour[] {
  const maxDistanceM = options.maxDistanceM ?? NEIGHBOUR_DEFAULTS.maxDistanceM;
  const snapDistanceM = options.snapDistanceM ?? NEIGHBOUR_DEFAULTS.snapDistanceM;
  const limit = options.limit ?? NEIGHBOUR_DEFAULTS.limit;
  const origin = cameras.find((camera) => camera.id === cameraId);
  if (!origin?.position || !isLngLat(origin.position)) return [];
  const placed = cameras.filter((camera): camera is NeighbourCamera & { position: LngLat } => camera.position !== null && isLngLat(camera.position));

  const graph = buildGraph(roads);
  // Snap every camera: camera node — (short edge) — its point on the road.
  const cameraNode = new Map<string, number>();
  const roadNode = new Map<string, number>();
  for (const camera of placed) {
    const hit = graph.nearest(camera.position);
    if (!hit || hit.distanceM > snapDistanceM) continue;
    const onRoad = graph.split(hit.edge, hit.point, hit.fraction);
    const node = graph.freeNode(camera.position);
    graph.edge(node, onRoad);
    cameraNode.set(camera.id, node);
    roadNode.set(camera.id, onRoad);
  }
  const cameraAtRoadNode = new Map<number, string[]>();
  for (const [id, node] of roadNode) cameraAtRoadNode.set(node, [...(cameraAtRoadNode.get(node) ?? []), id]);

  const found: Neighbour[] = [];
  const originNode = cameraNode.get(origin.id);
  const originRoad = roadNode.get(origin.id);
  const paths = originNode !== undefined ? shortestPaths(graph.adjacency(), originNode, maxDistanceM) : null;
  const excluded = new Set(options.exclude ?? []);
  const lineOf = new Map<string, number>();
  for (const edge of graph.edges) if (edge.live) lineOf.set(`${Math.min(edge.a, edge.b)}-${Math.max(edge.a, edge.b)}`, edge.line);
  /** The road lines a path runs on (joints and camera spurs left out). */
  const linesOf = (path: readonly number[]): Set<number> => {
    const lines = new Set<number>();
    for (let index = 1; index < path.length; index++) {
      const a = path[index - 1] ?? -1;
      const b = path[index] ?? -1;
      const line = lineOf.get(`${Math.min(a, b)}-${Math.max(a, b)}`) ?? -1;
      if (line >= 0) lines.add(line);
    }
    return lines;
  };
  const pathTo = (node: number): number[] => {
    const path: number[] = [];
    if (!paths) return path;
    for (let at = node; at !== -1; at = paths.previous[at] ?? -1) path.unshift(at);
    return path;
  };
  // The road being followed: the line leaving the selected camera towards where the chain came from.
  const cameFromNode = options.cameFrom ? cameraNode.get(options.cameFrom) : undefined;
  let followedLine: number | null = null;
  if (paths && cameFromNode !== undefined && Number.isFinite(paths.distance[cameFromNode] ?? Infinity)) {
    const back = pathTo(cameFromNode);
    for (let index = 1; index < back.length && followedLine === null; index++) {
      const a = back[index - 1] ?? -1;
      const b = back[index] ?? -1;
      const line = lineOf.get(`${Math.min(a, b)}-${Math.max(a, b)}`) ?? -1;
      if (line >= 0) followedLine = line;
    }
  }

  for (const camera of placed) {
    if (camera.id === origin.id || excluded.has(camera.id)) continue;
    const node = cameraNode.get(camera.id);
    const reached = paths && node !== undefined ? (paths.distance[node] ?? Infinity) : Infinity;
    if (paths && node !== undefined && reached <= maxDistanceM && originRoad !== undefined) {
      // Walk the path from the origin's road point: the first camera passed, the departure bearing.
      const path = pathTo(node);
      const targetRoad = roadNode.get(camera.id);
      let via: string | null = null;
      for (const step of path.slice(2, -2)) {
        if (step === originRoad || step === targetRoad) continue;
        const others = cameraAtRoadNode.get(step)?.filter((id) => id !== origin.id && id !== camera.id);
        if (others && others.length > 0) {
          via = others[0] ?? null;
          break;
        }
      }
      const start = graph.pos(originRoad);
      let sample = path[path.length - 2] ?? node;
      for (const step of path.slice(2)) {
        sample = step;
        if (distanceM(start, graph.pos(step)) >= DEPARTURE_SAMPLE_M) break;
      }
      const departureBearingDeg = sample === originRoad ? bearingDeg(origin.position, camera.position) : bearingDeg(start, graph.pos(sample));
      const lines = linesOf(path);
      const sameRoad = lines.size === 1 && (followedLine === null || lines.has(followedLine));
      found.push({ cameraId: camera.id, distanceM: reached, departureBearingDeg, direction: directionOf(options.travelBearingDeg, departureBearingDeg), offRoad: false, sameRoad, via });
      continue;
    }
    if (node !== undefined && originNode !== undefined) continue; // both on roads, but too far along them
    const straight = distanceM(origin.position, camera.position) * OFF_ROAD_FACTOR;
    if (straight > maxDistanceM) continue;
    const departureBearingDeg = bearingDeg(origin.position, camera.position);
    found.push({ cameraId: camera.id, distanceM: straight, departureBearingDeg, direction: directionOf(options.travelBearingDeg, departureBearingDeg), offRoad: true, sameRoad: false, via: null });
  }

  // Following a direction, the road one is on comes first: a camera further along it ranks before
  // a nearer one up a side road or in a yard (the suspect is more likely to stay on the road).
  const following = options.travelBearingDeg !== null && options.travelBearingDeg !== undefined;
  const roadRank = (neighbour: Neighbour): number => (following && neighbour.direction === 'ahead' && neighbour.sameRoad ? 0 : 1);
  return found
    .filter((neighbour) => options.includeBehind || neighbour.via === null)
    .sort((a, b) => DIRECTION_ORDER[a.direction] - DIRECTION_ORDER[b.direction] || roadRank(a) - roadRank(b) || a.distanceM - b.distanceM)
    .slice(0, limit);
}

/** Road lines of a GeoJSON FeatureCollection: every LineString, except water and boundaries. */
export function roadLinesOf(collection: unknown): RoadLine[] {
  const lines: RoadLine[] = [];
  const features = (collection as { features?: unknown } | null)?.features;
  if (!Array.isArray(features)) return lines;
  for (const feature of features as { geometry?: { type?: string; coordinates?: unknown }; properties?: { kind?: unknown } | null }[]) {
    const kind = feature?.properties?.kind;
    if (kind === 'water' || kind === 'boundary') continue;
    const geometry = feature?.geometry;
    if (geometry?.type === 'LineString' && Array.isArray(geometry.coordinates)) lines.push((geometry.coordinates as unknown[]).filter(isLngLat));
    else if (geometry?.type === 'MultiLineString' && Array.isArray(geometry.coordinates)) {
      for (const part of geometry.coordinates as unknown[]) if (Array.isArray(part)) lines.push(part.filter(isLngLat));
    }
  }
  return lines;
}

/** Camera positions in the shape neighbours() takes, from anything with latitude/longitude. */
export function neighbourCameras(cameras: readonly { id: string; latitude: number | null | undefined; longitude: number | null | undefined }[]): NeighbourCamera[] {
  return cameras.map((camera) => ({
    id: camera.id,
    position: typeof camera.latitude === 'number' && typeof camera.longitude === 'number' ? [camera.longitude, camera.latitude] : null,
  }));
}
