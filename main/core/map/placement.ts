import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import type { CameraPlacement } from '../../../common/mapContract';
import { CameraPlacementSchema } from '../../../common/mapContract';
import type { Site } from '../../../common/site';
import { SiteWriteError, type SiteStore } from '../site/siteStore';
import { writeFileAtomic } from '../util/durableFile';

/**
 * Where cameras stand and look, changed from the map by an administrator. The site file and the
 * cameras in memory are changed by their one owner, `SiteStore.placeCamera` (only the four
 * fields of that camera, formatting kept, schema re-checked, durable write; memory after the
 * file). The built-in demo file ships with the program (read-only once packaged), so demo
 * placements go to DATA/map/demo-placements.json and are laid over it at start.
 */
export function placementOf(site: Site, cameraId: string): CameraPlacement | null {
  const camera = site.cameras.find((entry) => entry.id === cameraId);
  if (!camera) return null;
  return {
    cameraId,
    latitude: camera.latitude ?? null,
    longitude: camera.longitude ?? null,
    headingDeg: camera.headingDeg ?? null,
    fieldOfViewDeg: camera.fieldOfViewDeg ?? null,
  };
}

export type PlacementOutcome = { ok: true; placement: CameraPlacement } | { ok: false; code: 'notFound' | 'badRequest' | 'internal'; message: string };

function normalized(placement: CameraPlacement): CameraPlacement | null {
  if ((placement.latitude === null) !== (placement.longitude === null)) return null;
  const round = (value: number | null, digits: number): number | null => (value === null ? null : Number(value.toFixed(digits)));
  const heading = placement.headingDeg === null ? null : round(((placement.headingDeg % 360) + 360) % 360, 1);
  return {
    cameraId: placement.cameraId,
    latitude: round(placement.latitude, 6),
    longitude: round(placement.longitude, 6),
    headingDeg: heading === 360 ? 0 : heading,
    fieldOfViewDeg: round(placement.fieldOfViewDeg, 1),
  };
}

const DemoPlacementsSchema = z.array(CameraPlacementSchema);

export class CameraPlacements {
  private readonly demoFile: string;

  constructor(
    private readonly store: SiteStore,
    private readonly isDemo: boolean,
    dataDir: string,
  ) {
    this.demoFile = path.join(dataDir, 'map', 'demo-placements.json');
  }

  /** Demo: lays the saved placements over the built-in file's (in memory, through the site store). */
  load(): void {
    if (!this.isDemo) return;
    let saved: CameraPlacement[];
    try {
      const parsed = DemoPlacementsSchema.safeParse(JSON.parse(fs.readFileSync(this.demoFile, 'utf8')));
      if (!parsed.success) return;
      saved = parsed.data;
    } catch {
      return; // none saved yet
    }
    for (const placement of saved) if (this.store.camera(placement.cameraId)) this.store.placeCamera(placement);
  }

  all(): CameraPlacement[] {
    return this.store.site.cameras.map((camera) => placementOf(this.store.site, camera.id) as CameraPlacement);
  }

  place(requested: CameraPlacement): PlacementOutcome {
    if (!this.store.camera(requested.cameraId)) return { ok: false, code: 'notFound', message: `unknown camera ${requested.cameraId}` };
    const placement = normalized(requested);
    if (!placement) return { ok: false, code: 'badRequest', message: 'latitude and longitude go together' };
    if (this.isDemo) {
      const saved = this.all().map((entry) => (entry.cameraId === placement.cameraId ? placement : entry));
      fs.mkdirSync(path.dirname(this.demoFile), { recursive: true });
      writeFileAtomic(this.demoFile, JSON.stringify(saved, null, 1));
    }
    try {
      // a real site file: written by its one owner (BOM, indent, line endings kept; schema re-checked)
      this.store.placeCamera(placement);
    } catch (error) {
      if (!(error instanceof SiteWriteError)) throw error;
      return { ok: false, code: error.code === 'siteNotSaved' ? 'internal' : error.code, message: error.detail };
    }
    return { ok: true, placement };
  }
}
