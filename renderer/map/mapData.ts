import { useEffect, useState } from 'react';
import type { CameraPlacement, MapData, MapImportProblem, MapLayerData, MapLayerInfo, MapLayerKind, Corners } from '../../common/mapContract';
import { MAP_IMPORT_CHUNK_BYTES } from '../../common/mapContract';
import type { ContractError } from '../../common/result';
import type { CoreClient } from '../transport/coreClient';
import { useRuntime } from '../runtime';

/**
 * The map's data from the core (built-in map, imported layers, camera placements), fetched once
 * and again whenever the core says layers or cameras changed. Shared by the map page and map
 * tiles of the wall.
 */
export function useMapData(): { data: MapData | null; error: ContractError | null } {
  const { client } = useRuntime();
  const [state, setState] = useState<{ data: MapData | null; error: ContractError | null }>({ data: null, error: null });
  useEffect(() => {
    let alive = true;
    const load = (): void =>
      void client.call('getMapData', {}).then((result) => {
        if (!alive) return;
        setState(result.ok ? { data: result.value, error: null } : (current) => ({ data: current.data, error: result.error }));
      });
    load();
    const off = client.onEvent((envelope) => {
      if (envelope.event === 'mapLayersChanged' || envelope.event === 'camerasChanged') load();
    });
    return () => {
      alive = false;
      off();
    };
  }, [client]);
  return state;
}

const layerCache = new Map<string, Promise<MapLayerData | null>>();

export function loadLayerData(client: CoreClient, layer: MapLayerInfo): Promise<MapLayerData | null> {
  const key = `${layer.id}/${layer.createdAtMs}`;
  let pending = layerCache.get(key);
  if (!pending) {
    pending = client.call('getMapLayerData', { id: layer.id }).then((result) => (result.ok ? result.value : null));
    layerCache.set(key, pending);
  }
  return pending;
}

export function placementsById(data: MapData | null): Map<string, CameraPlacement> {
  return new Map((data?.placements ?? []).map((placement) => [placement.cameraId, placement]));
}

export type ImportResult = { ok: true; layer: MapLayerInfo } | { ok: false; problem: MapImportProblem | null; error: ContractError | null; detail: string | null };

function toBase64(bytes: Uint8Array): string {
  let binary = '';
  for (let index = 0; index < bytes.length; index += 0x8000) binary += String.fromCharCode(...bytes.subarray(index, index + 0x8000));
  return btoa(binary);
}

/** Sends a file to the core in chunks (the call body is limited), then asks it to check and keep it. */
export async function importLayer(
  client: CoreClient,
  file: Blob,
  kind: MapLayerKind,
  name: string,
  corners: Corners | null,
  onProgress: (fraction: number) => void = () => undefined,
): Promise<ImportResult> {
  if (file.size === 0) return { ok: false, problem: kind === 'geojson' ? 'emptyGeoJson' : kind === 'image' ? 'badImage' : kind === 'pmtiles' ? 'badPmtiles' : 'badMbtiles', error: null, detail: null };
  const started = await client.call('startMapImport', { kind, name, bytes: file.size, corners });
  if (!started.ok) return { ok: false, problem: null, error: started.error, detail: null };
  const { uploadId } = started.value;
  for (let offset = 0; offset < file.size; offset += MAP_IMPORT_CHUNK_BYTES) {
    const chunk = new Uint8Array(await file.slice(offset, offset + MAP_IMPORT_CHUNK_BYTES).arrayBuffer());
    const sent = await client.call('appendMapImport', { uploadId, offset, dataBase64: toBase64(chunk) });
    if (!sent.ok) return { ok: false, problem: null, error: sent.error, detail: null };
    onProgress(Math.min(1, (offset + chunk.length) / file.size));
  }
  const finished = await client.call('finishMapImport', { uploadId });
  if (!finished.ok) return { ok: false, problem: null, error: finished.error, detail: null };
  if (finished.value.layer) return { ok: true, layer: finished.value.layer };
  return { ok: false, problem: finished.value.problem, error: null, detail: finished.value.detail };
}

/** "19.8450, 105.6500" (lat, lng as officers write them) → [lng, lat]; null when unreadable. */
export function parseLatLng(text: string): [number, number] | null {
  const parts = text.split(/[,;\s]+/).filter(Boolean).map(Number);
  if (parts.length !== 2 || !parts.every(Number.isFinite)) return null;
  const [lat, lng] = parts as [number, number];
  if (Math.abs(lat) > 90 || Math.abs(lng) > 180) return null;
  return [lng, lat];
}
