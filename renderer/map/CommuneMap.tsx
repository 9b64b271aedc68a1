import { useEffect, useMemo, useRef, useState, type DragEvent, type ReactNode } from 'react';
import { createPortal } from 'react-dom';
import { useTranslation } from 'react-i18next';
import type { CameraPlacement, MapData } from '../../common/mapContract';
import { useConsole } from '../store';
import { useRuntime } from '../runtime';
import { CAMERA_DRAG_TYPE } from '../util/dragTypes';
import { pinStateOf } from './pinState';
import { placementsById } from './mapData';
import { HoverCard } from './HoverCard';
import { useMapInstance, type FlyRequest } from './useMapInstance';
import { usePins, type Pin } from './usePins';
import { useCones } from './useCones';
import { usePickedPoint, type MapHandlers, type PickedPoint } from './usePickedPoint';

export { DEFAULT_CENTER, type FlyRequest } from './useMapInstance';
export type { PickedPoint } from './usePickedPoint';

export interface CommuneMapProps {
  data: MapData;
  mode: 'page' | 'tile';
  selectedCameraId: string | null;
  /** Neighbours of the selected camera, best first (numbered on the map). */
  neighbourIds: readonly string[];
  editing: boolean;
  fly: FlyRequest | null;
  onPinClick(cameraId: string): void;
  /** Admin placement (drag, rotate, drop): the new placement and the one it replaces. */
  onPlace?(next: CameraPlacement, previous: CameraPlacement): void;
  /** A right-click on the map (outside editing) picks a point there: the incident point of an export. */
  onPickPoint?(point: PickedPoint): void;
  /** The picked point: its radius is drawn, `pointMenu` shows in a popup at it. */
  picked?: (PickedPoint & { radiusM: number }) | null;
  pointMenu?: ReactNode;
  /** The popup was closed from the map (a click elsewhere). */
  onPointClose?(): void;
}

/**
 * The commune map (page and wall tile): composed of its hooks — the map instance and its layers
 * (useMapInstance), the pins (usePins), the view cones (useCones), the picked point and its popup
 * (usePickedPoint) — plus the hover card and dropping a camera from the list while editing.
 */
export function CommuneMap({ data, mode, selectedCameraId, neighbourIds, editing, fly, onPinClick, onPlace, onPickPoint, picked = null, pointMenu, onPointClose }: CommuneMapProps) {
  const { t } = useTranslation();
  const { client } = useRuntime();
  const containerRef = useRef<HTMLDivElement>(null);
  const cameras = useConsole((state) => state.cameras);
  const statuses = useConsole((state) => state.statuses);
  const recording = useConsole((state) => state.recording);
  const pins = useRef(new Map<string, Pin>());
  const handlers = useRef<MapHandlers>({ onPinClick, onPlace, editing, onPickPoint, onPointClose });
  useEffect(() => {
    handlers.current = { onPinClick, onPlace, editing, onPickPoint, onPointClose };
  });
  // what the picked point's popup shows is rendered by React into this element (a portal)
  const [pointBody] = useState(() => {
    const element = document.createElement('div');
    element.className = 'map-point-body';
    return element;
  });
  const placements = useMemo(() => placementsById(data), [data]);
  const placementsRef = useRef(placements);
  useEffect(() => {
    placementsRef.current = placements;
  }, [placements]);
  const states = useMemo(() => Object.fromEntries(cameras.map((camera) => [camera.id, pinStateOf(camera, statuses)])), [cameras, statuses]);

  const { map, loaded, failure } = useMapInstance(containerRef, client, mode, data, fly, pins);
  const hover = usePins({ map, containerRef, pins, cameras, placements, placementsRef, editing, handlers, states, recording, selectedCameraId, neighbourIds });
  useCones({ map, loaded, cameras, placements, states, selectedCameraId, neighbourIds, editing, handlers, t });
  usePickedPoint(map, loaded, picked, pointBody, handlers);

  function onDragOver(event: DragEvent): void {
    if (editing && event.dataTransfer.types.includes(CAMERA_DRAG_TYPE)) {
      event.preventDefault();
      event.dataTransfer.dropEffect = 'move';
    }
  }

  function onDrop(event: DragEvent): void {
    const cameraId = event.dataTransfer.getData(CAMERA_DRAG_TYPE);
    if (!editing || !map || !cameraId) return;
    event.preventDefault();
    const box = map.getContainer().getBoundingClientRect();
    const at = map.unproject([event.clientX - box.left, event.clientY - box.top]);
    const previous = placements.get(cameraId) ?? { cameraId, latitude: null, longitude: null, headingDeg: null, fieldOfViewDeg: null };
    onPlace?.({ ...previous, latitude: at.lat, longitude: at.lng, headingDeg: previous.headingDeg ?? 0, fieldOfViewDeg: previous.fieldOfViewDeg ?? 70 }, previous);
  }

  return (
    <div className={`map-frame map-frame-${mode}${editing ? ' map-editing' : ''}`} data-testid="commune-map" data-loaded={loaded ? 'yes' : 'no'}>
      <div className="map-canvas" ref={containerRef} onDragOver={onDragOver} onDrop={onDrop} />
      {failure && <div className="banner banner-error map-failure">{t('map.webgl', { reason: failure })}</div>}
      {!loaded && !failure && <div className="map-loading">{t('map.loading')}</div>}
      {hover && !editing && <HoverCard cameraId={hover.cameraId} x={hover.x} y={hover.y} hint={mode === 'tile' ? t('map.pinHintTile') : t('map.pinHint')} />}
      {picked && pointMenu && createPortal(pointMenu, pointBody)}
    </div>
  );
}
