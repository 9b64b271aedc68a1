import { useEffect, useMemo, useState } from 'react';
import type { MapData } from '../../common/mapContract';
import { neighbourCameras, neighbours, roadLinesOf, type Neighbour, type RoadLine } from '../../common/neighbours';
import { useRuntime } from '../runtime';
import { loadLayerData } from './mapData';

/** Road lines of every visible map layer: the built-in map and imported GeoJSON. */
export function useRoads(data: MapData | null): RoadLine[] {
  const { client } = useRuntime();
  const [imported, setImported] = useState<RoadLine[]>([]);
  const layers = data?.layers;
  useEffect(() => {
    let alive = true;
    const geojson = (layers ?? []).filter((layer) => layer.visible && layer.kind === 'geojson');
    void Promise.all(geojson.map((layer) => loadLayerData(client, layer))).then((loaded) => {
      if (alive) setImported(loaded.flatMap((layerData) => (layerData?.kind === 'geojson' ? roadLinesOf(layerData.data) : [])));
    });
    return () => {
      alive = false;
    };
  }, [client, layers]);
  return useMemo(() => [...(data?.baseVisible && data.base ? roadLinesOf(data.base) : []), ...imported], [data, imported]);
}

const NO_TRAIL: readonly string[] = [];

/** The neighbours of the selected camera along the visible roads. `trail` is the hand-off chain
 *  that led here (oldest first): those cameras are not offered again and the road from the last
 *  of them is the road being followed. */
export function useNeighbours(data: MapData | null, cameraId: string | null, travelBearingDeg: number | null, trail: readonly string[] = NO_TRAIL): Neighbour[] {
  const roads = useRoads(data);
  return useMemo(() => {
    if (!data || !cameraId) return [];
    const cameras = neighbourCameras(data.placements.map((placement) => ({ id: placement.cameraId, latitude: placement.latitude, longitude: placement.longitude })));
    return neighbours(cameraId, cameras, roads, { travelBearingDeg, limit: 6, exclude: trail, cameFrom: trail[trail.length - 1] ?? null });
  }, [data, cameraId, roads, travelBearingDeg, trail]);
}
