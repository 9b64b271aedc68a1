import { useEffect, useState, type FormEvent, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import type { AccountProblemInfo, AuthState, SignInOutcome } from '../../common/authContract';
import type { CoreClient } from '../transport/coreClient';
import type { Result } from '../../common/result';

/**
 * The log-in, first-start, recovery and lock screens (issue 15). Each answer of the core is
 * shown as a Vietnamese sentence; nothing about passwords is kept in the page after the call.
 */
function useOutcome(onSignedIn: (auth: AuthState) => void) {
  const { t } = useTranslation();
  const [message, setMessage] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const handle = (result: Result<SignInOutcome | { outcome: SignInOutcome | null; problem: AccountProblemInfo | null }>): void => {
    setBusy(false);
    if (!result.ok) {
      setMessage(t(`errors.${result.error.code}`));
      return;
    }
    const value = result.value;
    if ('problem' in value && value.problem) {
      setMessage(`${t(`auth.fields.${value.problem.field}`)}: ${t(`auth.problems.${value.problem.problem}`)}`);
      return;
    }
    const outcome = 'status' in value ? value : value.outcome;
    if (!outcome) return;
    if (outcome.status === 'signedIn') onSignedIn(outcome.auth);
    else setMessage(t(`auth.refusals.${outcome.reason}`, { seconds: Math.ceil(outcome.retryAfterMs / 1000) }));
  };
  return { message, setMessage, busy, setBusy, handle };
}

function Shell({ title, children, testId }: { title: string; children: ReactNode; testId: string }) {
  const { t } = useTranslation();
  return (
    <div className="auth-screen" data-testid={testId}>
      <div className="auth-card">
        <div className="auth-brand">{t('app.title')}</div>
        <h1>{title}</h1>
        {children}
      </div>
    </div>
  );
}

function Field({ label, name, type = 'text', value, onChange, autoFocus, autoComplete }: { label: string; name: string; type?: string; value: string; onChange(value: string): void; autoFocus?: boolean; autoComplete?: string }) {
  return (
    <label className="field">
      <span>{label}</span>
      <input name={name} type={type} value={value} autoFocus={autoFocus} autoComplete={autoComplete} spellCheck={false} onChange={(event) => onChange(event.target.value)} />
    </label>
  );
}

export function SignInScreen({ client, auth, onSignedIn }: { client: CoreClient; auth: AuthState; onSignedIn(auth: AuthState): void }) {
  const { t } = useTranslation();
  const [mode, setMode] = useState<'signIn' | 'recover'>('signIn');
  const [userName, setUserName] = useState('');
  const [password, setPassword] = useState('');
  const [fullName, setFullName] = useState('');
  const [rank, setRank] = useState('');
  const [again, setAgain] = useState('');
  const [code, setCode] = useState('');
  const { message, setMessage, busy, setBusy, handle } = useOutcome(onSignedIn);

  if (auth.state === 'setup') {
    const submit = (event: FormEvent): void => {
      event.preventDefault();
      if (password !== again) return setMessage(t('auth.setup.mismatch'));
      setBusy(true);
      void client.call('setupAdministrator', { userName, fullName, rank, password }).then(handle);
    };
    return (
      <Shell title={t('auth.setup.title')} testId="setup-screen">
        <p className="auth-intro">{t('auth.setup.intro')}</p>
        <form onSubmit={submit}>
          <Field label={t('auth.signIn.userName')} name="userName" value={userName} onChange={setUserName} autoFocus autoComplete="username" />
          <Field label={t('auth.setup.fullName')} name="fullName" value={fullName} onChange={setFullName} />
          <Field label={t('auth.setup.rank')} name="rank" value={rank} onChange={setRank} />
          <Field label={t('auth.signIn.password')} name="password" type="password" value={password} onChange={setPassword} autoComplete="new-password" />
          <Field label={t('auth.setup.passwordAgain')} name="passwordAgain" type="password" value={again} onChange={setAgain} autoComplete="new-password" />
          {message && <p className="field-error" role="alert" data-testid="auth-message">{message}</p>}
          <button type="submit" className="auth-submit" disabled={busy}>{busy ? t('auth.signIn.busy') : t('auth.setup.submit')}</button>
        </form>
      </Shell>
    );
  }

  if (mode === 'recover') {
    const submit = (event: FormEvent): void => {
      event.preventDefault();
      setBusy(true);
      void client.call('recoverAdministrator', { code, userName, newPassword: password }).then(handle);
    };
    return (
      <Shell title={t('auth.recover.title')} testId="recover-screen">
        <p className="auth-intro">{t('auth.recover.intro')}</p>
        <form onSubmit={submit}>
          <Field label={t('auth.recover.code')} name="code" value={code} onChange={setCode} autoFocus />
          <Field label={t('auth.signIn.userName')} name="userName" value={userName} onChange={setUserName} autoComplete="username" />
          <Field label={t('auth.recover.newPassword')} name="password" type="password" value={password} onChange={setPassword} autoComplete="new-password" />
          {message && <p className="field-error" role="alert" data-testid="auth-message">{message}</p>}
          <button type="submit" className="auth-submit" disabled={busy}>{t('auth.recover.submit')}</button>
          <button type="button" className="auth-link" onClick={() => (setMode('signIn'), setMessage(null))}>{t('auth.recover.back')}</button>
        </form>
      </Shell>
    );
  }

  const submit = (event: FormEvent): void => {
    event.preventDefault();
    setBusy(true);
    void client.call('login', { userName, password }).then((result) => {
      setPassword('');
      handle(result);
    });
  };
  return (
    <Shell title={t('auth.signIn.title')} testId="login-screen">
      <form onSubmit={submit}>
        <Field label={t('auth.signIn.userName')} name="userName" value={userName} onChange={setUserName} autoFocus autoComplete="username" />
        <Field label={t('auth.signIn.password')} name="password" type="password" value={password} onChange={setPassword} autoComplete="current-password" />
        {message && <p className="field-error" role="alert" data-testid="auth-message">{message}</p>}
        <button type="submit" className="auth-submit" disabled={busy || userName === '' || password === ''}>{busy ? t('auth.signIn.busy') : t('auth.signIn.submit')}</button>
        <button type="button" className="auth-link" onClick={() => (setMode('recover'), setMessage(null))}>{t('auth.signIn.forgot')}</button>
      </form>
      {auth.demoAccounts && (
        <div className="auth-demo" data-testid="demo-accounts">
          <p>{t('auth.signIn.demoTitle')}</p>
          <table>
            <tbody>
              {auth.demoAccounts.map((account) => (
                <tr key={account.userName}>
                  <td>{t(`auth.roles.${account.role}`)}</td>
                  <td><code>{account.userName}</code></td>
                  <td><code>{account.password}</code></td>
                  <td>
                    <button type="button" className="tool" onClick={() => (setUserName(account.userName), setPassword(account.password))}>{t('auth.signIn.demoUse')}</button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </Shell>
  );
}

/** Shown instead of the whole console while the session is locked: no wall, no video, only unlock / switch user / sign out. */
export function LockScreen({ client, auth, onSignedIn, onSignedOut }: { client: CoreClient; auth: AuthState; onSignedIn(auth: AuthState): void; onSignedOut(): void }) {
  const { t } = useTranslation();
  const [switching, setSwitching] = useState(false);
  const [userName, setUserName] = useState('');
  const [password, setPassword] = useState('');
  const { message, setMessage, busy, setBusy, handle } = useOutcome(onSignedIn);
  const who = auth.user ? [auth.user.rank, auth.user.fullName].filter(Boolean).join(' ') : '';
  const submit = (event: FormEvent): void => {
    event.preventDefault();
    setBusy(true);
    const call = switching ? client.call('switchUser', { userName, password }) : client.call('unlockSession', { password });
    void call.then((result) => {
      setPassword('');
      handle(result);
    });
  };
  return (
    <Shell title={switching ? t('auth.lock.switchTitle') : t('auth.lock.title')} testId="lock-screen">
      <p className="auth-intro">{switching ? t('auth.lock.switchIntro') : t('auth.lock.lockedBy', { name: who })}</p>
      <p className="auth-recording">● {t('auth.lock.recording')}</p>
      <form onSubmit={submit}>
        {switching && <Field label={t('auth.signIn.userName')} name="userName" value={userName} onChange={setUserName} autoFocus autoComplete="username" />}
        <Field label={t('auth.signIn.password')} name="password" type="password" value={password} onChange={setPassword} autoFocus={!switching} autoComplete="current-password" />
        {message && <p className="field-error" role="alert" data-testid="auth-message">{message}</p>}
        <button type="submit" className="auth-submit" disabled={busy || password === ''}>{switching ? t('auth.signIn.submit') : t('auth.lock.unlock')}</button>
      </form>
      <div className="auth-actions">
        <button type="button" className="tool" data-action="switch-user" onClick={() => (setSwitching(!switching), setMessage(null))}>{switching ? t('auth.lock.cancel') : t('auth.lock.switchUser')}</button>
        <button type="button" className="tool" data-action="logout" onClick={() => void client.call('logout', {}).then(onSignedOut)}>{t('auth.lock.logout')}</button>
      </div>
    </Shell>
  );
}

/**
 * Over a second screen's wall while the session is locked and the site lets that wall play on
 * (`security.secondScreenWallWhileLocked`): the tiles stay visible, nothing under the cover can
 * be clicked or typed into (the core refuses every call anyway), and a line says where to unlock.
 */
export function WallOnlyCover() {
  const { t } = useTranslation();
  useEffect(() => {
    // the wall's keyboard shortcuts stay quiet while covered
    (document.activeElement as HTMLElement | null)?.blur();
    const swallow = (event: KeyboardEvent): void => {
      event.stopPropagation();
      event.preventDefault();
    };
    window.addEventListener('keydown', swallow, true);
    return () => window.removeEventListener('keydown', swallow, true);
  }, []);
  return (
    <div className="wall-only-cover" data-testid="wall-only" role="status">
      <p className="wall-only-note">{t('auth.lock.wallOnly')}</p>
    </div>
  );
}
