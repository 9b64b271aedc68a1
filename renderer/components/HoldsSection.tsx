import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Hold, StorageInfo } from '../../common/contract';
import { formatDateTime } from '../../common/time';
import { useConsole } from '../store';
import { useRuntime } from '../runtime';
import { formatBytes } from '../util/format';

/** One hold's row; an administrator can release an active one, with a reason (audited by the core). */
function HoldRow({ hold, timeZone, nameOf, language, canRelease, onChanged }: { hold: Hold; timeZone: string; nameOf: (id: string) => string; language: string; canRelease: boolean; onChanged: () => void }) {
  const { t } = useTranslation();
  const { client } = useRuntime();
  const [releasing, setReleasing] = useState(false);
  const [reason, setReason] = useState('');
  const [message, setMessage] = useState<string | null>(null);
  const release = (): void => {
    if (reason.trim().length === 0) {
      setMessage(t('storage.holds.releaseNeedsReason'));
      return;
    }
    void client.call('releaseHold', { holdId: hold.id, reason: reason.trim() }).then((result) => {
      if (!result.ok) setMessage(t(`errors.${result.error.code}`));
      else {
        setReleasing(false);
        setMessage(null);
        onChanged();
      }
    });
  };
  const active = hold.releasedMs === null;
  return (
    <tr data-hold-id={hold.id} className={active ? undefined : 'muted'}>
      <td>{nameOf(hold.cameraId)}</td>
      <td>
        {formatDateTime(hold.startMs, timeZone)} – {formatDateTime(hold.endMs, timeZone)}
      </td>
      <td>{hold.reason}</td>
      <td>{t(`storage.holds.sources.${hold.source}`)}</td>
      <td>
        {hold.createdBy}
        <br />
        <small className="muted">{formatDateTime(hold.createdMs, timeZone)}</small>
      </td>
      <td className="number">{formatBytes(hold.bytes, language)}</td>
      <td>
        {active ? t('storage.holds.active') : t('storage.holds.released', { by: hold.releasedBy ?? '', when: formatDateTime(hold.releasedMs ?? 0, timeZone) })}
        {active && canRelease && !releasing && (
          <>
            {' '}
            <button type="button" className="tool" data-action="release-hold" onClick={() => setReleasing(true)}>
              {t('storage.holds.release')}
            </button>
          </>
        )}
        {releasing && (
          <div className="hold-release">
            <input aria-label={t('storage.holds.releaseReason')} placeholder={t('storage.holds.releaseReason')} value={reason} maxLength={500} data-testid="hold-release-reason" onChange={(event) => setReason(event.target.value)} />
            <button type="button" className="danger" data-action="confirm-release" onClick={release}>
              {t('storage.holds.releaseConfirm')}
            </button>
            <button type="button" className="tool" onClick={() => setReleasing(false)}>
              {t('storage.holds.cancel')}
            </button>
          </div>
        )}
        {message && <p className="warn">{message}</p>}
      </td>
    </tr>
  );
}

/** Giữ làm chứng cứ: footage on legal hold (issue 17 item 7), its size, and the floor alarm. */
export function HoldsSection({ info, timeZone, nameOf, language, onChanged }: { info: StorageInfo; timeZone: string; nameOf: (id: string) => string; language: string; onChanged: () => void }) {
  const { t } = useTranslation();
  const canRelease = useConsole((state) => state.session?.permissions.includes('configure') ?? false);
  const active = info.holds.filter((hold) => hold.releasedMs === null);
  return (
    <section data-testid="holds">
      <h2>{t('storage.holds.title')}</h2>
      {info.heldFloorSinceMs !== null && (
        <div className="banner banner-error" role="alert" data-testid="held-floor-alarm">
          {t('storage.holds.floorAlarm', { size: formatBytes(info.heldBytes, language) })}
        </div>
      )}
      <p className="muted">{t('storage.holds.intro')}</p>
      {info.holds.length === 0 ? (
        <p className="muted">{t('storage.holds.none')}</p>
      ) : (
        <>
          <p data-testid="holds-summary">{t('storage.holds.summary', { count: active.length, size: formatBytes(info.heldBytes, language) })}</p>
          <table className="table" data-testid="holds-table">
            <thead>
              <tr>
                <th>{t('storage.holds.camera')}</th>
                <th>{t('storage.holds.range')}</th>
                <th>{t('storage.holds.reason')}</th>
                <th>{t('storage.holds.source')}</th>
                <th>{t('storage.holds.by')}</th>
                <th className="number">{t('storage.holds.size')}</th>
                <th>{t('storage.holds.state')}</th>
              </tr>
            </thead>
            <tbody>
              {info.holds.map((hold) => (
                <HoldRow key={hold.id} hold={hold} timeZone={timeZone} nameOf={nameOf} language={language} canRelease={canRelease} onChanged={onChanged} />
              ))}
            </tbody>
          </table>
        </>
      )}
    </section>
  );
}
