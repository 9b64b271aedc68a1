import path from 'node:path';
import { isOnDrive, type ExportJob, type exportMethods } from '../../../common/exportContract';
import { fail, ok } from '../../../common/result';
import { actorOf, displayNameOf } from '../api/dispatch';
import type { CoreFeature, FeatureDeps } from '../features';
import { findLabelFont } from '../demo/fonts';
import { ejectDrive, listRemovableDrives } from './drives';
import { ExportLog } from './exportLog';
import { camerasWithin } from './geo';
import { ExportFailure, type ExportEnv } from './env';
import { ExportJobRunner } from './job';
import { estimate } from './selection';
import { realFolder } from './destinationPolicy';
import { loadStationKey, type StationKey } from './stationKey';

export interface ExportOptions {
  /** Mount points listed as removable drives besides the real ones (tests; CONSOLE_EXPORT_EXTRA_DRIVES). */
  extraDrives?: readonly string[];
  /** Read every file back and hash it (the bench turns it off to measure the cut alone). */
  verify?: boolean;
  /** A camera's clock against the PC's, ONVIF or RTCP (onvif/cameraClocks.ts, handed by core.ts, not imported). */
  cameraClockOf?: (cameraId: string) => { offsetMs: number; measuredAtMs: number; source: 'onvif' | 'rtcp' } | null;
}

const KEPT_JOBS = 20;

/** What the captioned copy needs: an H.264 encoder and drawtext in this ffmpeg, a font with Vietnamese glyphs. */
function burnInTools(deps: FeatureDeps): { encoder: string; fontFile: string } | null {
  const fontFile = findLabelFont();
  if (!deps.ffmpeg?.hasDrawtext || !deps.ffmpeg.h264Encoder || !fontFile) return null;
  return { encoder: deps.ffmpeg.h264Encoder, fontFile };
}

/** Composition of the export feature: creates its services and returns their handlers. */
export function createExportFeature(deps: FeatureDeps, options: ExportOptions = {}): CoreFeature<typeof exportMethods> {
  const log = new ExportLog(deps.dataDir);
  // the station's signing key, made at the first start (issue 17 item 5); a key that cannot be
  // opened refuses exports (signingKey) rather than signing with a new one
  let stationKey: StationKey | Error;
  try {
    stationKey = loadStationKey(deps.dataDir, deps.credentialsKey);
    deps.log.info('export: station signing key', { fingerprint: stationKey.fingerprint, protection: stationKey.protection });
  } catch (error) {
    stationKey = error as Error;
    deps.log.error('export: the station signing key cannot be opened', { error: stationKey.message });
  }
  const extraDrives = options.extraDrives ?? (process.env.CONSOLE_EXPORT_EXTRA_DRIVES ?? '').split(path.delimiter).filter(Boolean);
  const env: ExportEnv = {
    site: deps.site,
    index: deps.recording.index,
    recordingsRoot: deps.recording.root,
    dataDir: deps.dataDir,
    version: deps.version,
    ffmpeg: deps.ffmpeg ? { binary: deps.ffmpeg.path, clock: deps.clock, log: deps.log, registry: deps.registry } : null,
    clock: deps.clock,
    log: deps.log,
    pin: (paths) => deps.recording.storage.pin(paths),
    burnIn: burnInTools(deps),
    auditHead: () => deps.audit.headHash(),
    cameraClock: options.cameraClockOf,
    jobs: deps.jobs ?? null,
    stationKey: () => {
      if (stationKey instanceof Error) throw stationKey;
      return stationKey;
    },
  };
  const jobs: ExportJobRunner[] = [];
  let running: Promise<unknown> | null = null;

  const drives = () => listRemovableDrives(extraDrives);
  // the real path: a link on the stick to the PC's own disk is not a removable drive
  const isRemovable = async (destination: string) => (await drives()).some((drive) => isOnDrive(destination, drive.mountPoint) && isOnDrive(realFolder(destination), realFolder(drive.mountPoint)));
  const failure = (error: unknown) => (error instanceof ExportFailure ? fail('badRequest', error.message, error.code) : fail('internal', (error as Error).message));

  return {
    handlers: {
      exportListDrives: async () => ok(await drives()),
      exportEstimate: (request) => {
        try {
          return ok(estimate(env, request));
        } catch (error) {
          return failure(error);
        }
      },
      exportStart: async (typed, principal) => {
        // who exports is the session's user, not a typed name (the receiving officer stays free text)
        const request = { ...typed, operator: displayNameOf(principal) ?? typed.operator };
        const actor = actorOf(principal);
        if (jobs.some((job) => !job.finished)) return fail('unavailable', 'an export is running', 'busy');
        const removable = await isRemovable(request.destination);
        if (jobs.some((job) => !job.finished)) return fail('unavailable', 'an export is running', 'busy');
        const job = new ExportJobRunner(env, request, {
          verify: options.verify ?? true,
          removable,
          onStatus: (status: ExportJob) => deps.emit({ event: 'exportProgress', payload: status }),
        });
        jobs.unshift(job);
        jobs.splice(KEPT_JOBS);
        running = job.run().then(() => {
          const entry = job.logEntry();
          try {
            log.append(entry);
          } catch (error) {
            deps.log.error('could not write the export log', { error });
          }
          const action = entry.state === 'done' ? 'exportFinished' : entry.state === 'cancelled' ? 'exportCancelled' : 'exportFailed';
          deps.audit.appendOrLog({ actor, action, detail: { jobId: entry.jobId, folder: entry.folder, bytes: entry.bytes, files: entry.files, manifestSha256: entry.manifestSha256, fileSha256: job.fileHashes(), error: entry.error, signedBy: entry.state === 'done' && !(stationKey instanceof Error) ? stationKey.fingerprint : null, readBack: job.readBack()?.method ?? null } });
          // issue 17 item 7: an export done keeps its originals on the station, whatever days, quota or the floor say
          const known = request.cameraIds.every((cameraId) => deps.site.cameras.some((camera) => camera.id === cameraId));
          if (entry.state === 'done' && request.legalHold && known) {
            try {
              const holds = deps.recording.placeHolds({ cameraIds: request.cameraIds, startMs: request.startMs, endMs: request.endMs, reason: request.caseNumber.trim() || request.reason.trim() || 'export', source: 'export', sourceRef: entry.jobId }, actor);
              deps.audit.appendOrLog({ actor, action: 'holdPlaced', detail: { holdIds: holds.map((hold) => hold.id), cameraIds: request.cameraIds, startMs: request.startMs, endMs: request.endMs, source: 'export', jobId: entry.jobId, caseNumber: request.caseNumber } });
            } catch (error) {
              deps.log.error('could not put the exported footage on hold', { error, jobId: entry.jobId });
            }
          }
          // issue 17: a source segment that no longer matches its row, named in the audit trail
          for (const finding of job.altered.slice(0, 20)) {
            deps.audit.appendOrLog({ actor, action: 'footageAltered', cameraId: finding.cameraId, detail: { during: 'export', jobId: entry.jobId, kind: finding.kind, reason: finding.reason, path: finding.path, startMs: finding.startMs, endMs: finding.endMs } });
          }
        });
        return ok({ ...job.status });
      },
      exportCancel: ({ jobId }) => {
        const job = jobs.find((candidate) => candidate.id === jobId);
        if (!job) return fail('notFound', 'no such export');
        job.cancel();
        return ok(null);
      },
      exportListJobs: () => ok(jobs.map((job) => ({ ...job.status }))),
      exportLog: ({ limit }) => ok(log.list(limit)),
      exportEject: async ({ mountPoint }) => {
        if (!(await drives()).some((drive) => drive.mountPoint === mountPoint)) return fail('notFound', 'not a removable drive');
        if (jobs.some((job) => !job.finished && (isOnDrive(job.request.destination, mountPoint)))) {
          return fail('unavailable', 'an export is writing to this drive', 'busy');
        }
        const result = await ejectDrive(mountPoint);
        return result.ok ? ok(null) : fail('unavailable', result.message || 'eject failed');
      },
      exportCamerasNear: (incident) => ok(camerasWithin(deps.site.cameras, incident, incident.radiusM)),
    },
    async stop() {
      for (const job of jobs) job.cancel();
      await running;
    },
  };
}
