import fs from 'node:fs';
import path from 'node:path';
import { applyEdits, modify } from 'jsonc-parser';
import { z } from 'zod';
import type { CameraPlacement } from '../../../common/mapContract';
import { CameraPlacementSchema } from '../../../common/mapContract';
import type { Site } from '../../../common/site';
import { parseSiteText } from '../site/parseSite';
import { writeFileAtomic } from '../util/durableFile';

/**
 * Where cameras stand and look, changed from the map by an administrator. A real site file is
 * edited in place (only the four fields of that camera, so the installer's formatting and order
 * stay), checked with the site schema, then written tmp + fsync + rename; only after that do the
 * in-memory cameras change. The built-in demo file ships with the program (read-only once
 * packaged), so demo placements go to DATA/map/demo-placements.json and are laid over it.
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

function applyToSite(site: Site, placement: CameraPlacement): void {
  const camera = site.cameras.find((entry) => entry.id === placement.cameraId);
  if (!camera) return;
  const set = <K extends 'latitude' | 'longitude' | 'headingDeg' | 'fieldOfViewDeg'>(key: K, value: number | null): void => {
    if (value === null) delete camera[key];
    else camera[key] = value;
  };
  set('latitude', placement.latitude);
  set('longitude', placement.longitude);
  set('headingDeg', placement.headingDeg);
  set('fieldOfViewDeg', placement.fieldOfViewDeg);
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
    private readonly site: Site,
    private readonly sitePath: string,
    private readonly isDemo: boolean,
    dataDir: string,
  ) {
    this.demoFile = path.join(dataDir, 'map', 'demo-placements.json');
  }

  /** Demo: lays the saved placements over the built-in file's. */
  load(): void {
    if (!this.isDemo) return;
    try {
      const parsed = DemoPlacementsSchema.safeParse(JSON.parse(fs.readFileSync(this.demoFile, 'utf8')));
      if (parsed.success) for (const placement of parsed.data) applyToSite(this.site, placement);
    } catch {
      // none saved yet
    }
  }

  all(): CameraPlacement[] {
    return this.site.cameras.map((camera) => placementOf(this.site, camera.id) as CameraPlacement);
  }

  place(requested: CameraPlacement): PlacementOutcome {
    const index = this.site.cameras.findIndex((camera) => camera.id === requested.cameraId);
    if (index < 0) return { ok: false, code: 'notFound', message: `unknown camera ${requested.cameraId}` };
    const placement = normalized(requested);
    if (!placement) return { ok: false, code: 'badRequest', message: 'latitude and longitude go together' };
    if (this.isDemo) {
      const saved = this.all().map((entry) => (entry.cameraId === placement.cameraId ? placement : entry));
      fs.mkdirSync(path.dirname(this.demoFile), { recursive: true });
      writeFileAtomic(this.demoFile, JSON.stringify(saved, null, 1));
    } else {
      let text: string;
      try {
        text = fs.readFileSync(this.sitePath, 'utf8');
      } catch (error) {
        return { ok: false, code: 'internal', message: `site file unreadable: ${(error as Error).message}` };
      }
      const bom = text.startsWith('\uFEFF') ? '\uFEFF' : '';
      let body = text.slice(bom.length);
      // The file may have changed on disk since start: find the camera by id there.
      const onDisk = parseSiteText(body);
      if (!onDisk.ok) return { ok: false, code: 'internal', message: 'site file on disk no longer valid' };
      const diskIndex = onDisk.site.cameras.findIndex((camera) => camera.id === placement.cameraId);
      if (diskIndex < 0) return { ok: false, code: 'notFound', message: 'camera not in the site file on disk' };
      const indent = /\n( +|\t)"/.exec(body)?.[1] ?? '  ';
      const formattingOptions = { insertSpaces: !indent.startsWith('\t'), tabSize: indent.startsWith('\t') ? 1 : indent.length, eol: body.includes('\r\n') ? '\r\n' : '\n' };
      for (const key of ['latitude', 'longitude', 'headingDeg', 'fieldOfViewDeg'] as const) {
        const value = placement[key];
        body = applyEdits(body, modify(body, ['cameras', diskIndex, key], value === null ? undefined : value, { formattingOptions }));
      }
      const checked = parseSiteText(body);
      if (!checked.ok) return { ok: false, code: 'badRequest', message: `placement refused by the site schema: ${checked.issues.map((issue) => issue.path).join(', ')}` };
      writeFileAtomic(this.sitePath, bom + body);
    }
    applyToSite(this.site, placement);
    return { ok: true, placement };
  }
}
