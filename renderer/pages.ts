import type { ComponentType } from 'react';
import { mapPage } from './map/page';
import { playbackPage } from './playback/page';
import { exportPage } from './export/page';
import { devicesPage } from './ptz/page';
import { auditPage } from './audit/page';
import type { Permission } from '../common/permissions';

/**
 * The pages of the top bar besides the wall and the storage page. Each feature declares its
 * page in its own folder (`<feature>/page.ts`); a page with `ready: false` has no tab yet.
 */
export interface FeaturePage {
  id: 'map' | 'playback' | 'exports' | 'devices' | 'audit';
  ready: boolean;
  Component: ComponentType;
}

export const FEATURE_PAGES: readonly FeaturePage[] = [mapPage, playbackPage, exportPage, devicesPage, auditPage];
export type PageId = 'wall' | 'storage' | FeaturePage['id'];

/** The permission a page's tab needs (issue 15): a role without it does not see the tab (and the core refuses its calls anyway). */
const PAGE_PERMISSION: Record<PageId, Permission> = {
  wall: 'viewLive',
  map: 'viewLive',
  playback: 'playback',
  exports: 'export',
  devices: 'configure',
  audit: 'configure',
  storage: 'playback',
};

export function visiblePages(permissions: readonly string[] | null = null): PageId[] {
  const allowed = (page: PageId) => permissions === null || permissions.includes(PAGE_PERMISSION[page]);
  return (['wall', ...FEATURE_PAGES.filter((page) => page.ready).map((page) => page.id), 'storage'] as PageId[]).filter(allowed);
}
