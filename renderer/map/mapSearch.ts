import type { CameraSummary } from '../../common/contract';
import type { MapFeatureCollection } from '../../common/mapContract';
import { foldVietnamese } from '../components/search';

/** What the map's search box can find: cameras, villages, places, roads; by name, diacritics optional. */
export interface SearchHit {
  kind: 'camera' | 'village' | 'place' | 'road';
  id: string;
  name: string;
  detail: string | null;
  /** Where to fly: [lng, lat]; null for a camera without a position. */
  center: [number, number] | null;
  /** For areas and roads. */
  bounds: [number, number, number, number] | null;
}

interface Entry extends SearchHit {
  folded: string;
}

function boundsOf(coordinates: unknown, into: number[] = [Infinity, Infinity, -Infinity, -Infinity]): number[] {
  if (Array.isArray(coordinates) && typeof coordinates[0] === 'number' && typeof coordinates[1] === 'number') {
    into[0] = Math.min(into[0] as number, coordinates[0]);
    into[1] = Math.min(into[1] as number, coordinates[1]);
    into[2] = Math.max(into[2] as number, coordinates[0]);
    into[3] = Math.max(into[3] as number, coordinates[1]);
  } else if (Array.isArray(coordinates)) for (const part of coordinates) boundsOf(part, into);
  return into;
}

const PLACE_KINDS = new Set(['police', 'office', 'market', 'school', 'health', 'hall', 'bridge', 'fuel', 'area', 'place']);

export function buildSearchIndex(cameras: readonly CameraSummary[], collections: readonly MapFeatureCollection[]): Entry[] {
  const entries: Entry[] = [];
  for (const camera of cameras) {
    const center: [number, number] | null = camera.latitude !== null && camera.longitude !== null ? [camera.longitude, camera.latitude] : null;
    entries.push({ kind: 'camera', id: camera.id, name: camera.name, detail: camera.village, center, bounds: null, folded: foldVietnamese(`${camera.name} ${camera.village ?? ''} ${camera.id}`) });
  }
  const seen = new Set<string>();
  for (const collection of collections) {
    collection.features.forEach((feature, index) => {
      const name = feature.properties?.name;
      if (typeof name !== 'string' || !name.trim() || !feature.geometry) return;
      const rawKind = feature.properties?.kind;
      const kind: SearchHit['kind'] = rawKind === 'village' ? 'village' : rawKind === 'road' || feature.geometry.type.includes('LineString') ? 'road' : 'place';
      if (rawKind === 'boundary' || rawKind === 'water') return;
      if (typeof rawKind === 'string' && kind === 'place' && !PLACE_KINDS.has(rawKind) && rawKind !== 'place') return;
      const key = `${kind}:${name}`;
      if (seen.has(key)) return;
      seen.add(key);
      const box = boundsOf(feature.geometry.coordinates);
      const labelLng = feature.properties?.labelLongitude;
      const labelLat = feature.properties?.labelLatitude;
      const center: [number, number] =
        typeof labelLng === 'number' && typeof labelLat === 'number' ? [labelLng, labelLat] : [((box[0] as number) + (box[2] as number)) / 2, ((box[1] as number) + (box[3] as number)) / 2];
      entries.push({
        kind,
        id: `${kind}-${index}-${name}`,
        name,
        detail: null,
        center,
        bounds: box[0] === box[2] ? null : (box as [number, number, number, number]),
        folded: foldVietnamese(name),
      });
    });
  }
  return entries;
}

const KIND_ORDER: Record<SearchHit['kind'], number> = { place: 0, village: 1, camera: 2, road: 3 };

/** Hits whose name has every word of the query, names starting with it first. */
export function searchMap(index: readonly Entry[], query: string, limit = 12): SearchHit[] {
  const folded = foldVietnamese(query).trim();
  const words = folded.split(/\s+/).filter(Boolean);
  if (words.length === 0) return [];
  return index
    .filter((entry) => words.every((word) => entry.folded.includes(word)))
    .map((entry) => ({ entry, score: (entry.folded.startsWith(folded) || foldVietnamese(entry.name).includes(folded) ? 0 : 10) + KIND_ORDER[entry.kind] }))
    .sort((a, b) => a.score - b.score || a.entry.name.localeCompare(b.entry.name, 'vi'))
    .slice(0, limit)
    .map(({ entry: { folded: _folded, ...hit } }) => hit);
}
