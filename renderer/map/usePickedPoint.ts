/**
 * The picked point of CommuneMap (issue 14): a right-click outside editing picks a point (the page
 * decides what it means: the incident point of an export), its radius is drawn, and a popup at it
 * holds what the page renders into `pointBody` (a click elsewhere closes it), placed beside the
 * circle so the pins inside stay visible.
 */
import { useEffect, useRef } from 'react';
import { Popup, type GeoJSONSource, type Map as MapLibre, type MapMouseEvent } from 'maplibre-gl';
import type { CameraPlacement, MapFeatureCollection } from '../../common/mapContract';
import { destination } from '../../common/geo';
import { emptyCollection } from './mapStyle';

export interface PickedPoint {
  latitude: number;
  longitude: number;
}

/** The page's callbacks, read through a ref so map listeners never hold stale ones. */
export interface MapHandlers {
  onPinClick(cameraId: string): void;
  onPlace?(next: CameraPlacement, previous: CameraPlacement): void;
  editing: boolean;
  onPickPoint?(point: PickedPoint): void;
  onPointClose?(): void;
}

/** A circle of `radiusM` around a point, as a polygon ring, with the point itself. */
function incidentFeatures(picked: (PickedPoint & { radiusM: number }) | null): MapFeatureCollection {
  const collection = emptyCollection();
  if (!picked) return collection;
  const center: [number, number] = [picked.longitude, picked.latitude];
  const ring: [number, number][] = [];
  for (let step = 0; step <= 64; step++) ring.push(destination(center, (step % 64) * (360 / 64), picked.radiusM));
  collection.features.push({ type: 'Feature', properties: {}, geometry: { type: 'Polygon', coordinates: [ring] } });
  collection.features.push({ type: 'Feature', properties: {}, geometry: { type: 'Point', coordinates: center } });
  return collection;
}

export function usePickedPoint(map: MapLibre | null, loaded: boolean, picked: (PickedPoint & { radiusM: number }) | null, pointBody: HTMLElement, handlers: { current: MapHandlers }): void {
  // A right-click picks a point (the page decides what to do with it).
  useEffect(() => {
    if (!map) return;
    const onContextMenu = (event: MapMouseEvent): void => {
      const pick = handlers.current.onPickPoint;
      if (!pick || handlers.current.editing) return;
      event.originalEvent.preventDefault();
      pick({ latitude: event.lngLat.lat, longitude: event.lngLat.lng });
    };
    map.on('contextmenu', onContextMenu);
    return () => {
      map.off('contextmenu', onContextMenu);
    };
  }, [map, handlers]);

  // The picked point: its radius on the map, and a popup at it (a click elsewhere closes it).
  const pickedLatitude = picked?.latitude ?? null;
  const pickedLongitude = picked?.longitude ?? null;
  const pickedRadius = picked?.radiusM ?? null;
  useEffect(() => {
    if (!map || !loaded) return;
    const area = pickedLatitude !== null && pickedLongitude !== null && pickedRadius !== null ? { latitude: pickedLatitude, longitude: pickedLongitude, radiusM: pickedRadius } : null;
    (map.getSource('incident') as GeoJSONSource | undefined)?.setData(incidentFeatures(area) as never);
  }, [map, loaded, pickedLatitude, pickedLongitude, pickedRadius]);
  const popupRef = useRef<Popup | null>(null);
  useEffect(() => {
    if (!map || pickedLatitude === null || pickedLongitude === null) return;
    const created = new Popup({ closeButton: false, closeOnClick: true, closeOnMove: false, focusAfterOpen: false, maxWidth: '340px', className: 'map-point-popup' })
      .setLngLat([pickedLongitude, pickedLatitude])
      .setDOMContent(pointBody)
      .addTo(map);
    const closed = (): void => handlers.current.onPointClose?.();
    created.on('close', closed);
    popupRef.current = created;
    return () => {
      created.off('close', closed);
      created.remove();
      popupRef.current = null;
    };
  }, [map, pickedLatitude, pickedLongitude, pointBody, handlers]);
  // the popup stands beside the circle (up to 140 px away), so the pins inside stay visible
  useEffect(() => {
    const popup = popupRef.current;
    if (!map || !popup || pickedLatitude === null || pickedLongitude === null || pickedRadius === null) return;
    const center: [number, number] = [pickedLongitude, pickedLatitude];
    const place = (): void => {
      const radiusPx = Math.abs(map.project(destination(center, 90, pickedRadius)).x - map.project(center).x);
      popup.setOffset(Math.min(140, radiusPx) + 8);
    };
    place();
    map.on('zoom', place);
    return () => {
      map.off('zoom', place);
    };
  }, [map, pickedLatitude, pickedLongitude, pickedRadius]);
}
