import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { AUDIT_ACTIONS, type AccountInfo, type AuditFilter, type AuditRowInfo, type VerifyReportInfo } from '../../common/authContract';
import { ROLE_NAMES, type Role } from '../../common/permissions';
import { DEFAULT_TIME_ZONE } from '../../common/site';
import { parseTypedDateTime } from '../../common/time';
import { auditDetailText } from '../../common/auditDetail';
import { isLanguage } from '../../common/i18n';
import { useConsole } from '../store';
import { useRuntime } from '../runtime';

function formatTime(ms: number, timeZone: string): string {
  return new Intl.DateTimeFormat('vi-VN', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false }).format(new Date(ms));
}

/**
 * A typed time ("05/12/2026 09:30", as on every other page) in the site's time zone → ms; empty:
 * no bound; null: not a time. (A datetime-local field showed the browser's own "mm/dd/yyyy" and
 * read the PC's zone, not the site's the rows are shown in.)
 */
function typedMs(value: string, timeZone: string): number | undefined | null {
  if (!value.trim()) return undefined;
  return parseTypedDateTime(value, timeZone, Date.now());
}

function download(fileName: string, mimeType: string, base64: string): void {
  const bytes = Uint8Array.from(atob(base64), (char) => char.charCodeAt(0));
  const url = URL.createObjectURL(new Blob([bytes], { type: mimeType }));
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  link.click();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

export function AuditPage() {
  const { t, i18n } = useTranslation();
  const language = isLanguage(i18n.language) ? i18n.language : 'vi';
  const { client } = useRuntime();
  const cameras = useConsole((state) => state.cameras);
  const timeZone = useConsole((state) => state.site?.timeZone ?? DEFAULT_TIME_ZONE);
  const [actor, setActor] = useState('');
  const [cameraId, setCameraId] = useState('');
  const [action, setAction] = useState('');
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const [rows, setRows] = useState<AuditRowInfo[]>([]);
  const [actors, setActors] = useState<string[]>([]);
  const [head, setHead] = useState('');
  const [verify, setVerify] = useState<VerifyReportInfo | null>(null);
  const [message, setMessage] = useState<string | null>(null);

  const filter = useCallback((): AuditFilter => {
    const value: AuditFilter = {};
    if (actor) value.actor = actor;
    if (cameraId) value.cameraId = cameraId;
    if (action) value.action = action;
    const fromMs = typedMs(from, timeZone);
    const toMs = typedMs(to, timeZone);
    if (typeof fromMs === 'number') value.fromMs = fromMs;
    if (typeof toMs === 'number') value.toMs = toMs;
    return value;
  }, [actor, cameraId, action, from, to, timeZone]);
  const badTime = typedMs(from, timeZone) === null || typedMs(to, timeZone) === null;

  const load = useCallback(() => {
    void client.call('auditQuery', { ...filter(), limit: 500 }).then((result) => {
      if (!result.ok) return setMessage(t(`errors.${result.error.code}`));
      setRows(result.value.rows);
      setActors(result.value.actors);
      setHead(result.value.headHash);
    });
  }, [client, filter, t]);

  useEffect(load, [load]);

  const exportAs = (format: 'csv' | 'pdf'): void => {
    void client.call('auditExport', { ...filter(), format }).then((result) => {
      if (!result.ok) return setMessage(t(`errors.${result.error.code}`));
      download(result.value.fileName, result.value.mimeType, result.value.base64);
      setMessage(t('auth.audit.exported', { rows: result.value.rows, file: result.value.fileName }));
    });
  };

  return (
    <div className="page audit-page" data-testid="audit-page">
      <h1 className="audit-title">{t('auth.audit.title')}</h1>
      <form
        className="audit-filters"
        onSubmit={(event: FormEvent) => {
          event.preventDefault();
          // a time that is not one filters nothing silently: the message says so, nothing is loaded
          if (!badTime) load();
        }}
      >
        <label className="field">
          <span>{t('auth.audit.actor')}</span>
          <select name="actor" value={actor} onChange={(event) => setActor(event.target.value)}>
            <option value="">{t('auth.audit.all')}</option>
            {actors.map((name) => (
              <option key={name} value={name}>{t(`auth.audit.actions.${name}`)}</option>
            ))}
          </select>
        </label>
        <label className="field">
          <span>{t('auth.audit.camera')}</span>
          <select name="camera" value={cameraId} onChange={(event) => setCameraId(event.target.value)}>
            <option value="">{t('auth.audit.all')}</option>
            {cameras.map((camera) => (
              <option key={camera.id} value={camera.id}>{camera.name}</option>
            ))}
          </select>
        </label>
        <label className="field">
          <span>{t('auth.audit.action')}</span>
          <select name="action" value={action} onChange={(event) => setAction(event.target.value)}>
            <option value="">{t('auth.audit.all')}</option>
            {AUDIT_ACTIONS.map((name) => (
              <option key={name} value={name}>{t(`auth.audit.actions.${name}`)}</option>
            ))}
          </select>
        </label>
        <label className="field">
          <span>{t('auth.audit.from')}</span>
          <input type="text" name="from" value={from} placeholder="05/12/2026 08:00" onChange={(event) => setFrom(event.target.value)} />
        </label>
        <label className="field">
          <span>{t('auth.audit.to')}</span>
          <input type="text" name="to" value={to} placeholder="05/12/2026 17:00" onChange={(event) => setTo(event.target.value)} />
        </label>
        {badTime && (
          <p className="audit-bad-time" role="alert">
            {t('auth.audit.badTime')}
          </p>
        )}
        <div className="audit-buttons">
          <button type="submit" className="tool tool-active">{t('auth.audit.apply')}</button>
          <button type="button" className="tool" data-action="audit-verify" onClick={() => void client.call('auditVerify', {}).then((result) => (result.ok ? (setVerify(result.value), load()) : setMessage(t(`errors.${result.error.code}`))))}>
            {t('auth.audit.verify')}
          </button>
          <button type="button" className="tool" data-action="audit-csv" onClick={() => exportAs('csv')}>{t('auth.audit.csv')}</button>
          <button type="button" className="tool" data-action="audit-pdf" onClick={() => exportAs('pdf')}>{t('auth.audit.pdf')}</button>
        </div>
      </form>
      {verify && (
        <p className={verify.ok ? 'audit-verify audit-verify-ok' : 'audit-verify audit-verify-bad'} role="status" data-testid="audit-verify-result">
          {verify.ok
            ? t('auth.audit.verifyOk', { rows: verify.rows, head: verify.headHash })
            : t('auth.audit.verifyBad', { seq: verify.firstBad?.seq ?? '?', problem: t(`auth.audit.problems.${verify.firstBad?.problem ?? 'chainBroken'}`) })}
        </p>
      )}
      {message && <p className="audit-message" role="status">{message}</p>}
      <p className="audit-head">
        {t('auth.audit.head')}: <code>{head}</code> · {t('auth.audit.count', { count: rows.length })}
      </p>
      <div className="audit-table-wrap">
        <table className="audit-table" data-testid="audit-table">
          <thead>
            <tr>
              <th>{t('auth.audit.seq')}</th>
              <th>{t('auth.audit.time')}</th>
              <th>{t('auth.audit.actor')}</th>
              <th>{t('auth.audit.action')}</th>
              <th>{t('auth.audit.camera')}</th>
              <th>{t('auth.audit.detail')}</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((row) => (
              <tr key={row.seq} data-action={row.action}>
                <td>{row.seq}</td>
                <td className="audit-time">{formatTime(row.atMs, timeZone)}</td>
                <td>{row.actor}</td>
                <td title={row.action}>{t(`auth.audit.actions.${row.action}`, { defaultValue: row.action })}</td>
                <td>{row.cameraId ?? ''}</td>
                <td className="audit-detail" title={row.detail}>{auditDetailText(row.detail, language, timeZone)}</td>
              </tr>
            ))}
          </tbody>
        </table>
        {rows.length === 0 && <p className="audit-empty">{t('auth.audit.empty')}</p>}
      </div>
      <UsersPanel />
    </div>
  );
}

function UsersPanel() {
  const { t } = useTranslation();
  const { client } = useRuntime();
  const [users, setUsers] = useState<AccountInfo[]>([]);
  const [draft, setDraft] = useState({ userName: '', fullName: '', rank: '', role: 'dutyOfficer' as Role, password: '' });
  const [message, setMessage] = useState<string | null>(null);
  const load = useCallback(() => {
    void client.call('listUsers', {}).then((result) => result.ok && setUsers(result.value));
  }, [client]);
  useEffect(load, [load]);
  const create = (event: FormEvent): void => {
    event.preventDefault();
    void client.call('createUser', draft).then((result) => {
      if (!result.ok) return setMessage(t(`errors.${result.error.code}`));
      if (result.value.problem) return setMessage(`${t(`auth.fields.${result.value.problem.field}`)}: ${t(`auth.problems.${result.value.problem.problem}`)}`);
      setMessage(t('auth.audit.created', { name: draft.userName }));
      setDraft({ ...draft, userName: '', fullName: '', rank: '', password: '' });
      load();
    });
  };
  const setEnabled = (userName: string, enabled: boolean): void => {
    void client.call('updateUser', { userName, enabled }).then((result) => {
      if (result.ok && result.value.problem) setMessage(t(`auth.problems.${result.value.problem.problem}`));
      load();
    });
  };
  return (
    <section className="audit-users" data-testid="users-panel">
      <h2>{t('auth.audit.users')}</h2>
      <table className="audit-table">
        <tbody>
          {users.map((user) => (
            <tr key={user.userName}>
              <td><code>{user.userName}</code></td>
              <td>{[user.rank, user.fullName].filter(Boolean).join(' ')}</td>
              <td>{t(`auth.roles.${user.role}`)}</td>
              <td>{user.enabled ? t('auth.audit.enabled') : '—'}</td>
              <td>
                <button type="button" className="tool" onClick={() => setEnabled(user.userName, !user.enabled)}>{user.enabled ? t('auth.audit.disable') : t('auth.audit.enable')}</button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <form className="audit-filters" onSubmit={create}>
        <label className="field"><span>{t('auth.fields.userName')}</span><input name="newUserName" value={draft.userName} onChange={(event) => setDraft({ ...draft, userName: event.target.value })} /></label>
        <label className="field"><span>{t('auth.fields.fullName')}</span><input name="newFullName" value={draft.fullName} onChange={(event) => setDraft({ ...draft, fullName: event.target.value })} /></label>
        <label className="field"><span>{t('auth.fields.rank')}</span><input name="newRank" value={draft.rank} onChange={(event) => setDraft({ ...draft, rank: event.target.value })} /></label>
        <label className="field">
          <span>{t('auth.fields.role')}</span>
          <select name="newRole" value={draft.role} onChange={(event) => setDraft({ ...draft, role: event.target.value as Role })}>
            {ROLE_NAMES.map((role) => (
              <option key={role} value={role}>{t(`auth.roles.${role}`)}</option>
            ))}
          </select>
        </label>
        <label className="field"><span>{t('auth.fields.password')}</span><input name="newPassword" type="password" autoComplete="new-password" value={draft.password} onChange={(event) => setDraft({ ...draft, password: event.target.value })} /></label>
        <div className="audit-buttons"><button type="submit" className="tool tool-active">{t('auth.audit.create')}</button></div>
      </form>
      {message && <p className="audit-message" role="status">{message}</p>}
    </section>
  );
}
