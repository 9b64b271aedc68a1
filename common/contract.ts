import { z } from 'zod';
import { PERMISSIONS, ROLE_NAMES } from './permissions';
import { resultSchema, type Result } from './result';
import { CameraId, method, NoParams, StreamKindSchema } from './contractKit';
import { ptzEvents, ptzMethods } from './ptzContract';
import { mapEvents, mapMethods } from './mapContract';
import { playbackEvents, playbackMethods } from './playbackContract';
import { exportEvents, exportMethods } from './exportContract';
import { authMethods } from './authContract';

/**
 * The one contract between the UI and the core. Both hosts (Electron IPC, browser HTTP/WebSocket)
 * carry exactly these methods and events; both sides validate with these schemas. No method or
 * event name is written anywhere else.
 */

// ---- shared shapes -------------------------------------------------------------------------

export { CameraId, StreamKindSchema };

/** Connection state of one camera stream, as the core sees its pull. */
export const STREAM_STATES = ['idle', 'connecting', 'live', 'reconnecting', 'offline'] as const;
export type StreamState = (typeof STREAM_STATES)[number];

/** Why a stream is not live, as a code the UI translates (`streamProblems.<code>`). */
export const STREAM_PROBLEMS = [
  'unreachable',
  'authFailed',
  'notFound',
  'noData',
  'badStream',
  'ffmpegMissing',
  'ended',
] as const;
export type StreamProblem = (typeof STREAM_PROBLEMS)[number];

export const StreamStatusSchema = z.object({
  cameraId: CameraId,
  stream: StreamKindSchema,
  state: z.enum(STREAM_STATES),
  /** Wall-clock ms since which the stream has been in this state. */
  sinceMs: z.number(),
  problem: z.enum(STREAM_PROBLEMS).nullable(),
  codec: z.string().max(32).nullable(),
  widthPx: z.number().int().nonnegative().nullable(),
  heightPx: z.number().int().nonnegative().nullable(),
  /** Grows with every change: the UI keeps the newest of an event and a list (see nextRevision). */
  revision: z.number().int().nonnegative(),
});
export type StreamStatus = z.infer<typeof StreamStatusSchema>;

export const CameraSummarySchema = z.object({
  id: CameraId,
  name: z.string(),
  village: z.string().nullable(),
  latitude: z.number().nullable(),
  longitude: z.number().nullable(),
  headingDeg: z.number().nullable(),
  ptz: z.boolean(),
  streams: z.array(StreamKindSchema).min(1),
});
export type CameraSummary = z.infer<typeof CameraSummarySchema>;

export const SiteSummarySchema = z.object({
  name: z.string(),
  timeZone: z.string(),
  cameraCount: z.number().int().nonnegative(),
  isDemo: z.boolean(),
  /** The site's `playback.instantReplaySeconds` (absent: DEFAULT_INSTANT_REPLAY_SECONDS). */
  instantReplaySeconds: z.number().int().min(5).max(600).optional(),
});
export type SiteSummary = z.infer<typeof SiteSummarySchema>;

export const SessionInfoSchema = z.object({
  role: z.enum(ROLE_NAMES as [string, ...string[]]),
  permissions: z.array(z.enum(PERMISSIONS)),
  /** Where the renderer opens the live-media WebSocket. */
  liveUrl: z.string(),
  /** Token for that socket when the host cannot use a cookie (Electron); null in browser mode. */
  liveToken: z.string().nullable(),
  version: z.string(),
  host: z.enum(['electron', 'browser']),
  /** The signed-in user (issue 15). */
  user: z.object({ userName: z.string(), fullName: z.string(), rank: z.string() }).nullable().optional(),
  /** The ffmpeg that reads the camera streams (issue 16: shown on the Devices page); null: none found. */
  ffmpeg: z
    .object({
      version: z.string(),
      source: z.enum(['config', 'env', 'ffmpeg-static', '@ffmpeg-installer', 'path']),
      path: z.string(),
      /** `oldBundled`: only the old bundled build (4.1) was found; it parses untrusted streams. */
      warning: z.enum(['oldBundled']).nullable(),
    })
    .nullable()
    .optional(),
});
export type SessionInfo = z.infer<typeof SessionInfoSchema>;

/** Live figures for the fps/kbps overlay. */
export const LiveStatsSchema = z.object({
  streams: z.array(
    z.object({
      cameraId: CameraId,
      stream: StreamKindSchema,
      kbps: z.number().nonnegative(),
      viewers: z.number().int().nonnegative(),
    }),
  ),
  views: z.array(
    z.object({
      viewId: z.number().int().positive(),
      fps: z.number().nonnegative(),
      dropped: z.number().int().nonnegative(),
    }),
  ),
});
export type LiveStats = z.infer<typeof LiveStatsSchema>;

/**
 * Whether a view's picture moves: `waiting` for its first frame, `playing`, or `stalled` (no
 * new frame for a few seconds although the camera is connected: the tile must say it is frozen).
 */
export const VIEW_HEALTH = ['waiting', 'playing', 'stalled'] as const;
export const VIEW_PROBLEMS = ['badStream', 'noKeyframe', 'unsupportedCodec'] as const;
export const ViewHealthSchema = z.object({
  viewId: z.number().int().positive(),
  health: z.enum(VIEW_HEALTH),
  sinceMs: z.number(),
  problem: z.enum(VIEW_PROBLEMS).nullable(),
});
export type ViewHealth = z.infer<typeof ViewHealthSchema>;

export const SnapshotSchema = z.object({
  fileName: z.string(),
  cameraId: CameraId,
  takenAtMs: z.number(),
  bytes: z.number().int().nonnegative(),
});
export type Snapshot = z.infer<typeof SnapshotSchema>;

/** A named wall arrangement: layout, camera per tile, tours. Kept by the core, shared by every window. */
export const TourSchema = z.strictObject({
  cameraIds: z.array(CameraId).min(1).max(512),
  intervalS: z.number().int().min(3).max(3600),
});
export type Tour = z.infer<typeof TourSchema>;

export const SavedViewSchema = z.strictObject({
  name: z.string().trim().min(1).max(80),
  layoutId: z.string().min(1).max(32),
  tiles: z.array(CameraId.nullable()).max(64),
  /** Tours of single tiles, by tile index. */
  tileTours: z.record(z.string().regex(/^\d{1,2}$/), TourSchema).optional(),
  /** A tour of the whole wall: pages of cameras in turn. */
  wallTour: TourSchema.nullable().optional(),
});
export type SavedView = z.infer<typeof SavedViewSchema>;

/** Whether a camera stream is being recorded, and if not, why. */
export const RECORDING_STATES = ['recording', 'waiting', 'off', 'diskFull', 'error', 'stopped', 'disabled'] as const;
export type RecordingState = (typeof RECORDING_STATES)[number];
export const RECORDING_PROBLEMS = ['diskFull', 'writeFailed'] as const;
export type RecordingProblem = (typeof RECORDING_PROBLEMS)[number];

export const RecordingStatusSchema = z.object({
  cameraId: CameraId,
  stream: StreamKindSchema,
  state: z.enum(RECORDING_STATES),
  sinceMs: z.number(),
  problem: z.enum(RECORDING_PROBLEMS).nullable(),
  revision: z.number().int().nonnegative(),
});
export type RecordingStatus = z.infer<typeof RecordingStatusSchema>;

export const FOOTAGE_FINDING_KINDS = ['altered', 'missing', 'foreign', 'chainBroken'] as const;
export const FootageVerificationSchema = z.object({
  state: z.enum(['running', 'done', 'failed']),
  startedMs: z.number(),
  finishedMs: z.number().nullable(),
  done: z.number().int().nonnegative(),
  total: z.number().int().nonnegative(),
  checkedBytes: z.number(),
  unhashedSegments: z.number().int().nonnegative(),
  /** The first 200 findings. */
  findings: z.array(
    z.object({
      kind: z.enum(FOOTAGE_FINDING_KINDS),
      reason: z.string(),
      cameraId: z.string(),
      stream: StreamKindSchema.nullable(),
      path: z.string().nullable(),
      startMs: z.number().nullable(),
      endMs: z.number().nullable(),
      chainSeq: z.number().nullable(),
    }),
  ),
  findingCount: z.number().int().nonnegative(),
});
export type FootageVerification = z.infer<typeof FootageVerificationSchema>;

/** Where a legal hold came from (issue 17 item 7). */
export const HOLD_SOURCES = ['export', 'bookmark', 'manual'] as const;

/** Footage kept as evidence: never deleted by days, quota or the floor until an administrator releases it. */
export const HoldSchema = z.object({
  id: z.number().int().positive(),
  cameraId: CameraId,
  startMs: z.number(),
  endMs: z.number(),
  reason: z.string(),
  source: z.enum(HOLD_SOURCES),
  /** The export job or bookmark that asked for it. */
  sourceRef: z.string().nullable(),
  createdBy: z.string(),
  createdMs: z.number(),
  releasedBy: z.string().nullable(),
  releasedMs: z.number().nullable(),
  releaseReason: z.string().nullable(),
  /** Footage the range covers now (both streams). */
  bytes: z.number().nonnegative(),
  segments: z.number().int().nonnegative(),
});
export type Hold = z.infer<typeof HoldSchema>;

/** The longest range one hold may cover: a mistyped year must not freeze the whole disk. */
export const MAX_HOLD_RANGE_MS = 31 * 86_400_000;

/** The storage page (Lưu trữ): the disk, every camera's footage, and what the disk can hold. */
export const StorageInfoSchema = z.object({
  disk: z.object({ totalBytes: z.number(), freeBytes: z.number(), floorBytes: z.number(), quotaBytes: z.number().nullable() }),
  recordingBytes: z.number(),
  retentionDays: z.number(),
  /** Days of footage the disk can hold at the measured bitrates (null until measured). */
  projectedDays: z.number().nullable(),
  cameras: z.array(
    z.object({
      cameraId: CameraId,
      stream: StreamKindSchema.nullable(),
      state: z.enum(RECORDING_STATES),
      problem: z.enum(RECORDING_PROBLEMS).nullable(),
      bytes: z.number(),
      bitrateKbps: z.number().nullable(),
      oldestMs: z.number().nullable(),
      daysKept: z.number(),
      retentionDays: z.number(),
    }),
  ),
  /** Footage written per day (site time zone), oldest first, for the usage chart. */
  daily: z.array(z.object({ day: z.string(), bytes: z.number() })),
  warnings: z.array(z.object({ atMs: z.number(), kind: z.string(), cameraId: z.string().nullable() })),
  /** Files found in a recording folder that this console did not write: moved to DATA/quarantine/ (issue 17). */
  quarantined: z.array(z.object({ atMs: z.number(), cameraId: z.string().nullable(), path: z.string(), to: z.string(), bytes: z.number(), startMs: z.number().nullable() })).optional(),
  /** The last (or running) verification of footage against the index and its chain (issue 17). */
  verification: FootageVerificationSchema.nullable().optional(),
  /** Legal holds: active ones, then those released in the last 30 days (issue 17). */
  holds: z.array(HoldSchema),
  /** Bytes of footage under at least one active hold (each segment counted once). */
  heldBytes: z.number().nonnegative(),
  /** Since when the floor is reached with only held footage left (recording will stop), else null. */
  heldFloorSinceMs: z.number().nullable(),
});
export type StorageInfo = z.infer<typeof StorageInfoSchema>;



export const SystemInfoSchema = z.object({
  version: z.string(),
  ffmpeg: z.object({ source: z.string(), version: z.string() }).nullable(),
  dataDir: z.string(),
});

// ---- methods --------------------------------------------------------------------------------

export const coreMethods = {
  getSession: method({ permission: 'viewLive', params: NoParams, result: SessionInfoSchema }),
  getSite: method({ permission: 'viewLive', params: NoParams, result: SiteSummarySchema }),
  listCameras: method({ permission: 'viewLive', params: NoParams, result: z.array(CameraSummarySchema) }),
  listStreamStatus: method({ permission: 'viewLive', params: NoParams, result: z.array(StreamStatusSchema) }),
  getSystemInfo: method({ permission: 'configure', params: NoParams, result: SystemInfoSchema }),
  /**
   * Start sending one camera stream to a live socket as raw frames of exactly widthPx x heightPx
   * (the tile's pixel size: bytes scale with screen area, not camera resolution).
   */
  openLive: method({
    permission: 'viewLive',
    params: z.strictObject({
      liveClientId: z.string().min(8).max(64),
      cameraId: CameraId,
      stream: StreamKindSchema,
      widthPx: z.number().int().min(16).max(3840),
      heightPx: z.number().int().min(16).max(2160),
    }),
    result: z.object({ viewId: z.number().int().positive(), status: StreamStatusSchema }),
  }),
  closeLive: method({
    permission: 'viewLive',
    params: z.strictObject({ viewId: z.number().int().positive() }),
    result: z.null(),
  }),
  /** Start (or keep) pulling a stream without showing it, so a tour's next camera opens at once. */
  warmStream: method({
    permission: 'viewLive',
    params: z.strictObject({ cameraId: CameraId, stream: StreamKindSchema }),
    result: z.null(),
  }),
  getLiveStats: method({ permission: 'viewLive', params: NoParams, result: LiveStatsSchema }),
  /** A PNG of the newest picture of a camera stream, at the stream's own resolution. */
  takeSnapshot: method({
    permission: 'viewLive',
    params: z.strictObject({ cameraId: CameraId, stream: StreamKindSchema }),
    result: SnapshotSchema,
  }),
  openSnapshotFolder: method({ permission: 'viewLive', params: NoParams, result: z.object({ folder: z.string() }) }),
  listSavedViews: method({ permission: 'viewLive', params: NoParams, result: z.array(SavedViewSchema) }),
  saveView: method({ permission: 'viewLive', params: z.strictObject({ view: SavedViewSchema }), result: z.null() }),
  deleteView: method({ permission: 'viewLive', params: z.strictObject({ name: z.string().min(1).max(80) }), result: z.null() }),
  listRecordingStatus: method({ permission: 'viewLive', params: NoParams, result: z.array(RecordingStatusSchema) }),
  getStorage: method({ permission: 'playback', params: NoParams, result: StorageInfoSchema }),
  /** Starts a verification of the footage in the background (its progress and result: getStorage). */
  verifyFootage: method({ permission: 'playback', params: z.strictObject({ cameraId: CameraId.optional() }), result: z.object({ started: z.boolean() }) }),
  /** Puts cameras' footage in a time range on legal hold (a bookmark's or one typed at the storage page); audited. */
  placeHold: method({
    permission: 'export',
    params: z.strictObject({
      cameraIds: z.array(CameraId).min(1).max(64),
      startMs: z.number().int().nonnegative(),
      endMs: z.number().int().positive(),
      reason: z.string().trim().min(1).max(500),
      bookmarkId: z.string().max(120).nullable().default(null),
    }),
    result: z.object({ holdIds: z.array(z.number().int().positive()) }),
  }),
  /** Releases a hold (administrator only, with a reason; audited). Its footage is then deleted by the usual rules. */
  releaseHold: method({
    permission: 'configure',
    params: z.strictObject({ holdId: z.number().int().positive(), reason: z.string().trim().min(1).max(500) }),
    result: z.null(),
  }),
} as const;

/** Every method: the core's own and each feature's (names must not collide; a test checks). */
export const methods = { ...coreMethods, ...ptzMethods, ...mapMethods, ...playbackMethods, ...exportMethods, ...authMethods } as const;

export type Methods = typeof methods;
export type MethodName = keyof Methods;
export const METHOD_NAMES = Object.keys(methods) as MethodName[];
export type ParamsOf<M extends MethodName> = z.input<Methods[M]['params']>;
export type ParsedParamsOf<M extends MethodName> = z.output<Methods[M]['params']>;
export type ValueOf<M extends MethodName> = z.output<Methods[M]['result']>;
export type ResultOf<M extends MethodName> = Result<ValueOf<M>>;

export function isMethodName(name: unknown): name is MethodName {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(methods, name);
}

const resultSchemas = new Map<MethodName, z.ZodType>();
/** Schema of the tagged result of a method (cached). */
export function resultSchemaOf(name: MethodName): z.ZodType {
  let schema = resultSchemas.get(name);
  if (!schema) {
    schema = resultSchema(methods[name].result);
    resultSchemas.set(name, schema);
  }
  return schema;
}

/** The envelope of a call, as sent over HTTP or IPC. */
export const CallRequestSchema = z.strictObject({
  method: z.string().max(64),
  params: z.unknown(),
});
export type CallRequest = z.infer<typeof CallRequestSchema>;

// ---- events ---------------------------------------------------------------------------------

const coreEvents = {
  streamStatus: StreamStatusSchema,
  viewHealth: ViewHealthSchema,
  recordingStatus: RecordingStatusSchema,
  /** The site's cameras changed (added, removed, placed on the map): listCameras again. */
  camerasChanged: z.object({ revision: z.number().int().nonnegative() }),
  /** The host restarted the core after it died (issue 16): reconnect now and reopen the views. */
  coreRestarted: z.object({ restarts: z.number().int().positive(), downMs: z.number().int().nonnegative() }),
} as const;

export const events = { ...coreEvents, ...ptzEvents, ...mapEvents, ...playbackEvents, ...exportEvents } as const;
export type Events = typeof events;
export type EventName = keyof Events;
export type EventPayload<E extends EventName> = z.output<Events[E]>;
export const EVENT_NAMES = Object.keys(events) as EventName[];

export type EventEnvelope = { [E in EventName]: { event: E; payload: EventPayload<E> } }[EventName];
const envelopeSchemas = EVENT_NAMES.map((name) => z.object({ event: z.literal(name), payload: events[name] as z.ZodType }));
export const EventEnvelopeSchema = z.discriminatedUnion('event', envelopeSchemas as unknown as [z.ZodObject, ...z.ZodObject[]]) as unknown as z.ZodType<EventEnvelope>;
