import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useConsole } from './store';
import { useRuntime } from './runtime';
import { TopBar } from './components/TopBar';
import { CameraList } from './components/CameraList';
import { Toasts } from './components/Toasts';
import { TourDialog } from './components/TourDialog';
import { Wall } from './wall/Wall';

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

function Console() {
  const showCameraList = useConsole((state) => state.showCameraList);
  const [tourTarget, setTourTarget] = useState<{ tile: number | null } | null>(null);
  useLiveStatsPolling();
  return (
    <>
      <TopBar onWallTour={() => setTourTarget({ tile: null })} />
      <div className="app-body">
        {showCameraList && <CameraList />}
        <main className="wall-area">
          <Wall onEditTour={(tile) => setTourTarget({ tile })} />
        </main>
      </div>
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
      {ready ? <Console /> : <div className="app-loading">{t('app.loading')}</div>}
    </div>
  );
}
