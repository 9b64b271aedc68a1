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
    timeZone: z.string().min(1).max(64).optional(),
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
