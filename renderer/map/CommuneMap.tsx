import { useEffect, useMemo, useRef, useState, type DragEvent, type ReactNode } from 'react';
import { createPortal } from 'react-dom';
import { useTranslation } from 'react-i18next';
import { addProtocol, Map as MapLibre, Marker, NavigationControl, Popup, ScaleControl, setWorkerUrl, type GeoJSONSource, type LngLatBoundsLike, type MapMouseEvent } from 'maplibre-gl';
import type { CameraSummary } from '../../common/contract';
import type { CameraPlacement, MapData, MapFeatureCollection, MapLayerInfo } from '../../common/mapContract';
import { bearingDeg, destination, viewCone } from '../../common/geo';
import { useConsole } from '../store';
import { useRuntime } from '../runtime';
import type { CoreClient } from '../transport/coreClient';
import { CAMERA_DRAG_TYPE } from '../util/dragTypes';
import { baseStyle, emptyCollection } from './mapStyle';
import { isRecording, pinStateOf } from './pinState';
import { loadLayerData, placementsById } from './mapData';
import { HoverCard } from './HoverCard';

/** Đông Khê: where the map opens when nothing says otherwise. */
export const DEFAULT_CENTER: [number, number] = [105.672, 19.8375];
const CONE_RADIUS_M = 140;
const HANDLE_DISTANCE_M = 110;

export interface FlyRequest {
  center: [number, number] | null;
  bounds: [number, number, number, number] | null;
  seq: number;
}

export interface PickedPoint {
  latitude: number;
  longitude: number;
}

export interface CommuneMapProps {
  data: MapData;
  mode: 'page' | 'tile';
  selectedCameraId: string | null;
  /** Neighbours of the selected camera, best first (numbered on the map). */
  neighbourIds: readonly string[];
  editing: boolean;
  fly: FlyRequest | null;
  onPinClick(cameraId: string): void;
  /** Admin placement (drag, rotate, drop): the new placement and the one it replaces. */
  onPlace?(next: CameraPlacement, previous: CameraPlacement): void;
  /** A right-click on the map (outside editing) picks a point there: the incident point of an export. */
  onPickPoint?(point: PickedPoint): void;
  /** The picked point: its radius is drawn, `pointMenu` shows in a popup at it. */
  picked?: (PickedPoint & { radiusM: number }) | null;
  pointMenu?: ReactNode;
  /** The popup was closed from the map (a click elsewhere). */
  onPointClose?(): void;
}

// Tiles and scanned maps reach maplibre through these protocols: a contract call, never a URL fetch.
let protocolClient: CoreClient | null = null;
let protocolsAdded = false;
const imageLayers = new Map<string, MapLayerInfo>();
function ensureProtocols(client: CoreClient): void {
  protocolClient = client;
  if (protocolsAdded) return;
  protocolsAdded = true;
  setWorkerUrl(new URL('maplibre-gl-worker.mjs', document.baseURI).href);
  const decode = (base64: string): ArrayBuffer => {
    const binary = atob(base64);
    const bytes = new Uint8Array(binary.length);
    for (let index = 0; index < binary.length; index++) bytes[index] = binary.charCodeAt(index);
    return bytes.buffer;
  };
  addProtocol('consoletile', async (params) => {
    const match = /^consoletile:\/\/([a-z0-9-]+)\/(\d+)\/(\d+)\/(\d+)$/.exec(params.url);
    // A tile the archive does not have: no data, maplibre leaves that square empty.
    const none = { data: null as unknown as ArrayBuffer };
    if (!match || !protocolClient) return none;
    const result = await protocolClient.call('getMapTile', { id: match[1] as string, z: Number(match[2]), x: Number(match[3]), y: Number(match[4]) });
    return result.ok && result.value.dataBase64 ? { data: decode(result.value.dataBase64) } : none;
  });
  addProtocol('consoleimage', async (params) => {
    const id = /^consoleimage:\/\/([a-z0-9-]+)$/.exec(params.url)?.[1];
    const layer = id ? imageLayers.get(id) : undefined;
    if (!layer || !protocolClient) throw new Error('bad image');
    const layerData = await loadLayerData(protocolClient, layer);
    if (layerData?.kind !== 'image') throw new Error('image unavailable');
    return { data: decode(layerData.dataUrl.slice(layerData.dataUrl.indexOf(',') + 1)) };
  });
}

function shortLabel(id: string): string {
  const digits = /(\d+)$/.exec(id)?.[1];
  return digits ? digits.slice(-3) : id.slice(0, 4);
}

const PLACE_SYMBOLS: Record<string, string> = { police: 'CA', office: 'UB', market: 'Chợ', school: 'T', health: '+', hall: 'VH', bridge: 'Cầu', fuel: 'XD' };

/** HTML labels (Vietnamese needs no glyph server this way): villages, places, QL47 shields. */
function labelMarkers(base: MapFeatureCollection | null): Marker[] {
  const markers: Marker[] = [];
  for (const feature of base?.features ?? []) {
    const properties = feature.properties ?? {};
    const name = typeof properties.name === 'string' ? properties.name : null;
    if (!name || !feature.geometry) continue;
    const element = document.createElement('div');
    if (properties.kind === 'village' && typeof properties.labelLongitude === 'number' && typeof properties.labelLatitude === 'number') {
      element.className = 'map-label map-label-village';
      element.textContent = name;
      markers.push(new Marker({ element }).setLngLat([properties.labelLongitude, properties.labelLatitude]));
    } else if (feature.geometry.type === 'Point' && typeof properties.kind === 'string' && properties.kind in PLACE_SYMBOLS) {
      element.className = `map-label map-label-place map-place-${properties.kind}`;
      const symbol = document.createElement('span');
      symbol.className = 'map-place-symbol';
      symbol.textContent = PLACE_SYMBOLS[properties.kind] ?? '';
      const text = document.createElement('span');
      text.className = 'map-place-name';
      text.textContent = name;
      element.append(symbol, text);
      markers.push(new Marker({ element, anchor: 'left', offset: [-9, 0] }).setLngLat(feature.geometry.coordinates as [number, number]));
    } else if (properties.kind === 'road' && properties.class === 'national' && feature.geometry.type === 'LineString') {
      const points = feature.geometry.coordinates as [number, number][];
      for (const fraction of [0.12, 0.62]) {
        const shield = document.createElement('div');
        shield.className = 'map-label map-label-shield';
        shield.textContent = 'QL47';
        markers.push(new Marker({ element: shield }).setLngLat(points[Math.floor(points.length * fraction)] as [number, number]));
      }
    }
  }
  return markers;
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

/** A pin's look, as data attributes the stylesheet (and the tests) read. */
function paintPin(element: HTMLElement, look: { state: string; recording: boolean; selected: boolean; rank: number | null }): void {
  element.dataset.state = look.state;
  element.dataset.recording = look.recording ? 'yes' : 'no';
  element.dataset.selected = look.selected ? 'yes' : 'no';
  element.dataset.neighbour = look.rank ? String(look.rank) : '';
  const rankElement = element.querySelector('.map-pin-rank');
  if (rankElement) rankElement.textContent = look.rank ? String(look.rank) : '';
}

interface Pin {
  marker: Marker;
  element: HTMLDivElement;
}

export function CommuneMap({ data, mode, selectedCameraId, neighbourIds, editing, fly, onPinClick, onPlace, onPickPoint, picked = null, pointMenu, onPointClose }: CommuneMapProps) {
  const { t } = useTranslation();
  const { client } = useRuntime();
  const containerRef = useRef<HTMLDivElement>(null);
  const [map, setMap] = useState<MapLibre | null>(null);
  const [loaded, setLoaded] = useState(false);
  const [failure, setFailure] = useState<string | null>(null);
  const [hover, setHover] = useState<{ cameraId: string; x: number; y: number } | null>(null);
  const cameras = useConsole((state) => state.cameras);
  const statuses = useConsole((state) => state.statuses);
  const recording = useConsole((state) => state.recording);
  const pins = useRef(new Map<string, Pin>());
  const handlers = useRef({ onPinClick, onPlace, editing, onPickPoint, onPointClose });
  useEffect(() => {
    handlers.current = { onPinClick, onPlace, editing, onPickPoint, onPointClose };
  });
  // what the picked point's popup shows is rendered by React into this element (a portal)
  const [pointBody] = useState(() => {
    const element = document.createElement('div');
    element.className = 'map-point-body';
    return element;
  });
  const placements = useMemo(() => placementsById(data), [data]);
  const placementsRef = useRef(placements);
  useEffect(() => {
    placementsRef.current = placements;
  }, [placements]);
  const states = useMemo(() => Object.fromEntries(cameras.map((camera) => [camera.id, pinStateOf(camera, statuses)])), [cameras, statuses]);

  // The map itself: created once per mount.
  useEffect(() => {
    const container = containerRef.current;
    if (!container) return;
    ensureProtocols(client);
    let created: MapLibre;
    try {
      created = new MapLibre({
        container,
        style: baseStyle(data.baseVisible ? data.base : null),
        center: DEFAULT_CENTER,
        zoom: mode === 'tile' ? 14 : 14.6,
        minZoom: 10,
        maxZoom: 19,
        attributionControl: false,
        dragRotate: false,
        pitchWithRotate: false,
        touchPitch: false,
        fadeDuration: 0,
        renderWorldCopies: false,
      });
    } catch (error) {
      // No WebGL on this PC: say so instead of a blank area (the rest of the page keeps working).
      const reason = (error as Error).message;
      const timer = window.setTimeout(() => setFailure(reason), 0);
      return () => window.clearTimeout(timer);
    }
    created.touchZoomRotate.disableRotation();
    created.addControl(new NavigationControl({ showCompass: false }), 'bottom-right');
    created.addControl(new ScaleControl({ unit: 'metric', maxWidth: 120 }), 'bottom-left');
    created.on('load', () => setLoaded(true));
    const zoomClass = (): void => {
      container.dataset.zoom = created.getZoom() >= 15.2 ? 'near' : created.getZoom() >= 13.6 ? 'mid' : 'far';
    };
    created.on('zoom', zoomClass);
    zoomClass();
    const observer = new ResizeObserver(() => created.resize());
    observer.observe(container);
    setMap(created);
    (window as { consoleMap?: MapLibre }).consoleMap = created;
    const placed = pins.current;
    return () => {
      observer.disconnect();
      for (const pin of placed.values()) pin.marker.remove();
      placed.clear();
      created.remove();
      setMap(null);
      setLoaded(false);
    };
    // data.base is read at creation; later changes go through setData below
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [client, mode]);

  // Fit the commune once loaded.
  useEffect(() => {
    if (!map || !loaded) return;
    const boundary = data.base?.features.find((feature) => feature.properties?.kind === 'boundary');
    const ring = (boundary?.geometry?.coordinates as [number, number][][] | undefined)?.[0];
    if (ring && ring.length > 2) {
      const lngs = ring.map((point) => point[0]);
      const lats = ring.map((point) => point[1]);
      map.fitBounds([Math.min(...lngs), Math.min(...lats), Math.max(...lngs), Math.max(...lats)] as LngLatBoundsLike, { padding: mode === 'tile' ? 8 : 24, duration: 0 });
    }
    // once per load
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [map, loaded]);

  // The built-in map and its labels, shown or hidden.
  useEffect(() => {
    if (!map || !loaded) return;
    (map.getSource('base') as GeoJSONSource | undefined)?.setData((data.baseVisible && data.base ? data.base : emptyCollection()) as never);
    const labels = data.baseVisible ? labelMarkers(data.base) : [];
    for (const label of labels) label.addTo(map);
    return () => labels.forEach((label) => label.remove());
  }, [map, loaded, data.base, data.baseVisible]);

  // Imported layers: GeoJSON merged into one source; scanned images and tiles as raster layers.
  const layerKey = data.layers.map((layer) => `${layer.id}:${layer.visible}`).join(',');
  useEffect(() => {
    if (!map || !loaded) return;
    let alive = true;
    const visible = data.layers.filter((layer) => layer.visible);
    const added: string[] = [];
    const geojson = visible.filter((layer) => layer.kind === 'geojson');
    void Promise.all(geojson.map((layer) => loadLayerData(client, layer))).then((loadedLayers) => {
      if (!alive) return;
      const merged = emptyCollection();
      for (const layerData of loadedLayers) if (layerData?.kind === 'geojson') merged.features.push(...layerData.data.features);
      (map.getSource('imported') as GeoJSONSource | undefined)?.setData(merged as never);
    });
    for (const layer of visible.filter((entry) => entry.kind !== 'geojson')) addRasterLayer(map, client, layer, added, () => alive);
    return () => {
      alive = false;
      if (!map.style) return;
      for (const id of added) {
        if (map.getLayer(id)) map.removeLayer(id);
        if (map.getSource(id)) map.removeSource(id);
      }
    };
    // layerKey stands for data.layers
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [map, loaded, layerKey, client]);

  // Pins: one HTML marker per placed camera.
  useEffect(() => {
    if (!map) return;
    const wanted = new Set<string>();
    for (const camera of cameras) {
      const placement = placements.get(camera.id);
      if (!placement || placement.latitude === null || placement.longitude === null) continue;
      wanted.add(camera.id);
      let pin = pins.current.get(camera.id);
      if (!pin) {
        const element = document.createElement('div');
        element.className = 'map-pin';
        element.dataset.testid = 'map-pin';
        element.dataset.cameraId = camera.id;
        const dot = document.createElement('span');
        dot.className = 'map-pin-dot';
        dot.textContent = shortLabel(camera.id);
        const rank = document.createElement('span');
        rank.className = 'map-pin-rank';
        element.append(dot, rank);
        const stop = (event: Event): void => {
          if (!handlers.current.editing) event.stopPropagation();
        };
        // Outside editing, a press on the dot is the start of a click or a drag to the wall: it must
        // not reach the map (panning) nor the marker (which cancels native drags on mousedown).
        dot.addEventListener('mousedown', stop);
        dot.addEventListener('pointerdown', stop);
        dot.addEventListener('touchstart', stop, { passive: true });
        element.addEventListener('click', (event) => {
          event.stopPropagation();
          handlers.current.onPinClick(camera.id);
        });
        element.addEventListener('mouseenter', () => {
          const box = element.getBoundingClientRect();
          const outer = containerRef.current?.getBoundingClientRect();
          if (outer) setHover({ cameraId: camera.id, x: box.left - outer.left + box.width / 2, y: box.top - outer.top });
        });
        element.addEventListener('mouseleave', () => setHover((current) => (current?.cameraId === camera.id ? null : current)));
        // maplibre cancels native drags that reach the marker element: the dot is what is dragged
        // (onto a wall tile, like a camera of the list), and its dragstart stops there.
        dot.addEventListener('dragstart', (event) => {
          event.stopPropagation();
          if (!event.dataTransfer) return;
          event.dataTransfer.setData(CAMERA_DRAG_TYPE, camera.id);
          event.dataTransfer.effectAllowed = 'copy';
          setHover(null);
        });
        const marker = new Marker({ element, anchor: 'center' });
        marker.on('dragend', () => {
          const previous = placementsRef.current.get(camera.id);
          const at = marker.getLngLat();
          if (previous) handlers.current.onPlace?.({ ...previous, latitude: at.lat, longitude: at.lng }, previous);
        });
        pin = { marker, element };
        pins.current.set(camera.id, pin);
        marker.setLngLat([placement.longitude, placement.latitude]).addTo(map);
      }
      pin.marker.setLngLat([placement.longitude, placement.latitude]);
      pin.element.title = `${camera.name}${camera.village ? ` — ${camera.village}` : ''}`;
      pin.element.dataset.ptz = camera.ptz ? 'yes' : 'no';
      (pin.element.firstElementChild as HTMLElement | null)?.setAttribute('draggable', editing ? 'false' : 'true');
      pin.marker.setDraggable(editing);
    }
    for (const [id, pin] of pins.current) {
      if (!wanted.has(id)) {
        pin.marker.remove();
        pins.current.delete(id);
      }
    }
    if (containerRef.current) containerRef.current.dataset.pins = String(pins.current.size);
  }, [map, cameras, placements, editing]);

  // Pin colours, recording rings, selection and neighbour numbers: attributes only.
  useEffect(() => {
    const rankOf = new Map(neighbourIds.map((id, index) => [id, index + 1]));
    for (const [id, pin] of pins.current) {
      paintPin(pin.element, { state: states[id] ?? 'idle', recording: isRecording(id, recording), selected: id === selectedCameraId, rank: rankOf.get(id) ?? null });
    }
  }, [states, recording, selectedCameraId, neighbourIds, cameras, placements, map]);

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
  }, [map, editing, selectedCameraId, placements, t]);

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
  }, [map]);

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
  }, [map, pickedLatitude, pickedLongitude, pointBody]);
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

  // Search results and hand-offs fly the map.
  useEffect(() => {
    if (!map || !fly) return;
    if (fly.bounds) map.fitBounds(fly.bounds as LngLatBoundsLike, { padding: 60, maxZoom: 17, duration: 600 });
    else if (fly.center) map.easeTo({ center: fly.center, zoom: Math.max(map.getZoom(), 16), duration: 600 });
  }, [map, fly]);

  function onDragOver(event: DragEvent): void {
    if (editing && event.dataTransfer.types.includes(CAMERA_DRAG_TYPE)) {
      event.preventDefault();
      event.dataTransfer.dropEffect = 'move';
    }
  }

  function onDrop(event: DragEvent): void {
    const cameraId = event.dataTransfer.getData(CAMERA_DRAG_TYPE);
    if (!editing || !map || !cameraId) return;
    event.preventDefault();
    const box = map.getContainer().getBoundingClientRect();
    const at = map.unproject([event.clientX - box.left, event.clientY - box.top]);
    const previous = placements.get(cameraId) ?? { cameraId, latitude: null, longitude: null, headingDeg: null, fieldOfViewDeg: null };
    onPlace?.({ ...previous, latitude: at.lat, longitude: at.lng, headingDeg: previous.headingDeg ?? 0, fieldOfViewDeg: previous.fieldOfViewDeg ?? 70 }, previous);
  }

  return (
    <div className={`map-frame map-frame-${mode}${editing ? ' map-editing' : ''}`} data-testid="commune-map" data-loaded={loaded ? 'yes' : 'no'}>
      <div className="map-canvas" ref={containerRef} onDragOver={onDragOver} onDrop={onDrop} />
      {failure && <div className="banner banner-error map-failure">{t('map.webgl', { reason: failure })}</div>}
      {!loaded && !failure && <div className="map-loading">{t('map.loading')}</div>}
      {hover && !editing && <HoverCard cameraId={hover.cameraId} x={hover.x} y={hover.y} hint={mode === 'tile' ? t('map.pinHintTile') : t('map.pinHint')} />}
      {picked && pointMenu && createPortal(pointMenu, pointBody)}
    </div>
  );
}

function addRasterLayer(map: MapLibre, client: CoreClient, layer: MapLayerInfo, added: string[], alive: () => boolean): void {
  const id = `layer-${layer.id}`;
  if (map.getSource(id)) return;
  added.push(id);
  if (layer.kind === 'image') {
    imageLayers.set(layer.id, layer);
    // The scanned map is stretched onto its four corners (read with the picture, cached).
    void loadLayerData(client, layer).then((layerData) => {
      if (!alive() || layerData?.kind !== 'image' || map.getSource(id)) return;
      map.addSource(id, { type: 'image', url: `consoleimage://${layer.id}`, coordinates: layerData.corners });
      map.addLayer({ id, type: 'raster', source: id, paint: { 'raster-opacity': 0.8 } }, 'road-casing');
    });
  } else {
    map.addSource(id, {
      type: 'raster',
      tiles: [`consoletile://${layer.id}/{z}/{x}/{y}`],
      tileSize: 256,
      minzoom: layer.minZoom ?? 0,
      maxzoom: layer.maxZoom ?? 18,
      ...(layer.bounds ? { bounds: layer.bounds } : {}),
    });
    map.addLayer({ id, type: 'raster', source: id }, 'village-fill');
  }
}
