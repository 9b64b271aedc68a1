import type { FeaturePage } from '../pages';

function MapPage() {
  return null;
}

/** The map page of the top bar: hidden (ready: false) until the feature is built. */
export const mapPage: FeaturePage = { id: 'map', ready: false, Component: MapPage };
