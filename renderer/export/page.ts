import type { FeaturePage } from '../pages';

function ExportPage() {
  return null;
}

/** The exports page of the top bar: hidden (ready: false) until the feature is built. */
export const exportPage: FeaturePage = { id: 'exports', ready: false, Component: ExportPage };
