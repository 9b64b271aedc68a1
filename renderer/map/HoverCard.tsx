import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useConsole } from '../store';
import { useRuntime } from '../runtime';
import { isRecording, pinStateOf } from './pinState';

const thumbnails = new Map<string, { atMs: number; dataUrl: string | null }>();
const THUMBNAIL_FRESH_MS = 5000;

function freshThumbnail(cameraId: string): string | null | undefined {
  const held = thumbnails.get(cameraId);
  return held && Date.now() - held.atMs < THUMBNAIL_FRESH_MS ? held.dataUrl : undefined;
}

/** Name, state and a fresh picture of a camera under the mouse (one small JPEG from the core). */
export function HoverCard({ cameraId, x, y, hint }: { cameraId: string; x: number; y: number; hint: string }) {
  const { t } = useTranslation();
  const { client } = useRuntime();
  const camera = useConsole((state) => state.cameras.find((entry) => entry.id === cameraId));
  const statuses = useConsole((state) => state.statuses);
  const recording = useConsole((state) => isRecording(cameraId, state.recording));
  const [picture, setPicture] = useState<string | null | undefined>(() => freshThumbnail(cameraId));

  useEffect(() => {
    let alive = true;
    if (freshThumbnail(cameraId) !== undefined) return;
    // Hovering across pins should not ask for every one: wait a moment first.
    const timer = window.setTimeout(() => {
      void client.call('getMapThumbnail', { cameraId }).then((result) => {
        const dataUrl = result.ok ? result.value.dataUrl : null;
        thumbnails.set(cameraId, { atMs: Date.now(), dataUrl });
        if (alive) setPicture(dataUrl);
      });
    }, 150);
    return () => {
      alive = false;
      window.clearTimeout(timer);
    };
  }, [client, cameraId]);

  if (!camera) return null;
  const state = pinStateOf(camera, statuses);
  return (
    <div className="map-hover" style={{ left: x, top: y }} data-testid="map-hover" role="tooltip">
      <div className="map-hover-picture">
        {picture ? <img src={picture} alt={camera.name} /> : <span>{picture === null ? t('map.thumbnailNone') : t('map.thumbnailLoading')}</span>}
      </div>
      <div className="map-hover-name">{camera.name}</div>
      <div className="map-hover-line">
        <span className={`map-state map-state-${state}`}>{t(`map.states.${state}`)}</span>
        {recording && <span className="map-state map-state-rec">{t('map.states.recording')}</span>}
        {camera.ptz && <span className="camera-ptz">PTZ</span>}
      </div>
      <div className="map-hover-hint">{hint}</div>
    </div>
  );
}
