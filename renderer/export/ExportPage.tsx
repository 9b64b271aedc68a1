import { whyNotReady } from './readiness';
import { groupState, pickerGroups, withGroup } from './cameraPicker';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { CameraSummary } from '../../common/contract';
import { isOnDrive, type Drive, type Estimate, type ExportJob, type ExportLogEntry, type ExportRequest } from '../../common/exportContract';
import type { Bookmark } from '../../common/playbackContract';
import { DEFAULT_TIME_ZONE } from '../../common/site';
import type { ContractError } from '../../common/result';
import { formatBytes, pathPieces } from '../util/format';
import { useRuntime } from '../runtime';
import { useConsole } from '../store';
import { useExportDraft } from '../services/exportDraft';
import { DEFAULT_INCIDENT_RADIUS_M, defaultExportRange, draftFromBookmark, type DraftOrigin, type ExportDraft } from '../services/exportRange';
import { formatDurationMs, formatLocalDateTime, parseLocalDateTime } from './exportTime';

interface Form {
  cameraIds: string[];
  from: string;
  to: string;
  caseNumber: string;
  officer: string;
  reason: string;
  operator: string;
  destination: string;
  otherFolder: string;
  useIncident: boolean;
  latitude: string;
  longitude: string;
  radiusM: string;
  burnIn: boolean;
  legalHold: boolean;
}

const OTHER = '@other';

function initialForm(timeZone: string): Form {
  const range = defaultExportRange(Date.now());
  return {
    cameraIds: [],
    from: formatLocalDateTime(range.startMs, timeZone),
    to: formatLocalDateTime(range.endMs, timeZone),
    caseNumber: '',
    officer: '',
    reason: '',
    operator: '',
    destination: '',
    otherFolder: '',
    useIncident: false,
    latitude: '',
    longitude: '',
    radiusM: String(DEFAULT_INCIDENT_RADIUS_M),
    burnIn: false,
    legalHold: true,
  };
}

/** The form with a draft's cameras, times, point and reason (a reason the clerk typed is kept). */
function withDraft(form: Form, draft: ExportDraft, timeZone: string): Form {
  const point = draft.point;
  return {
    ...form,
    cameraIds: draft.cameraIds,
    from: formatLocalDateTime(draft.startMs, timeZone),
    to: formatLocalDateTime(draft.endMs, timeZone),
    reason: form.reason || (draft.reason ?? ''),
    ...(point
      ? {
          latitude: String(point.latitude),
          longitude: String(point.longitude),
          useIncident: form.useIncident || point.use,
          ...(point.radiusM !== undefined ? { radiusM: String(point.radiusM) } : {}),
        }
      : {}),
  };
}

/** Says where the prefilled values came from, so the clerk checks them before exporting. */
function PrefillNote({ origin }: { origin: DraftOrigin }) {
  const { t } = useTranslation();
  const text =
    origin.kind === 'playback' ? t(origin.rule === 'marked' ? 'exportClip.prefill.playbackMarked' : origin.rule === 'window' ? 'exportClip.prefill.playbackWindow' : 'exportClip.prefill.playbackMoment') : origin.kind === 'bookmark' ? t('exportClip.prefill.bookmark', { title: origin.title }) : t('exportClip.prefill.map');
  return (
    <p className="ex-prefill" data-testid="export-prefill" data-origin={origin.kind} role="status">
      {text}
    </p>
  );
}

/** The request of the form, or null while something is missing or wrong. */
function requestOf(form: Form, timeZone: string): ExportRequest | null {
  const startMs = parseLocalDateTime(form.from, timeZone);
  const endMs = parseLocalDateTime(form.to, timeZone);
  const destination = form.destination === OTHER ? form.otherFolder.trim() : form.destination;
  if (startMs === null || endMs === null || endMs <= startMs || form.cameraIds.length === 0 || !destination) return null;
  const latitude = Number(form.latitude);
  const longitude = Number(form.longitude);
  const radiusM = Number(form.radiusM);
  const incident = form.useIncident && form.latitude && form.longitude && Number.isFinite(latitude) && Number.isFinite(longitude) && radiusM > 0 ? { latitude, longitude, radiusM } : null;
  return { cameraIds: form.cameraIds, startMs, endMs, caseNumber: form.caseNumber, officer: form.officer, reason: form.reason, operator: form.operator, destination, incident, burnIn: form.burnIn, legalHold: form.legalHold };
}

/** An export call's refusal in words: its typed reason (`exportClip.errors.<reason>`), else the general code's sentence. */
function useErrorText(): (error: ContractError) => string {
  const { t } = useTranslation();
  return (error) => (error.reason && t(`exportClip.errors.${error.reason}`, { defaultValue: '' }) ? t(`exportClip.errors.${error.reason}`) : t(`errors.${error.code}`));
}

/** A name that may wrap only after its separators (pathPieces), not inside a word. */
function BreakableName({ name }: { name: string }) {
  return (
    <>
      {pathPieces(name).map((piece, index) => (
        <span key={index}>
          {index > 0 && <wbr />}
          {piece}
        </span>
      ))}
    </>
  );
}

function CameraPicker({ cameras, selected, onChange }: { cameras: CameraSummary[]; selected: string[]; onChange: (ids: string[]) => void }) {
  const { t } = useTranslation();
  const [query, setQuery] = useState('');
  const chosen = new Set(selected);
  const groups = pickerGroups(cameras, query);
  const shown = groups.reduce((sum, group) => sum + group.cameras.length, 0);
  return (
    <fieldset className="ex-cameras">
      <legend>
        {t('exportClip.cameras')} <span className="muted">{t('exportClip.selectedCount', { count: selected.length })}</span>
      </legend>
      <div className="ex-camera-tools">
        <input type="search" value={query} placeholder={t('exportClip.cameraSearch')} aria-label={t('exportClip.cameraSearch')} data-testid="export-camera-search" onChange={(event) => setQuery(event.target.value)} />
        {selected.length > 0 && (
          <button type="button" data-testid="export-camera-none" onClick={() => onChange([])}>
            {t('exportClip.selectNone')}
          </button>
        )}
      </div>
      <div className="ex-camera-list" role="group" aria-label={t('exportClip.camerasHint')}>
        {shown === 0 && <p className="muted">{t('exportClip.noCameraMatches', { query })}</p>}
        {groups.map((group) => {
          const state = groupState(group, chosen);
          return (
            <div key={group.village ?? ''} className="ex-village" data-village={group.village ?? ''}>
              <label className="ex-village-head" title={t('exportClip.selectVillage')}>
                <input
                  type="checkbox"
                  checked={state === 'all'}
                  ref={(element) => {
                    if (element) element.indeterminate = state === 'some';
                  }}
                  onChange={(event) => onChange(withGroup(selected, group, event.target.checked))}
                />
                <span>{group.village ?? t('exportClip.noVillage')}</span>
                <small className="muted">{group.cameras.length}</small>
              </label>
              {group.cameras.map((camera) => (
                <label key={camera.id} className="ex-camera" title={`${camera.name} (${camera.id})`}>
                  <input
                    type="checkbox"
                    checked={chosen.has(camera.id)}
                    data-camera={camera.id}
                    onChange={(event) => onChange(event.target.checked ? [...selected, camera.id] : selected.filter((id) => id !== camera.id))}
                  />
                  <span className="ex-camera-name">{camera.name}</span>
                </label>
              ))}
            </div>
          );
        })}
      </div>
    </fieldset>
  );
}

function DrivePicker({ drives, form, set, onRefresh }: { drives: Drive[]; form: Form; set: (change: Partial<Form>) => void; onRefresh: () => void }) {
  const { t } = useTranslation();
  const language = useConsole((state) => state.language);
  return (
    <fieldset className="ex-destinations">
      <legend>{t('exportClip.destination')}</legend>
      <div className="ex-drive-head">
        <span>{t('exportClip.drives')}</span>
        <button type="button" onClick={onRefresh}>
          {t('exportClip.refresh')}
        </button>
      </div>
      {drives.length === 0 && <p className="muted">{t('exportClip.noDrives')}</p>}
      {drives.map((drive) => (
        <label key={drive.mountPoint} className={`ex-drive${form.destination === drive.mountPoint ? ' ex-selected' : ''}`} data-drive={drive.mountPoint}>
          <input type="radio" name="destination" checked={form.destination === drive.mountPoint} disabled={drive.readOnly} onChange={() => set({ destination: drive.mountPoint })} />
          <span className="ex-drive-label">{drive.label}</span>
          <span className="ex-drive-fs">{drive.filesystem.toUpperCase()}</span>
          <span className="ex-drive-free">{t('exportClip.driveFree', { free: formatBytes(drive.freeBytes, language), total: formatBytes(drive.totalBytes, language) })}</span>
          {drive.readOnly && <span className="ex-warn">{t('exportClip.readOnlyDrive')}</span>}
          {drive.maxFileBytes !== null && <small className="muted ex-drive-note">{t('exportClip.fat32')}</small>}
        </label>
      ))}
      <label className={`ex-drive${form.destination === OTHER ? ' ex-selected' : ''}`}>
        <input type="radio" name="destination" checked={form.destination === OTHER} onChange={() => set({ destination: OTHER })} />
        <span className="ex-drive-label">{t('exportClip.otherFolder')}</span>
        <input
          type="text"
          className="ex-folder"
          data-testid="export-folder"
          placeholder={t('exportClip.otherFolderHint')}
          value={form.otherFolder}
          onFocus={() => set({ destination: OTHER })}
          onChange={(event) => set({ otherFolder: event.target.value, destination: OTHER })}
        />
      </label>
    </fieldset>
  );
}

function EstimateView({ estimate, error, cameras }: { estimate: Estimate | null; error: string | null; cameras: CameraSummary[] }) {
  const { t, i18n } = useTranslation();
  const language = i18n.language;
  if (error) return <div className="ex-estimate ex-bad" data-testid="export-estimate">{error}</div>;
  if (!estimate) return <div className="ex-estimate muted" data-testid="export-estimate">{t('exportClip.estimating')}</div>;
  const names = new Map(cameras.map((camera) => [camera.id, camera.name]));
  return (
    <div className={`ex-estimate${estimate.fits === false ? ' ex-bad' : ''}`} data-testid="export-estimate">
      <strong>{t('exportClip.estimateLine', { size: formatBytes(estimate.totalBytes, language), cameras: estimate.cameras.length })}</strong>
      <ul>
        {estimate.cameras.map((camera) => (
          <li key={camera.cameraId}>
            {t('exportClip.estimateCamera', { camera: names.get(camera.cameraId) ?? camera.cameraId, size: formatBytes(camera.bytes, language), recorded: formatDurationMs(camera.recordedMs, language) })}
            {camera.gapMs > 1000 && <span className="ex-warn">{t('exportClip.estimateGap', { gap: formatDurationMs(camera.gapMs, language) })}</span>}
          </li>
        ))}
      </ul>
      {estimate.freeBytes !== null &&
        (estimate.fits ? (
          <div className="ex-ok">{t('exportClip.fits', { free: formatBytes(estimate.freeBytes, language) })}</div>
        ) : (
          <div>{t('exportClip.doesNotFit', { size: formatBytes(estimate.totalBytes, language), free: formatBytes(estimate.freeBytes, language) })}</div>
        ))}
      {estimate.willSplit && <div className="ex-note">{t('exportClip.willSplit')}</div>}
    </div>
  );
}

function Progress({ job, onCancel, onEject, onClose, onRetry, ejectState }: { job: ExportJob; onCancel: () => void; onEject: () => void; onClose: () => void; onRetry: () => void; ejectState: 'idle' | 'busy' | 'done' | 'failed' }) {
  const { t, i18n } = useTranslation();
  const language = i18n.language;
  const share = job.totalBytes > 0 ? Math.min(1, job.doneBytes / job.totalBytes) : 0;
  const active = job.state === 'preparing' || job.state === 'copying' || job.state === 'verifying';
  return (
    <section className={`ex-progress ex-state-${job.state}`} data-testid="export-progress" data-state={job.state} aria-live="polite">
      <h3>{active ? t('exportClip.progressTitle') : job.state === 'done' ? t('exportClip.doneTitle') : t(`exportClip.states.${job.state}`)}</h3>
      <div className="ex-bar" role="progressbar" aria-valuemin={0} aria-valuemax={100} aria-valuenow={Math.round(share * 100)}>
        <div className="ex-bar-fill" style={{ width: `${(share * 100).toFixed(1)}%` }} />
        <span className="ex-bar-text">{Math.round(share * 100)}%</span>
      </div>
      {active && (
        <div className="ex-figures">
          <span>{t(`exportClip.states.${job.state}`)}</span>
          {job.bytesPerSecond > 0 && <span>{t('exportClip.speed', { speed: formatBytes(job.bytesPerSecond, language) })}</span>}
          {job.remainingMs !== null && <span>{t('exportClip.remaining', { time: formatDurationMs(job.remainingMs, language) })}</span>}
          {job.currentFile && <span className="ex-file">{t('exportClip.currentFile', { name: job.currentFile })}</span>}
        </div>
      )}
      {job.state === 'done' && (
        <div className="ex-done">
          <p>{t('exportClip.doneText', { files: job.files, folder: job.folder ?? '' })}</p>
          {job.split && <p className="ex-note">{t('exportClip.splitNote')}</p>}
          {job.removable && ejectState !== 'done' && <p className="ex-eject-prompt">{t('exportClip.ejectPrompt')}</p>}
          {ejectState === 'done' && <p className="ex-ok">{t('exportClip.ejected')}</p>}
          {ejectState === 'failed' && <p className="ex-bad">{t('exportClip.ejectFailed')}</p>}
        </div>
      )}
      {(job.state === 'failed' || job.state === 'cancelled') && job.error && (
        <p className="ex-bad" data-testid="export-error">
          {t(`exportClip.errors.${job.error}`)}
          {job.error === 'footageAltered' && job.errorDetail && <span className="ex-detail" data-testid="export-error-detail"><br />{job.errorDetail}</span>}
        </p>
      )}
      <div className="ex-actions">
        {active && (
          <button type="button" className="danger" onClick={onCancel}>
            {t('exportClip.cancel')}
          </button>
        )}
        {job.state === 'done' && job.removable && ejectState !== 'done' && (
          <button type="button" className="primary" onClick={onEject} disabled={ejectState === 'busy'}>
            {t('exportClip.eject')}
          </button>
        )}
        {(job.state === 'failed' || job.state === 'cancelled') && (
          <button type="button" className="primary" onClick={onRetry}>
            {t('exportClip.retry')}
          </button>
        )}
        {!active && (
          <button type="button" onClick={onClose}>
            {t('exportClip.close')}
          </button>
        )}
      </div>
    </section>
  );
}

function ExportLogTable({ entries, cameras, timeZone }: { entries: ExportLogEntry[]; cameras: CameraSummary[]; timeZone: string }) {
  const { t, i18n } = useTranslation();
  const names = new Map(cameras.map((camera) => [camera.id, camera.name]));
  return (
    <section className="ex-log" data-testid="export-log">
      <h3>{t('exportClip.log.title')}</h3>
      {entries.length === 0 ? (
        <p className="muted">{t('exportClip.log.empty')}</p>
      ) : (
        <table>
          <thead>
            <tr>
              <th>{t('exportClip.log.when')}</th>
              <th>{t('exportClip.log.who')}</th>
              <th>{t('exportClip.log.officer')}</th>
              <th>{t('exportClip.log.caseNumber')}</th>
              <th>{t('exportClip.log.what')}</th>
              <th>{t('exportClip.log.where')}</th>
              <th>{t('exportClip.log.result')}</th>
              <th>{t('exportClip.log.size')}</th>
            </tr>
          </thead>
          <tbody>
            {entries.map((entry) => (
              <tr key={entry.jobId} className={`ex-log-${entry.state}`}>
                <td>{formatLocalDateTime(entry.atMs, timeZone)}</td>
                <td>{entry.operator}</td>
                <td>{entry.officer}</td>
                <td>{entry.caseNumber}</td>
                <td>
                  {entry.cameraIds.map((id) => names.get(id) ?? id).join(', ')}
                  <br />
                  <small className="muted">
                    {formatLocalDateTime(entry.startMs, timeZone)} – {formatLocalDateTime(entry.endMs, timeZone)}
                  </small>
                </td>
                <td className="ex-path" title={entry.folder ?? entry.destination}>
                  <BreakableName name={entry.folder ? (entry.folder.split(/[\\/]/).pop() ?? '') : ''} />
                  <br />
                  <small className="muted">
                    <BreakableName name={entry.destination} />
                  </small>
                </td>
                <td>{entry.state === 'done' ? t('exportClip.states.done') : `${t(`exportClip.states.${entry.state}`)}${entry.error ? ` – ${t(`exportClip.errors.${entry.error}`)}` : ''}`}</td>
                <td>{entry.bytes > 0 ? formatBytes(entry.bytes, i18n.language) : ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

/** Trích xuất: the export dialog, its progress and the export log. */
export function ExportPage() {
  const { t } = useTranslation();
  const { client } = useRuntime();
  const cameras = useConsole((state) => state.cameras);
  const user = useConsole((state) => state.session?.user ?? null);
  const signedIn = user ? [user.rank, user.fullName].filter((part) => part.trim().length > 0).join(' ') : null;
  const timeZone = useConsole((state) => state.site?.timeZone ?? DEFAULT_TIME_ZONE);
  const toast = useConsole((state) => state.toast);
  const errorText = useErrorText();
  // a draft from playback, a bookmark or the map (openExport): applied once, when it arrives
  const draft = useExportDraft((state) => state.draft);
  const [form, setForm] = useState<Form>(() => (draft ? withDraft(initialForm(timeZone), draft, timeZone) : initialForm(timeZone)));
  const [appliedDraft, setAppliedDraft] = useState<number | null>(draft?.seq ?? null);
  const [prefill, setPrefill] = useState<DraftOrigin | null>(draft?.origin ?? null);
  const [drives, setDrives] = useState<Drive[]>([]);
  // the estimate of one request (by its JSON): a changed form shows "estimating" until its own arrives
  const [estimated, setEstimated] = useState<{ key: string; estimate: Estimate | null; error: string | null } | null>(null);
  const [job, setJob] = useState<ExportJob | null>(null);
  const [log, setLog] = useState<ExportLogEntry[]>([]);
  const [bookmarks, setBookmarks] = useState<Bookmark[] | null>(null);
  const [nearby, setNearby] = useState<string | null>(null);
  const [ejectState, setEjectState] = useState<'idle' | 'busy' | 'done' | 'failed'>('idle');
  if (draft && draft.seq !== appliedDraft) {
    setAppliedDraft(draft.seq);
    setForm((current) => withDraft(current, draft, timeZone));
    setPrefill(draft.origin);
    setNearby(null);
  }
  const set = useCallback((change: Partial<Form>) => setForm((current) => ({ ...current, ...change })), []);
  const request = useMemo(() => requestOf(signedIn === null ? form : { ...form, operator: signedIn }, timeZone), [form, timeZone, signedIn]);
  const requestKey = request ? JSON.stringify(request) : null;
  const estimate = estimated && estimated.key === requestKey ? estimated.estimate : null;
  const estimateError = estimated && estimated.key === requestKey ? estimated.error : null;
  const whyNot = whyNotReady({ ...form, destination: form.destination === OTHER ? form.otherFolder.trim() : form.destination }, timeZone, estimate);
  const jobId = useRef<string | null>(null);

  const loadDrives = useCallback(() => {
    void client.call('exportListDrives', {}).then((result) => {
      if (!result.ok) return;
      setDrives(result.value);
      setForm((current) => (current.destination === '' && result.value[0] && !result.value[0].readOnly ? { ...current, destination: result.value[0].mountPoint } : current));
    });
  }, [client]);
  const loadLog = useCallback(() => {
    void client.call('exportLog', { limit: 50 }).then((result) => result.ok && setLog(result.value));
  }, [client]);

  useEffect(() => {
    loadDrives();
    loadLog();
    void client.call('exportListJobs', {}).then((result) => {
      const running = result.ok ? result.value.find((candidate) => candidate.finishedAtMs === null) : undefined;
      if (running) {
        jobId.current = running.jobId;
        setJob(running);
      }
    });
    void client.call('listBookmarks', { limit: 50 }).then((result) => setBookmarks(result.ok ? result.value : null));
    const timer = setInterval(loadDrives, 5000);
    const off = client.onEvent((envelope) => {
      if (envelope.event !== 'exportProgress' || envelope.payload.jobId !== jobId.current) return;
      setJob(envelope.payload);
      if (envelope.payload.finishedAtMs !== null) {
        loadLog();
        loadDrives();
      }
    });
    return () => {
      clearInterval(timer);
      off();
    };
  }, [client, loadDrives, loadLog]);

  // the size estimate follows the form (debounced)
  useEffect(() => {
    if (!request || !requestKey) return;
    const timer = setTimeout(() => {
      void client.call('exportEstimate', request).then((result) => {
        setEstimated(result.ok ? { key: requestKey, estimate: result.value, error: null } : { key: requestKey, estimate: null, error: errorText(result.error) });
      });
    }, 300);
    return () => clearTimeout(timer);
    // errorText changes with the language only
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [client, request, requestKey]);

  const start = (): void => {
    if (!request) return;
    setEjectState('idle');
    void client.call('exportStart', request).then((result) => {
      if (result.ok) {
        jobId.current = result.value.jobId;
        setJob(result.value);
      } else {
        toast('error', errorText(result.error));
      }
    });
  };
  const cancel = (): void => {
    if (!job || !window.confirm(t('exportClip.cancelConfirm'))) return;
    void client.call('exportCancel', { jobId: job.jobId });
  };
  const eject = (): void => {
    const drive = drives.find((candidate) => job !== null && isOnDrive(job.destination, candidate.mountPoint));
    if (!drive) return;
    setEjectState('busy');
    void client.call('exportEject', { mountPoint: drive.mountPoint }).then((result) => {
      setEjectState(result.ok ? 'done' : 'failed');
      loadDrives();
    });
  };
  const fromBookmark = (id: string): void => {
    const bookmark = bookmarks?.find((candidate) => candidate.id === id);
    if (!bookmark) return;
    const fromIt = draftFromBookmark(bookmark, cameras);
    setForm((current) => withDraft(current, fromIt, timeZone));
    setPrefill(fromIt.origin);
  };
  const selectNearby = useCallback(
    (latitude: number, longitude: number, radiusM: number): void => {
      if (!Number.isFinite(latitude) || !Number.isFinite(longitude) || !(radiusM > 0)) return;
      void client.call('exportCamerasNear', { latitude, longitude, radiusM }).then((result) => {
        if (!result.ok) return;
        set({ cameraIds: result.value.map((camera) => camera.cameraId) });
        setNearby(result.value.length > 0 ? t('exportClip.nearbyFound', { count: result.value.length, radius: radiusM }) : t('exportClip.nearbyNone'));
      });
    },
    [client, set, t],
  );
  const findNearby = (): void => selectNearby(Number(form.latitude), Number(form.longitude), Number(form.radiusM));
  // the draft is taken from the hand-over store; a point from the map selects its cameras (once)
  const nearbyAsked = useRef<number | null>(null);
  useEffect(() => {
    if (!draft) return;
    useExportDraft.getState().take(draft.seq);
    const point = draft.point;
    if (!point?.selectNearby || nearbyAsked.current === draft.seq) return;
    nearbyAsked.current = draft.seq;
    selectNearby(point.latitude, point.longitude, point.radiusM ?? DEFAULT_INCIDENT_RADIUS_M);
  }, [draft, selectNearby]);
  const timeBad = (form.from !== '' && parseLocalDateTime(form.from, timeZone) === null) || (form.to !== '' && parseLocalDateTime(form.to, timeZone) === null);
  const busy = job !== null && job.finishedAtMs === null;

  return (
    <div className="page ex-page" data-testid="export-page">
      <h2>{t('exportClip.title')}</h2>
      {prefill && <PrefillNote origin={prefill} />}
      <div className="ex-layout">
        <form
          className="ex-form"
          onSubmit={(event) => {
            event.preventDefault();
            start();
          }}
        >
          {bookmarks && bookmarks.length > 0 && (
            <label className="ex-field">
              <span>{t('playback.bookmarks', { defaultValue: 'Dấu mốc' })}</span>
              <select defaultValue="" onChange={(event) => fromBookmark(event.target.value)} data-testid="export-bookmark">
                <option value="">—</option>
                {bookmarks.map((bookmark) => (
                  <option key={bookmark.id} value={bookmark.id}>
                    {bookmark.title} ({formatLocalDateTime(bookmark.startMs, timeZone)})
                  </option>
                ))}
              </select>
            </label>
          )}
          <CameraPicker cameras={cameras} selected={form.cameraIds} onChange={(cameraIds) => set({ cameraIds })} />
          <fieldset className="ex-incident">
            <legend>
              <label>
                <input type="checkbox" checked={form.useIncident} data-testid="export-incident" onChange={(event) => set({ useIncident: event.target.checked })} /> {t('exportClip.incident')}
              </label>
            </legend>
            {form.useIncident && (
              <div className="ex-row">
                <p className="muted">{t('exportClip.incidentHint')}</p>
                <label className="ex-field">
                  <span>{t('exportClip.latitude')}</span>
                  <input value={form.latitude} inputMode="decimal" data-testid="export-latitude" onChange={(event) => set({ latitude: event.target.value })} />
                </label>
                <label className="ex-field">
                  <span>{t('exportClip.longitude')}</span>
                  <input value={form.longitude} inputMode="decimal" data-testid="export-longitude" onChange={(event) => set({ longitude: event.target.value })} />
                </label>
                <label className="ex-field">
                  <span>{t('exportClip.radius')}</span>
                  <input value={form.radiusM} inputMode="numeric" data-testid="export-radius" onChange={(event) => set({ radiusM: event.target.value })} />
                </label>
                <button type="button" data-testid="export-near" onClick={findNearby}>
                  {t('exportClip.findNearby')}
                </button>
                {nearby && <p className="ex-note">{nearby}</p>}
              </div>
            )}
          </fieldset>
          <div className="ex-row">
            <label className="ex-field">
              <span>{t('exportClip.from')}</span>
              <input value={form.from} data-testid="export-from" onChange={(event) => set({ from: event.target.value })} placeholder="29/11/2026 20:15:00" />
            </label>
            <label className="ex-field">
              <span>{t('exportClip.to')}</span>
              <input value={form.to} data-testid="export-to" onChange={(event) => set({ to: event.target.value })} placeholder="29/11/2026 20:25:00" />
            </label>
          </div>
          {timeBad ? <p className="ex-bad">{t('exportClip.badTime')}</p> : <p className="muted ex-hint">{t('exportClip.timeHint')}</p>}
          <div className="ex-row">
            <label className="ex-field">
              <span>{t('exportClip.caseNumber')}</span>
              <input value={form.caseNumber} maxLength={100} data-testid="export-case" onChange={(event) => set({ caseNumber: event.target.value })} />
            </label>
            <label className="ex-field">
              <span>{t('exportClip.officer')}</span>
              <input value={form.officer} maxLength={120} data-testid="export-officer" onChange={(event) => set({ officer: event.target.value })} />
            </label>
          </div>
          <div className="ex-row">
            <label className="ex-field ex-wide">
              <span>{t('exportClip.reason')}</span>
              <input value={form.reason} maxLength={500} data-testid="export-reason" onChange={(event) => set({ reason: event.target.value })} />
            </label>
            <label className="ex-field">
              <span>{t('exportClip.operator')}</span>
              {/* who exports is the signed-in user (the core writes the session's name on the biên bản): shown, not typed */}
              <input value={signedIn ?? form.operator} maxLength={120} data-testid="export-operator" readOnly={signedIn !== null} onChange={(event) => set({ operator: event.target.value })} />
            </label>
          </div>
          <label className="ex-check">
            <input type="checkbox" checked={form.burnIn} data-testid="export-burn-in" onChange={(event) => set({ burnIn: event.target.checked })} />
            <span>
              {t('exportClip.burnIn')}
              {form.burnIn && <small className="muted"> {t('exportClip.burnInNote')}</small>}
            </span>
          </label>
          <label className="ex-check">
            <input type="checkbox" checked={form.legalHold} data-testid="export-legal-hold" onChange={(event) => set({ legalHold: event.target.checked })} />
            <span>
              {t('exportClip.legalHold')}
              <small className="muted"> {t(form.legalHold ? 'exportClip.legalHoldNote' : 'exportClip.legalHoldOff')}</small>
            </span>
          </label>
          <DrivePicker drives={drives} form={form} set={set} onRefresh={loadDrives} />
          {request && <EstimateView estimate={estimate} error={estimateError} cameras={cameras} />}
          <div className="ex-actions">
            <button type="submit" className="primary" data-testid="export-start" disabled={!request || busy || estimate === null || estimate.fits === false || estimate.totalBytes === 0}>
              {t('exportClip.start')}
            </button>
            {!busy && !estimateError && whyNot && <small className="muted" data-testid="export-start-why">{t(`exportClip.why.${whyNot}`)}</small>}
          </div>
        </form>
        <div className="ex-side">
          {job && <Progress job={job} ejectState={ejectState} onCancel={cancel} onEject={eject} onClose={() => setJob(null)} onRetry={start} />}
          <ExportLogTable entries={log} cameras={cameras} timeZone={timeZone} />
        </div>
      </div>
    </div>
  );
}
