import { useEffect, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useConsole } from '../store';
import { useRuntime } from '../runtime';
import { NO_ZOOM } from '../services/glWall';
import { useGlWall } from '../services/useGlWall';
import { TileViewController, type TileViews } from '../services/tileViewController';
import { Icon } from '../components/Icon';
import { pinStateOf } from './pinState';

const POPUP_WIDTH = 480;
const POPUP_HEIGHT = 270;

/**
 * A camera live in a small window over the map page. The wall is not mounted on this page, so
 * the popup draws frames itself: one WebGL canvas, one view, the sub stream.
 */
export function LivePopup({ cameraId, onClose, onSendToWall }: { cameraId: string; onClose: () => void; onSendToWall: () => void }) {
  const { t } = useTranslation();
  const runtime = useRuntime();
  const camera = useConsole((state) => state.cameras.find((entry) => entry.id === cameraId));
  const liveClientId = useConsole((state) => state.liveClientId);
  const visible = useConsole((state) => state.visible);
  const statuses = useConsole((state) => state.statuses);
  const [canvas, setCanvas] = useState<HTMLCanvasElement | null>(null);
  const [views, setViews] = useState<TileViews>({ viewId: null, nextViewId: null, stream: null, error: null });
  const [picture, setPicture] = useState(false);

  const { wall } = useGlWall(canvas);

  useEffect(() => {
    if (!wall) return;
    wall.resize(POPUP_WIDTH, POPUP_HEIGHT);
    const timer = window.setInterval(() => setPicture(wall.hasPicture('popup')), 300);
    return () => window.clearInterval(timer);
  }, [wall]);

  const controller = useMemo(() => new TileViewController(runtime.client, setViews), [runtime.client]);
  useEffect(() => () => controller.dispose(), [controller]);
  const stream = camera?.streams.includes('sub') ? 'sub' : 'main';
  useEffect(() => {
    const ratio = window.devicePixelRatio || 1;
    const even = (value: number): number => Math.max(16, Math.floor(value * ratio) - (Math.floor(value * ratio) % 2));
    controller.update(liveClientId && visible && camera ? { liveClientId, cameraId, stream, widthPx: even(POPUP_WIDTH), heightPx: even(POPUP_HEIGHT) } : null);
  }, [controller, liveClientId, visible, camera, cameraId, stream]);

  useEffect(() => {
    wall?.setTile('popup', { x: 0, y: 0, width: POPUP_WIDTH, height: POPUP_HEIGHT }, views.viewId, views.nextViewId, false, NO_ZOOM);
  }, [wall, views]);

  useEffect(() => {
    const onKey = (event: KeyboardEvent): void => {
      if (event.key === 'Escape') onClose();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [onClose]);

  if (!camera) return null;
  const state = pinStateOf(camera, statuses);
  return (
    <div className="map-live" data-testid="map-live" data-camera-id={cameraId} data-picture={picture ? 'yes' : 'no'} role="dialog" aria-label={camera.name}>
      <div className="map-live-head">
        <span className={`map-state map-state-${state}`}>{t(`map.states.${state}`)}</span>
        <span className="map-live-name">{camera.name}</span>
        <button type="button" className="tool" onClick={onSendToWall} title={t('map.popup.toWall')}>
          <Icon name="screen" size={14} /> {t('map.popup.toWall')}
        </button>
        <button type="button" className="tool" onClick={onClose} title={t('map.popup.close')} aria-label={t('map.popup.close')}>
          <Icon name="close" size={14} />
        </button>
      </div>
      <canvas ref={setCanvas} width={POPUP_WIDTH} height={POPUP_HEIGHT} style={{ width: POPUP_WIDTH, height: POPUP_HEIGHT }} className="map-live-canvas" />
      {views.error && <div className="map-live-problem">{t(`errors.${views.error.code}`)}</div>}
    </div>
  );
}
