import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Bookmark } from '../../common/playbackContract';
import { formatDateTime, parseTypedDateTime } from '../../common/time';
import type { CoreClient } from '../transport/coreClient';
import { useConsole } from '../store';
import { openExport } from '../services/exportDraft';
import { bookmarkRange, draftFromBookmark } from '../services/exportRange';

/** The list of bookmarks with a search box; a click opens playback at the bookmark, "Trích xuất" the export page prefilled from it. */
export function BookmarkList({ client, timeZone, onOpen }: { client: CoreClient; timeZone: string; onOpen(bookmark: Bookmark): void }) {
  const { t } = useTranslation();
  const [query, setQuery] = useState('');
  const [bookmarks, setBookmarks] = useState<Bookmark[]>([]);
  const [revision, setRevision] = useState(0);
  const cameras = useConsole((state) => state.cameras);
  const canExport = useConsole((state) => state.session?.permissions.includes('export') ?? false);

  useEffect(() => client.onEvent((envelope) => {
    if (envelope.event === 'bookmarksChanged') setRevision((value) => value + 1);
  }), [client]);

  useEffect(() => {
    const timer = window.setTimeout(() => {
      void client.call('listBookmarks', query.trim() ? { query: query.trim(), limit: 200 } : { limit: 200 }).then((result) => {
        if (result.ok) setBookmarks(result.value);
      });
    }, 150);
    return () => window.clearTimeout(timer);
  }, [client, query, revision]);

  const cameraName = (cameraId: string) => cameras.find((camera) => camera.id === cameraId)?.name ?? cameraId;
  const [held, setHeld] = useState<Record<string, string>>({});
  /** Keeps the bookmark's footage as evidence (the range its export would cut); the storage page lists it. */
  const hold = (bookmark: Bookmark): void => {
    const range = bookmarkRange(bookmark);
    void client.call('placeHold', { cameraIds: bookmark.cameraIds, startMs: range.startMs, endMs: range.endMs, reason: bookmark.title, bookmarkId: bookmark.id }).then((result) => {
      setHeld((current) => ({ ...current, [bookmark.id]: result.ok ? t('playback.bookmarkHeld') : t(`errors.${result.error.code}`) }));
    });
  };

  return (
    <div className="pb-bookmarks" data-testid="pb-bookmarks">
      <div className="pb-side-title">{t('playback.bookmarks')}</div>
      <input className="pb-input" type="search" placeholder={t('playback.bookmarkSearch')} value={query} onChange={(event) => setQuery(event.target.value)} data-testid="pb-bookmark-search" />
      {bookmarks.length === 0 && <div className="pb-muted">{t('playback.bookmarkNone')}</div>}
      <ul className="pb-bookmark-list">
        {bookmarks.map((bookmark) => (
          <li key={bookmark.id}>
            <button type="button" className="pb-bookmark-item" onClick={() => onOpen(bookmark)} title={t('playback.bookmarkOpen')} data-testid="pb-bookmark-item">
              <span className="pb-bookmark-title">{bookmark.title}</span>
              <span className="pb-bookmark-time">
                {formatDateTime(bookmark.startMs, timeZone)}
                {bookmark.endMs > bookmark.startMs ? ` → ${formatDateTime(bookmark.endMs, timeZone).slice(11)}` : ''}
              </span>
              <span className="pb-bookmark-cameras">{bookmark.cameraIds.length === 1 ? cameraName(bookmark.cameraIds[0]!) : t('playback.bookmarkCameras', { count: bookmark.cameraIds.length })}</span>
              {bookmark.note && <span className="pb-bookmark-note">{bookmark.note}</span>}
            </button>
            <div className="pb-bookmark-actions">
              {canExport && (
                <button type="button" className="tool pb-bookmark-export" title={t('playback.bookmarkExportTitle')} onClick={() => openExport(draftFromBookmark(bookmark, cameras))} data-testid="pb-bookmark-export">
                  {t('playback.bookmarkExport')}
                </button>
              )}
              {canExport && (
                <button type="button" className="tool pb-bookmark-hold" title={t('playback.bookmarkHoldTitle')} onClick={() => hold(bookmark)} data-testid="pb-bookmark-hold">
                  {t('playback.bookmarkHold')}
                </button>
              )}
              {held[bookmark.id] && <span className="pb-muted" data-testid="pb-bookmark-held">{held[bookmark.id]}</span>}
              <button type="button" className="tool pb-bookmark-delete" title={t('playback.bookmarkDelete')} aria-label={t('playback.bookmarkDelete')} onClick={() => void client.call('deleteBookmark', { id: bookmark.id })}>
                ×
              </button>
            </div>
          </li>
        ))}
      </ul>
    </div>
  );
}

/** The dialog that saves a bookmark: a moment (from = to) or a range, with a title and a note. */
export function BookmarkDialog({ client, cameraIds, atMs, timeZone, onClose }: { client: CoreClient; cameraIds: string[]; atMs: number; timeZone: string; onClose(saved: boolean): void }) {
  const { t } = useTranslation();
  const [title, setTitle] = useState('');
  const [note, setNote] = useState('');
  const [from, setFrom] = useState(formatDateTime(atMs, timeZone));
  const [to, setTo] = useState(formatDateTime(atMs, timeZone));
  const [error, setError] = useState<string | null>(null);

  async function save(): Promise<void> {
    const startMs = parseTypedDateTime(from, timeZone, Date.now());
    const endMs = parseTypedDateTime(to, timeZone, Date.now());
    if (startMs === null || endMs === null || endMs < startMs) {
      setError(t('playback.badDateTime'));
      return;
    }
    // typed times have whole seconds: keep the exact clock when the moment was not changed
    const exactStart = from === formatDateTime(atMs, timeZone) ? Math.round(atMs) : startMs;
    const exactEnd = to === formatDateTime(atMs, timeZone) ? Math.round(atMs) : endMs;
    const result = await client.call('addBookmark', { bookmark: { cameraIds, startMs: exactStart, endMs: Math.max(exactStart, exactEnd), title: title.trim(), note } });
    if (!result.ok) {
      setError(t(`errors.${result.error.code}`));
      return;
    }
    useConsole.getState().toast('info', t('playback.bookmarkSaved'));
    onClose(true);
  }

  return (
    <div className="pb-dialog-backdrop" role="dialog" aria-label={t('playback.bookmarkAddTitle')}>
      <form
        className="pb-dialog"
        data-testid="pb-bookmark-dialog"
        onSubmit={(event) => {
          event.preventDefault();
          void save();
        }}
      >
        <h2>{t('playback.bookmarkAddTitle')}</h2>
        <label>
          {t('playback.bookmarkTitle')}
          <input className="pb-input" value={title} onChange={(event) => setTitle(event.target.value)} required maxLength={200} autoFocus data-testid="pb-bookmark-title" />
        </label>
        <label>
          {t('playback.bookmarkNote')}
          <textarea className="pb-input" value={note} onChange={(event) => setNote(event.target.value)} maxLength={4000} rows={3} data-testid="pb-bookmark-note" />
        </label>
        <div className="pb-dialog-row">
          <label>
            {t('playback.bookmarkFrom')}
            <input className="pb-input" value={from} onChange={(event) => setFrom(event.target.value)} data-testid="pb-bookmark-from" />
          </label>
          <label>
            {t('playback.bookmarkTo')}
            <input className="pb-input" value={to} onChange={(event) => setTo(event.target.value)} data-testid="pb-bookmark-to" />
          </label>
        </div>
        {error && <div className="pb-error">{error}</div>}
        <div className="pb-dialog-buttons">
          <button type="button" className="tool" onClick={() => onClose(false)}>
            {t('playback.bookmarkCancel')}
          </button>
          <button type="submit" className="tool tool-active" disabled={!title.trim()} data-testid="pb-bookmark-save">
            {t('playback.bookmarkSave')}
          </button>
        </div>
      </form>
    </div>
  );
}
