import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Corners, MapLayerKind } from '../../common/mapContract';
import { useConsole } from '../store';
import { useRuntime } from '../runtime';
import { Modal } from '../components/Modal';
import { importLayer, parseLatLng } from './mapData';

const CORNER_KEYS = ['topLeft', 'topRight', 'bottomRight', 'bottomLeft'] as const;

/** The layer kind a file name suggests. */
export function kindOfFile(name: string): MapLayerKind {
  const lower = name.toLowerCase();
  if (lower.endsWith('.pmtiles')) return 'pmtiles';
  if (lower.endsWith('.mbtiles')) return 'mbtiles';
  if (/\.(png|jpe?g|webp)$/.test(lower)) return 'image';
  return 'geojson';
}

/** Imports a GeoJSON, a scanned map with its corners, or offline tiles; says why a file is refused. */
export function ImportDialog({ onClose }: { onClose: () => void }) {
  const { t } = useTranslation();
  const { client } = useRuntime();
  const toast = useConsole((state) => state.toast);
  const [file, setFile] = useState<File | null>(null);
  const [name, setName] = useState('');
  const [kind, setKind] = useState<MapLayerKind>('geojson');
  const [corners, setCorners] = useState<string[]>(['', '', '', '']);
  const [progress, setProgress] = useState<number | null>(null);
  const [problem, setProblem] = useState<string | null>(null);

  async function start(): Promise<void> {
    if (!file) return;
    const layerName = name.trim() || file.name;
    let parsedCorners: Corners | null = null;
    if (kind === 'image') {
      const parsed = corners.map(parseLatLng);
      // Empty corners go to the core as "no corners" so it says so; half-filled ones are refused here.
      if (parsed.every((corner) => corner !== null)) parsedCorners = parsed as unknown as Corners;
      else if (corners.some((text) => text.trim() !== '')) {
        setProblem(t('map.problems.badCorners'));
        return;
      }
    }
    setProblem(null);
    setProgress(0);
    const result = await importLayer(client, file, kind, layerName, parsedCorners, setProgress);
    setProgress(null);
    if (result.ok) {
      toast('info', t('map.import.done', { name: layerName }));
      onClose();
      return;
    }
    const reason = result.problem ? t(`map.problems.${result.problem}`) : t(`errors.${result.error?.code ?? 'internal'}`);
    const text = t('map.import.failed', { name: layerName, reason: result.detail ? `${reason} (${result.detail})` : reason });
    setProblem(text);
    toast('error', text);
  }

  return (
    <Modal title={t('map.import.title')} onClose={onClose}>
      <p className="map-muted">{t('map.import.kindHint')}</p>
      <label className="field">
        <span>{t('map.import.file')}</span>
        <input
          type="file"
          data-testid="map-import-file"
          accept=".geojson,.json,.png,.jpg,.jpeg,.webp,.pmtiles,.mbtiles"
          onChange={(event) => {
            const chosen = event.target.files?.[0] ?? null;
            setFile(chosen);
            if (chosen) {
              setKind(kindOfFile(chosen.name));
              if (!name) setName(chosen.name.replace(/\.[^.]+$/, ''));
            }
          }}
        />
      </label>
      <label className="field">
        <span>{t('map.import.name')}</span>
        <input type="text" data-testid="map-import-name" value={name} maxLength={120} onChange={(event) => setName(event.target.value)} />
      </label>
      <label className="field">
        <span>{t('map.import.kind')}</span>
        <select value={kind} data-testid="map-import-kind" onChange={(event) => setKind(event.target.value as MapLayerKind)}>
          {(['geojson', 'image', 'pmtiles', 'mbtiles'] as const).map((entry) => (
            <option key={entry} value={entry}>
              {t(`map.layers.kinds.${entry}`)}
            </option>
          ))}
        </select>
      </label>
      {kind === 'image' && (
        <fieldset className="field map-corners">
          <legend>{t('map.import.corners')}</legend>
          {CORNER_KEYS.map((key, index) => (
            <label key={key}>
              <span>{t(`map.import.${key}`)}</span>
              <input
                type="text"
                data-testid={`map-corner-${key}`}
                placeholder={t('map.import.cornerPlaceholder')}
                value={corners[index]}
                onChange={(event) => setCorners((current) => current.map((value, at) => (at === index ? event.target.value : value)))}
              />
            </label>
          ))}
        </fieldset>
      )}
      {progress !== null && <p>{t('map.import.progress', { percent: Math.round(progress * 100) })}</p>}
      {problem && (
        <p className="field-error" role="alert" data-testid="map-import-problem">
          {problem}
        </p>
      )}
      <div className="modal-actions">
        <button type="button" className="tool" onClick={onClose}>
          {t('map.popup.close')}
        </button>
        <button type="button" className="tool tool-active" disabled={!file || progress !== null} data-testid="map-import-start" onClick={() => void start()}>
          {t('map.import.start')}
        </button>
      </div>
    </Modal>
  );
}
