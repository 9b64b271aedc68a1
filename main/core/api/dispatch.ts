import { isMethodName, methods, resultSchemaOf, type MethodName, type ParsedParamsOf, type ResultOf } from '../../../common/contract';
import { describeIssues, fail, type Result } from '../../../common/result';
import { permissionsOf, type Permission, type Role } from '../../../common/permissions';
import type { Logger } from '../log/logger';

/** The user behind a call (from the server-side session; never from the request). */
export interface PrincipalUser {
  userName: string;
  fullName: string;
  rank: string;
}

/** Who is calling, and through which host. */
export interface Principal {
  /** null: no session (only `signIn` methods are allowed). */
  role: Role | null;
  permissions: ReadonlySet<Permission>;
  transport: 'http' | 'ipc';
  /** null for the core's own in-process calls (tests, tools) and for callers without a session. */
  user: PrincipalUser | null;
  sessionId: string | null;
  /** The session is locked: nothing but the sign-in calls (unlock) until it is unlocked. */
  locked?: boolean;
}

/** An in-process principal (the core's own calls and tests): trusted, no session. */
export function principalFor(role: Role, transport: Principal['transport'], user: PrincipalUser | null = null): Principal {
  return { role, permissions: permissionsOf(role), transport, user, sessionId: null };
}

/** Name to record for who did something: the session's user, else the role (in-process calls). */
export function actorOf(principal: Principal): string {
  return principal.user?.userName ?? principal.role ?? 'anonymous';
}

/** "Thượng úy Lê Thị Trực" — shown to other operators and printed on the biên bản. */
export function displayNameOf(principal: Principal): string | null {
  if (!principal.user) return null;
  return [principal.user.rank, principal.user.fullName].filter((part) => part.trim().length > 0).join(' ');
}

/** Where a call came from, for the auth methods (browser: cookie; Electron: the core's slot for the host). */
export interface CallContext {
  /** Throttling key of the client ('http:127.0.0.1', 'ipc'). */
  clientKey: string;
  /** The session the call came with, even a locked one. */
  sessionId: string | null;
  /** Bind (or clear) the caller's session: browser mode sets or clears the cookie. */
  setSession(id: string | null): void;
}

export const NO_CALL_CONTEXT: CallContext = { clientKey: 'in-process', sessionId: null, setSession: () => undefined };

export type Handlers = {
  [M in MethodName]: (params: ParsedParamsOf<M>, principal: Principal, context: CallContext) => Promise<ResultOf<M>> | ResultOf<M>;
};

export type Dispatch = (principal: Principal, method: unknown, params: unknown, context?: CallContext) => Promise<Result<unknown>>;

/** Checks between the permission and the handler (security/feature.ts: client ownership, audit rows). */
export interface DispatchHooks {
  /** A failure refuses the call before the handler runs (e.g. the audit row could not be written). */
  before(principal: Principal, method: MethodName, params: unknown): Result<null>;
  after(principal: Principal, method: MethodName, params: unknown, result: Result<unknown>): void;
}

/**
 * The single entry of every call, whatever the host: unknown method → badRequest; missing
 * permission → forbidden (before the handler runs); params parsed by the method's schema (never
 * cast); the hooks (ownership, audit); the handler's own result checked against the contract; a
 * throw becomes `internal`.
 */
export function createDispatcher(handlers: Partial<Handlers>, log: Logger, hooks: DispatchHooks | null = null): Dispatch {
  return async function dispatch(principal, method, params, context = NO_CALL_CONTEXT) {
    if (!isMethodName(method)) return fail('badRequest', 'unknown method');
    const definition = methods[method];
    if (!principal.permissions.has(definition.permission)) {
      if (principal.role === null) return fail('unauthorized', 'noSession');
      if (principal.locked) return fail('unauthorized', 'locked');
      log.warn('call refused: missing permission', { method, role: principal.role, permission: definition.permission });
      return fail('forbidden', `permission ${definition.permission} required`);
    }
    const parsed = definition.params.safeParse(params ?? {});
    if (!parsed.success) return fail('badRequest', `invalid params: ${describeIssues(parsed.error)}`);
    const handler = handlers[method] as ((params: unknown, principal: Principal, context: CallContext) => Promise<Result<unknown>> | Result<unknown>) | undefined;
    // core.ts serves every method (its table is typed complete); tests may serve a part
    if (!handler) return fail('unavailable', 'method not served here');
    if (hooks) {
      const allowed = hooks.before(principal, method, parsed.data);
      if (!allowed.ok) return allowed;
    }
    try {
      const result = await handler(parsed.data, principal, context);
      const checked = resultSchemaOf(method).safeParse(result);
      if (!checked.success) {
        log.error('handler returned a value outside the contract', { method, issues: describeIssues(checked.error) });
        return fail('internal', 'invalid result');
      }
      hooks?.after(principal, method, parsed.data, result);
      return result;
    } catch (error) {
      log.error('handler failed', { method, error });
      return fail('internal', 'handler failed');
    }
  };
}
