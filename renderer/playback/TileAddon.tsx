import { useTranslation } from 'react-i18next';
import type { TileAddonProps } from '../wall/TileAddons';
import { useConsole } from '../store';
import { usePlaybackUi } from './playbackStore';

/** How far back instant replay starts. */
export const INSTANT_REPLAY_MS = 30_000;

/**
 * Instant replay on a live tile: the last 30 s of that camera on the playback page (the open
 * segment being recorded is read too), then back to the live wall by itself, or with one click.
 */
export function PlaybackTileAddon({ camera, width }: TileAddonProps) {
  const { t } = useTranslation();
  if (width < 140) return null;
  return (
    <button
      type="button"
      className="pb-replay-button"
      title={t('playback.instantReplay')}
      aria-label={t('playback.instantReplay')}
      data-testid="pb-instant-replay"
      onClick={(event) => {
        event.stopPropagation();
        const nowMs = Date.now();
        usePlaybackUi.getState().ask({ cameraIds: [camera.id], atMs: nowMs - INSTANT_REPLAY_MS, play: true, replay: { cameraId: camera.id, untilMs: nowMs } });
        useConsole.getState().setPage('playback');
      }}
      onDoubleClick={(event) => event.stopPropagation()}
    >
      <svg width="14" height="14" viewBox="0 0 24 24" aria-hidden="true">
        <path d="M4 12a8 8 0 1 0 3-6.2 M4 4v5h5 M12 8v4l3 2" fill="none" stroke="currentColor" strokeWidth="2" strokeLinecap="round" />
      </svg>
      <span>30s</span>
    </button>
  );
}
