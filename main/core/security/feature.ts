import fs from 'node:fs';
import path from 'node:path';
import type Database from 'better-sqlite3';
import { DEMO_ACCOUNTS, normalizeUserName, userNameProblem, SYSTEM_ACTOR } from '../../../common/accounts';
import type { authMethods, AuthState, SignInOutcome, SignInRefusal } from '../../../common/authContract';
import { permissionsOf, type Permission } from '../../../common/permissions';
import { fail, ok, type Result } from '../../../common/result';
import { DEFAULT_TIME_ZONE, type Site } from '../../../common/site';
import { actorOf, displayNameOf, type CallContext, type Principal } from '../api/dispatch';
import type { AuditService, FeatureHandlers } from '../features';
import type { Logger } from '../log/logger';
import type { Clock } from '../util/clock';
import { AccountError, AccountStore, type Account } from './accountStore';
import { AuditLog } from './auditLog';
import { AuditPolicy } from './auditPolicy';
import { auditCsv, auditPdf, type AuditPdfInput } from './auditReport';
import { inWorkerOrHere, type WorkerJobs } from '../util/workerJobs';
import { openSecurityDb } from './db';
import { DEFAULT_KDF, type KdfParams } from './kdf';
import { DEFAULT_SESSION_OPTIONS, LoginThrottle, SessionManager, type Session, type SessionUser } from './sessions';
import { sqliteSessionStore } from './sessionStore';

export interface SecurityConfig {
  /** Lock after this long without input (0: never). Default 10 minutes. */
  idleLockMs?: number;
  /** A session ends this long after its log-in. Default 14 hours. */
  maxAgeMs?: number;
  kdf?: KdfParams;
}

export type { AuditService };

export interface SecurityService {
  audit: AuditLog;
  accounts: AccountStore;
  sessions: SessionManager;
  policy: AuditPolicy;
  handlers: FeatureHandlers<typeof authMethods>;
  principalOf(sessionId: string | null, transport: Principal['transport']): Principal;
  stop(): void;
}

export interface SecurityDeps {
  dataDir: string;
  site: Site;
  isDemo: boolean;
  clock: Clock;
  log: Logger;
  /** The job worker that makes the audit report's PDF off the event loop (absent: in-process). */
  jobs?: WorkerJobs | null;
}

/** A user name as it may go into a row or a log line: invisible characters written as \u escapes. */
export function visibleName(name: string): string {
  return name.slice(0, 64).replace(/[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/gu, (char) => `\\u${(char.codePointAt(0) ?? 0).toString(16).padStart(4, '0')}`);
}

function sessionUser(account: Account): SessionUser {
  return { userName: account.userName, fullName: account.fullName, rank: account.rank, role: account.role };
}

export async function createSecurity(deps: SecurityDeps, config: SecurityConfig = {}): Promise<SecurityService> {
  const { clock, log } = deps;
  const db: Database.Database = openSecurityDb(deps.dataDir);
  const audit = new AuditLog(db, { clock, log });
  const accounts = new AccountStore(db, clock, config.kdf ?? DEFAULT_KDF);
  const sessions = new SessionManager(
    clock,
    { idleLockMs: config.idleLockMs ?? DEFAULT_SESSION_OPTIONS.idleLockMs, maxAgeMs: config.maxAgeMs ?? DEFAULT_SESSION_OPTIONS.maxAgeMs },
    sqliteSessionStore(db, clock.now()),
    (error) => log.warn('session not stored (it lives on until this core stops)', { error }),
  );
  sessions.wallWhileLocked = () => deps.site.security?.secondScreenWallWhileLocked === true;
  const throttle = new LoginThrottle(clock);
  const policy = new AuditPolicy(audit, sessions, clock);
  const timeZone = deps.site.timeZone ?? DEFAULT_TIME_ZONE;

  // the demo site: documented accounts, one per role (docs/security.md; shown on its log-in screen)
  if (deps.isDemo && accounts.count() === 0) {
    for (const demo of DEMO_ACCOUNTS) {
      await accounts.create(demo);
      audit.appendOrLog({ actor: SYSTEM_ACTOR, action: 'userCreated', detail: { userName: demo.userName, role: demo.role, demo: true } });
    }
    log.info('demo accounts created', { users: DEMO_ACCOUNTS.map((account) => account.userName) });
  }

  // what the session manager decides by itself (idle lock, expiry) is audited here
  sessions.onChange((change) => {
    if (change.type === 'locked' && change.reason === 'idle') audit.appendOrLog({ actor: change.session.user.userName, action: 'lock', detail: { reason: 'idle' } });
    if (change.type === 'ended') {
      policy.sessionEnded(change.session.id, change.session.user.userName);
      if (change.reason === 'expired') audit.appendOrLog({ actor: change.session.user.userName, action: 'sessionExpired' });
    }
    if (change.type === 'replaced') policy.sessionEnded(change.from.id, change.from.user.userName);
    // a session from before a restart of the core (crash or supervisor), woken by its cookie
    if (change.type === 'resumed') audit.appendOrLog({ actor: change.session.user.userName, action: 'sessionResumed', detail: { transport: change.session.transport, state: change.session.state } });
  });

  function authState(session: Session | null): AuthState {
    return {
      state: session ? session.state : accounts.count() === 0 ? 'setup' : 'signedOut',
      user: session ? session.user : null,
      idleLockMs: sessions.options.idleLockMs,
      demoAccounts: deps.isDemo ? DEMO_ACCOUNTS.map(({ userName, password, fullName, role }) => ({ userName, password, fullName, role })) : null,
    };
  }

  const refused = (reason: SignInRefusal, retryAfterMs = 0): Result<SignInOutcome> => ok({ status: 'refused', reason, retryAfterMs });
  const signedIn = (session: Session): Result<SignInOutcome> => ok({ status: 'signedIn', auth: authState(session) });

  /** Checks a user name and password with the growing delay; audits a failure. */
  async function checkPassword(userName: string, password: string, context: CallContext, failedAction: string): Promise<{ account: Account } | { refusal: Result<SignInOutcome> }> {
    const keys = [`user:${normalizeUserName(userName)}`, `client:${context.clientKey}`];
    const wait = throttle.retryAfterMs(keys);
    if (wait > 0) {
      audit.appendOrLog({ actor: visibleName(userName), action: failedAction, detail: { reason: 'throttled', client: context.clientKey } });
      return { refusal: refused('throttled', wait) };
    }
    if (userNameProblem(userName.normalize('NFC').trim())) {
      throttle.failed(keys);
      audit.appendOrLog({ actor: visibleName(userName), action: failedAction, detail: { reason: 'badUserName', client: context.clientKey } });
      return { refusal: refused('badUserName', throttle.retryAfterMs(keys)) };
    }
    const result = await accounts.authenticate(userName, password);
    if (!result.account) {
      throttle.failed(keys);
      audit.appendOrLog({ actor: visibleName(userName), action: failedAction, detail: { reason: result.reason, client: context.clientKey } });
      log.warn('sign-in refused', { reason: result.reason, client: context.clientKey });
      return { refusal: refused(result.reason === 'disabled' ? 'disabled' : 'wrongCredentials', throttle.retryAfterMs(keys)) };
    }
    throttle.succeeded(keys[0]!);
    return { account: result.account };
  }

  /** A new session for the caller (the old one of this caller ends). Refused when the log-in cannot be audited. */
  function startSession(account: Account, context: CallContext, transport: Principal['transport'], action = 'login'): Result<SignInOutcome> {
    const written = audit.append({ actor: account.userName, action, detail: { client: context.clientKey, role: account.role } });
    if (!written.ok) return fail('auditUnavailable', written.error.message);
    const previous = sessions.get(context.sessionId);
    if (previous) sessions.end(previous.id, 'switched');
    const session = sessions.create(sessionUser(account), transport);
    context.setSession(session.id);
    return signedIn(session);
  }

  const accountProblem = (error: unknown) => {
    if (error instanceof AccountError) return error.problem;
    throw error;
  };

  const handlers: FeatureHandlers<typeof authMethods> = {
    getAuthState: (_params, _principal, context) => ok(authState(sessions.get(context.sessionId))),

    async setupAdministrator(params, principal, context) {
      if (accounts.count() > 0) return ok({ outcome: { status: 'refused', reason: 'alreadySetUp', retryAfterMs: 0 }, problem: null });
      const written = audit.append({ actor: SYSTEM_ACTOR, action: 'setupAdministrator', detail: { userName: visibleName(params.userName), client: context.clientKey } });
      if (!written.ok) return fail('auditUnavailable', written.error.message);
      try {
        const account = await accounts.create({ ...params, role: 'administrator' });
        const outcome = startSession(account, context, principal.transport);
        return outcome.ok ? ok({ outcome: outcome.value, problem: null }) : outcome;
      } catch (error) {
        return ok({ outcome: null, problem: accountProblem(error) });
      }
    },

    async login({ userName, password }, principal, context) {
      const checked = await checkPassword(userName, password, context, 'loginFailed');
      if ('refusal' in checked) return checked.refusal;
      return startSession(checked.account, context, principal.transport);
    },

    logout(_params, _principal, context) {
      const session = sessions.get(context.sessionId);
      if (session) {
        audit.appendOrLog({ actor: session.user.userName, action: 'logout' });
        sessions.end(session.id, 'logout');
      }
      context.setSession(null);
      return ok(null);
    },

    lockSession(_params, _principal, context) {
      const session = sessions.get(context.sessionId);
      if (!session) return fail('unauthorized', 'noSession');
      // locking is never refused for the audit: it only takes rights away
      if (session.state === 'active') audit.appendOrLog({ actor: session.user.userName, action: 'lock', detail: { reason: 'button' } });
      sessions.lock(session.id, 'button');
      return ok(null);
    },

    async unlockSession({ password }, _principal, context) {
      const session = sessions.get(context.sessionId);
      if (!session) return refused('notSignedIn');
      const checked = await checkPassword(session.user.userName, password, context, 'unlockFailed');
      if ('refusal' in checked) return checked.refusal;
      const written = audit.append({ actor: session.user.userName, action: 'unlock' });
      if (!written.ok) return fail('auditUnavailable', written.error.message);
      sessions.unlock(session.id);
      return signedIn(session);
    },

    async switchUser({ userName, password }, principal, context) {
      const session = sessions.get(context.sessionId);
      const checked = await checkPassword(userName, password, context, 'loginFailed');
      if ('refusal' in checked) return checked.refusal;
      if (!session) return startSession(checked.account, context, principal.transport);
      const written = audit.append({ actor: checked.account.userName, action: 'switchUser', detail: { from: session.user.userName, to: checked.account.userName, client: context.clientKey } });
      if (!written.ok) return fail('auditUnavailable', written.error.message);
      const next = sessions.replace(session.id, sessionUser(checked.account));
      if (!next) return refused('notSignedIn');
      context.setSession(next.id);
      return signedIn(next);
    },

    touchSession(_params, _principal, context) {
      if (context.sessionId) sessions.touch(context.sessionId);
      return ok(null);
    },

    async recoverAdministrator({ code, userName, newPassword }, principal, context) {
      const keys = [`recovery`, `client:${context.clientKey}`];
      const wait = throttle.retryAfterMs(keys);
      if (wait > 0) return ok({ outcome: { status: 'refused', reason: 'throttled', retryAfterMs: wait }, problem: null });
      if (!(await accounts.redeemRecoveryCode(code))) {
        throttle.failed(keys);
        audit.appendOrLog({ actor: visibleName(userName), action: 'recoveryFailed', detail: { client: context.clientKey } });
        return ok({ outcome: { status: 'refused', reason: 'badRecoveryCode', retryAfterMs: throttle.retryAfterMs(keys) }, problem: null });
      }
      const written = audit.append({ actor: SYSTEM_ACTOR, action: 'recoveryUsed', detail: { userName: visibleName(userName), client: context.clientKey } });
      if (!written.ok) return fail('auditUnavailable', written.error.message);
      try {
        const existing = accounts.get(userName);
        if (existing) {
          await accounts.setPassword(userName, newPassword);
          accounts.update(userName, { role: 'administrator', enabled: true });
          sessions.endUser(userName);
        } else {
          await accounts.create({ userName, fullName: userName, rank: '', role: 'administrator', password: newPassword });
        }
      } catch (error) {
        return ok({ outcome: null, problem: accountProblem(error) });
      }
      const outcome = startSession(accounts.get(userName)!, context, principal.transport);
      return outcome.ok ? ok({ outcome: outcome.value, problem: null }) : outcome;
    },

    listUsers: () => ok(accounts.list()),

    async createUser(params, principal) {
      const written = audit.append({ actor: actorOf(principal), action: 'userCreated', detail: { userName: visibleName(params.userName), fullName: params.fullName, rank: params.rank, role: params.role } });
      if (!written.ok) return fail('auditUnavailable', written.error.message);
      try {
        return ok({ account: await accounts.create(params), problem: null });
      } catch (error) {
        const problem = accountProblem(error);
        audit.appendOrLog({ actor: actorOf(principal), action: 'userCreatedFailed', detail: { userName: visibleName(params.userName), problem } });
        return ok({ account: null, problem });
      }
    },

    async updateUser({ userName, password, ...change }, principal) {
      const current = accounts.get(userName);
      if (!current) return ok({ account: null, problem: { field: 'userName', problem: 'unknown' } });
      const losesAdmin = current.role === 'administrator' && current.enabled && ((change.role !== undefined && change.role !== 'administrator') || change.enabled === false);
      if (losesAdmin && accounts.enabledAdministrators() <= 1) return ok({ account: null, problem: { field: 'role', problem: 'lastAdministrator' } });
      const written = audit.append({ actor: actorOf(principal), action: 'userChanged', detail: { userName: current.userName, ...change, password: password === undefined ? undefined : '***' } });
      if (!written.ok) return fail('auditUnavailable', written.error.message);
      try {
        if (password !== undefined) await accounts.setPassword(userName, password);
        const account = accounts.update(userName, change as Parameters<AccountStore['update']>[1]);
        if (change.enabled === false || (change.role !== undefined && change.role !== current.role) || password !== undefined) sessions.endUser(userName);
        return ok({ account, problem: null });
      } catch (error) {
        return ok({ account: null, problem: accountProblem(error) });
      }
    },

    auditQuery: ({ limit, beforeSeq, ...filter }) => ok({ rows: audit.query({ ...filter, limit, beforeSeq }), actors: audit.distinctActors(), headHash: audit.headHash() }),

    async auditVerify(_params, principal) {
      const report = await audit.verifyInBatches();
      audit.appendOrLog({ actor: actorOf(principal), action: 'auditVerified', detail: { ok: report.ok, rows: report.rows, firstBad: report.firstBad } });
      return ok(report);
    },

    async auditExport({ format, ...filter }, principal) {
      const rows = audit.query({ ...filter, limit: 10000 }).reverse();
      const written = audit.append({ actor: actorOf(principal), action: 'auditExported', detail: { format, filter, rows: rows.length } });
      if (!written.ok) return fail('auditUnavailable', written.error.message);
      const stamp = new Date(clock.now()).toISOString().replace(/[:.]/g, '-').slice(0, 19);
      let data: Buffer;
      if (format === 'csv') data = auditCsv(rows, timeZone);
      else {
        // the chain walked in batches, the event loop free between them (a million rows take seconds)
        const report = await audit.verifyInBatches();
        const filterText = Object.entries(filter)
          .filter(([, value]) => value !== undefined)
          .map(([key, value]) => `${key}=${key.endsWith('Ms') ? new Date(value as number).toISOString() : String(value)}`)
          .join(', ');
        data = await inWorkerOrHere<AuditPdfInput>(deps.jobs, 'auditPdf', { rows, info: {
          station: deps.site.name,
          timeZone,
          createdMs: clock.now(),
          createdBy: displayNameOf(principal) ?? actorOf(principal),
          filter: filterText,
          headHash: report.headHash,
          verified: { ok: report.ok, rows: report.rows, firstBadSeq: report.firstBad?.seq ?? null },
        } }, (input) => auditPdf(input.rows, input.info));
      }
      const fileName = `NhatKy_${stamp}.${format}`;
      // a copy stays in DATA/audit-exports (owner-only) whatever the browser does with the download
      const folder = path.join(deps.dataDir, 'audit-exports');
      fs.mkdirSync(folder, { recursive: true, mode: 0o700 });
      fs.writeFileSync(path.join(folder, fileName), data, { mode: 0o600 });
      return ok({ fileName, mimeType: format === 'csv' ? 'text/csv' : 'application/pdf', base64: data.toString('base64'), rows: rows.length });
    },
  };

  return {
    audit,
    accounts,
    sessions,
    policy,
    handlers,
    principalOf(sessionId, transport) {
      const session = sessions.get(sessionId);
      if (!session) return { role: null, permissions: new Set<Permission>(['signIn']), transport, user: null, sessionId: null };
      const user = { userName: session.user.userName, fullName: session.user.fullName, rank: session.user.rank };
      if (session.state === 'locked') return { role: session.user.role, permissions: new Set<Permission>(['signIn']), transport, user, sessionId: session.id, locked: true };
      return { role: session.user.role, permissions: permissionsOf(session.user.role), transport, user, sessionId: session.id };
    },
    stop() {
      sessions.stop();
      db.close();
    },
  };
}
