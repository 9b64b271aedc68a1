import { MAX_HOLD_RANGE_MS, type CameraSummary, type coreMethods } from '../../../common/contract';
import { DEFAULT_INSTANT_REPLAY_SECONDS, DEFAULT_TIME_ZONE, streamsOf, type Site } from '../../../common/site';
import { PERMISSIONS } from '../../../common/permissions';
import { fail, ok } from '../../../common/result';
import type { FfmpegInfo } from '../ffmpeg/probe';
import { ffmpegWarning } from '../ffmpeg/resolve';
import type { LiveService } from '../media/liveService';
import type { SourceHub } from '../media/sourceHub';
import type { RecordingService } from '../recording/recordingService';
import type { SnapshotService } from '../snapshots/snapshots';
import type { SavedViews } from '../views/savedViews';
import type { AuditService, FeatureHandlers } from '../features';
import { actorOf } from './dispatch';

export interface HandlerContext {
  site: Site;
  isDemo: boolean;
  version: string;
  dataDir: string;
  ffmpeg: FfmpegInfo | null;
  live: LiveService;
  hub: SourceHub;
  recording: RecordingService;
  snapshots: SnapshotService;
  savedViews: SavedViews;
  openFolder: (folder: string) => Promise<boolean>;
  host: 'electron' | 'browser';
  /** Where the live socket is, and the token a cookie-less host (Electron) must present. */
  liveEndpoint: () => { url: string; token: string };
  /** The audit trail's one writer: holds placed and released are refused when it cannot write. */
  audit: AuditService;
}

export function cameraSummaries(site: Site): CameraSummary[] {
  return site.cameras.map((camera) => ({
    id: camera.id,
    name: camera.name,
    village: camera.village ?? null,
    latitude: camera.latitude ?? null,
    longitude: camera.longitude ?? null,
    headingDeg: camera.headingDeg ?? null,
    ptz: camera.ptz ?? false,
    streams: streamsOf(camera),
  }));
}

/** The core's implementation of every contract method. Stream URLs and credentials never leave. */
export function createHandlers(context: HandlerContext): FeatureHandlers<typeof coreMethods> {
  return {
    getSession(_params, principal) {
      const endpoint = context.liveEndpoint();
      return ok({
        role: principal.role ?? 'dutyOfficer',
        user: principal.user,
        permissions: PERMISSIONS.filter((permission) => principal.permissions.has(permission)),
        liveUrl: endpoint.url,
        liveToken: principal.transport === 'ipc' ? endpoint.token : null,
        version: context.version,
        host: context.host,
        ffmpeg: context.ffmpeg ? { version: context.ffmpeg.version, source: context.ffmpeg.source, path: context.ffmpeg.path, warning: ffmpegWarning(context.ffmpeg.source, context.ffmpeg.version) } : null,
      });
    },
    getSite() {
      return ok({
        name: context.site.name,
        timeZone: context.site.timeZone ?? DEFAULT_TIME_ZONE,
        cameraCount: context.site.cameras.length,
        isDemo: context.isDemo,
        instantReplaySeconds: context.site.playback?.instantReplaySeconds ?? DEFAULT_INSTANT_REPLAY_SECONDS,
      });
    },
    listCameras() {
      return ok(cameraSummaries(context.site));
    },
    listStreamStatus() {
      return ok(context.hub.statuses());
    },
    getSystemInfo() {
      return ok({
        version: context.version,
        ffmpeg: context.ffmpeg ? { source: context.ffmpeg.source, version: context.ffmpeg.version } : null,
        dataDir: context.dataDir,
      });
    },
    openLive(params) {
      if (!context.live.hasClient(params.liveClientId)) return fail('notFound', 'unknown live client');
      return context.live.openView(params.liveClientId, params.cameraId, params.stream, params.widthPx, params.heightPx);
    },
    async closeLive(params) {
      return context.live.closeView(params.viewId);
    },
    warmStream(params) {
      return context.live.warm(params.cameraId, params.stream);
    },
    getLiveStats() {
      return ok(context.live.liveStats());
    },
    takeSnapshot(params) {
      return context.snapshots.take(params.cameraId, params.stream);
    },
    async openSnapshotFolder() {
      const opened = await context.openFolder(context.snapshots.folder);
      return opened ? ok({ folder: context.snapshots.folder }) : fail('unavailable', 'no file manager');
    },
    listSavedViews() {
      return ok(context.savedViews.list());
    },
    saveView(params) {
      context.savedViews.save(params.view);
      return ok(null);
    },
    deleteView(params) {
      return context.savedViews.delete(params.name) ? ok(null) : fail('notFound', 'no such view');
    },
    listRecordingStatus() {
      return ok(context.recording.statuses());
    },
    getStorage() {
      return ok(context.recording.storageInfo());
    },
    verifyFootage(params, principal) {
      return ok({ started: context.recording.startVerification(principal.user?.userName ?? 'system', { cameraId: params.cameraId }) });
    },
    placeHold(params, principal) {
      if (params.endMs <= params.startMs || params.endMs - params.startMs > MAX_HOLD_RANGE_MS) return fail('badRequest', 'a hold covers more than nothing and at most 31 days', 'badRange');
      const unknown = params.cameraIds.find((cameraId) => !context.site.cameras.some((camera) => camera.id === cameraId));
      if (unknown) return fail('notFound', `no camera ${unknown}`, 'unknownCamera');
      const actor = actorOf(principal);
      const source = params.bookmarkId ? 'bookmark' : 'manual';
      // the audit row first: a hold nobody can account for is not placed
      const audited = context.audit.append({ actor, action: 'holdPlaced', detail: { cameraIds: params.cameraIds, startMs: params.startMs, endMs: params.endMs, reason: params.reason, source, bookmarkId: params.bookmarkId } });
      if (!audited.ok) return audited;
      const holds = context.recording.placeHolds({ ...params, source, sourceRef: params.bookmarkId }, actor);
      return ok({ holdIds: holds.map((hold) => hold.id) });
    },
    releaseHold(params, principal) {
      const actor = actorOf(principal);
      const hold = context.recording.holds().find((candidate) => candidate.id === params.holdId);
      if (!hold) return fail('notFound', 'no such hold');
      if (hold.releasedMs !== null) return fail('badRequest', 'released already');
      const audited = context.audit.append({ actor, action: 'holdReleased', cameraId: hold.cameraId, detail: { holdId: hold.id, startMs: hold.startMs, endMs: hold.endMs, heldReason: hold.reason, reason: params.reason, source: hold.source, sourceRef: hold.sourceRef, createdBy: hold.createdBy, bytes: hold.bytes } });
      if (!audited.ok) return audited;
      const released = context.recording.releaseHold(params.holdId, actor, params.reason);
      return typeof released === 'string' ? fail(released === 'notFound' ? 'notFound' : 'badRequest', `hold ${released}`) : ok(null);
    },
  };
}
