import type { FeaturePage } from '../featureTypes';
import { lazyPart } from '../components/lazyPart';

// Off the wall's path: its own file, loaded when the page is first opened.
const ExportPage = lazyPart(() => import('./ExportPage').then((module) => module.ExportPage));

/** The exports page of the top bar (Trích xuất): the export dialog, its progress and the export log. */
export const exportPage: FeaturePage = { id: 'exports', ready: true, Component: ExportPage };
