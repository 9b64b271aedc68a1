import { ClockWatch } from './util/clockWatch';
import path from 'node:path';
import type { EventEnvelope } from '../../common/contract';
import type { Site } from '../../common/site';
import type { Language } from '../../common/i18n';
import { systemClock, type Clock } from './util/clock';
import { createLogger, openLogFile, type Logger, type LogLevel } from './log/logger';
import { SiteStore } from './site/siteStore';
import { probeFfmpeg, FfmpegMissingError, type FfmpegInfo } from './ffmpeg/probe';
import { ProcessRegistry } from './ffmpeg/supervisor';
import { DemoMedia } from './demo/demoMedia';
import { VirtualPtzCameras } from './demo/virtualPtz';
import { DEFAULT_DEMO_TROUBLE, DemoTrouble, type DemoTroubleSpec } from './demo/trouble';
import { DEFAULT_LIVE_OPTIONS, LiveService, type LiveServiceOptions } from './media/liveService';
import { SourceHub } from './media/sourceHub';
import { RecordingService, type RecordingOptions } from './recording/recordingService';
import { createDispatcher, type Dispatch, type Handlers } from './api/dispatch';
import { createHandlers } from './api/handlers';
import { verificationAuditDetail } from './recording/verify';
import { SnapshotService } from './snapshots/snapshots';
import { SavedViews } from './views/savedViews';
import { openFolder } from './util/openFolder';
import { WorkerJobs } from './util/workerJobs';
import { DEFAULT_TIME_ZONE } from '../../common/site';
import { newToken } from './server/auth';
import { startConsoleServer, type RunningServer } from './server/consoleServer';
import { CONSOLE_VERSION, demoSitePath, restrictToOwner, secureDataDir } from './paths';
import type { FeatureDeps } from './features';
import { nextRevision } from './util/revision';
import { createPtzFeature, type PtzFeature } from './ptz/feature';
import { CameraClocks } from './onvif/cameraClocks';
import { createDevicesFeature, prepareSiteCredentials } from './devices/feature';
import { acquireDataLock, type HeldLock } from './dataLock';
import { createMapFeature, loadBuiltinMap } from './map/feature';
import { createPlaybackFeature } from './playback/feature';
import { createExportFeature } from './export/feature';
import { createSecurity, type SecurityConfig, type SecurityService } from './security/feature';
import { SYSTEM_ACTOR } from '../../common/accounts';
import type { CallContext } from './api/dispatch';
import type { Result } from '../../common/result';

/**
 * The composition root: every module of the core, wired in dependency order with its
 * configuration passed in (nothing read from globals). Both hosts run exactly this:
 * browser mode from cli.ts, Electron from utility.ts in a utility process.
 */
export interface CoreConfig {
  /** null: the built-in demo site. */
  sitePath: string | null;
  dataDir: string;
  /** 0 picks a free port. */
  port: number;
  host: 'browser' | 'electron';
  language: Language;
  /** The built renderer to serve in browser mode (null under Electron). */
  staticDir: string | null;
  extraOrigins?: string[];
  ffmpegPath?: string | null;
  /** Electron: the credentials data key, unwrapped with safeStorage by the main process. */
  credentialsKey?: Buffer | null;
  logLevel?: LogLevel;
  /** Minimum level copied to stderr (the file under data/logs gets `logLevel` and up); null: none. */
  stderrLevel?: LogLevel | null;
  live?: Partial<LiveServiceOptions>;
  clock?: Clock;
  /** How to show a folder to the user (tests replace the file manager). */
  openFolder?: (folder: string) => Promise<boolean>;
  recording?: RecordingOptions;
  /** The loopback token; a supervisor keeps it across restarts so open pages stay signed in. */
  token?: string;
  /** Log-in and sessions (idle lock, session age; issue 15). */
  security?: SecurityConfig;
  /** Electron: the host's session before a restart of the core (it resumes from DATA/security.sqlite). */
  hostSessionId?: string | null;
  /** Electron: told whenever the host's session changes, so the main process can hand it to a restarted core. */
  onHostSession?: (id: string | null) => void;
  /**
   * The demo's trouble (a camera that drops on a schedule, one with a wrong password;
   * demo/trouble.ts): on by default on the demo site, `false` (`--demo-trouble off`) turns it
   * off, a spec replaces the default schedule (tests). Never used on a real site.
   */
  demoTrouble?: boolean | DemoTroubleSpec;
}

export interface RunningCore {
  url: string;
  port: number;
  token: string;
  liveUrl: string;
  site: Site;
  isDemo: boolean;
  ffmpeg: FfmpegInfo | null;
  live: LiveService;
  hub: SourceHub;
  recording: RecordingService;
  registry: ProcessRegistry;
  dispatch: Dispatch;
  /** Electron: a call from the host's window, with the session the core keeps for the host. */
  hostCall(method: unknown, params: unknown): Promise<Result<unknown>>;
  security: SecurityService;
  log: Logger;
  onEvent(listener: (envelope: EventEnvelope) => void): () => void;
  stop(): Promise<void>;
}

export async function startCore(config: CoreConfig): Promise<RunningCore> {
  // one console per data folder, before anything reads or repairs it (throws DataFolderLockedError)
  const lock = acquireDataLock(config.dataDir);
  try {
    return await startLockedCore(config, lock);
  } catch (error) {
    lock.release();
    throw error;
  }
}

async function startLockedCore(config: CoreConfig, lock: HeldLock): Promise<RunningCore> {
  const clock = config.clock ?? systemClock;
  // owner-only DATA: 0700 folders, 0600 files, an existing DATA fixed (issue 19)
  restrictToOwner();
  secureDataDir(config.dataDir);
  const logFile = openLogFile(path.join(config.dataDir, 'logs'));
  const log = createLogger({
    level: config.logLevel ?? 'info',
    consoleLevel: config.stderrLevel ?? 'warn',
    file: logFile,
    console: config.stderrLevel === null ? null : undefined,
  });

  if (lock.replaced) log.warn('stale data-folder lock replaced', { pid: lock.replaced.pid, startedAtMs: lock.replaced.startedAtMs });

  // 1. the site: refused whole when wrong (throws SiteFileError), never half-loaded
  const isDemo = config.sitePath === null;
  const sitePath = config.sitePath ?? demoSitePath();
  // the site file's one owner (site/siteStore.ts); the demo's built-in file is never written
  const siteStore = SiteStore.load(sitePath, { writable: !isDemo });
  const site = siteStore.site;
  log.info('site loaded', { file: sitePath, name: site.name, cameras: site.cameras.length, demo: isDemo });
  // stored camera credentials into the stream URLs, in memory only, before any pull (issue 5)
  prepareSiteCredentials(siteStore, config.dataDir, log.child('devices'), config.credentialsKey ?? null);

  // accounts, sessions and the audit trail (DATA/security.sqlite): before anything that is audited
  // the PDFs (biên bản, audit report) are made in a worker thread with limits, off the event loop
  const jobs = new WorkerJobs(log.child('jobs'));
  const security = await createSecurity({ dataDir: config.dataDir, site, isDemo, clock, log: log.child('security'), jobs }, config.security);
  // issue 15: the last run ended without its `coreStopped` (a crash the host restarts, kill -9, a power cut)
  const lastRun = security.audit.lastOf(['coreStarted', 'coreStopped']);
  if (lastRun?.action === 'coreStarted') {
    security.audit.appendOrLog({ actor: SYSTEM_ACTOR, action: 'coreCrashed', detail: { startedSeq: lastRun.seq, startedAtMs: lastRun.atMs, restartedByHost: Number(process.env.CONSOLE_RESTARTS ?? 0) > 0 || config.hostSessionId != null } });
  }
  security.audit.appendOrLog({ actor: SYSTEM_ACTOR, action: 'coreStarted', detail: { version: CONSOLE_VERSION, host: config.host, site: site.name } });

  // 2. ffmpeg: resolved and probed once; without it the console still starts and says why
  const registry = new ProcessRegistry();
  let ffmpeg: FfmpegInfo | null = null;
  try {
    ffmpeg = await probeFfmpeg({ clock, log, registry }, { configuredPath: config.ffmpegPath ?? null });
  } catch (error) {
    if (!(error instanceof FfmpegMissingError)) throw error;
  }

  // 3. media
  const demo = new DemoMedia(config.dataDir, ffmpeg, { clock, log: log.child('demo'), registry }, site.cameras.map((camera) => camera.id));
  // the demo's PTZ cameras: a virtual head over a generated scene, served like a camera (loopback TCP)
  const virtualPtz = isDemo ? new VirtualPtzCameras(site.cameras, config.dataDir, ffmpeg, { clock, log: log.child('virtual-ptz'), registry }) : null;
  // the demo's trouble: a camera that drops on a schedule, one with a wrong password (demo only)
  const troubleSpec = isDemo && config.demoTrouble !== false ? (typeof config.demoTrouble === 'object' ? config.demoTrouble : DEFAULT_DEMO_TROUBLE) : null;
  const trouble = troubleSpec ? new DemoTrouble(troubleSpec, { clock, log: log.child('demo') }) : null;
  if (trouble) log.info('demo trouble on', { dropping: troubleSpec?.dropping?.cameraId ?? null, wrongPassword: troubleSpec?.wrongPassword ?? null });
  const liveOptions = { ...DEFAULT_LIVE_OPTIONS, ...config.live };
  const hub = new SourceHub(
    site,
    {
      ffmpeg,
      clock,
      log: log.child('pull'),
      registry,
      demoClip: (camera, stream) => {
        if (virtualPtz?.has(camera.id)) return virtualPtz.streamUrl(camera.id, stream);
        if (trouble?.has(camera.id)) return trouble.inputFor(camera.id, () => demo.clip(camera, stream));
        return demo.clip(camera, stream);
      },
    },
    { source: liveOptions.source, lingerMs: liveOptions.lingerMs },
  );
  const live = new LiveService(hub, { ffmpeg, clock, log: log.child('live'), registry }, liveOptions);
  // recording: recovery pass first, then a recorder per camera on its recorded stream's pull
  const recording = new RecordingService(site, hub, config.dataDir, { clock, log: log.child('recording') }, config.recording);
  // issue 17 item 7: the floor is reached and only footage on legal hold is left (an alarm, audited)
  recording.storage.onHeldFloor((heldBytes) => security.audit.appendOrLog({ actor: SYSTEM_ACTOR, action: 'heldFloor', detail: { heldBytes, floorBytes: recording.storage.floorBytes } }));
  if (ffmpeg) recording.start();
  // the demo's main-stream clips, made ahead at the lowest priority once the recorded sub
  // streams' clips are made (issue 18: a tile maximized waited for its main clip to be made)
  const demoPrefetch = isDemo && ffmpeg ? clock.setTimeout(() => demo.prefetch(site.cameras.filter((camera) => camera.streams.main.startsWith('demo://')), 'main'), 15_000) : null;
  // issue 17: what recovery completed (journaled) and what it quarantined (foreign) is audited
  for (const entry of recording.recovery?.indexed ?? []) {
    security.audit.appendOrLog({ actor: SYSTEM_ACTOR, action: 'recordingRecovered', cameraId: entry.cameraId, detail: { path: entry.path, startMs: entry.startMs, endMs: entry.endMs, keptBytes: entry.bytes, foundBytes: entry.foundBytes } });
  }
  for (const entry of recording.recovery?.quarantined ?? []) {
    security.audit.appendOrLog({ actor: SYSTEM_ACTOR, action: 'footageQuarantined', cameraId: entry.cameraId || null, detail: { path: entry.path, to: entry.to, bytes: entry.bytes, startMs: entry.startMs } });
  }
  // issue 15: a jump of the PC clock is audited once (each recorder also writes its clockJump gap)
  const clockWatch = new ClockWatch(clock, (jump) => {
    log.warn('the PC clock jumped', { ...jump });
    security.audit.appendOrLog({ actor: SYSTEM_ACTOR, action: 'clockJump', detail: { ...jump } });
  });
  clockWatch.start();
  recording.onVerified((report, actor, options) => security.audit.appendOrLog({ actor, action: 'footageVerified', cameraId: options.cameraId ?? null, detail: verificationAuditDetail(report, { by: 'storagePage' }) }));
  // footage deleted by retention, quota or the disk floor: logged at info and audited, grouped per camera and reason each second
  const deletedFootage = new Map<string, { cameraId: string; why: string; startMs: number; endMs: number; segments: number }>();
  let flushDeleted: ReturnType<typeof setTimeout> | null = null;
  recording.storage.onDeleted((segment, why) => {
    const key = `${segment.cameraId}|${why}`;
    const entry = deletedFootage.get(key) ?? { cameraId: segment.cameraId, why, startMs: segment.startMs, endMs: segment.endMs, segments: 0 };
    entry.startMs = Math.min(entry.startMs, segment.startMs);
    entry.endMs = Math.max(entry.endMs, segment.endMs);
    entry.segments += 1;
    deletedFootage.set(key, entry);
    flushDeleted ??= setTimeout(() => {
      flushDeleted = null;
      for (const deleted of deletedFootage.values()) {
        log.info('footage deleted', { ...deleted });
        security.audit.appendOrLog({ actor: SYSTEM_ACTOR, action: 'footageDeleted', cameraId: deleted.cameraId, detail: { reason: deleted.why, startMs: deleted.startMs, endMs: deleted.endMs, segments: deleted.segments } });
      }
      deletedFootage.clear();
    }, 1000);
  });

  const snapshots = new SnapshotService(config.dataDir, live, ffmpeg, site.timeZone ?? DEFAULT_TIME_ZONE, { clock, log: log.child('snapshots'), registry });
  const savedViews = new SavedViews(config.dataDir, log.child('views'));

  // 4. the features (each owns its folder and contract file; see features.ts)
  let emitEvent: (envelope: EventEnvelope) => void = () => undefined;
  let builtinMap: ReturnType<typeof loadBuiltinMap> | undefined;
  const featureDeps = (scope: string): FeatureDeps => ({
    site,
    siteStore,
    isDemo,
    dataDir: config.dataDir,
    version: CONSOLE_VERSION,
    credentialsKey: config.credentialsKey ?? null,
    ffmpeg,
    clock,
    log: log.child(scope),
    registry,
    hub,
    live,
    recording,
    emit: (envelope) => emitEvent(envelope),
    onLiveClientGone: (listener) => live.onClientGone(listener),
    audit: security.audit,
    virtualPtz,
    builtinMap: () => (builtinMap === undefined ? (builtinMap = loadBuiltinMap()) : builtinMap),
    jobs,
  });
  // the site's cameras changed (added from the devices page, placed on the map): new cameras'
  // pulls start when a view asks and they record from now on; the UIs reload their camera list
  siteStore.onCamerasChanged((change) => {
    for (const camera of change.added) {
      hub.addCamera(camera);
      recording.addCamera(camera);
    }
    emitEvent({ event: 'camerasChanged', payload: { revision: nextRevision() } });
  });
  // devices and PTZ hand each other one function (through here, not by importing)
  // the cameras' own clocks (ONVIF), measured for every ONVIF camera; PTZ reports what it measures
  const cameraClocks = new CameraClocks({ clock, log: log.child('cameraClocks'), cameras: () => site.cameras });
  const devices = createDevicesFeature(featureDeps('devices'), { clockOffsetOf: (cameraId) => cameraClocks.of(cameraId)?.offsetMs ?? null });
  const ptz: PtzFeature = createPtzFeature(featureDeps('ptz'), {
    credentialsOf: (camera) => devices.credentialsOf(camera),
    onClockMeasured: (cameraId, offsetMs) => cameraClocks.record(cameraId, offsetMs),
    clockOffsetOf: (cameraId) => cameraClocks.of(cameraId)?.offsetMs ?? null,
  });
  const map = createMapFeature(featureDeps('map'));
  const playback = createPlaybackFeature(featureDeps('playback'));
  const exports = createExportFeature(featureDeps('export'), { cameraClockOf: (cameraId) => cameraClocks.of(cameraId) });
  cameraClocks.start();
  const features = [devices, ptz, map, playback, exports];

  // 5. the contract
  const token = config.token ?? newToken();
  let server: RunningServer | null = null;
  const coreHandlers = createHandlers({
    site,
    isDemo,
    version: CONSOLE_VERSION,
    dataDir: config.dataDir,
    ffmpeg,
    live,
    hub,
    recording,
    snapshots,
    savedViews,
    openFolder: config.openFolder ?? ((folder) => openFolder(folder)),
    host: config.host,
    liveEndpoint: () => ({ url: server?.liveUrl ?? '', token }),
    audit: security.audit,
  });
  const handlers: Handlers = { ...coreHandlers, ...devices.handlers, ...ptz.handlers, ...map.handlers, ...playback.handlers, ...exports.handlers, ...security.handlers };
  const dispatch = createDispatcher(handlers, log.child('api'), security.policy);
  // Electron: the core keeps the host's session (one per app, shared by its windows; docs/security.md)
  let hostSessionId: string | null = config.hostSessionId ?? null;
  const setHostSession = (id: string | null): void => {
    if (id === hostSessionId) return;
    hostSessionId = id;
    config.onHostSession?.(id);
  };
  const hostContext: CallContext = {
    clientKey: 'ipc',
    get sessionId() {
      return hostSessionId;
    },
    setSession: setHostSession,
  };
  const eventListeners = new Set<(envelope: EventEnvelope) => void>();

  // 6. the loopback server (browser mode: everything; Electron: the live socket)
  server = await startConsoleServer({
    port: config.port,
    token,
    staticDir: config.staticDir,
    dispatch,
    live,
    snapshotFile: (name) => snapshots.pathOf(name),
    log: log.child('server'),
    extraOrigins: config.extraOrigins,
    security: {
      principalOf: (sessionId, transport) => security.principalOf(sessionId, transport),
      hostSessionId: () => hostSessionId,
      bindClient: (sessionId, clientId, screen) => security.sessions.bindClient(sessionId, clientId, screen),
      unbindClient: (clientId) => security.sessions.unbindClient(clientId),
      mayReceiveFrames: (clientId) => security.sessions.mayReceiveFrames(clientId),
    },
  });
  const running = server;
  // a locked session's views close at once and its sockets get no frame; an ended one's sockets close
  security.sessions.onChange((change) => {
    if (change.type === 'locked' || change.type === 'unlocked' || change.type === 'ended') {
      for (const clientId of security.sessions.clientsOf(change.session.id)) {
        // a second screen's wall the site lets play on keeps its views (video only: calls are refused)
        const wallPlaysOn = change.type === 'locked' && security.sessions.keepsWallWhileLocked(clientId);
        if (change.type === 'locked' && !wallPlaysOn) live.closeViewsOfClient(clientId);
        running.sendToClient(clientId, { t: 'session', state: change.type === 'locked' ? 'locked' : change.type === 'unlocked' ? 'active' : 'ended', ...(wallPlaysOn ? { wallPlaysOn: true } : {}) });
        if (change.type === 'ended') running.closeClient(clientId);
      }
    }
    if (change.type === 'ended') {
      // its sockets were unbound by the manager: close every socket that still names it
      if (hostSessionId === change.session.id) setHostSession(null);
    }
    if (change.type === 'replaced' && hostSessionId === change.from.id) setHostSession(change.to.id);
  });
  const emit = (envelope: EventEnvelope): void => {
    running.broadcast(envelope);
    for (const listener of eventListeners) listener(envelope);
  };
  hub.onStatus((payload) => emit({ event: 'streamStatus', payload }));
  live.onViewHealth((payload) => emit({ event: 'viewHealth', payload }));
  recording.onStatus((payload) => emit({ event: 'recordingStatus', payload }));
  emitEvent = emit;
  for (const feature of features) await feature.start?.();

  let stopping: Promise<void> | null = null;
  return {
    url: running.url,
    port: running.port,
    token,
    liveUrl: running.liveUrl,
    site,
    isDemo,
    ffmpeg,
    live,
    hub,
    recording,
    registry,
    dispatch,
    hostCall: (method, params) => dispatch(security.principalOf(hostSessionId, 'ipc'), method, params, hostContext),
    security,
    log,
    onEvent(listener) {
      eventListeners.add(listener);
      return () => eventListeners.delete(listener);
    },
    stop() {
      stopping ??= (async () => {
        log.info('stopping');
        clockWatch.stop();
        demoPrefetch?.cancel();
        cameraClocks.stop();
        await running.close();
        for (const feature of features) await feature.stop?.();
        await live.stop();
        await recording.stop();
        await hub.stop();
        await virtualPtz?.stop();
        await trouble?.close();
        registry.killAll();
        if (flushDeleted) clearTimeout(flushDeleted);
        for (const deleted of deletedFootage.values()) security.audit.appendOrLog({ actor: SYSTEM_ACTOR, action: 'footageDeleted', cameraId: deleted.cameraId, detail: { reason: deleted.why, startMs: deleted.startMs, endMs: deleted.endMs, segments: deleted.segments } });
        security.audit.appendOrLog({ actor: SYSTEM_ACTOR, action: 'coreStopped' });
        security.stop();
        logFile.close();
        lock.release();
      })();
      return stopping;
    },
  };
}
