import type { StyleSpecification } from 'maplibre-gl';
import type { MapFeatureCollection } from '../../common/mapContract';

/**
 * The map's style, built in code: only local GeoJSON sources, no glyphs, no sprites, no URL of
 * any kind (labels are HTML markers, so Vietnamese diacritics need no glyph server). Colours of
 * a paper commune map: pale villages, a white road network, QL47 in orange.
 */
export const VILLAGE_COLOURS = ['#f6d7a7', '#cfe8c4', '#c8dcef', '#f3c9c9', '#e2d1ef', '#d9ead3', '#fbe3b5', '#cde7e4', '#eddcc8'];

export const STATE_COLOURS = {
  live: '#1f9d4c',
  connecting: '#d89b00',
  offline: '#d7261e',
  idle: '#7c8791',
} as const;

/** The incident area of an export (a point and its radius). */
export const INCIDENT_COLOUR = '#c2410c';

const EMPTY: MapFeatureCollection = { type: 'FeatureCollection', features: [] };

export function emptyCollection(): MapFeatureCollection {
  return { type: 'FeatureCollection', features: [] };
}

export function baseStyle(base: MapFeatureCollection | null): StyleSpecification {
  const villageColour: unknown[] = ['match', ['to-number', ['get', 'colour'], 0]];
  VILLAGE_COLOURS.forEach((colour, index) => villageColour.push(index, colour));
  villageColour.push('#eeeeee');
  const kind = (value: string): unknown[] => ['==', ['get', 'kind'], value];
  return {
    version: 8,
    sources: {
      base: { type: 'geojson', data: (base ?? EMPTY) as never },
      imported: { type: 'geojson', data: EMPTY as never },
      cones: { type: 'geojson', data: EMPTY as never },
      links: { type: 'geojson', data: EMPTY as never },
      // the incident point picked for an export (right-click on the map page) and its radius
      incident: { type: 'geojson', data: EMPTY as never },
    },
    layers: [
      { id: 'background', type: 'background', paint: { 'background-color': '#ece8dc' } },
      { id: 'commune-fill', type: 'fill', source: 'base', filter: kind('boundary') as never, paint: { 'fill-color': '#f7f4ea' } },
      { id: 'village-fill', type: 'fill', source: 'base', filter: kind('village') as never, paint: { 'fill-color': villageColour as never, 'fill-opacity': 0.55 } },
      { id: 'village-line', type: 'line', source: 'base', filter: kind('village') as never, paint: { 'line-color': '#a08c6a', 'line-width': 1, 'line-dasharray': [3, 2] } },
      { id: 'area-fill', type: 'fill', source: 'base', filter: kind('area') as never, paint: { 'fill-color': '#e9b872', 'fill-opacity': 0.8 } },
      { id: 'commune-line', type: 'line', source: 'base', filter: kind('boundary') as never, paint: { 'line-color': '#8d3b72', 'line-width': 2.5, 'line-dasharray': [4, 2, 1, 2] } },
      { id: 'water', type: 'line', source: 'base', filter: kind('water') as never, layout: { 'line-cap': 'round', 'line-join': 'round' }, paint: { 'line-color': '#7db7e0', 'line-width': ['interpolate', ['linear'], ['zoom'], 13, 3, 17, 14] as never } },
      {
        id: 'road-casing',
        type: 'line',
        source: 'base',
        filter: kind('road') as never,
        layout: { 'line-cap': 'round', 'line-join': 'round' },
        paint: { 'line-color': '#8f8571', 'line-width': ['interpolate', ['linear'], ['zoom'], 13, ['match', ['get', 'class'], 'national', 5, 'main', 3, 2], 17, ['match', ['get', 'class'], 'national', 20, 'main', 12, 7]] as never },
      },
      {
        id: 'road',
        type: 'line',
        source: 'base',
        filter: kind('road') as never,
        layout: { 'line-cap': 'round', 'line-join': 'round' },
        paint: {
          'line-color': ['match', ['get', 'class'], 'national', '#f2a33a', '#ffffff'] as never,
          'line-width': ['interpolate', ['linear'], ['zoom'], 13, ['match', ['get', 'class'], 'national', 3.5, 'main', 2, 1.2], 17, ['match', ['get', 'class'], 'national', 16, 'main', 9, 5]] as never,
        },
      },
      { id: 'imported-fill', type: 'fill', source: 'imported', filter: ['==', ['geometry-type'], 'Polygon'] as never, paint: { 'fill-color': '#6aa5d8', 'fill-opacity': 0.25 } },
      { id: 'imported-line', type: 'line', source: 'imported', filter: ['!=', ['geometry-type'], 'Point'] as never, paint: { 'line-color': '#2466a8', 'line-width': 2.5 } },
      { id: 'imported-point', type: 'circle', source: 'imported', filter: ['==', ['geometry-type'], 'Point'] as never, paint: { 'circle-color': '#2466a8', 'circle-radius': 5, 'circle-stroke-color': '#ffffff', 'circle-stroke-width': 1.5 } },
      { id: 'links', type: 'line', source: 'links', paint: { 'line-color': '#1c5fd1', 'line-width': 3, 'line-dasharray': [2, 1.5], 'line-opacity': 0.85 } },
      {
        id: 'cones',
        type: 'fill',
        source: 'cones',
        paint: {
          'fill-color': ['match', ['get', 'state'], 'live', STATE_COLOURS.live, 'offline', STATE_COLOURS.offline, 'connecting', STATE_COLOURS.connecting, STATE_COLOURS.idle] as never,
          'fill-opacity': ['case', ['get', 'selected'], 0.45, 0.22] as never,
        },
      },
      {
        id: 'cones-line',
        type: 'line',
        source: 'cones',
        paint: { 'line-color': ['match', ['get', 'state'], 'live', STATE_COLOURS.live, 'offline', STATE_COLOURS.offline, 'connecting', STATE_COLOURS.connecting, STATE_COLOURS.idle] as never, 'line-width': 1, 'line-opacity': 0.7 },
      },
      { id: 'incident-fill', type: 'fill', source: 'incident', filter: ['==', ['geometry-type'], 'Polygon'] as never, paint: { 'fill-color': INCIDENT_COLOUR, 'fill-opacity': 0.1 } },
      { id: 'incident-line', type: 'line', source: 'incident', filter: ['==', ['geometry-type'], 'Polygon'] as never, paint: { 'line-color': INCIDENT_COLOUR, 'line-width': 2, 'line-dasharray': [3, 2] } },
      { id: 'incident-point', type: 'circle', source: 'incident', filter: ['==', ['geometry-type'], 'Point'] as never, paint: { 'circle-color': INCIDENT_COLOUR, 'circle-radius': 6, 'circle-stroke-color': '#ffffff', 'circle-stroke-width': 2 } },
    ],
  };
}
