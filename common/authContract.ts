import { z } from 'zod';
import { FULL_NAME_MAX, PASSWORD_MAX, RANK_MAX, USER_NAME_MAX } from './accounts';
import { ROLE_NAMES, type Role } from './permissions';
import { method, NoParams } from './contractKit';

/**
 * Contract of log-in, sessions, accounts and the audit trail (issue 15, docs/security.md).
 * The `signIn` methods are open to every caller (no session needed); everything else needs a
 * session whose user's role holds the method's permission.
 */
const RoleSchema = z.enum(ROLE_NAMES as [Role, ...Role[]]);
const UserNameParam = z.string().min(1).max(USER_NAME_MAX * 4);
const PasswordParam = z.string().min(1).max(PASSWORD_MAX * 4);

export const SessionUserSchema = z.object({ userName: z.string(), fullName: z.string(), rank: z.string(), role: RoleSchema });
export type SessionUserInfo = z.infer<typeof SessionUserSchema>;

export const AUTH_STATES = ['setup', 'signedOut', 'active', 'locked'] as const;
export const AuthStateSchema = z.object({
  /** setup: no account exists yet (first start asks for the administrator). */
  state: z.enum(AUTH_STATES),
  user: SessionUserSchema.nullable(),
  /** Lock after this long without input (0: never). */
  idleLockMs: z.number().int().nonnegative(),
  /** The demo site's documented accounts, shown on its log-in screen; null on a real site. */
  demoAccounts: z.array(z.object({ userName: z.string(), password: z.string(), fullName: z.string(), role: RoleSchema })).nullable(),
});
export type AuthState = z.infer<typeof AuthStateSchema>;

export const SIGN_IN_REFUSALS = ['wrongCredentials', 'disabled', 'throttled', 'badUserName', 'badRecoveryCode', 'alreadySetUp', 'notSignedIn'] as const;
export type SignInRefusal = (typeof SIGN_IN_REFUSALS)[number];
export const SignInOutcomeSchema = z.discriminatedUnion('status', [
  z.object({ status: z.literal('signedIn'), auth: AuthStateSchema }),
  z.object({ status: z.literal('refused'), reason: z.enum(SIGN_IN_REFUSALS), retryAfterMs: z.number().int().nonnegative() }),
]);
export type SignInOutcome = z.infer<typeof SignInOutcomeSchema>;

export const ACCOUNT_FIELDS = ['userName', 'fullName', 'rank', 'password', 'role'] as const;
export const ACCOUNT_PROBLEMS = ['empty', 'tooLong', 'tooShort', 'invisibleCharacter', 'badCharacter', 'taken', 'unknown', 'lastAdministrator'] as const;
export const AccountProblemSchema = z.object({ field: z.enum(ACCOUNT_FIELDS), problem: z.enum(ACCOUNT_PROBLEMS) });
export type AccountProblemInfo = z.infer<typeof AccountProblemSchema>;

export const AccountSchema = z.object({
  userName: z.string(),
  fullName: z.string(),
  rank: z.string(),
  role: RoleSchema,
  enabled: z.boolean(),
  createdMs: z.number(),
  changedMs: z.number(),
});
export type AccountInfo = z.infer<typeof AccountSchema>;

export const NewAccountSchema = z.strictObject({
  userName: UserNameParam,
  fullName: z.string().max(FULL_NAME_MAX * 4),
  rank: z.string().max(RANK_MAX * 4).default(''),
  role: RoleSchema,
  password: PasswordParam,
});

const AccountResultSchema = z.object({ account: AccountSchema.nullable(), problem: AccountProblemSchema.nullable() });

export const AuditRowSchema = z.object({
  seq: z.number().int().positive(),
  atMs: z.number(),
  actor: z.string(),
  action: z.string(),
  cameraId: z.string().nullable(),
  detail: z.string(),
  rowHash: z.string(),
});
export type AuditRowInfo = z.infer<typeof AuditRowSchema>;

export const AuditFilterSchema = z.strictObject({
  actor: z.string().max(64).optional(),
  cameraId: z.string().max(64).optional(),
  action: z.string().max(64).optional(),
  fromMs: z.number().int().nonnegative().optional(),
  toMs: z.number().int().nonnegative().optional(),
});
export type AuditFilter = z.infer<typeof AuditFilterSchema>;

export const VerifyReportSchema = z.object({
  ok: z.boolean(),
  rows: z.number().int().nonnegative(),
  headHash: z.string(),
  firstBad: z.object({ seq: z.number().int(), problem: z.enum(['contentChanged', 'rowMissing', 'chainBroken', 'outOfOrder']) }).nullable(),
});
export type VerifyReportInfo = z.infer<typeof VerifyReportSchema>;

/** Audit actions (docs/security.md lists what each one's detail holds). */
export const AUDIT_ACTIONS = [
  'login', 'loginFailed', 'logout', 'lock', 'unlock', 'unlockFailed', 'switchUser', 'sessionExpired', 'sessionResumed',
  'setupAdministrator', 'recoveryCodeIssued', 'recoveryUsed', 'recoveryFailed',
  'userCreated', 'userChanged',
  'liveView', 'playback', 'snapshot', 'bookmarkCreated', 'bookmarkChanged', 'bookmarkDeleted',
  'exportStarted', 'exportFinished', 'exportFailed', 'exportCancelled',
  'ptzAcquire', 'ptzRelease', 'ptzPresetSet', 'ptzPresetDeleted', 'ptzPresetGoto', 'ptzMove',
  'deviceChanged', 'siteChanged', 'mapChanged', 'footageDeleted', 'recordingRecovered', 'clockJump',
  'coreStarted', 'coreStopped', 'coreCrashed', 'auditExported', 'auditVerified',
  'footageVerified', 'footageQuarantined', 'footageAltered',
  'holdPlaced', 'holdReleased', 'heldFloor',
] as const;
export type AuditActionName = (typeof AUDIT_ACTIONS)[number];

export const authMethods = {
  getAuthState: method({ permission: 'signIn', params: NoParams, result: AuthStateSchema }),
  /** First start only (no account exists): creates the administrator and signs in. */
  setupAdministrator: method({
    permission: 'signIn',
    params: NewAccountSchema.omit({ role: true }),
    result: z.object({ outcome: SignInOutcomeSchema.nullable(), problem: AccountProblemSchema.nullable() }),
  }),
  login: method({ permission: 'signIn', params: z.strictObject({ userName: UserNameParam, password: PasswordParam }), result: SignInOutcomeSchema }),
  logout: method({ permission: 'signIn', params: NoParams, result: z.null() }),
  lockSession: method({ permission: 'signIn', params: NoParams, result: z.null() }),
  unlockSession: method({ permission: 'signIn', params: z.strictObject({ password: PasswordParam }), result: SignInOutcomeSchema }),
  /** Shift change: another user signs in on this window; live views keep playing. */
  switchUser: method({ permission: 'signIn', params: z.strictObject({ userName: UserNameParam, password: PasswordParam }), result: SignInOutcomeSchema }),
  /** The page saw user input (at most every few seconds): postpones the idle lock. */
  touchSession: method({ permission: 'signIn', params: NoParams, result: z.null() }),
  /** A forgotten administrator password: the one-time code printed by `npm run users -- recover` on the station PC. */
  recoverAdministrator: method({
    permission: 'signIn',
    params: z.strictObject({ code: z.string().min(1).max(64), userName: UserNameParam, newPassword: PasswordParam }),
    result: z.object({ outcome: SignInOutcomeSchema.nullable(), problem: AccountProblemSchema.nullable() }),
  }),
  listUsers: method({ permission: 'configure', params: NoParams, result: z.array(AccountSchema) }),
  createUser: method({ permission: 'configure', params: NewAccountSchema, result: AccountResultSchema }),
  updateUser: method({
    permission: 'configure',
    params: z.strictObject({
      userName: UserNameParam,
      fullName: z.string().max(FULL_NAME_MAX * 4).optional(),
      rank: z.string().max(RANK_MAX * 4).optional(),
      role: RoleSchema.optional(),
      enabled: z.boolean().optional(),
      password: PasswordParam.optional(),
    }),
    result: AccountResultSchema,
  }),
  auditQuery: method({
    permission: 'configure',
    params: AuditFilterSchema.extend({ limit: z.number().int().positive().max(5000).default(500), beforeSeq: z.number().int().positive().optional() }),
    result: z.object({ rows: z.array(AuditRowSchema), actors: z.array(z.string()), headHash: z.string() }),
  }),
  auditVerify: method({ permission: 'configure', params: NoParams, result: VerifyReportSchema }),
  /** The filtered rows as a CSV or a PDF (Vietnamese) for an inspector: the file's bytes, base64. */
  auditExport: method({
    permission: 'configure',
    params: AuditFilterSchema.extend({ format: z.enum(['csv', 'pdf']) }),
    result: z.object({ fileName: z.string(), mimeType: z.string(), base64: z.string(), rows: z.number().int().nonnegative() }),
  }),
} as const;

export const authEvents = {} as const;
