import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { useConsole } from '../store';
import { useRuntime } from '../runtime';
import { Modal } from '../components/Modal';
import { useAuth } from './authStore';
import { refreshSession } from './session';

/** The signed-in user in the top bar, with lock, switch user (shift change, the wall keeps playing) and sign out. */
export function UserBox() {
  const { t } = useTranslation();
  const { client } = useRuntime();
  const user = useConsole((state) => state.session?.user ?? null);
  const role = useConsole((state) => state.session?.role ?? null);
  const [switching, setSwitching] = useState(false);
  if (!user) return null;
  const who = [user.rank, user.fullName].filter(Boolean).join(' ');
  return (
    <div className="userbox" data-testid="user-box">
      <span className="userbox-name" title={`${user.userName} – ${role ? t(`auth.roles.${role}`) : ''}`}>
        {who} <span className="userbox-role">({role ? t(`auth.roles.${role}`) : ''})</span>
      </span>
      <button type="button" className="tool" data-action="lock" title={t('auth.lock.lockNow')} onClick={() => void client.call('lockSession', {}).then(() => useAuth.getState().setLocked())}>
        {t('auth.lock.lockShort')}
      </button>
      <button type="button" className="tool" data-action="switch-user" title={t('auth.lock.switchTitle')} onClick={() => setSwitching(true)}>
        {t('auth.lock.switchUser')}
      </button>
      <button type="button" className="tool" data-action="logout" onClick={() => void client.call('logout', {}).then(() => location.reload())}>
        {t('auth.lock.logout')}
      </button>
      {switching && <SwitchUserDialog onClose={() => setSwitching(false)} />}
    </div>
  );
}

function SwitchUserDialog({ onClose }: { onClose(): void }) {
  const { t } = useTranslation();
  const { client } = useRuntime();
  const [userName, setUserName] = useState('');
  const [password, setPassword] = useState('');
  const [message, setMessage] = useState<string | null>(null);
  const submit = (event: FormEvent): void => {
    event.preventDefault();
    void client.call('switchUser', { userName, password }).then(async (result) => {
      setPassword('');
      if (!result.ok) return setMessage(t(`errors.${result.error.code}`));
      if (result.value.status === 'refused') return setMessage(t(`auth.refusals.${result.value.reason}`, { seconds: Math.ceil(result.value.retryAfterMs / 1000) }));
      useAuth.getState().setAuth(result.value.auth);
      await refreshSession(client);
      onClose();
    });
  };
  return (
    <Modal title={t('auth.lock.switchTitle')} onClose={onClose}>
      <form onSubmit={submit} data-testid="switch-user-dialog">
        <p className="auth-intro">{t('auth.lock.switchIntro')}</p>
        <label className="field">
          <span>{t('auth.signIn.userName')}</span>
          <input name="userName" value={userName} autoFocus autoComplete="username" onChange={(event) => setUserName(event.target.value)} />
        </label>
        <label className="field">
          <span>{t('auth.signIn.password')}</span>
          <input name="password" type="password" value={password} autoComplete="current-password" onChange={(event) => setPassword(event.target.value)} />
        </label>
        {message && <p className="field-error" role="alert" data-testid="auth-message">{message}</p>}
        <div className="modal-actions">
          <button type="button" className="tool" onClick={onClose}>{t('auth.lock.cancel')}</button>
          <button type="submit" className="tool tool-active" disabled={userName === '' || password === ''}>{t('auth.signIn.submit')}</button>
        </div>
      </form>
    </Modal>
  );
}
