import { distanceM, type LngLat } from '../../common/geo';

/**
 * Where a road's shields go: one in each band of the road's length (fractions from its start),
 * at the point of the band farthest from every camera pin, so no pin covers a shield (issue 18:
 * pins 01 and 06 sat on both QL47 shields). Points are sampled every ~1 % of the length.
 */
export function shieldPlaces(line: readonly LngLat[], avoid: readonly LngLat[], bands: readonly (readonly [number, number])[] = [[0.05, 0.45], [0.55, 0.95]]): [number, number][] {
  if (line.length < 2) return [];
  const lengths = [0];
  for (let index = 1; index < line.length; index++) lengths.push(lengths[index - 1]! + distanceM(line[index - 1]!, line[index]!));
  const total = lengths.at(-1)!;
  if (total <= 0) return [];
  /** The point at `fraction` of the length, along the segments. */
  const at = (fraction: number): [number, number] => {
    const target = fraction * total;
    let segment = 1;
    while (segment < line.length - 1 && lengths[segment]! < target) segment++;
    const from = line[segment - 1]!;
    const to = line[segment]!;
    const span = lengths[segment]! - lengths[segment - 1]!;
    const t = span > 0 ? (target - lengths[segment - 1]!) / span : 0;
    return [from[0] + (to[0] - from[0]) * t, from[1] + (to[1] - from[1]) * t];
  };
  const clearance = (point: LngLat): number => avoid.reduce((nearest, pin) => Math.min(nearest, distanceM(point, pin)), Infinity);
  return bands.map(([start, end]) => {
    let best = at((start + end) / 2);
    let bestClearance = clearance(best);
    for (let fraction = start; fraction <= end + 1e-9; fraction += 0.01) {
      const point = at(fraction);
      const value = clearance(point);
      if (value > bestClearance) {
        best = point;
        bestClearance = value;
      }
    }
    return best;
  });
}
