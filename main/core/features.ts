import type { z } from 'zod';
import type { EventEnvelope } from '../../common/contract';
import type { MethodDefinition } from '../../common/contractKit';
import type { Result } from '../../common/result';
import type { Site } from '../../common/site';
import type { SiteStore } from './site/siteStore';
import type { CallContext, Principal } from './api/dispatch';
import type { FfmpegInfo } from './ffmpeg/probe';
import type { ProcessRegistry } from './ffmpeg/supervisor';
import type { Logger } from './log/logger';
import type { LiveService } from './media/liveService';
import type { SourceHub } from './media/sourceHub';
import type { RecordingService } from './recording/recordingService';
import type { Clock } from './util/clock';
import type { WorkerJobs } from './util/workerJobs';
import type { VirtualPtzCameras } from './demo/virtualPtz';
import type { MapFeatureCollection } from '../../common/mapContract';
import type { AuditEvent } from './security/auditLog';

/**
 * What the composition root (core.ts) gives every feature (PTZ and devices, map, playback,
 * export). A feature owns its folder under main/core/, its contract file in common/ and its
 * handlers; core.ts only creates it, merges its handlers and starts/stops it.
 */
export interface FeatureDeps {
  site: Site;
  /**
   * The site file's one owner: adding and placing cameras, settings, its `camerasChanged` event.
   * `site` above is `siteStore.site`, to read only.
   */
  siteStore: SiteStore;
  isDemo: boolean;
  dataDir: string;
  version: string;
  /** The credentials data key unwrapped by the host (Electron safeStorage), else null: key file. */
  credentialsKey: Buffer | null;
  ffmpeg: FfmpegInfo | null;
  clock: Clock;
  /** Already scoped to the feature. */
  log: Logger;
  registry: ProcessRegistry;
  hub: SourceHub;
  live: LiveService;
  recording: RecordingService;
  /** Send an event to every connected UI (validated against the contract on the way). */
  emit(envelope: EventEnvelope): void;
  /** A live client (one UI window or tab) went away: release what it held (PTZ, playback). */
  onLiveClientGone(listener: (liveClientId: string) => void): () => void;
  /** The audit trail's one writer (issue 15): record what the feature does for whom. */
  audit: AuditService;
  /** The demo's virtual PTZ heads (demo site only; null or absent elsewhere). */
  virtualPtz?: VirtualPtzCameras | null;
  /** The built-in commune map (roads for neighbours), loaded once by core.ts on first use; null when missing. */
  builtinMap?: () => MapFeatureCollection | null;
  /** Heavy work of the core's own (PDFs) in a worker thread with limits (absent: in-process). */
  jobs?: WorkerJobs | null;
}

/** The audit writer as features see it (core.ts hands it to every feature; issue 15, and custody later). */
export interface AuditService {
  /** Writes one row; a failure means: refuse the action (`auditUnavailable`). */
  append(event: AuditEvent): Result<unknown>;
  /** For what already happened: never refuses, logs when the row cannot be written. */
  appendOrLog(event: AuditEvent): void;
  /** The chain head (last row's hash), printed on every biên bản. */
  headHash(): string;
}

/** The handlers of one contract file's methods. */
export type FeatureHandlers<M extends Record<string, MethodDefinition>> = {
  [K in keyof M]: (params: z.output<M[K]['params']>, principal: Principal, context: CallContext) => Promise<Result<z.output<M[K]['result']>>> | Result<z.output<M[K]['result']>>;
};

export interface CoreFeature<M extends Record<string, MethodDefinition>> {
  handlers: FeatureHandlers<M>;
  /** After the server is up. */
  start?(): Promise<void> | void;
  /** Before the media services stop. */
  stop?(): Promise<void> | void;
}
