/**
 * What an export works with and how it fails: the environment the export feature hands to the
 * planning (selection.ts) and to the job (job.ts), the parsed request, the clerk's failure codes.
 */
import type { z } from 'zod';
import type { ExportError, ExportRequestSchema } from '../../../common/exportContract';
import type { Camera, Site, StreamKind } from '../../../common/site';
import type { SupervisorDeps } from '../ffmpeg/supervisor';
import type { Logger } from '../log/logger';
import type { RecordingIndex } from '../recording/recordingIndex';
import type { Clock } from '../util/clock';
import type { WorkerJobs } from '../util/workerJobs';
import type { CameraPlan } from './plan';
import type { StationKey } from './stationKey';

export type ParsedRequest = z.output<typeof ExportRequestSchema>;

/** A failure the clerk is told about in Vietnamese (`exportClip.errors.<code>`). */
export class ExportFailure extends Error {
  constructor(
    readonly code: ExportError,
    detail: string,
  ) {
    super(detail);
  }
}

/** An errno from the target drive, in the clerk's words. */
export function failureOf(error: unknown, fallback: ExportError = 'writeFailed'): ExportFailure {
  if (error instanceof ExportFailure) return error;
  const code = (error as NodeJS.ErrnoException | null)?.code;
  const detail = (error as Error | null)?.message ?? String(error);
  if (code === 'ENOSPC' || code === 'EFBIG' || code === 'EDQUOT') return new ExportFailure('notEnoughSpace', detail);
  if (code === 'EROFS' || code === 'EACCES' || code === 'EPERM') return new ExportFailure('readOnly', detail);
  if (code === 'ENOENT' || code === 'EIO' || code === 'ENODEV' || code === 'ENXIO' || code === 'ESTALE' || code === 'ENOTDIR') return new ExportFailure('targetGone', detail);
  return new ExportFailure(fallback, detail);
}

export interface ExportEnv {
  site: Site;
  index: RecordingIndex;
  recordingsRoot: string;
  dataDir: string;
  version: string;
  ffmpeg: SupervisorDeps | null;
  clock: Clock;
  log: Logger;
  /** The captioned copy's H.264 encoder and font; null when this PC cannot make one. */
  burnIn?: { encoder: string; fontFile: string } | null;
  /** Keeps segment files from retention while the job reads them; returns the release. */
  pin(paths: readonly string[]): () => void;
  /** Space kept for the moov in front of a clip this long (default `moovReserveBytes`; tests make it too small). */
  moovReserveBytes?: (durationMs: number) => number;
  /** The audit chain's head when the biên bản is made (printed on it; issue 15). */
  auditHead?: () => string;
  /** The station's signing key (issue 17 item 5; throws when it cannot be opened); absent: an unsigned export (benches only). */
  stationKey?: () => StationKey;
  /** The read-back never uses O_DIRECT: the fallback that drops the file's cached pages first (tests of that path). */
  readBackFromCache?: boolean;
  /** A camera's clock against the PC's, where measured (ONVIF; issue 20): printed on the biên bản. */
  cameraClock?: (cameraId: string) => { offsetMs: number; measuredAtMs: number; source: 'onvif' | 'rtcp' } | null;
  /** The job worker that makes the biên bản's PDF off the event loop (absent: made in-process). */
  jobs?: WorkerJobs | null;
}

export interface CameraSelection {
  cameraId: string;
  camera: Camera | null;
  stream: StreamKind;
  plan: CameraPlan;
}
