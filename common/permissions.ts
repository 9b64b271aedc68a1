/**
 * What a caller may do. Every contract method names the one permission it needs; the core checks
 * it before the handler runs, so adding roles never touches the handlers.
 */
export const PERMISSIONS = ['viewLive', 'playback', 'controlPtz', 'export', 'configure'] as const;
export type RolePermission = (typeof PERMISSIONS)[number];
/**
 * `signIn`: the log-in, lock and unlock calls. Every caller has it, with or without a session,
 * and it is all a locked session has (issue 15).
 */
export type Permission = RolePermission | 'signIn';

/** The station's roles (see docs/glossary.md and docs/security.md): the principal of a call is the session's user's role. */
export const ROLES = {
  dutyOfficer: ['viewLive', 'playback'],
  ptzOperator: ['viewLive', 'playback', 'controlPtz'],
  clerk: ['viewLive', 'playback', 'export'],
  administrator: [...PERMISSIONS],
} as const satisfies Record<string, readonly RolePermission[]>;
export type Role = keyof typeof ROLES;
export const ROLE_NAMES = Object.keys(ROLES) as Role[];

export function permissionsOf(role: Role): ReadonlySet<Permission> {
  return new Set<Permission>([...ROLES[role], 'signIn']);
}
