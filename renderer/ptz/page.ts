import type { FeaturePage } from '../pages';

function DevicesPage() {
  return null;
}

/** The devices page of the top bar: hidden (ready: false) until the feature is built. */
export const devicesPage: FeaturePage = { id: 'devices', ready: false, Component: DevicesPage };
