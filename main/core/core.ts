import fs from 'node:fs';
import path from 'node:path';
import type { EventEnvelope } from '../../common/contract';
import type { Site } from '../../common/site';
import type { Language } from '../../common/i18n';
import { systemClock, type Clock } from './util/clock';
import { createLogger, openLogFile, type Logger, type LogLevel } from './log/logger';
import { loadSiteFile } from './site/loadSite';
import { probeFfmpeg, FfmpegMissingError, type FfmpegInfo } from './ffmpeg/probe';
import { ProcessRegistry } from './ffmpeg/supervisor';
import { DemoMedia } from './demo/demoMedia';
import { VirtualPtzCameras } from './demo/virtualPtz';
import { DEFAULT_LIVE_OPTIONS, LiveService, type LiveServiceOptions } from './media/liveService';
import { SourceHub } from './media/sourceHub';
import { RecordingService, type RecordingOptions } from './recording/recordingService';
import { createDispatcher, type Dispatch, type Handlers } from './api/dispatch';
import { createHandlers } from './api/handlers';
import { SnapshotService } from './snapshots/snapshots';
import { SavedViews } from './views/savedViews';
import { openFolder } from './util/openFolder';
import { DEFAULT_TIME_ZONE } from '../../common/site';
import { newToken } from './server/auth';
import { startConsoleServer, type RunningServer } from './server/consoleServer';
import { CONSOLE_VERSION, demoSitePath } from './paths';
import type { FeatureDeps } from './features';
import { nextRevision } from './util/revision';
import { createPtzFeature, prepareSiteCredentials } from './ptz/feature';
import { createMapFeature } from './map/feature';
import { createPlaybackFeature } from './playback/feature';
import { createExportFeature } from './export/feature';

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
  log: Logger;
  onEvent(listener: (envelope: EventEnvelope) => void): () => void;
  stop(): Promise<void>;
}

export async function startCore(config: CoreConfig): Promise<RunningCore> {
  const clock = config.clock ?? systemClock;
  fs.mkdirSync(config.dataDir, { recursive: true });
  const logFile = openLogFile(path.join(config.dataDir, 'logs'));
  const log = createLogger({
    level: config.logLevel ?? 'info',
    consoleLevel: config.stderrLevel ?? 'warn',
    file: logFile,
    console: config.stderrLevel === null ? null : undefined,
  });

  // 1. the site: refused whole when wrong (throws SiteFileError), never half-loaded
  const isDemo = config.sitePath === null;
  const sitePath = config.sitePath ?? demoSitePath();
  const site = loadSiteFile(sitePath);
  log.info('site loaded', { file: sitePath, name: site.name, cameras: site.cameras.length, demo: isDemo });
  // stored camera credentials into the stream URLs, in memory only, before any pull (issue 5)
  prepareSiteCredentials(site, config.dataDir, log.child('ptz'), config.credentialsKey ?? null);

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
  const liveOptions = { ...DEFAULT_LIVE_OPTIONS, ...config.live };
  const hub = new SourceHub(
    site,
    { ffmpeg, clock, log: log.child('pull'), registry, demoClip: (camera, stream) => (virtualPtz?.has(camera.id) ? virtualPtz.streamUrl(camera.id, stream) : demo.clip(camera, stream)) },
    { source: liveOptions.source, lingerMs: liveOptions.lingerMs },
  );
  const live = new LiveService(hub, { ffmpeg, clock, log: log.child('live'), registry }, liveOptions);
  // recording: recovery pass first, then a recorder per camera on its recorded stream's pull
  const recording = new RecordingService(site, hub, config.dataDir, { clock, log: log.child('recording') }, config.recording);
  if (ffmpeg) recording.start();

  const snapshots = new SnapshotService(config.dataDir, live, ffmpeg, site.timeZone ?? DEFAULT_TIME_ZONE, { clock, log: log.child('snapshots'), registry });
  const savedViews = new SavedViews(config.dataDir, log.child('views'));

  // 4. the features (each owns its folder and contract file; see features.ts)
  let emitEvent: (envelope: EventEnvelope) => void = () => undefined;
  const featureDeps = (scope: string): FeatureDeps => ({
    site,
    sitePath,
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
    camerasChanged: () => emitEvent({ event: 'camerasChanged', payload: { revision: nextRevision() } }),
    onLiveClientGone: (listener) => live.onClientGone(listener),
    virtualPtz,
  });
  const ptz = createPtzFeature(featureDeps('ptz'));
  const map = createMapFeature(featureDeps('map'));
  const playback = createPlaybackFeature(featureDeps('playback'));
  const exports = createExportFeature(featureDeps('export'));
  const features = [ptz, map, playback, exports];

  // 5. the contract
  const token = newToken();
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
  });
  const handlers: Handlers = { ...coreHandlers, ...ptz.handlers, ...map.handlers, ...playback.handlers, ...exports.handlers };
  const dispatch = createDispatcher(handlers, log.child('api'));
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
  });
  const running = server;
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
    log,
    onEvent(listener) {
      eventListeners.add(listener);
      return () => eventListeners.delete(listener);
    },
    stop() {
      stopping ??= (async () => {
        log.info('stopping');
        await running.close();
        for (const feature of features) await feature.stop?.();
        await live.stop();
        await recording.stop();
        await hub.stop();
        await virtualPtz?.stop();
        registry.killAll();
        logFile.close();
      })();
      return stopping;
    },
  };
}
