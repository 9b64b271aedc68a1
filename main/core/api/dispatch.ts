import { isMethodName, methods, resultSchemaOf, type MethodName, type ParsedParamsOf, type ResultOf } from '../../../common/contract';
import { describeIssues, fail, type Result } from '../../../common/result';
import { permissionsOf, type Permission, type Role } from '../../../common/permissions';
import type { Logger } from '../log/logger';

/** Who is calling, and through which host. */
export interface Principal {
  role: Role;
  permissions: ReadonlySet<Permission>;
  transport: 'http' | 'ipc';
}

export function principalFor(role: Role, transport: Principal['transport']): Principal {
  return { role, permissions: permissionsOf(role), transport };
}

export type Handlers = {
  [M in MethodName]: (params: ParsedParamsOf<M>, principal: Principal) => Promise<ResultOf<M>> | ResultOf<M>;
};

export type Dispatch = (principal: Principal, method: unknown, params: unknown) => Promise<Result<unknown>>;

/**
 * The single entry of every call, whatever the host: unknown method → badRequest; missing
 * permission → forbidden (before the handler runs); params parsed by the method's schema (never
 * cast); the handler's own result checked against the contract; a throw becomes `internal`.
 */
export function createDispatcher(handlers: Partial<Handlers>, log: Logger): Dispatch {
  return async function dispatch(principal, method, params) {
    if (!isMethodName(method)) return fail('badRequest', 'unknown method');
    const definition = methods[method];
    if (!principal.permissions.has(definition.permission)) {
      log.warn('call refused: missing permission', { method, role: principal.role, permission: definition.permission });
      return fail('forbidden', `permission ${definition.permission} required`);
    }
    const parsed = definition.params.safeParse(params ?? {});
    if (!parsed.success) return fail('badRequest', `invalid params: ${describeIssues(parsed.error)}`);
    const handler = handlers[method] as ((params: unknown, principal: Principal) => Promise<Result<unknown>> | Result<unknown>) | undefined;
    // core.ts serves every method (its table is typed complete); tests may serve a part
    if (!handler) return fail('unavailable', 'method not served here');
    try {
      const result = await handler(parsed.data, principal);
      const checked = resultSchemaOf(method).safeParse(result);
      if (!checked.success) {
        log.error('handler returned a value outside the contract', { method, issues: describeIssues(checked.error) });
        return fail('internal', 'invalid result');
      }
      return result;
    } catch (error) {
      log.error('handler failed', { method, error });
      return fail('internal', 'handler failed');
    }
  };
}
