import { useTranslation } from 'react-i18next';
import { useConsole } from './store';
import { TopBar } from './components/TopBar';
import { Wall } from './wall/Wall';

export function App({ ready }: { ready: boolean }) {
  const { t } = useTranslation();
  const connection = useConsole((state) => state.connection);
  return (
    <div className="app">
      <TopBar />
      {connection === 'lost' && <div className="banner banner-error" role="alert">{t('connection.lost')}</div>}
      {connection === 'unauthorized' && <div className="banner banner-error" role="alert">{t('errors.unauthorized')}</div>}
      <main className="app-main">{ready ? <Wall /> : <div className="app-loading">{t('app.loading')}</div>}</main>
    </div>
  );
}
