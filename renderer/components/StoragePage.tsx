import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { durationText } from './duration';
import type { StorageInfo } from '../../common/contract';
import { formatDate } from '../../common/time';
import { DEFAULT_TIME_ZONE } from '../../common/site';
import { useConsole } from '../store';
import { useRuntime } from '../runtime';
import { formatBytes } from '../util/format';
import { HoldsSection } from './HoldsSection';

/** A span of days as people say it: "12 ngày", "5 giờ", "40 phút". */
function useDuration(): (days: number) => string {
  const { t, i18n } = useTranslation();
  const locale = i18n.language === 'vi' ? 'vi-VN' : 'en-GB';
  return (days) => durationText(t, locale, days);
}

function DailyChart({ daily, language }: { daily: StorageInfo['daily']; language: string }) {
  const { t } = useTranslation();
  if (daily.length === 0) return <p className="muted">{t('storage.chartEmpty')}</p>;
  const shown = daily.slice(-30);
  const max = Math.max(...shown.map((entry) => entry.bytes), 1);
  const width = 720;
  const height = 160;
  const bar = Math.min(48, width / shown.length);
  return (
    <svg className="chart" viewBox={`0 0 ${width} ${height + 34}`} role="img" aria-label={t('storage.chart')}>
      {shown.map((entry, index) => {
        const barHeight = Math.max(1, (entry.bytes / max) * height);
        return (
          <g key={entry.day}>
            <rect x={index * bar + 2} y={height - barHeight} width={Math.max(2, bar - 4)} height={barHeight} className="chart-bar">
              <title>{`${entry.day}: ${formatBytes(entry.bytes, language)}`}</title>
            </rect>
            {(shown.length <= 10 || index % Math.ceil(shown.length / 10) === 0) && (
              <text x={index * bar + bar / 2} y={height + 16} className="chart-label" textAnchor="middle">
                {entry.day.slice(0, 5)}
              </text>
            )}
          </g>
        );
      })}
      <text x={4} y={12} className="chart-label">
        {formatBytes(max, language)}
      </text>
    </svg>
  );
}

function when(ms: number, timeZone: string): string {
  return `${formatDate(ms, timeZone)} ${new Date(ms).toLocaleTimeString('vi-VN', { timeZone, hour12: false })}`;
}

/** Toàn vẹn: the verification of footage (issue 17) and the files recovery quarantined. */
function IntegritySection({ info, timeZone, nameOf, language, onStarted }: { info: StorageInfo; timeZone: string; nameOf: (id: string | null) => string; language: string; onStarted: () => void }) {
  const { t } = useTranslation();
  const { client } = useRuntime();
  const [message, setMessage] = useState<string | null>(null);
  const verification = info.verification ?? null;
  const quarantined = info.quarantined ?? [];
  const start = (): void =>
    void client.call('verifyFootage', {}).then((result) => {
      if (!result.ok) setMessage(t(`errors.${result.error.code}`));
      else onStarted();
    });
  return (
    <section data-testid="integrity">
      <h2>{t('storage.integrity.title')}</h2>
      <p className="muted">{t('storage.integrity.intro')}</p>
      <p>
        <button type="button" className="tool" data-action="verify-footage" disabled={verification?.state === 'running'} onClick={start}>
          {t('storage.integrity.run')}
        </button>
      </p>
      {message && <p className="warn">{message}</p>}
      {verification?.state === 'running' && <p data-testid="verify-running">{t('storage.integrity.running', { done: verification.done, total: verification.total })}</p>}
      {verification?.state === 'failed' && <p className="warn">{t('storage.integrity.failed')}</p>}
      {verification?.state === 'done' && (
        <div data-testid="verify-result">
          {verification.finishedMs !== null && <p className="muted">{t('storage.integrity.checkedAt', { when: when(verification.finishedMs, timeZone) })}</p>}
          {verification.findingCount === 0 ? (
            <p className="ok">{t('storage.integrity.ok', { count: verification.done })}</p>
          ) : (
            <>
              <p className="warn">{t('storage.integrity.bad', { count: verification.findingCount })}</p>
              <table className="table" data-testid="verify-findings">
                <tbody>
                  {verification.findings.map((finding, index) => (
                    <tr key={`${finding.kind}-${finding.path ?? ''}-${index}`} data-kind={finding.kind}>
                      <td>{t(`storage.integrity.kinds.${finding.kind}`)}</td>
                      <td>{nameOf(finding.cameraId)}</td>
                      <td>
                        {finding.startMs === null ? '…' : when(finding.startMs, timeZone)} → {finding.endMs === null ? '…' : when(finding.endMs, timeZone)}
                      </td>
                      <td>{t(`storage.integrity.reasons.${finding.reason}`, { defaultValue: finding.reason })}</td>
                      <td className="muted">{finding.path ?? ''}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </>
          )}
          {verification.unhashedSegments > 0 && <p className="muted">{t('storage.integrity.unhashed', { count: verification.unhashedSegments })}</p>}
        </div>
      )}
      <h2>{t('storage.integrity.quarantine')}</h2>
      {quarantined.length === 0 ? (
        <p className="muted">{t('storage.integrity.noQuarantine')}</p>
      ) : (
        <ul className="events" data-testid="quarantined">
          {quarantined.map((entry) => (
            <li key={`${entry.atMs}-${entry.to}`}>
              <time>{when(entry.atMs, timeZone)}</time> {nameOf(entry.cameraId)} — {entry.path} → {entry.to} ({formatBytes(entry.bytes, language)})
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

/** Lưu trữ: how much footage each camera keeps, how much the disk can hold, what went wrong. */
export function StoragePage() {
  const { t } = useTranslation();
  const { client } = useRuntime();
  const language = useConsole((state) => state.language);
  const cameras = useConsole((state) => state.cameras);
  const timeZone = useConsole((state) => state.site?.timeZone ?? DEFAULT_TIME_ZONE);
  const duration = useDuration();
  const [info, setInfo] = useState<StorageInfo | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    const load = (): void =>
      void client.call('getStorage', {}).then((result) => {
        if (result.ok) {
          setInfo(result.value);
          setError(null);
        } else {
          setError(t(`errors.${result.error.code}`));
        }
      });
    load();
    const timer = window.setInterval(load, 5000);
    return () => window.clearInterval(timer);
  }, [client, t]);

  if (error) return <div className="page"><div className="banner banner-error">{error}</div></div>;
  if (!info) return <div className="page muted">{t('app.loading')}</div>;
  const { disk } = info;
  const other = Math.max(0, disk.totalBytes - disk.freeBytes - info.recordingBytes);
  const percent = (bytes: number) => `${Math.max(0, Math.min(100, (bytes / Math.max(1, disk.totalBytes)) * 100))}%`;
  const short = info.projectedDays !== null && info.projectedDays < info.retentionDays;
  const nameOf = (cameraId: string | null) => cameras.find((camera) => camera.id === cameraId)?.name ?? cameraId ?? '';
  const reload = (): void => void client.call('getStorage', {}).then((result) => result.ok && setInfo(result.value));

  return (
    <div className="page storage-page" data-testid="storage-page">
      <h1>{t('storage.title')}</h1>
      <section className="cards">
        <div className="card">
          <h2>{t('storage.disk')}</h2>
          <p>{t('storage.diskLine', { total: formatBytes(disk.totalBytes, language), free: formatBytes(disk.freeBytes, language) })}</p>
          <div className="disk-bar" aria-hidden="true">
            <span className="disk-recordings" style={{ width: percent(info.recordingBytes) }} />
            <span className="disk-other" style={{ width: percent(other) }} />
            <span className="disk-floor" style={{ left: `calc(100% - ${percent(disk.floorBytes)})` }} />
          </div>
          <ul className="legend">
            <li><span className="swatch disk-recordings" /> {t('storage.recordings')}: {formatBytes(info.recordingBytes, language)}</li>
            <li><span className="swatch disk-other" /> {t('storage.other')}: {formatBytes(other, language)}</li>
            <li><span className="swatch disk-free" /> {t('storage.free')}: {formatBytes(disk.freeBytes, language)}</li>
          </ul>
          <p className="muted">{t('storage.floor', { floor: formatBytes(disk.floorBytes, language) })}</p>
          <p className="muted">{disk.quotaBytes === null ? t('storage.noQuota') : t('storage.quota', { quota: formatBytes(disk.quotaBytes, language) })}</p>
        </div>
        <div className={short ? 'card card-warn' : 'card'} data-testid="projection">
          <h2>{t('storage.projected')}</h2>
          <p className="big">{info.projectedDays === null ? t('storage.projectedUnknown') : duration(info.projectedDays)}</p>
          <p className="muted">{t('storage.retention', { days: info.retentionDays })}</p>
          {short && <p className="warn">{t('storage.projectedShort', { days: info.retentionDays })}</p>}
        </div>
        <div className="card card-wide">
          <h2>{t('storage.chart')}</h2>
          <DailyChart daily={info.daily} language={language} />
        </div>
      </section>
      <section>
        <h2>{t('storage.table')}</h2>
        <table className="table" data-testid="storage-table">
          <thead>
            <tr>
              <th>{t('storage.camera')}</th>
              <th>{t('storage.stream')}</th>
              <th>{t('storage.state')}</th>
              <th className="number">{t('storage.size')}</th>
              <th className="number">{t('storage.bitrate')}</th>
              <th className="number">{t('storage.daysKept')}</th>
              <th className="number">{t('storage.keep')}</th>
              <th>{t('storage.since')}</th>
            </tr>
          </thead>
          <tbody>
            {info.cameras.map((camera) => (
              <tr key={camera.cameraId} data-camera-id={camera.cameraId}>
                <td>{nameOf(camera.cameraId)}</td>
                <td>{camera.stream ? t(`stream.${camera.stream}`) : '—'}</td>
                <td>
                  <span className={`rec-state rec-state-${camera.state}`}>
                    <span className="tile-dot" aria-hidden="true" />
                    {t(`recording.states.${camera.state}`)}
                  </span>
                </td>
                <td className="number">{formatBytes(camera.bytes, language)}</td>
                <td className="number">{camera.bitrateKbps === null ? '—' : t('storage.kbps', { kbps: camera.bitrateKbps.toLocaleString(language === 'vi' ? 'vi-VN' : 'en-GB') })}</td>
                <td className="number">{duration(camera.daysKept)}</td>
                <td className="number">{t('storage.days', { days: camera.retentionDays, count: camera.retentionDays })}</td>
                <td>{camera.oldestMs === null ? '—' : formatDate(camera.oldestMs, timeZone)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
      <IntegritySection info={info} timeZone={timeZone} nameOf={nameOf} language={language} onStarted={reload} />
      <HoldsSection info={info} timeZone={timeZone} nameOf={nameOf} language={language} onChanged={reload} />
      <section>
        <h2>{t('storage.warnings')}</h2>
        {info.warnings.length === 0 ? (
          <p className="muted">{t('storage.noWarnings')}</p>
        ) : (
          <ul className="events">
            {info.warnings.slice(0, 20).map((warning, index) => (
              <li key={`${warning.atMs}-${index}`}>
                <time>{formatDate(warning.atMs, timeZone)} {new Date(warning.atMs).toLocaleTimeString('vi-VN', { timeZone, hour12: false })}</time>{' '}
                {t(`storage.events.${warning.kind}`, { defaultValue: warning.kind })}
                {warning.cameraId && ` — ${nameOf(warning.cameraId)}`}
              </li>
            ))}
          </ul>
        )}
      </section>
    </div>
  );
}
