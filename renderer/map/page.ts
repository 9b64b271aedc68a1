import type { FeaturePage } from '../pages';
import { MapPage } from './MapPage';

/** The map page of the top bar ("Bản đồ"). */
export const mapPage: FeaturePage = { id: 'map', ready: true, Component: MapPage };
