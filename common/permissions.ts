/**
 * What a caller may do. Every contract method names the one permission it needs; the core checks
 * it before the handler runs, so adding roles never touches the handlers.
 */
export const PERMISSIONS = ['viewLive', 'playback', 'controlPtz', 'export', 'configure'] as const;
export type Permission = (typeof PERMISSIONS)[number];

/** The station's roles (see docs/glossary.md). Log-in is not built yet: every session is an administrator. */
export const ROLES = {
  dutyOfficer: ['viewLive', 'playback'],
  ptzOperator: ['viewLive', 'playback', 'controlPtz'],
  clerk: ['viewLive', 'playback', 'export'],
  administrator: [...PERMISSIONS],
} as const satisfies Record<string, readonly Permission[]>;
export type Role = keyof typeof ROLES;
export const ROLE_NAMES = Object.keys(ROLES) as Role[];

export function permissionsOf(role: Role): ReadonlySet<Permission> {
  return new Set<Permission>(ROLES[role]);
}
