/**
 * The pins of CommuneMap (issue 14): one HTML marker per placed camera (click, hover card, drag to
 * a wall tile, drag to place while editing), and their look (state colour, recording ring,
 * selection, neighbour number) as data attributes.
 */
import { useEffect, useState, type RefObject } from 'react';
import { Marker, type Map as MapLibre } from 'maplibre-gl';
import type { CameraSummary } from '../../common/contract';
import type { CameraPlacement } from '../../common/mapContract';
import { CAMERA_DRAG_TYPE } from '../util/dragTypes';
import { isRecording } from './pinState';
import type { MapHandlers } from './usePickedPoint';

export interface Pin {
  marker: Marker;
  element: HTMLDivElement;
}

export interface PinHover {
  cameraId: string;
  x: number;
  y: number;
}

function shortLabel(id: string): string {
  const digits = /(\d+)$/.exec(id)?.[1];
  return digits ? digits.slice(-3) : id.slice(0, 4);
}

/** A pin's look, as data attributes the stylesheet (and the tests) read. */
function paintPin(element: HTMLElement, look: { state: string; recording: boolean; selected: boolean; rank: number | null }): void {
  element.dataset.state = look.state;
  element.dataset.recording = look.recording ? 'yes' : 'no';
  element.dataset.selected = look.selected ? 'yes' : 'no';
  element.dataset.neighbour = look.rank ? String(look.rank) : '';
  const rankElement = element.querySelector('.map-pin-rank');
  if (rankElement) rankElement.textContent = look.rank ? String(look.rank) : '';
}

export function usePins(options: {
  map: MapLibre | null;
  containerRef: RefObject<HTMLDivElement | null>;
  pins: { current: Map<string, Pin> };
  cameras: readonly CameraSummary[];
  placements: Map<string, CameraPlacement>;
  placementsRef: { current: Map<string, CameraPlacement> };
  editing: boolean;
  handlers: { current: MapHandlers };
  states: Record<string, string>;
  recording: Parameters<typeof isRecording>[1];
  selectedCameraId: string | null;
  neighbourIds: readonly string[];
}): PinHover | null {
  const { map, containerRef, pins, cameras, placements, placementsRef, editing, handlers, states, recording, selectedCameraId, neighbourIds } = options;
  const [hover, setHover] = useState<PinHover | null>(null);

  // Pins: one HTML marker per placed camera.
  useEffect(() => {
    if (!map) return;
    const wanted = new Set<string>();
    for (const camera of cameras) {
      const placement = placements.get(camera.id);
      if (!placement || placement.latitude === null || placement.longitude === null) continue;
      wanted.add(camera.id);
      let pin = pins.current.get(camera.id);
      if (!pin) {
        const element = document.createElement('div');
        element.className = 'map-pin';
        element.dataset.testid = 'map-pin';
        element.dataset.cameraId = camera.id;
        const dot = document.createElement('span');
        dot.className = 'map-pin-dot';
        dot.textContent = shortLabel(camera.id);
        const rank = document.createElement('span');
        rank.className = 'map-pin-rank';
        element.append(dot, rank);
        const stop = (event: Event): void => {
          if (!handlers.current.editing) event.stopPropagation();
        };
        // Outside editing, a press on the dot is the start of a click or a drag to the wall: it must
        // not reach the map (panning) nor the marker (which cancels native drags on mousedown).
        dot.addEventListener('mousedown', stop);
        dot.addEventListener('pointerdown', stop);
        dot.addEventListener('touchstart', stop, { passive: true });
        element.addEventListener('click', (event) => {
          event.stopPropagation();
          handlers.current.onPinClick(camera.id);
        });
        element.addEventListener('mouseenter', () => {
          const box = element.getBoundingClientRect();
          const outer = containerRef.current?.getBoundingClientRect();
          if (outer) setHover({ cameraId: camera.id, x: box.left - outer.left + box.width / 2, y: box.top - outer.top });
        });
        element.addEventListener('mouseleave', () => setHover((current) => (current?.cameraId === camera.id ? null : current)));
        // maplibre cancels native drags that reach the marker element: the dot is what is dragged
        // (onto a wall tile, like a camera of the list), and its dragstart stops there.
        dot.addEventListener('dragstart', (event) => {
          event.stopPropagation();
          if (!event.dataTransfer) return;
          event.dataTransfer.setData(CAMERA_DRAG_TYPE, camera.id);
          event.dataTransfer.effectAllowed = 'copy';
          setHover(null);
        });
        const marker = new Marker({ element, anchor: 'center' });
        marker.on('dragend', () => {
          const previous = placementsRef.current.get(camera.id);
          const at = marker.getLngLat();
          if (previous) handlers.current.onPlace?.({ ...previous, latitude: at.lat, longitude: at.lng }, previous);
        });
        pin = { marker, element };
        pins.current.set(camera.id, pin);
        marker.setLngLat([placement.longitude, placement.latitude]).addTo(map);
      }
      pin.marker.setLngLat([placement.longitude, placement.latitude]);
      pin.element.title = `${camera.name}${camera.village ? ` — ${camera.village}` : ''}`;
      pin.element.dataset.ptz = camera.ptz ? 'yes' : 'no';
      (pin.element.firstElementChild as HTMLElement | null)?.setAttribute('draggable', editing ? 'false' : 'true');
      pin.marker.setDraggable(editing);
    }
    for (const [id, pin] of pins.current) {
      if (!wanted.has(id)) {
        pin.marker.remove();
        pins.current.delete(id);
      }
    }
    if (containerRef.current) containerRef.current.dataset.pins = String(pins.current.size);
  }, [map, cameras, placements, editing, containerRef, handlers, pins, placementsRef]);

  // Pin colours, recording rings, selection and neighbour numbers: attributes only.
  useEffect(() => {
    const rankOf = new Map(neighbourIds.map((id, index) => [id, index + 1]));
    for (const [id, pin] of pins.current) {
      paintPin(pin.element, { state: states[id] ?? 'idle', recording: isRecording(id, recording), selected: id === selectedCameraId, rank: rankOf.get(id) ?? null });
    }
  }, [states, recording, selectedCameraId, neighbourIds, cameras, placements, map, pins]);

  return hover;
}

