import type { FeaturePage } from '../pages';
import { ExportPage } from './ExportPage';

/** The exports page of the top bar (Trích xuất): the export dialog, its progress and the export log. */
export const exportPage: FeaturePage = { id: 'exports', ready: true, Component: ExportPage };
