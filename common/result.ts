import { z } from 'zod';

/**
 * Error codes that cross a process boundary. The UI turns each into a sentence a duty officer
 * understands (`errors.<code>` in the locale files); `message` is for logs and developers.
 */
export const ERROR_CODES = [
  'badRequest',
  'unauthorized',
  'forbidden',
  'notFound',
  'unavailable',
  'timeout',
  'internal',
  /** The audit trail cannot be written (database locked, disk full): the audited action was refused. */
  'auditUnavailable',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

export const ContractErrorSchema = z.object({
  code: z.enum(ERROR_CODES),
  message: z.string().max(2000),
  /**
   * A feature's own reason, a word the page translates (`exportClip.errors.<reason>`): typed, so no
   * page reads a code back out of `message`. Absent: `code` says all there is.
   */
  reason: z.string().regex(/^[a-zA-Z]{1,48}$/).optional(),
});
export type ContractError = z.infer<typeof ContractErrorSchema>;

/** Tagged result: nothing is thrown across a boundary. */
export type Result<T> = { ok: true; value: T } | { ok: false; error: ContractError };

export function ok<T>(value: T): Result<T> {
  return { ok: true, value };
}

export function fail<T = never>(code: ErrorCode, message: string, reason?: string): Result<T> {
  return { ok: false, error: reason === undefined ? { code, message } : { code, message, reason } };
}

export function resultSchema<T extends z.ZodType>(value: T) {
  return z.discriminatedUnion('ok', [
    z.object({ ok: z.literal(true), value }),
    z.object({ ok: z.literal(false), error: ContractErrorSchema }),
  ]);
}

/** A short, log-safe description of a schema failure: paths and codes, never the values. */
export function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.code}`)
    .join('; ');
}
