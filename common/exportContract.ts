/**
 * Contract of evidence export to USB (jobs, integrity, handover record, export log).
 * Merged into `methods` / `events` by contract.ts; method and event names must be unique
 * across all contract files.
 */
import { z } from 'zod';
import { CameraId, method, NoParams } from './contractKit';

/** Why a job failed, as a code the UI translates (`exportClip.errors.<code>`). */
export const EXPORT_ERRORS = [
  'noFootage',
  'notEnoughSpace',
  'readOnly',
  'targetGone',
  'writeFailed',
  'verifyFailed',
  'cutFailed',
  'cancelled',
  'unknownCamera',
  'badRange',
  'badDestination',
  'busy',
  'destinationNotAllowed',
  'signingKey',
  'ffmpegMissing',
  'burnInUnavailable',
  /** A source segment no longer matches the SHA-256 it was recorded with (issue 17). */
  'footageAltered',
] as const;
export type ExportError = (typeof EXPORT_ERRORS)[number];

export const EXPORT_STATES = ['preparing', 'copying', 'verifying', 'done', 'failed', 'cancelled'] as const;
export type ExportState = (typeof EXPORT_STATES)[number];

/** Longest range one export may cover (a day): a mistyped date must not fill a stick for hours. */
export const MAX_EXPORT_RANGE_MS = 24 * 3600_000;

const FreeText = (max: number) => z.string().max(max);

export const IncidentSchema = z.strictObject({
  latitude: z.number().min(-90).max(90),
  longitude: z.number().min(-180).max(180),
  radiusM: z.number().positive().max(50_000),
});
export type Incident = z.infer<typeof IncidentSchema>;

export const ExportRequestSchema = z.strictObject({
  cameraIds: z.array(CameraId).min(1).max(64),
  startMs: z.number().int().nonnegative(),
  endMs: z.number().int().nonnegative(),
  caseNumber: FreeText(100),
  officer: FreeText(120),
  reason: FreeText(500),
  /** Who runs the export at the console (until log-in exists, typed by the clerk). */
  operator: FreeText(120),
  /** A folder on the target drive (absolute); the export folder is made inside it. */
  destination: z.string().min(1).max(1024),
  /** Largest file the target can hold (FAT32: 4 GiB - 1); null: the console decides from the filesystem. */
  maxFileBytes: z.number().int().positive().nullable().default(null),
  incident: IncidentSchema.nullable().default(null),
  /** Also a copy with the camera name and time drawn on the picture (re-encoded, slower, named `…_co-chu.mp4`). */
  burnIn: z.boolean().default(false),
  bookmarkId: z.string().max(120).nullable().default(null),
  /** Keep the exported cameras' footage of this range on the station as evidence (legal hold, issue 17); on unless unticked. */
  legalHold: z.boolean().default(true),
});
export type ExportRequest = z.input<typeof ExportRequestSchema>;

export const DriveSchema = z.object({
  mountPoint: z.string(),
  label: z.string(),
  filesystem: z.string(),
  totalBytes: z.number().nonnegative(),
  freeBytes: z.number().nonnegative(),
  removable: z.boolean(),
  readOnly: z.boolean(),
  /** Largest single file the filesystem holds (FAT32: 4 GiB - 1), null when unlimited. */
  maxFileBytes: z.number().int().positive().nullable(),
});
export type Drive = z.infer<typeof DriveSchema>;

export const EstimateSchema = z.object({
  totalBytes: z.number().nonnegative(),
  cameras: z.array(
    z.object({
      cameraId: CameraId,
      bytes: z.number().nonnegative(),
      segments: z.number().int().nonnegative(),
      recordedMs: z.number().nonnegative(),
      gapMs: z.number().nonnegative(),
    }),
  ),
  freeBytes: z.number().nonnegative().nullable(),
  fits: z.boolean().nullable(),
  /** Some file will be split into parts (FAT32 limit). */
  willSplit: z.boolean(),
  maxFileBytes: z.number().int().positive().nullable(),
});
export type Estimate = z.infer<typeof EstimateSchema>;

export const ExportJobSchema = z.object({
  jobId: z.string(),
  state: z.enum(EXPORT_STATES),
  cameraIds: z.array(CameraId),
  startMs: z.number(),
  endMs: z.number(),
  caseNumber: z.string(),
  destination: z.string(),
  /** The export folder (final name once done). */
  folder: z.string().nullable(),
  removable: z.boolean(),
  totalBytes: z.number().nonnegative(),
  doneBytes: z.number().nonnegative(),
  bytesPerSecond: z.number().nonnegative(),
  remainingMs: z.number().nonnegative().nullable(),
  currentFile: z.string().nullable(),
  files: z.number().int().nonnegative(),
  split: z.boolean(),
  error: z.enum(EXPORT_ERRORS).nullable(),
  errorDetail: z.string().max(500).nullable(),
  startedAtMs: z.number(),
  finishedAtMs: z.number().nullable(),
});
export type ExportJob = z.infer<typeof ExportJobSchema>;

export const ExportLogEntrySchema = z.object({
  jobId: z.string(),
  atMs: z.number(),
  operator: z.string(),
  officer: z.string(),
  caseNumber: z.string(),
  reason: z.string(),
  cameraIds: z.array(z.string()),
  startMs: z.number(),
  endMs: z.number(),
  destination: z.string(),
  folder: z.string().nullable(),
  state: z.enum(EXPORT_STATES),
  error: z.enum(EXPORT_ERRORS).nullable(),
  bytes: z.number().nonnegative(),
  files: z.number().int().nonnegative(),
  manifestSha256: z.string().nullable(),
});
export type ExportLogEntry = z.infer<typeof ExportLogEntrySchema>;

export const NearbyCameraSchema = z.object({ cameraId: CameraId, distanceM: z.number().nonnegative() });

export const exportMethods = {
  exportListDrives: method({ permission: 'export', params: NoParams, result: z.array(DriveSchema) }),
  exportEstimate: method({ permission: 'export', params: ExportRequestSchema, result: EstimateSchema }),
  exportStart: method({ permission: 'export', params: ExportRequestSchema, result: ExportJobSchema }),
  exportCancel: method({ permission: 'export', params: z.strictObject({ jobId: z.string().max(64) }), result: z.null() }),
  exportListJobs: method({ permission: 'export', params: NoParams, result: z.array(ExportJobSchema) }),
  exportLog: method({ permission: 'export', params: z.strictObject({ limit: z.number().int().positive().max(1000).default(200) }), result: z.array(ExportLogEntrySchema) }),
  exportEject: method({ permission: 'export', params: z.strictObject({ mountPoint: z.string().min(1).max(1024) }), result: z.null() }),
  exportCamerasNear: method({ permission: 'export', params: IncidentSchema, result: z.array(NearbyCameraSchema) }),
} as const;

export const exportEvents = {
  exportProgress: ExportJobSchema,
} as const;

/** A folder on a drive: `/media/usb` or below it, `E:\\` or below it (Windows' drive root ends with its separator). */
export function isOnDrive(folder: string, mountPoint: string): boolean {
  if (folder === mountPoint) return true;
  const root = /[\\/]$/.test(mountPoint) ? mountPoint : `${mountPoint}${mountPoint.includes('\\') ? '\\' : '/'}`;
  return folder.startsWith(root);
}
