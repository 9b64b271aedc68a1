import { useCallback, useEffect, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { CameraPlacement, MapLayerInfo } from '../../common/mapContract';
import { distanceM } from '../../common/geo';
import { useConsole } from '../store';
import { useRuntime } from '../runtime';
import { Icon } from '../components/Icon';
import { CAMERA_DRAG_TYPE } from '../util/dragTypes';
import { openExport } from '../services/exportDraft';
import { DEFAULT_INCIDENT_RADIUS_M, defaultExportRange } from '../services/exportRange';
import { CommuneMap, type FlyRequest, type PickedPoint } from './CommuneMap';
import { useMapData, placementsById } from './mapData';
import { buildSearchIndex, searchMap, type SearchHit } from './mapSearch';
import { useNeighbours } from './useNeighbours';
import { LivePopup } from './LivePopup';
import { ImportDialog } from './ImportDialog';
import { MAP_TILE, putMapInWall } from './wallMap';
import { STATE_COLOURS } from './mapStyle';

const BEARINGS = [
  { key: 'n', deg: 0 },
  { key: 'e', deg: 90 },
  { key: 's', deg: 180 },
  { key: 'w', deg: 270 },
] as const;

/** Sends a camera to the selected tile (or the first empty one); says where it went. */
export function sendToWall(cameraId: string, toast: (kind: 'info' | 'error', text: string) => void, t: (key: string, vars?: Record<string, unknown>) => string): void {
  const { selectedTile, wall, assign, cameras } = useConsole.getState();
  const target = selectedTile !== null && wall.tiles[selectedTile] !== MAP_TILE ? selectedTile : wall.tiles.findIndex((tile) => tile === null);
  if (target === null || target < 0) {
    toast('error', t('map.popup.noTile'));
    return;
  }
  assign(target, cameraId);
  toast('info', t('map.popup.toWallDone', { name: cameras.find((camera) => camera.id === cameraId)?.name ?? cameraId, tile: target + 1 }));
}

const RADII_M = [200, DEFAULT_INCIDENT_RADIUS_M, 1000, 2000] as const;

/** Degrees to 6 decimals (about 10 cm): what the export form shows and the record keeps. */
function roundDeg(value: number): number {
  return Math.round(value * 1e6) / 1e6;
}

/**
 * The popup at a point picked by a right-click: its coordinates, a radius, how many placed cameras
 * are inside, and "Trích xuất quanh điểm này" (the export page then asks the core for the same set).
 */
function PointMenu({ point, placed, onRadius, onClose }: { point: PickedPoint & { radiusM: number }; placed: { latitude: number; longitude: number }[]; onRadius(radiusM: number): void; onClose(): void }) {
  const { t } = useTranslation();
  const inside = placed.filter((camera) => distanceM([point.longitude, point.latitude], [camera.longitude, camera.latitude]) <= point.radiusM).length;
  const exportHere = (): void => {
    openExport({
      origin: { kind: 'map' },
      cameraIds: [],
      ...defaultExportRange(Date.now()),
      point: { latitude: point.latitude, longitude: point.longitude, radiusM: point.radiusM, use: true, selectNearby: true },
    });
  };
  return (
    <div className="map-point-menu" data-testid="map-point-menu">
      <div className="map-point-title">{t('map.point.title')}</div>
      <div className="map-point-coords" data-testid="map-point-coords">
        {point.latitude.toFixed(6)}, {point.longitude.toFixed(6)}
      </div>
      <label className="map-point-radius">
        {t('map.point.radius')}
        <select value={point.radiusM} onChange={(event) => onRadius(Number(event.target.value))} data-testid="map-point-radius">
          {RADII_M.map((radius) => (
            <option key={radius} value={radius}>
              {radius} m
            </option>
          ))}
        </select>
      </label>
      <div className={inside > 0 ? 'map-point-count' : 'map-point-count map-muted'} data-testid="map-point-count">
        {inside > 0 ? t('map.point.cameras', { count: inside, radius: point.radiusM }) : t('map.point.none', { radius: point.radiusM })}
      </div>
      <div className="map-point-actions">
        <button type="button" className="tool tool-active" title={t('map.point.exportTitle')} onClick={exportHere} data-testid="map-point-export">
          {t('map.point.export')}
        </button>
        <button type="button" className="tool" onClick={onClose}>
          {t('map.point.close')}
        </button>
      </div>
    </div>
  );
}

export function MapPage() {
  const { t } = useTranslation();
  const { client } = useRuntime();
  const { data, error } = useMapData();
  const cameras = useConsole((state) => state.cameras);
  const canConfigure = useConsole((state) => state.session?.permissions.includes('configure') ?? false);
  const canExport = useConsole((state) => state.session?.permissions.includes('export') ?? false);
  const [picked, setPicked] = useState<(PickedPoint & { radiusM: number }) | null>(null);
  const toast = useConsole((state) => state.toast);
  const [query, setQuery] = useState('');
  const [selected, setSelected] = useState<string | null>(null);
  const [live, setLive] = useState<string | null>(null);
  const [bearing, setBearing] = useState<number | null>(null);
  // The hand-off chain that led to the selected camera: not offered again, so "1, 1, 1" walks on.
  const [trail, setTrail] = useState<readonly string[]>([]);
  const [fly, setFly] = useState<FlyRequest | null>(null);
  const [editing, setEditing] = useState(false);
  const [undo, setUndo] = useState<CameraPlacement[]>([]);
  const [importing, setImporting] = useState(false);
  const found = useNeighbours(data, selected, bearing, trail);
  const neighbourIds = useMemo(() => found.map((entry) => entry.cameraId), [found]);
  const placements = useMemo(() => placementsById(data), [data]);
  const index = useMemo(() => buildSearchIndex(cameras, data?.base && data.baseVisible ? [data.base] : []), [cameras, data]);
  const hits = useMemo(() => searchMap(index, query), [index, query]);
  const unplaced = cameras.filter((camera) => {
    const placement = placements.get(camera.id);
    return !placement || placement.latitude === null;
  });
  const placed = useMemo(() => [...placements.values()].flatMap((placement) => (placement.latitude !== null && placement.longitude !== null ? [{ latitude: placement.latitude, longitude: placement.longitude }] : [])), [placements]);
  const pickPoint = useCallback((point: PickedPoint) => {
    setPicked((current) => ({ latitude: roundDeg(point.latitude), longitude: roundDeg(point.longitude), radiusM: current?.radiusM ?? DEFAULT_INCIDENT_RADIUS_M }));
  }, []);
  const closePoint = useCallback(() => setPicked(null), []);
  useEffect(() => {
    if (!picked) return;
    const onKey = (event: KeyboardEvent): void => {
      if (event.key === 'Escape') setPicked(null);
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [picked]);
  const nameOf = useCallback((id: string) => cameras.find((camera) => camera.id === id)?.name ?? id, [cameras]);

  const flyToCamera = useCallback(
    (cameraId: string) => {
      const placement = placements.get(cameraId);
      if (placement && placement.longitude !== null && placement.latitude !== null) setFly({ center: [placement.longitude, placement.latitude], bounds: null, seq: Date.now() });
    },
    [placements],
  );

  const choose = useCallback(
    (cameraId: string) => {
      // Number keys hand off to neighbours: take the focus out of the search box.
      if (document.activeElement instanceof HTMLInputElement) document.activeElement.blur();
      setSelected(cameraId);
      setTrail([]);
      if (!editing) setLive(cameraId);
    },
    [editing],
  );

  function openHit(hit: SearchHit): void {
    if (hit.kind === 'camera') {
      if (!hit.center) {
        toast('error', t('map.noPosition', { name: hit.name }));
        return;
      }
      setSelected(hit.id);
      setTrail([]);
    }
    setFly({ center: hit.center, bounds: hit.bounds, seq: Date.now() });
  }

  // One-key hand-off: 1..n selects that neighbour (and shows it live when a camera is open).
  useEffect(() => {
    const onKey = (event: KeyboardEvent): void => {
      if (event.target instanceof HTMLInputElement || event.target instanceof HTMLTextAreaElement || event.altKey || event.ctrlKey || event.metaKey) return;
      const number = Number(event.key);
      if (!Number.isInteger(number) || number < 1) return;
      const next = found[number - 1];
      if (!next) return;
      event.preventDefault();
      handOff(next.cameraId);
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  });

  function handOff(cameraId: string): void {
    if (selected) setTrail((current) => [...current, selected]);
    setSelected(cameraId);
    if (live) setLive(cameraId);
    flyToCamera(cameraId);
  }

  function chooseBearing(deg: number | null): void {
    setBearing(deg);
    setTrail([]);
  }

  async function place(next: CameraPlacement, previous: CameraPlacement, remember = true): Promise<void> {
    const result = await client.call('placeCamera', next);
    if (!result.ok) {
      toast('error', t('map.edit.failed', { reason: t(`errors.${result.error.code}`) }));
      return;
    }
    if (remember) setUndo((stack) => [...stack.slice(-49), previous]);
    toast('info', t(remember ? 'map.edit.saved' : 'map.edit.undone', { name: nameOf(next.cameraId) }));
  }

  function undoLast(): void {
    const previous = undo[undo.length - 1];
    if (!previous) return;
    setUndo((stack) => stack.slice(0, -1));
    void place(previous, previous, false);
  }

  async function setVisible(id: string, visible: boolean): Promise<void> {
    const result = await client.call('setMapLayerVisible', { id, visible });
    if (!result.ok) toast('error', t(`errors.${result.error.code}`));
  }

  async function remove(layer: MapLayerInfo): Promise<void> {
    const result = await client.call('deleteMapLayer', { id: layer.id });
    if (result.ok) toast('info', t('map.layers.deleted', { name: layer.name }));
    else toast('error', t(`errors.${result.error.code}`));
  }

  return (
    <div className="map-page" data-testid="map-page">
      <aside className="map-side">
        <input
          type="search"
          className="map-search"
          data-testid="map-search"
          value={query}
          placeholder={t('map.search')}
          aria-label={t('map.search')}
          onChange={(event) => setQuery(event.target.value)}
          onKeyDown={(event) => {
            if (event.key === 'Enter' && hits[0]) openHit(hits[0]);
          }}
        />
        {query.trim() && (
          <ul className="map-hits" data-testid="map-hits">
            {hits.length === 0 && <li className="map-muted">{t('map.searchNone', { query })}</li>}
            {hits.map((hit) => (
              <li key={hit.id}>
                <button type="button" className="map-hit" data-kind={hit.kind} onClick={() => openHit(hit)}>
                  <span className="map-hit-kind">{t(`map.kinds.${hit.kind}`)}</span>
                  <span className="map-hit-name">{hit.name}</span>
                </button>
              </li>
            ))}
          </ul>
        )}

        {selected && (
          <section className="map-section" data-testid="map-neighbours">
            <h3>{t('map.neighbours.title')}</h3>
            <p className="map-selected-name">{nameOf(selected)}</p>
            <div className="map-bearings" role="group" aria-label={t('map.neighbours.direction')}>
              <button type="button" className={bearing === null ? 'tool tool-active' : 'tool'} onClick={() => chooseBearing(null)}>
                {t('map.neighbours.any')}
              </button>
              {BEARINGS.map((entry) => (
                <button key={entry.key} type="button" className={bearing === entry.deg ? 'tool tool-active' : 'tool'} onClick={() => chooseBearing(entry.deg)}>
                  {t(`map.neighbours.bearings.${entry.key}`)}
                </button>
              ))}
            </div>
            {found.length === 0 ? (
              <p className="map-muted">{t('map.neighbours.none')}</p>
            ) : (
              <>
                <ol className="map-neighbour-list">
                  {found.map((entry, rank) => (
                    <li key={entry.cameraId}>
                      <button
                        type="button"
                        className="map-neighbour"
                        data-camera-id={entry.cameraId}
                        onClick={() => handOff(entry.cameraId)}
                      >
                        <kbd>{rank + 1}</kbd>
                        <span className="map-neighbour-name">{nameOf(entry.cameraId)}</span>
                        <span className="map-muted">
                          {t('map.neighbours.distance', { distance: Math.round(entry.distanceM) })}
                          {bearing !== null && ` · ${t(`map.neighbours.${entry.direction}`)}`}
                          {entry.offRoad && ` · ${t('map.neighbours.offRoad')}`}
                        </span>
                      </button>
                    </li>
                  ))}
                </ol>
                <p className="map-muted">{t('map.neighbours.hint', { count: found.length })}</p>
              </>
            )}
          </section>
        )}

        <section className="map-section" data-testid="map-layers">
          <h3>{t('map.layers.title')}</h3>
          <label className="map-layer">
            <input type="checkbox" checked={data?.baseVisible ?? true} onChange={(event) => void setVisible('builtin', event.target.checked)} />
            <span>{t('map.layers.builtin')}</span>
          </label>
          {data?.layers.map((layer) => (
            <div className="map-layer" key={layer.id} data-testid="map-layer" data-layer-kind={layer.kind}>
              <label>
                <input type="checkbox" checked={layer.visible} onChange={(event) => void setVisible(layer.id, event.target.checked)} />
                <span>{layer.name}</span> <span className="map-muted">({t(`map.layers.kinds.${layer.kind}`)})</span>
              </label>
              {canConfigure && (
                <button type="button" className="tool" title={t('map.layers.delete', { name: layer.name })} aria-label={t('map.layers.delete', { name: layer.name })} onClick={() => void remove(layer)}>
                  <Icon name="trash" size={14} />
                </button>
              )}
            </div>
          ))}
          {canConfigure && (
            <button type="button" className="tool" data-testid="map-import" onClick={() => setImporting(true)}>
              {t('map.layers.import')}
            </button>
          )}
        </section>

        <section className="map-section">
          <button type="button" className="tool" draggable data-testid="map-tile-chip" title={t('map.tile.drag')} onClick={() => putMapInWall()} onDragStart={(event) => event.dataTransfer.setData(CAMERA_DRAG_TYPE, MAP_TILE)}>
            <Icon name="screen" size={14} /> {t('map.tile.put')}
          </button>
          {canConfigure && (
            <div className="map-edit-tools">
              <button type="button" className={editing ? 'tool tool-active' : 'tool'} aria-pressed={editing} data-testid="map-edit" onClick={() => setEditing(!editing)}>
                {t('map.edit.toggle')}
              </button>
              <button type="button" className="tool" disabled={undo.length === 0} data-testid="map-undo" onClick={undoLast}>
                {t('map.edit.undo')}
              </button>
            </div>
          )}
          {editing && <p className="map-muted">{t('map.edit.hint')}</p>}
        </section>

        {unplaced.length > 0 && (
          <section className="map-section" data-testid="map-unplaced">
            <h3>{t('map.notPlaced', { count: unplaced.length })}</h3>
            <ul className="map-unplaced">
              {unplaced.map((camera) => (
                <li key={camera.id} draggable={editing} onDragStart={(event) => event.dataTransfer.setData(CAMERA_DRAG_TYPE, camera.id)} title={t('map.notPlacedHint')}>
                  {camera.name}
                </li>
              ))}
            </ul>
            {!editing && <p className="map-muted">{t('map.notPlacedHint')}</p>}
          </section>
        )}

        {canExport && (
          <section className="map-section" data-testid="map-export-hint">
            <h3>{t('map.point.section')}</h3>
            <p className="map-muted">{t('map.point.hint')}</p>
          </section>
        )}

        <section className="map-section map-legend">
          <h3>{t('map.legend')}</h3>
          {(['live', 'connecting', 'offline', 'idle'] as const).map((state) => (
            <div key={state} className="map-legend-row">
              <span className="map-legend-dot" style={{ background: STATE_COLOURS[state] }} /> {t(`map.states.${state}`)}
            </div>
          ))}
          <div className="map-legend-row">
            <span className="map-legend-dot map-legend-rec" /> {t('map.states.recording')}
          </div>
          <div className="map-legend-row">
            <span className="map-legend-dot map-legend-ptz" /> {t('map.ptz')}
          </div>
          <p className="map-muted">{t('map.approximate')}</p>
        </section>
      </aside>
      <div className="map-main">
        {error && !data && <div className="banner banner-error">{t(`errors.${error.code}`)}</div>}
        {data ? (
          <CommuneMap
            data={data}
            mode="page"
            selectedCameraId={selected}
            neighbourIds={neighbourIds}
            editing={editing}
            fly={fly}
            onPinClick={choose}
            onPlace={(next, previous) => void place(next, previous)}
            onPickPoint={canExport ? pickPoint : undefined}
            picked={editing ? null : picked}
            pointMenu={picked && <PointMenu point={picked} placed={placed} onRadius={(radiusM) => setPicked({ ...picked, radiusM })} onClose={closePoint} />}
            onPointClose={closePoint}
          />
        ) : (
          <div className="map-loading">{t('map.loading')}</div>
        )}
        {live && !editing && <LivePopup cameraId={live} onClose={() => setLive(null)} onSendToWall={() => sendToWall(live, toast, t)} />}
      </div>
      {importing && <ImportDialog onClose={() => setImporting(false)} />}
    </div>
  );
}
