import { useTranslation } from 'react-i18next';
import { SNAPSHOT_PATH } from '../../common/liveProtocol';
import { useConsole } from '../store';
import { useRuntime } from '../runtime';
import { Icon } from './Icon';

/** Short messages in the corner: a snapshot saved (open its folder, download it), an error. */
export function Toasts() {
  const { t } = useTranslation();
  const { client } = useRuntime();
  const toasts = useConsole((state) => state.toasts);
  const host = useConsole((state) => state.session?.host);
  const store = useConsole.getState;
  return (
    <div className="toasts" role="status" aria-live="polite">
      {toasts.map((toast) => (
        <div key={toast.id} className={`toast toast-${toast.kind}`}>
          <span>{toast.text}</span>
          {toast.snapshotFile && (
            <span className="toast-actions">
              <button
                type="button"
                className="tool"
                onClick={() =>
                  void client.call('openSnapshotFolder', {}).then((result) => {
                    if (!result.ok) store().toast('error', t('snapshot.folderFailed'));
                  })
                }
              >
                {t('snapshot.openFolder')}
              </button>
              {host === 'browser' && (
                <a className="tool" href={`${SNAPSHOT_PATH}${encodeURIComponent(toast.snapshotFile)}`} download={toast.snapshotFile}>
                  {t('snapshot.download')}
                </a>
              )}
            </span>
          )}
          <button type="button" className="toast-close" aria-label={t('dialog.close')} onClick={() => store().dismissToast(toast.id)}>
            <Icon name="close" size={12} />
          </button>
        </div>
      ))}
    </div>
  );
}
