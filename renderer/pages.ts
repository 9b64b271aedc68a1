import type { ComponentType } from 'react';
import { mapPage } from './map/page';
import { playbackPage } from './playback/page';
import { exportPage } from './export/page';
import { devicesPage } from './ptz/page';

/**
 * The pages of the top bar besides the wall and the storage page. Each feature declares its
 * page in its own folder (`<feature>/page.ts`); a page with `ready: false` has no tab yet.
 */
export interface FeaturePage {
  id: 'map' | 'playback' | 'exports' | 'devices';
  ready: boolean;
  Component: ComponentType;
}

export const FEATURE_PAGES: readonly FeaturePage[] = [mapPage, playbackPage, exportPage, devicesPage];
export type PageId = 'wall' | 'storage' | FeaturePage['id'];

export function visiblePages(): PageId[] {
  return ['wall', ...FEATURE_PAGES.filter((page) => page.ready).map((page) => page.id), 'storage'];
}
