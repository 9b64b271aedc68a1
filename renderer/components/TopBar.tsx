import { useTranslation } from 'react-i18next';
import { DEFAULT_TIME_ZONE } from '../../common/site';
import { LANGUAGES } from '../../common/i18n';
import { useConsole } from '../store';
import { setLanguage } from '../i18n';
import { LAYOUTS } from '../wall/layouts';
import { Clock } from './Clock';

export function TopBar() {
  const { t } = useTranslation();
  const site = useConsole((state) => state.site);
  const cameraCount = useConsole((state) => state.cameras.length);
  const layoutId = useConsole((state) => state.layoutId);
  const page = useConsole((state) => state.page);
  const language = useConsole((state) => state.language);
  const setLayout = useConsole((state) => state.setLayout);
  const setPage = useConsole((state) => state.setPage);
  const setStoreLanguage = useConsole((state) => state.setLanguage);
  const tilesPerPage = LAYOUTS.find((layout) => layout.id === layoutId)?.cells.length ?? 9;
  const pages = Math.max(1, Math.ceil(cameraCount / tilesPerPage));

  return (
    <header className="topbar">
      <div className="topbar-title">
        <span className="topbar-app">{t('app.title')}</span>
        {site && <span className="topbar-station">{t('app.station', { name: site.name })}</span>}
        {site?.isDemo && <span className="badge badge-demo">{t('app.demoBadge')}</span>}
        {site && <span className="topbar-count">{t('app.cameraCount', { count: cameraCount })}</span>}
      </div>
      <nav className="topbar-tools" aria-label={t('layout.label')}>
        <span className="topbar-label">{t('layout.label')}</span>
        {LAYOUTS.map((layout) => (
          <button
            key={layout.id}
            type="button"
            className={layout.id === layoutId ? 'tool tool-active' : 'tool'}
            aria-pressed={layout.id === layoutId}
            title={t('layout.option', { count: layout.cells.length })}
            data-layout={layout.id}
            onClick={() => setLayout(layout.id)}
          >
            {layout.cells.length}
          </button>
        ))}
        <span className="topbar-sep" />
        <button type="button" className="tool" aria-label="‹" disabled={page <= 0} onClick={() => setPage(page - 1)}>‹</button>
        <span className="topbar-page">{page + 1}/{pages}</span>
        <button type="button" className="tool" aria-label="›" disabled={page >= pages - 1} onClick={() => setPage(page + 1)}>›</button>
      </nav>
      <div className="topbar-right">
        <Clock timeZone={site?.timeZone ?? DEFAULT_TIME_ZONE} />
        <div className="language" role="group" aria-label={t('app.language')}>
          {LANGUAGES.map((code) => (
            <button
              key={code}
              type="button"
              className={code === language ? 'tool tool-active' : 'tool'}
              aria-pressed={code === language}
              onClick={() => {
                setLanguage(code);
                setStoreLanguage(code);
              }}
            >
              {code.toUpperCase()}
            </button>
          ))}
        </div>
      </div>
    </header>
  );
}
