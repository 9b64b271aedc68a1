import { createContext, type ComponentType } from 'react';
import type { CameraSummary } from '../common/contract';
import type { Permission } from '../common/permissions';

/**
 * What a feature hands the renderer, as types: a leaf module (React and common/ only), so a
 * feature's `page.ts` and `TileAddon.tsx` import these types and never the registry that lists
 * them. The lists themselves are assembled once, in the composition root (`features.ts`), and
 * reach the top bar and the wall through `FeaturesContext` (provided by `App.tsx`).
 */

export type FeaturePageId = 'map' | 'playback' | 'exports' | 'devices' | 'audit';
export type PageId = 'wall' | 'storage' | FeaturePageId;

/** A page of the top bar besides the wall and the storage page; `ready: false` has no tab yet. */
export interface FeaturePage {
  id: FeaturePageId;
  ready: boolean;
  Component: ComponentType;
}

export interface TileAddonProps {
  index: number;
  camera: CameraSummary;
  selected: boolean;
  maximized: boolean;
  /** CSS pixel size of the tile. */
  width: number;
  height: number;
}

/** What a feature adds on top of a camera tile (PTZ pad, instant replay). */
export type TileAddon = ComponentType<TileAddonProps>;

export interface Features {
  pages: readonly FeaturePage[];
  tileAddons: readonly TileAddon[];
}

export const FeaturesContext = createContext<Features>({ pages: [], tileAddons: [] });

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

export function visiblePages(pages: readonly FeaturePage[], permissions: readonly string[] | null = null): PageId[] {
  const allowed = (page: PageId) => permissions === null || permissions.includes(PAGE_PERMISSION[page]);
  return (['wall', ...pages.filter((page) => page.ready).map((page) => page.id), 'storage'] as PageId[]).filter(allowed);
}
