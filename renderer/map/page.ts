import type { FeaturePage } from '../featureTypes';
import { lazyPart } from '../components/lazyPart';

// Off the wall's path: its own file, loaded when the page is first opened.
const MapPage = lazyPart(() => import('./MapPage').then((module) => module.MapPage));

/** The map page of the top bar ("Bản đồ"). */
export const mapPage: FeaturePage = { id: 'map', ready: true, Component: MapPage };
