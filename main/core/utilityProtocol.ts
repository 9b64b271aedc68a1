import { z } from 'zod';
import { EventEnvelopeSchema } from '../../common/contract';

/** Messages between the Electron main process and the core in its utility process. */
export const ToCoreSchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('start'),
    sitePath: z.string().nullable(),
    dataDir: z.string(),
    language: z.enum(['vi', 'en']),
    ffmpegPath: z.string().nullable(),
    /** base64 of the 32-byte credentials key unwrapped with safeStorage; null: the core's key file. */
    credentialsKey: z.string().regex(/^[A-Za-z0-9+/]{43}=$/).nullable(),
    /** The live socket's port and token: the same across restarts, so windows reconnect by themselves (0/absent: pick). */
    port: z.number().int().min(0).max(65535).optional(),
    token: z.string().regex(/^[A-Za-z0-9_-]{20,}$/).optional(),
    /** The host's session before a restart of the core (kept by the main process, in memory only): the windows stay signed in. */
    hostSessionId: z.string().regex(/^[A-Za-z0-9_-]{43}$/).nullable().optional(),
    /** --idle-lock SECONDS given to the app (0: never); absent: the site's or the default. */
    idleLockSeconds: z.number().int().min(0).max(86400).nullable().optional(),
    /** --demo-trouble on|off given to the app; absent/null: the default (on, demo only). */
    demoTrouble: z.boolean().nullable().optional(),
  }),
  z.object({ type: z.literal('call'), id: z.number().int(), method: z.string(), params: z.unknown() }),
  z.object({ type: z.literal('stop') }),
  /** Are you alive? (the host's hang watch, restartPolicy.ts HANG): answered by `pong` from the core's event loop. */
  z.object({ type: z.literal('ping'), id: z.number().int() }),
]);
export type ToCore = z.infer<typeof ToCoreSchema>;

export const FromCoreSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('ready'), liveUrl: z.string(), port: z.number().int() }),
  z.object({ type: z.literal('startFailed'), message: z.string(), locked: z.boolean().optional() }),
  z.object({ type: z.literal('result'), id: z.number().int(), result: z.unknown() }),
  z.object({ type: z.literal('event'), envelope: EventEnvelopeSchema }),
  /** The host's session changed (log-in, switch user, log-out): the main process keeps it for a restart. */
  z.object({ type: z.literal('hostSession'), id: z.string().nullable() }),
  z.object({ type: z.literal('pong'), id: z.number().int() }),
]);
export type FromCore = z.infer<typeof FromCoreSchema>;
