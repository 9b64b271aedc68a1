import { z } from 'zod';

/**
 * The site file: the cameras of one station. Other programs (an installer's spreadsheet export,
 * our tests) write it, so the minimal shape stays stable:
 *   {"schemaVersion": 1, "name": "...", "cameras": [{"id", "name", "streams": {"main", "sub"?}}]}
 * Documented in docs/site-file.md; resources/site.schema.json is generated from this file
 * (`npm run gen:schema`) and a test keeps the two equal.
 *
 * Custom messages are i18n keys under `siteErrors.` so the loader can say what is wrong in Vietnamese.
 */
export const SITE_SCHEMA_VERSION = 1;
export const DEFAULT_TIME_ZONE = 'Asia/Ho_Chi_Minh';

export const CAMERA_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;
/** rtsp:// or rtsps:// to a camera or NVR; demo://main and demo://sub are the built-in generated video. */
export const STREAM_URL_PATTERN = /^(?:rtsps?:\/\/[^\s/?#]+(?:[/?#]\S*)?|demo:\/\/(?:main|sub))$/;

export const STREAM_KINDS = ['main', 'sub'] as const;
export type StreamKind = (typeof STREAM_KINDS)[number];

const StreamUrl = z.string().regex(STREAM_URL_PATTERN, { message: 'siteErrors.streamUrl' });

const TIME_OF_DAY = /^(?:[01]\d|2[0-3]):[0-5]\d$|^24:00$/;

/** A weekly recording window: ISO days (1 = Monday … 7 = Sunday), local time of the site. */
export const ScheduleWindowSchema = z.strictObject({
  days: z.array(z.number().int().min(1).max(7)).min(1).max(7),
  from: z.string().regex(TIME_OF_DAY, { message: 'siteErrors.timeOfDay' }),
  to: z.string().regex(TIME_OF_DAY, { message: 'siteErrors.timeOfDay' }),
});
export type ScheduleWindow = z.infer<typeof ScheduleWindowSchema>;

export const RECORDING_STREAMS = ['main', 'sub', 'off'] as const;
export type RecordingStream = (typeof RECORDING_STREAMS)[number];

/** Per camera: which stream to record (main unless said otherwise), how long to keep it, when. */
export const CameraRecordingSchema = z.strictObject({
  stream: z.enum(RECORDING_STREAMS).optional(),
  retentionDays: z.number().int().min(1).max(3650).optional(),
  /** Record only inside these windows; absent: around the clock. */
  schedule: z.array(ScheduleWindowSchema).max(28).optional(),
});
export type CameraRecording = z.infer<typeof CameraRecordingSchema>;

/** Site-wide recording settings. */
export const SiteRecordingSchema = z.strictObject({
  /** Keep footage this many days (cameras may say otherwise); the disk rules below come first. */
  retentionDays: z.number().int().min(1).max(3650).optional(),
  /** Never let recordings take more than this. */
  quotaGb: z.number().positive().optional(),
  /** Never let the disk's free space fall below this. */
  minFreeGb: z.number().min(0).optional(),
  /** Segment length, cut at the first keyframe after it. */
  segmentSeconds: z.number().int().min(10).max(600).optional(),
});
export type SiteRecording = z.infer<typeof SiteRecordingSchema>;
export const DEFAULT_RETENTION_DAYS = 30;
export const DEFAULT_MIN_FREE_GB = 5;
export const DEFAULT_SEGMENT_SECONDS = 60;

/** An absolute folder: `/…` (Linux), `C:\\…` or `\\\\server\\share…` (Windows). */
export const ABSOLUTE_FOLDER_PATTERN = /^(?:\/|[A-Za-z]:[\\/]|\\\\[^\\])/;

/** Site-wide export settings (issue 17 item 8). */
export const SiteExportSchema = z.strictObject({
  /**
   * Folders (and everything below them) an export may be written to besides removable drives,
   * listed by the administrator: e.g. a case server's share. Absolute paths. Default: none, an
   * export goes only to a removable drive.
   */
  allowedFolders: z.array(z.string().min(2).max(400).regex(ABSOLUTE_FOLDER_PATTERN, { message: 'siteErrors.absoluteFolder' })).max(32).optional(),
});
export type SiteExport = z.infer<typeof SiteExportSchema>;

/** Site-wide playback settings. */
export const SitePlaybackSchema = z.strictObject({
  /** How far back the "instant replay" button of a live tile starts (and how long it plays). */
  instantReplaySeconds: z.number().int().min(5).max(600).optional(),
});
export type SitePlayback = z.infer<typeof SitePlaybackSchema>;
export const DEFAULT_INSTANT_REPLAY_SECONDS = 30;

/** Site-wide settings of the sessions (issue 15). */
export const SiteSecuritySchema = z.strictObject({
  /**
   * A second screen's wall (video only, `?screen=2`) keeps showing its tiles while the operator's
   * session is locked (by the idle timer, the button or a shift change): for a wall monitor
   * nobody works at. The operator window still shows no video and accepts nothing but unlock.
   * Default false: a lock blanks every window.
   */
  secondScreenWallWhileLocked: z.boolean().optional(),
});
export type SiteSecurity = z.infer<typeof SiteSecuritySchema>;

export const CameraSchema = z
  .strictObject({
    id: z.string().regex(CAMERA_ID_PATTERN, { message: 'siteErrors.cameraId' }),
    name: z.string().trim().min(1).max(120),
    village: z.string().trim().min(1).max(120).optional(),
    latitude: z.number().min(-90).max(90).optional(),
    longitude: z.number().min(-180).max(180).optional(),
    headingDeg: z.number().min(0).lt(360).optional(),
    fieldOfViewDeg: z.number().min(1).max(360).optional(),
    ptz: z.boolean().optional(),
    onvif: z
      .strictObject({
        address: z.string().regex(/^https?:\/\/[^\s/?#]+(?:[/?#]\S*)?$/, { message: 'siteErrors.onvifAddress' }),
        credentialsRef: z.string().min(1).max(120).optional(),
      })
      .optional(),
    credentialsRef: z.string().min(1).max(120).optional(),
    streams: z.strictObject({ main: StreamUrl, sub: StreamUrl.optional() }),
    recording: CameraRecordingSchema.optional(),
  })
  .refine((camera) => (camera.latitude === undefined) === (camera.longitude === undefined), {
    message: 'siteErrors.latLongPair',
    path: ['latitude'],
  });
export type Camera = z.infer<typeof CameraSchema>;

export const SiteSchema = z
  .strictObject({
    $schema: z.string().optional(),
    schemaVersion: z.literal(SITE_SCHEMA_VERSION),
    name: z.string().trim().min(1).max(200),
    /**
     * The issuing body's full name for documents (the export's biên bản), e.g. "Công an xã Đông
     * Khê", and the body above it, e.g. "Công an tỉnh Thanh Hóa". Printed in capitals.
     */
    agency: z.strictObject({ name: z.string().trim().min(1).max(200), parent: z.string().trim().min(1).max(200).optional() }).optional(),
    timeZone: z.string().min(1).max(64).optional(),
    recording: SiteRecordingSchema.optional(),
    playback: SitePlaybackSchema.optional(),
    export: SiteExportSchema.optional(),
    security: SiteSecuritySchema.optional(),
    cameras: z.array(CameraSchema).max(512),
  })
  .superRefine((site, ctx) => {
    const seen = new Set<string>();
    site.cameras.forEach((camera, index) => {
      if (seen.has(camera.id)) {
        ctx.addIssue({ code: 'custom', message: 'siteErrors.duplicateId', path: ['cameras', index, 'id'] });
      }
      seen.add(camera.id);
    });
  });
export type Site = z.infer<typeof SiteSchema>;

/** Streams a camera offers, sub first when present (the wall prefers it). */
export function streamsOf(camera: Camera): StreamKind[] {
  return camera.streams.sub ? ['sub', 'main'] : ['main'];
}

/** The stream a camera records: `recording.stream`, else main; a missing sub falls back to main. */
export function recordedStream(camera: Camera): StreamKind | null {
  const wanted = camera.recording?.stream ?? 'main';
  if (wanted === 'off') return null;
  return wanted === 'sub' && !camera.streams.sub ? 'main' : wanted;
}
