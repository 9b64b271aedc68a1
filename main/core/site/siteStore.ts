import fs from 'node:fs';
import { applyEdits, modify, type JSONPath } from 'jsonc-parser';
import type { CameraPlacement } from '../../../common/mapContract';
import type { Camera, Site } from '../../../common/site';
import { writeFileAtomic } from '../util/durableFile';
import { loadSiteFile } from './loadSite';
import { parseSiteText } from './parseSite';

/**
 * The one owner of the site file and of the `Site` in memory. Load, the credential overlay, adding
 * cameras, placing cameras and settings changes all go through here; nobody else writes the file
 * or changes the `Site` (features read `store.site`).
 *
 * One write path (`writeEdits`): read the file as it is on disk now, keep its BOM, indent and line
 * endings, apply jsonc-parser edits (comments and the installer's order stay), re-check the result
 * against the site schema, then replace the file durably (util/durableFile.ts). Only after the
 * file is written does the `Site` in memory change, and then `camerasChanged` tells the
 * subscribers (the pull hub, the recorder, the UIs; see core.ts). A site that is not writable (the
 * built-in demo file, read-only once packaged) changes in memory only.
 *
 * Tested in tests/unit/siteStore.test.ts.
 */

export type SiteWriteProblem = 'notFound' | 'badRequest' | 'siteNotSaved';

export class SiteWriteError extends Error {
  constructor(
    readonly code: SiteWriteProblem,
    readonly detail: string,
  ) {
    super(`${code}: ${detail}`);
    this.name = 'SiteWriteError';
  }
}

export interface CamerasChange {
  reason: 'added' | 'placed' | 'credentials';
  /** Cameras new in `site.cameras` (as the pulls see them: credentials overlaid). */
  added: readonly Camera[];
  /** Ids of cameras whose fields changed. */
  changedIds: readonly string[];
}

/** The fields of the site a settings change may set (top level, schema-checked). */
export type SiteSettings = Partial<Pick<Site, 'name' | 'agency' | 'timeZone' | 'recording' | 'playback'>>;

const PLACEMENT_KEYS = ['latitude', 'longitude', 'headingDeg', 'fieldOfViewDeg'] as const;

interface FileText {
  bom: string;
  body: string;
  formattingOptions: { insertSpaces: boolean; tabSize: number; eol: string };
}

export class SiteStore {
  private readonly listeners = new Set<(change: CamerasChange) => void>();

  constructor(
    /** The site in memory: read it, never change it (this class is its one writer). */
    readonly site: Site,
    readonly file: string,
    readonly writable: boolean,
  ) {}

  /** Reads and validates the file (throws SiteFileError naming every problem; never half-loads). */
  static load(file: string, options: { writable: boolean }): SiteStore {
    return new SiteStore(loadSiteFile(file), file, options.writable);
  }

  camera(cameraId: string): Camera | undefined {
    return this.site.cameras.find((camera) => camera.id === cameraId);
  }

  onCamerasChanged(listener: (change: CamerasChange) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * The credential overlay, in memory only (the file keeps URLs without credentials and a
   * `credentialsRef`): `streamsFor` returns a camera's streams with its stored credentials, or
   * null to leave them. Called at start, before any pull.
   */
  overlayCredentials(streamsFor: (camera: Camera) => Camera['streams'] | null): string[] {
    const changed: string[] = [];
    for (const camera of this.site.cameras) {
      const streams = streamsFor(camera);
      if (!streams) continue;
      camera.streams = streams;
      changed.push(camera.id);
    }
    if (changed.length > 0) this.emit({ reason: 'credentials', added: [], changedIds: changed });
    return changed;
  }

  /**
   * Adds cameras, all or none: `stored` goes into the file (no credentials in it), `live` (the
   * same camera with its credentials in the URLs) into the `Site`. Throws SiteWriteError.
   */
  addCameras(entries: readonly { stored: Camera; live: Camera }[]): void {
    if (entries.length === 0) return;
    const ids = new Set(this.site.cameras.map((camera) => camera.id));
    for (const entry of entries) {
      if (entry.stored.id !== entry.live.id || ids.has(entry.stored.id)) throw new SiteWriteError('badRequest', `camera id ${entry.stored.id} taken`);
      ids.add(entry.stored.id);
    }
    if (this.writable) {
      this.writeEdits((text) => {
        let body = text.body;
        for (const entry of entries) body = applyEdits(body, modify(body, ['cameras', -1], entry.stored, { formattingOptions: text.formattingOptions }));
        return body;
      });
    }
    for (const entry of entries) this.site.cameras.push(entry.live);
    this.emit({ reason: 'added', added: entries.map((entry) => entry.live), changedIds: [] });
  }

  /**
   * Where a camera stands and looks (the map). Only the four fields of that camera are edited,
   * found by id in the file as it is on disk now. Throws SiteWriteError.
   */
  placeCamera(placement: CameraPlacement): void {
    const camera = this.camera(placement.cameraId);
    if (!camera) throw new SiteWriteError('notFound', `unknown camera ${placement.cameraId}`);
    if (this.writable) {
      this.writeEdits((text, onDisk) => {
        const diskIndex = onDisk.cameras.findIndex((entry) => entry.id === placement.cameraId);
        if (diskIndex < 0) throw new SiteWriteError('notFound', 'camera not in the site file on disk');
        let body = text.body;
        for (const key of PLACEMENT_KEYS) {
          const value = placement[key];
          body = applyEdits(body, modify(body, ['cameras', diskIndex, key], value === null ? undefined : value, { formattingOptions: text.formattingOptions }));
        }
        return body;
      });
    }
    for (const key of PLACEMENT_KEYS) {
      const value = placement[key];
      if (value === null) delete camera[key];
      else camera[key] = value;
    }
    this.emit({ reason: 'placed', added: [], changedIds: [camera.id] });
  }

  /** Settings at the top level of the file (name, agency, time zone, recording, playback). Throws SiteWriteError. */
  changeSettings(settings: SiteSettings): void {
    const keys = Object.keys(settings) as (keyof SiteSettings)[];
    if (keys.length === 0) return;
    let checked: Site | null = null;
    if (this.writable) {
      checked = this.writeEdits((text) => {
        let body = text.body;
        for (const key of keys) body = applyEdits(body, modify(body, [key] as JSONPath, settings[key], { formattingOptions: text.formattingOptions }));
        return body;
      });
    } else {
      const candidate = parseSiteText(JSON.stringify({ ...this.site, ...settings }));
      if (!candidate.ok) throw new SiteWriteError('badRequest', `refused by the site schema: ${candidate.issues.map((issue) => issue.path).join(', ')}`);
      checked = candidate.site;
    }
    const target = this.site as Record<string, unknown>;
    for (const key of keys) {
      if (checked[key] === undefined) delete target[key];
      else target[key] = checked[key];
    }
  }

  /** The one write path: read, keep BOM/indent/line endings, edit, re-check with the schema, write durably. */
  private writeEdits(edit: (text: FileText, onDisk: Site) => string): Site {
    let raw: string;
    try {
      raw = fs.readFileSync(this.file, 'utf8');
    } catch (error) {
      throw new SiteWriteError('siteNotSaved', `site file unreadable: ${(error as Error).message}`);
    }
    const bom = raw.startsWith('\uFEFF') ? '\uFEFF' : '';
    const body = raw.slice(bom.length);
    // the file may have changed on disk since start: edits apply to what is there now
    const onDisk = parseSiteText(body);
    if (!onDisk.ok) throw new SiteWriteError('siteNotSaved', 'site file on disk no longer valid');
    const indent = /\n( +|\t)"/.exec(body)?.[1] ?? '  ';
    const formattingOptions = { insertSpaces: !indent.startsWith('\t'), tabSize: indent.startsWith('\t') ? 1 : indent.length, eol: body.includes('\r\n') ? '\r\n' : '\n' };
    const edited = edit({ bom, body, formattingOptions }, onDisk.site);
    const checked = parseSiteText(edited);
    if (!checked.ok) throw new SiteWriteError('badRequest', `refused by the site schema: ${checked.issues.map((issue) => issue.path).join(', ')}`);
    try {
      writeFileAtomic(this.file, bom + edited);
    } catch (error) {
      throw new SiteWriteError('siteNotSaved', (error as Error).message);
    }
    return checked.site;
  }

  private emit(change: CamerasChange): void {
    for (const listener of this.listeners) listener(change);
  }
}
