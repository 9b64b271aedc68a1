import { z } from 'zod';
import { CAMERA_ID_PATTERN, STREAM_KINDS } from './site';
import type { Permission } from './permissions';

/**
 * The pieces every part of the contract is made of. The contract is split by feature
 * (contract.ts: site, live, recording; ptzContract.ts, mapContract.ts, playbackContract.ts,
 * exportContract.ts); contract.ts merges them into the one `methods` and `events` table that
 * both hosts carry. Feature files import only from here, never from contract.ts.
 */

export const CameraId = z.string().regex(CAMERA_ID_PATTERN);
export const StreamKindSchema = z.enum(STREAM_KINDS);
export const NoParams = z.strictObject({});

export interface MethodDefinition<P extends z.ZodType = z.ZodType, R extends z.ZodType = z.ZodType> {
  /** Checked by the core before the handler runs. */
  permission: Permission;
  params: P;
  result: R;
}

export function method<P extends z.ZodType, R extends z.ZodType>(definition: MethodDefinition<P, R>): MethodDefinition<P, R> {
  return definition;
}
