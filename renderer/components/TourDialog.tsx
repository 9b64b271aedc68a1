import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useConsole } from '../store';
import { Modal } from './Modal';

const INTERVALS_S = [5, 10, 15, 20, 30, 60];

/** Chooses the cameras and the interval of a tour, for one tile (`tile`) or the whole wall (null). */
export function TourDialog({ tile, onClose }: { tile: number | null; onClose: () => void }) {
  const { t } = useTranslation();
  const cameras = useConsole((state) => state.cameras);
  const existing = useConsole((state) => (tile === null ? state.wall.wallTour : state.wall.tileTours[tile]));
  const [chosen, setChosen] = useState<Set<string>>(() => new Set(existing?.cameraIds ?? cameras.map((camera) => camera.id)));
  const [intervalS, setIntervalS] = useState(existing?.intervalS ?? 10);
  const store = useConsole.getState;

  function start(): void {
    const cameraIds = cameras.map((camera) => camera.id).filter((id) => chosen.has(id));
    if (cameraIds.length === 0) return;
    if (tile === null) store().setWallTour({ cameraIds, intervalS });
    else store().setTileTour(tile, { cameraIds, intervalS });
    onClose();
  }

  function stop(): void {
    if (tile === null) store().setWallTour(null);
    else store().setTileTour(tile, null);
    onClose();
  }

  return (
    <Modal title={tile === null ? t('tour.titleWall') : t('tour.titleTile', { index: tile + 1 })} onClose={onClose}>
      <label className="field">
        <span>{t('tour.interval')}</span>
        <select value={intervalS} onChange={(event) => setIntervalS(Number(event.target.value))} data-testid="tour-interval">
          {INTERVALS_S.map((seconds) => (
            <option key={seconds} value={seconds}>
              {t('tour.seconds', { count: seconds })}
            </option>
          ))}
        </select>
      </label>
      <div className="field">
        <span>{t('tour.cameras')}</span>
        <div className="row">
          <button type="button" className="tool" onClick={() => setChosen(new Set(cameras.map((camera) => camera.id)))}>
            {t('tour.all')}
          </button>
          <button type="button" className="tool" onClick={() => setChosen(new Set())}>
            {t('tour.none')}
          </button>
        </div>
        <ul className="checklist">
          {cameras.map((camera) => (
            <li key={camera.id}>
              <label>
                <input
                  type="checkbox"
                  checked={chosen.has(camera.id)}
                  data-camera-id={camera.id}
                  onChange={(event) => {
                    const next = new Set(chosen);
                    if (event.target.checked) next.add(camera.id);
                    else next.delete(camera.id);
                    setChosen(next);
                  }}
                />
                {camera.name}
              </label>
            </li>
          ))}
        </ul>
      </div>
      {chosen.size === 0 && <p className="field-error">{t('tour.needCameras')}</p>}
      <div className="modal-actions">
        {existing && (
          <button type="button" className="tool" onClick={stop}>
            {t('tour.stop')}
          </button>
        )}
        <button type="button" className="tool" onClick={onClose}>
          {t('dialog.cancel')}
        </button>
        <button type="button" className="tool tool-active" disabled={chosen.size === 0} onClick={start} data-testid="tour-start">
          {t('tour.start')}
        </button>
      </div>
    </Modal>
  );
}
