import type { Features } from './featureTypes';
import { mapPage } from './map/page';
import { playbackPage } from './playback/page';
import { exportPage } from './export/page';
import { devicesPage } from './ptz/page';
import { auditPage } from './audit/page';
import { PtzTileAddon } from './ptz/TileAddon';
import { PlaybackTileAddon } from './playback/TileAddon';

/**
 * The renderer's composition root of features: the one place that lists every feature's page
 * (top-bar order) and tile addon (drawing order). Only `App.tsx` imports it and hands it down
 * through `FeaturesContext`; features import the types from `featureTypes.ts`, never this file.
 * A new feature is registered here (see the checklist in docs/architecture.md).
 */
export const FEATURES: Features = {
  pages: [mapPage, playbackPage, exportPage, devicesPage, auditPage],
  tileAddons: [PtzTileAddon, PlaybackTileAddon],
};
