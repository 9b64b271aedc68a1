import { useTranslation } from 'react-i18next';
import { DEFAULT_INSTANT_REPLAY_SECONDS } from '../../common/site';
import type { TileAddonProps } from '../featureTypes';
import { useConsole } from '../store';
import { usePlaybackUi } from './playbackStore';

/**
 * Instant replay on a live tile: the last 30 s (the site's `playback.instantReplaySeconds`) of
 * that camera on the playback page (the open segment being recorded is read too), then back to
 * the live wall by itself, or with one click.
 */
export function PlaybackTileAddon({ camera, width }: TileAddonProps) {
  const { t } = useTranslation();
  const seconds = useConsole((state) => state.site?.instantReplaySeconds ?? DEFAULT_INSTANT_REPLAY_SECONDS);
  if (width < 140) return null;
  return (
    <button
      type="button"
      className="pb-replay-button"
      title={t('playback.instantReplay', { seconds })}
      aria-label={t('playback.instantReplay', { seconds })}
      data-testid="pb-instant-replay"
      data-seconds={seconds}
      onClick={(event) => {
        event.stopPropagation();
        const nowMs = Date.now();
        usePlaybackUi.getState().ask({ cameraIds: [camera.id], atMs: nowMs - seconds * 1000, play: true, replay: { cameraId: camera.id, untilMs: nowMs } });
        useConsole.getState().setPage('playback');
      }}
      onDoubleClick={(event) => event.stopPropagation()}
    >
      <svg width="14" height="14" viewBox="0 0 24 24" aria-hidden="true">
        <path d="M4 12a8 8 0 1 0 3-6.2 M4 4v5h5 M12 8v4l3 2" fill="none" stroke="currentColor" strokeWidth="2" strokeLinecap="round" />
      </svg>
      <span>{t('playback.instantReplayShort', { seconds })}</span>
    </button>
  );
}
