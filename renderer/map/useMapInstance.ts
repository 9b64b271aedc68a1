/**
 * The map instance of CommuneMap (issue 14: the map component split along its concerns): the
 * maplibre map created once per mount, fitted to the commune once loaded, the built-in map and
 * its labels, the imported layers (GeoJSON merged, scanned images and tiles as raster layers
 * through the console's own protocols: a contract call, never a URL fetch), and flights to
 * search results.
 */
import { useEffect, useState, type RefObject } from 'react';
import { addProtocol, Map as MapLibre, Marker, NavigationControl, ScaleControl, setWorkerUrl, type GeoJSONSource, type LngLatBoundsLike } from 'maplibre-gl';
import type { MapData, MapFeatureCollection, MapLayerInfo } from '../../common/mapContract';
import type { CoreClient } from '../transport/coreClient';
import { baseStyle, emptyCollection } from './mapStyle';
import { loadLayerData } from './mapData';
import { shieldPlaces } from './shieldPlaces';
import type { LngLat } from '../../common/geo';

/** Đông Khê: where the map opens when nothing says otherwise. */
export const DEFAULT_CENTER: [number, number] = [105.672, 19.8375];

export interface FlyRequest {
  center: [number, number] | null;
  bounds: [number, number, number, number] | null;
  seq: number;
}

/** A marker kept on the map (pins: removed with the map). */
export interface PlacedMarker {
  marker: Marker;
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

const PLACE_SYMBOLS: Record<string, string> = { police: 'CA', office: 'UB', market: 'Chợ', school: 'T', health: '+', hall: 'VH', bridge: 'Cầu', fuel: 'XD' };

/** HTML labels (Vietnamese needs no glyph server this way): villages, places, QL47 shields. */
function labelMarkers(base: MapFeatureCollection | null, pins: readonly LngLat[]): Marker[] {
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
      // two shields, each where no camera pin covers it
      for (const place of shieldPlaces(feature.geometry.coordinates as [number, number][], pins)) {
        const shield = document.createElement('div');
        shield.className = 'map-label map-label-shield';
        shield.textContent = 'QL47';
        markers.push(new Marker({ element: shield }).setLngLat(place));
      }
    }
  }
  return markers;
}

export function useMapInstance(
  containerRef: RefObject<HTMLDivElement | null>,
  client: CoreClient,
  mode: 'page' | 'tile',
  data: MapData,
  fly: FlyRequest | null,
  /** The pins (usePins): removed with the map. */
  markers: { current: Map<string, PlacedMarker> },
): { map: MapLibre | null; loaded: boolean; failure: string | null } {
  const [map, setMap] = useState<MapLibre | null>(null);
  const [loaded, setLoaded] = useState(false);
  const [failure, setFailure] = useState<string | null>(null);

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
    const placed = markers.current;
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
    const pins = data.placements.flatMap((placement): LngLat[] => (placement.longitude !== null && placement.latitude !== null ? [[placement.longitude, placement.latitude]] : []));
    const labels = data.baseVisible ? labelMarkers(data.base, pins) : [];
    for (const label of labels) label.addTo(map);
    return () => labels.forEach((label) => label.remove());
  }, [map, loaded, data.base, data.baseVisible, data.placements]);

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

  // Search results and hand-offs fly the map.
  useEffect(() => {
    if (!map || !fly) return;
    if (fly.bounds) map.fitBounds(fly.bounds as LngLatBoundsLike, { padding: 60, maxZoom: 17, duration: 600 });
    else if (fly.center) map.easeTo({ center: fly.center, zoom: Math.max(map.getZoom(), 16), duration: 600 });
  }, [map, fly]);

  return { map, loaded, failure };
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
