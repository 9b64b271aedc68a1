import { useState, type DragEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { useConsole } from '../store';
import { Icon } from '../components/Icon';
import type { Rect } from '../util/layouts';
import { CAMERA_DRAG_TYPE, TILE_DRAG_TYPE } from '../util/dragTypes';
import { CommuneMap } from './CommuneMap';
import { useMapData } from './mapData';
import { useNeighbours } from './useNeighbours';
import { sendToWall } from './MapPage';

/**
 * The map in one tile of the wall (an HTML overlay where a camera tile would be). A click on a
 * pin sends the camera to the selected tile; pins drag onto other tiles like cameras of the list.
 */
export function MapTile({ index, rect }: { index: number; rect: Rect }) {
  const { t } = useTranslation();
  const { data } = useMapData();
  const selected = useConsole((state) => state.selectedTile === index);
  const toast = useConsole((state) => state.toast);
  const [focus, setFocus] = useState<string | null>(null);
  const found = useNeighbours(data, focus, null);
  const [dropTarget, setDropTarget] = useState(false);
  const store = useConsole.getState;

  function onDragOver(event: DragEvent): void {
    // Only a tile moved by its name, or a camera from the list (not a pin of this map), may land here.
    const types = event.dataTransfer.types;
    if (types.includes(TILE_DRAG_TYPE) || (types.includes(CAMERA_DRAG_TYPE) && !(event.target as HTMLElement).closest('.maplibregl-marker'))) {
      event.preventDefault();
      setDropTarget(true);
    }
  }

  function onDrop(event: DragEvent): void {
    event.preventDefault();
    setDropTarget(false);
    const camera = event.dataTransfer.getData(CAMERA_DRAG_TYPE);
    const fromTile = event.dataTransfer.getData(TILE_DRAG_TYPE);
    if (camera && camera !== '@map') store().assign(index, camera);
    else if (fromTile !== '' && Number(fromTile) !== index) store().swap(Number(fromTile), index);
  }

  return (
    <div
      className={`tile map-tile${selected ? ' tile-selected' : ''}${dropTarget ? ' tile-drop' : ''}`}
      style={{ left: rect.x, top: rect.y, width: rect.width, height: rect.height }}
      data-testid="map-tile"
      data-index={index}
      onClick={() => store().selectTile(index)}
      onDragOver={onDragOver}
      onDragLeave={() => setDropTarget(false)}
      onDrop={onDrop}
    >
      {data && (
        <CommuneMap
          data={data}
          mode="tile"
          selectedCameraId={focus}
          neighbourIds={found.map((entry) => entry.cameraId)}
          editing={false}
          fly={null}
          onPinClick={(cameraId) => {
            setFocus(cameraId);
            sendToWall(cameraId, toast, t);
          }}
        />
      )}
      <div className="map-tile-top">
        <span
          className="tile-name"
          draggable
          onDragStart={(event) => {
            event.dataTransfer.setData(TILE_DRAG_TYPE, String(index));
            event.dataTransfer.effectAllowed = 'move';
          }}
        >
          {t('map.tile.label')}
        </span>
        <button type="button" className="map-tile-close" title={t('map.tile.remove')} aria-label={t('map.tile.remove')} onClick={() => store().assign(index, null)}>
          <Icon name="close" size={14} />
        </button>
      </div>
    </div>
  );
}
