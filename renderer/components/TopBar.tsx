import { useContext } from 'react';
import { useTranslation } from 'react-i18next';
import { DEFAULT_TIME_ZONE } from '../../common/site';
import { LANGUAGES } from '../../common/i18n';
import { screenId, useConsole } from '../store';
import { setLanguage } from '../i18n';
import { LAYOUTS, layoutLabel } from '../util/layouts';
import { Clock } from './Clock';
import { Icon } from './Icon';
import { ViewsMenu } from './ViewsMenu';
import { FeaturesContext, visiblePages } from '../featureTypes';
import { UserBox } from '../auth/UserBox';

/** "Công an xã Đông Khê" from the site's name; a name that already says "Công an …" is shown as written (it read "Công an xã Công an xã Đông Khê"). */
export function stationTitle(name: string, t: (key: string, vars: Record<string, string>) => string): string {
  return /^\s*(công an|police)\b/iu.test(name) || /\bpolice\s*$/iu.test(name) ? name.trim() : t('app.station', { name });
}

export function TopBar({ onWallTour }: { onWallTour: () => void }) {
  const { t } = useTranslation();
  const site = useConsole((state) => state.site);
  const layoutId = useConsole((state) => state.wall.layoutId);
  const wallTour = useConsole((state) => state.wall.wallTour);
  const language = useConsole((state) => state.language);
  const showStats = useConsole((state) => state.showStats);
  const showCameraList = useConsole((state) => state.showCameraList);
  const page = useConsole((state) => state.page);
  const permissions = useConsole((state) => state.session?.permissions ?? null);
  const { pages } = useContext(FeaturesContext);
  const store = useConsole.getState;
  const screen = screenId();

  return (
    <header className="topbar">
      <button
        type="button"
        className={showCameraList ? 'tool tool-active' : 'tool'}
        title={showCameraList ? t('cameraList.hide') : t('cameraList.show')}
        aria-label={showCameraList ? t('cameraList.hide') : t('cameraList.show')}
        onClick={() => store().setShowCameraList(!showCameraList)}
      >
        <Icon name="list" />
      </button>
      <div className="topbar-title">
        {site && <span className="topbar-station" title={t('app.title')}>{stationTitle(site.name, t)}</span>}
        {screen !== '1' && <span className="badge badge-screen">{t('screen.second').replace('2', screen)}</span>}
        {site?.isDemo && <span className="badge badge-demo">{t('app.demoBadge')}</span>}
      </div>
      <nav className="topbar-tabs" aria-label={t('app.title')}>
        {visiblePages(pages, permissions).map((target) => (
          <button key={target} type="button" className={page === target ? 'tab tab-active' : 'tab'} aria-pressed={page === target} data-page={target} onClick={() => store().setPage(target)}>
            {t(`nav.${target}`)}
          </button>
        ))}
      </nav>
      <nav className="topbar-tools" aria-label={t('layout.label')} hidden={page !== 'wall'}>
        {LAYOUTS.map((layout) => (
          <button
            key={layout.id}
            type="button"
            className={layout.id === layoutId ? 'tool tool-active' : 'tool'}
            aria-pressed={layout.id === layoutId}
            title={layout.id.startsWith('big-') ? t('layout.bigPlus', { count: layout.cells.length - 1 }) : t('layout.option', { count: layout.cells.length })}
            data-layout={layout.id}
            onClick={() => store().setLayout(layout.id)}
          >
            {layoutLabel(layout)}
          </button>
        ))}
        <span className="topbar-sep" />
        <ViewsMenu />
        <button type="button" className={wallTour ? 'tool tool-active' : 'tool'} title={t('tour.wallHint')} data-testid="wall-tour" onClick={onWallTour}>
          <Icon name="tour" size={14} /> {wallTour ? t('tour.running') : t('tour.wall')}
        </button>
        <button type="button" className={showStats ? 'tool tool-active' : 'tool'} title={t('stats.toggleHint')} aria-pressed={showStats} onClick={() => store().setShowStats(!showStats)}>
          <Icon name="chart" size={14} /> {t('stats.toggle')}
        </button>
        {/* only the main screen opens the second one: a second screen offering "Màn hình 2" opened a third */}
        {screen === '1' && <button
          type="button"
          className="tool"
          title={t('screen.secondHint')}
          data-testid="second-screen"
          onClick={() => window.open(`${location.origin}${location.pathname}?screen=${Number(screen) + 1}`, '_blank')}
        >
          <Icon name="screen" size={14} /> {t('screen.second')}
        </button>}
        <button type="button" className="tool" title={t('screen.fullscreen')} aria-label={t('screen.fullscreen')} onClick={() => void document.querySelector('.wall-area')?.requestFullscreen?.()}>
          <Icon name="fullscreen" size={14} />
        </button>
      </nav>
      <div className="topbar-right">
        <UserBox />
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
                store().setLanguage(code);
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
