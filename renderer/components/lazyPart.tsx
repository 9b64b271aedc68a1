import { lazy, Suspense, type ComponentType } from 'react';
import { useTranslation } from 'react-i18next';

function PartLoading() {
  const { t } = useTranslation();
  return (
    <div className="app-loading" data-testid="part-loading">
      {t('app.loading')}
    </div>
  );
}

/**
 * A part of the UI that is not on the wall's path (the map, playback, export, devices): its code
 * is a separate file (esbuild splitting), loaded the first time the part is shown, so a fresh
 * page parses only what the wall needs before the first picture.
 */
export function lazyPart<P extends object>(load: () => Promise<ComponentType<P>>): ComponentType<P> {
  const Loaded = lazy(async () => ({ default: await load() }));
  function LazyPart(props: P) {
    return (
      <Suspense fallback={<PartLoading />}>
        <Loaded {...props} />
      </Suspense>
    );
  }
  return LazyPart;
}
