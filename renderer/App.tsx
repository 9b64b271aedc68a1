import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useConsole } from './store';
import { useRuntime } from './runtime';
import { TopBar } from './components/TopBar';
import { CameraList } from './components/CameraList';
import { Toasts } from './components/Toasts';
import { TourDialog } from './components/TourDialog';
import { Wall } from './wall/Wall';
import { StoragePage } from './components/StoragePage';
import { FEATURES } from './features';
import { FeaturesContext } from './featureTypes';

/** Polls the fps/kbps figures while the overlay shows them. */
function useLiveStatsPolling(): void {
  const { client } = useRuntime();
  const showStats = useConsole((state) => state.showStats);
  useEffect(() => {
    if (!showStats) return;
    const poll = (): void =>
      void client.call('getLiveStats', {}).then((result) => {
        if (result.ok) useConsole.getState().setLiveStats(result.value);
      });
    poll();
    const timer = window.setInterval(poll, 1000);
    return () => window.clearInterval(timer);
  }, [client, showStats]);
}

/** Says so at once when cameras stopped recording because the disk is full. */
function DiskFullBanner() {
  const { t } = useTranslation();
  const count = useConsole((state) => Object.values(state.recording).filter((status) => status.state === 'diskFull').length);
  if (count === 0) return null;
  return (
    <div className="banner banner-error" role="alert" data-testid="disk-full-banner">
      {t('recording.diskFullBanner', { count })}
    </div>
  );
}

function Console() {
  const showCameraList = useConsole((state) => state.showCameraList);
  const page = useConsole((state) => state.page);
  const featurePage = FEATURES.pages.find((entry) => entry.id === page);
  const [tourTarget, setTourTarget] = useState<{ tile: number | null } | null>(null);
  useLiveStatsPolling();
  return (
    <>
      <TopBar onWallTour={() => setTourTarget({ tile: null })} />
      <DiskFullBanner />
      {page === 'storage' ? (
        <main className="page-area">
          <StoragePage />
        </main>
      ) : featurePage ? (
        <main className="page-area">
          <featurePage.Component />
        </main>
      ) : (
        <div className="app-body">
          {showCameraList && <CameraList />}
          <main className="wall-area">
            <Wall onEditTour={(tile) => setTourTarget({ tile })} />
          </main>
        </div>
      )}
      <Toasts />
      {tourTarget && <TourDialog tile={tourTarget.tile} onClose={() => setTourTarget(null)} />}
    </>
  );
}

export function App({ ready }: { ready: boolean }) {
  const { t } = useTranslation();
  const connection = useConsole((state) => state.connection);
  return (
    <div className="app">
      {connection === 'lost' && <div className="banner banner-error" role="alert">{t('connection.lost')}</div>}
      {connection === 'unauthorized' && <div className="banner banner-error" role="alert">{t('errors.unauthorized')}</div>}
      {ready ? (
        <FeaturesContext.Provider value={FEATURES}>
          <Console />
        </FeaturesContext.Provider>
      ) : (
        <div className="app-loading">{t('app.loading')}</div>
      )}
    </div>
  );
}
