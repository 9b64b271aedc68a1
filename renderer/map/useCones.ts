/**
 * The view cones of CommuneMap (issue 14): every placed camera's cone, the lines from the selected
 * camera to its neighbours, and while editing a handle to turn the selected camera.
 */
import { useEffect } from 'react';
import { Marker, type GeoJSONSource, type Map as MapLibre } from 'maplibre-gl';
import type { TFunction } from 'i18next';
import type { CameraSummary } from '../../common/contract';
import type { CameraPlacement, MapFeatureCollection } from '../../common/mapContract';
import { bearingDeg, destination, viewCone } from '../../common/geo';
import { emptyCollection } from './mapStyle';
import type { MapHandlers } from './usePickedPoint';

const CONE_RADIUS_M = 140;
const HANDLE_DISTANCE_M = 110;

function coneFeatures(cameras: readonly CameraSummary[], placements: Map<string, CameraPlacement>, states: Record<string, string>, selectedCameraId: string | null): MapFeatureCollection {
  const collection = emptyCollection();
  for (const camera of cameras) {
    const placement = placements.get(camera.id);
    if (!placement || placement.latitude === null || placement.longitude === null || placement.headingDeg === null) continue;
    const ring = viewCone([placement.longitude, placement.latitude], placement.headingDeg, placement.fieldOfViewDeg ?? 70, CONE_RADIUS_M);
    collection.features.push({ type: 'Feature', geometry: { type: 'Polygon', coordinates: [ring] }, properties: { cameraId: camera.id, state: states[camera.id] ?? 'idle', selected: camera.id === selectedCameraId } });
  }
  return collection;
}

export function useCones(options: {
  map: MapLibre | null;
  loaded: boolean;
  cameras: readonly CameraSummary[];
  placements: Map<string, CameraPlacement>;
  states: Record<string, string>;
  selectedCameraId: string | null;
  neighbourIds: readonly string[];
  editing: boolean;
  handlers: { current: MapHandlers };
  t: TFunction;
}): void {
  const { map, loaded, cameras, placements, states, selectedCameraId, neighbourIds, editing, handlers, t } = options;

  // View cones and the lines to the neighbours.
  useEffect(() => {
    if (!map || !loaded) return;
    (map.getSource('cones') as GeoJSONSource | undefined)?.setData(coneFeatures(cameras, placements, states, selectedCameraId) as never);
    const links = emptyCollection();
    const from = selectedCameraId ? placements.get(selectedCameraId) : undefined;
    if (from && from.longitude !== null && from.latitude !== null) {
      for (const id of neighbourIds) {
        const to = placements.get(id);
        if (to && to.longitude !== null && to.latitude !== null) links.features.push({ type: 'Feature', properties: {}, geometry: { type: 'LineString', coordinates: [[from.longitude, from.latitude], [to.longitude, to.latitude]] } });
      }
    }
    (map.getSource('links') as GeoJSONSource | undefined)?.setData(links as never);
  }, [map, loaded, cameras, placements, states, selectedCameraId, neighbourIds]);

  // Editing: a handle to turn the selected camera.
  useEffect(() => {
    if (!map || !editing || !selectedCameraId) return;
    const placement = placements.get(selectedCameraId);
    if (!placement || placement.latitude === null || placement.longitude === null) return;
    const apex: [number, number] = [placement.longitude, placement.latitude];
    const element = document.createElement('div');
    element.className = 'map-rotate-handle';
    element.dataset.testid = 'map-rotate-handle';
    element.title = t('map.edit.hint');
    const handle = new Marker({ element, draggable: true }).setLngLat(destination(apex, placement.headingDeg ?? 0, HANDLE_DISTANCE_M)).addTo(map);
    handle.on('dragend', () => {
      const at = handle.getLngLat();
      const heading = Math.round(bearingDeg(apex, [at.lng, at.lat])) % 360;
      handlers.current.onPlace?.({ ...placement, headingDeg: heading, fieldOfViewDeg: placement.fieldOfViewDeg ?? 70 }, placement);
    });
    return () => {
      handle.remove();
    };
  }, [map, editing, selectedCameraId, placements, t, handlers]);
}
