import { z } from 'zod';
import { CameraId, method, StreamKindSchema } from './contractKit';

/**
 * Contract of playback (timeline, synchronized playback, instant replay, bookmarks).
 * Merged into `methods` / `events` by contract.ts; method and event names must be unique
 * across all contract files. Design note: docs/playback.md.
 */

// ---- shapes ---------------------------------------------------------------------------------

/** Why a camera has no footage for a while (the recorder's gap reasons, docs/recording.md). */
export const PLAYBACK_GAP_REASONS = ['cameraOffline', 'recordingOff', 'diskFull', 'consoleNotRunning', 'clockJump', 'footageMissing', 'error', 'unknown'] as const;
export type PlaybackGapReason = (typeof PLAYBACK_GAP_REASONS)[number];

const TimeMs = z.number().int().min(0).max(8.64e15);

export const TimeRangeSchema = z.object({ startMs: TimeMs, endMs: TimeMs });
export type TimeRange = z.infer<typeof TimeRangeSchema>;

export const TimelineGapSchema = z.object({ startMs: TimeMs, endMs: TimeMs, reason: z.enum(PLAYBACK_GAP_REASONS) });
export type TimelineGap = z.infer<typeof TimelineGapSchema>;

/**
 * A bookmark (incident): a moment (startMs === endMs) or a range, on one or more cameras.
 * The export feature starts an export from one (getBookmark / listBookmarks).
 */
export const BookmarkSchema = z.object({
  id: z.string().regex(/^[A-Za-z0-9-]{1,64}$/),
  cameraIds: z.array(CameraId).min(1).max(64),
  startMs: TimeMs,
  endMs: TimeMs,
  title: z.string().max(200),
  note: z.string().max(4000),
  createdAtMs: TimeMs,
  createdBy: z.string().max(80),
});
export type Bookmark = z.infer<typeof BookmarkSchema>;

export const BookmarkInputSchema = z
  .strictObject({
    cameraIds: z.array(CameraId).min(1).max(64),
    startMs: TimeMs,
    /** Omitted or equal to startMs: a moment. */
    endMs: TimeMs.optional(),
    title: z.string().trim().min(1).max(200),
    note: z.string().max(4000).default(''),
  })
  .refine((value) => value.endMs === undefined || value.endMs >= value.startMs, { message: 'endMs before startMs' });

export const CameraTimelineSchema = z.object({
  cameraId: CameraId,
  stream: StreamKindSchema,
  /** Recorded footage, merged where segments touch; oldest first. */
  ranges: z.array(TimeRangeSchema),
  gaps: z.array(TimelineGapSchema),
});
export type CameraTimeline = z.infer<typeof CameraTimelineSchema>;

export const TimelineSchema = z.object({
  fromMs: TimeMs,
  toMs: TimeMs,
  cameras: z.array(CameraTimelineSchema),
  bookmarks: z.array(BookmarkSchema),
});
export type Timeline = z.infer<typeof TimelineSchema>;

export const PLAYBACK_SPEEDS = [0.25, 0.5, 1, 2, 4, 8, 16] as const;
export const PlaybackSpeedSchema = z.union(PLAYBACK_SPEEDS.map((speed) => z.literal(speed)) as unknown as [z.ZodLiteral<number>, z.ZodLiteral<number>, ...z.ZodLiteral<number>[]]);

/** What a tile of a playback session shows at the session's clock. */
export const PLAYBACK_TILE_STATES = ['loading', 'playing', 'noFootage', 'error'] as const;
export type PlaybackTileState = (typeof PLAYBACK_TILE_STATES)[number];

export const PlaybackTileSpecSchema = z.strictObject({
  cameraId: CameraId,
  stream: StreamKindSchema.optional(),
  widthPx: z.number().int().min(16).max(3840),
  heightPx: z.number().int().min(16).max(2160),
});
export type PlaybackTileSpec = z.infer<typeof PlaybackTileSpecSchema>;

export const PlaybackTileSchema = z.object({
  cameraId: CameraId,
  stream: StreamKindSchema,
  /** Frames arrive on the live socket under this view id, exactly like a live view. */
  viewId: z.number().int().positive(),
  state: z.enum(PLAYBACK_TILE_STATES),
  /** Recorded time of the frame the tile shows (null before its first frame). */
  frameMs: TimeMs.nullable(),
});
export type PlaybackTile = z.infer<typeof PlaybackTileSchema>;

export const PlaybackStateSchema = z.object({
  sessionId: z.string(),
  liveClientId: z.string(),
  /** The one clock every tile follows (recorded wall-clock ms). */
  positionMs: TimeMs,
  playing: z.boolean(),
  speed: z.number().positive(),
  /** The last gap the clock jumped over (no camera had footage), for the marker on the timeline. */
  skippedGap: TimeRangeSchema.nullable(),
  /** The clock reached the end of every camera's footage (paused there). */
  ended: z.boolean(),
  tiles: z.array(PlaybackTileSchema),
  /** Grows with every state sent: the UI keeps the newest. */
  revision: z.number().int().nonnegative(),
});
export type PlaybackState = z.infer<typeof PlaybackStateSchema>;

const SessionId = z.string().regex(/^[A-Za-z0-9-]{1,64}$/);

export const PlaybackControlSchema = z.discriminatedUnion('action', [
  z.strictObject({ action: z.literal('play') }),
  z.strictObject({ action: z.literal('pause') }),
  z.strictObject({ action: z.literal('seek'), atMs: TimeMs }),
  z.strictObject({ action: z.literal('speed'), speed: PlaybackSpeedSchema }),
  /** Pauses, then shows the next (frames > 0) or previous (frames < 0) frame(s) of the wall. */
  z.strictObject({ action: z.literal('step'), frames: z.number().int().min(-100).max(100).refine((value) => value !== 0) }),
]);
export type PlaybackControl = z.infer<typeof PlaybackControlSchema>;

// ---- methods --------------------------------------------------------------------------------

export const playbackMethods = {
  /** Recorded ranges, gaps (with reasons) and bookmarks of some cameras between two times. */
  getTimeline: method({
    permission: 'playback',
    params: z.strictObject({ cameraIds: z.array(CameraId).min(1).max(64), fromMs: TimeMs, toMs: TimeMs }),
    result: TimelineSchema,
  }),
  /**
   * Starts synchronized playback of some cameras on a live socket: one view per tile, frames
   * paced by the core on one clock. Paused at `atMs` unless `play`.
   */
  openPlayback: method({
    permission: 'playback',
    params: z.strictObject({
      liveClientId: z.string().min(8).max(64),
      tiles: z.array(PlaybackTileSpecSchema).min(1).max(16),
      atMs: TimeMs,
      speed: PlaybackSpeedSchema.optional(),
      play: z.boolean().optional(),
    }),
    result: PlaybackStateSchema,
  }),
  controlPlayback: method({
    permission: 'playback',
    params: z.strictObject({ sessionId: SessionId, control: PlaybackControlSchema }),
    result: PlaybackStateSchema,
  }),
  getPlaybackState: method({ permission: 'playback', params: z.strictObject({ sessionId: SessionId }), result: PlaybackStateSchema }),
  closePlayback: method({ permission: 'playback', params: z.strictObject({ sessionId: SessionId }), result: z.null() }),
  /** A PNG of the frame a playback tile shows, at the recording's resolution, named camera + recorded time. */
  takePlaybackSnapshot: method({
    permission: 'playback',
    params: z.strictObject({ sessionId: SessionId, cameraId: CameraId }),
    result: z.object({ fileName: z.string(), cameraId: CameraId, frameMs: TimeMs, bytes: z.number().int().nonnegative() }),
  }),
  addBookmark: method({ permission: 'playback', params: z.strictObject({ bookmark: BookmarkInputSchema }), result: BookmarkSchema }),
  updateBookmark: method({
    permission: 'playback',
    params: z.strictObject({ id: z.string().max(64), title: z.string().trim().min(1).max(200).optional(), note: z.string().max(4000).optional() }),
    result: BookmarkSchema,
  }),
  deleteBookmark: method({ permission: 'playback', params: z.strictObject({ id: z.string().max(64) }), result: z.null() }),
  getBookmark: method({ permission: 'playback', params: z.strictObject({ id: z.string().max(64) }), result: BookmarkSchema }),
  /** Newest first. `query` matches title or note (case and Vietnamese accents ignored). */
  listBookmarks: method({
    permission: 'playback',
    params: z.strictObject({
      query: z.string().max(200).optional(),
      cameraId: CameraId.optional(),
      fromMs: TimeMs.optional(),
      toMs: TimeMs.optional(),
      limit: z.number().int().min(1).max(1000).optional(),
    }),
    result: z.array(BookmarkSchema),
  }),
} as const;

export const playbackEvents = {
  /** A playback session's clock or tiles changed (sent to every UI; each keeps its own sessions). */
  playbackState: PlaybackStateSchema,
  /** Bookmarks were added, changed or deleted: list them again. */
  bookmarksChanged: z.object({ revision: z.number().int().nonnegative() }),
} as const;
