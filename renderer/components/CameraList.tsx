import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { CameraSummary } from '../../common/contract';
import { statusKey, useConsole } from '../store';
import { CAMERA_DRAG_TYPE } from '../util/dragTypes';
import { matchesSearch } from './search';

/** Cameras grouped by village (thôn), to drag onto a tile or click into the selected tile. */
export function CameraList() {
  const { t } = useTranslation();
  const cameras = useConsole((state) => state.cameras);
  const statuses = useConsole((state) => state.statuses);
  const [query, setQuery] = useState('');

  const groups = useMemo(() => {
    const byVillage = new Map<string, CameraSummary[]>();
    for (const camera of cameras) {
      if (query && !matchesSearch(`${camera.name} ${camera.village ?? ''} ${camera.id}`, query)) continue;
      const village = camera.village ?? '';
      byVillage.set(village, [...(byVillage.get(village) ?? []), camera]);
    }
    return [...byVillage.entries()].sort(([a], [b]) => (a === '' ? 1 : b === '' ? -1 : a.localeCompare(b, 'vi')));
  }, [cameras, query]);

  function stateOf(camera: CameraSummary): string {
    const states = camera.streams.map((stream) => statuses[statusKey(camera.id, stream)]?.state ?? 'idle');
    if (states.includes('live')) return 'live';
    if (states.includes('offline')) return 'offline';
    if (states.includes('reconnecting') || states.includes('connecting')) return 'connecting';
    return 'idle';
  }

  function place(cameraId: string): void {
    const { selectedTile, wall, assign } = useConsole.getState();
    const target = selectedTile ?? wall.tiles.findIndex((tile) => tile === null);
    if (target !== null && target >= 0) assign(target, cameraId);
  }

  return (
    <aside className="camera-list" aria-label={t('cameraList.title')}>
      <div className="camera-list-head">
        <h2>
          {t('cameraList.title')} <span className="camera-list-count">{t('app.cameraCount', { count: cameras.length })}</span>
        </h2>
        <input type="search" value={query} placeholder={t('cameraList.search')} aria-label={t('cameraList.search')} onChange={(event) => setQuery(event.target.value)} />
        <p className="camera-list-hint">{t('cameraList.hint')}</p>
      </div>
      <div className="camera-list-groups">
        {groups.map(([village, members]) => (
          <section key={village || '-'} className="camera-group">
            <h3>{village || t('cameraList.noVillage')}</h3>
            <ul>
              {members.map((camera) => (
                <li
                  key={camera.id}
                  className="camera-item"
                  draggable
                  data-camera-id={camera.id}
                  title={camera.name}
                  onDragStart={(event) => {
                    event.dataTransfer.setData(CAMERA_DRAG_TYPE, camera.id);
                    event.dataTransfer.effectAllowed = 'copy';
                  }}
                  onClick={() => place(camera.id)}
                >
                  <span className={`camera-dot camera-dot-${stateOf(camera)}`} aria-hidden="true" />
                  <span className="camera-name">{camera.name}</span>
                  {camera.ptz && (
                    <span className="camera-ptz" title={t('cameraList.ptz')}>
                      PTZ
                    </span>
                  )}
                </li>
              ))}
            </ul>
          </section>
        ))}
      </div>
    </aside>
  );
}
