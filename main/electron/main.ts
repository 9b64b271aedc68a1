import path from 'node:path';
import fs from 'node:fs';
import os from 'node:os';
import { pathToFileURL } from 'node:url';
import { randomBytes } from 'node:crypto';
import {
  app,
  BrowserWindow,
  dialog,
  ipcMain,
  net,
  powerSaveBlocker,
  protocol,
  safeStorage,
  screen,
  session,
  utilityProcess,
  type UtilityProcess,
} from 'electron';
import { APP_ORIGIN, APP_SCHEME, IPC_CHANNELS } from '../../common/bridge';
import type { EventEnvelope } from '../../common/contract';
import { fail } from '../../common/result';
import { DEFAULT_LANGUAGE, isLanguage, translate } from '../../common/i18n';
import { FromCoreSchema, type ToCore } from '../core/utilityProtocol';
import { parseCliArgs, pickOwnOptions, type CliOptions } from '../core/cliArgs';
import { classifyExit, CrashHistory, crashLoopPage, HANG, hangProbeMs, HangWatch } from '../core/restartPolicy';
import {
  autoStartPlan,
  checkCall,
  isConsolePage,
  mayNavigate,
  parseHostOptions,
  parseWindowState,
  restorePlacement,
  secondInstanceHandOff,
  windowKey,
  type SavedPlacement,
} from './policy';

/**
 * The Electron host: thin glue around the decisions of ./policy.ts and ../core/restartPolicy.ts.
 * The window is sandboxed (contextIsolation, sandbox, no Node), loads the renderer from
 * app://console under a strict CSP, cannot navigate, and reaches the core only through the
 * preload's contract bridge. The core runs in a utility process that this host restarts with
 * back-off (same live port and token, so windows reconnect by themselves), until a crash loop,
 * when the windows show where the logs are. One console per machine (requestSingleInstanceLock).
 */
protocol.registerSchemesAsPrivileged([{ scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } }]);

const rendererRoot = path.join(__dirname, '..', 'renderer');
const hostOptions = parseHostOptions(process.argv.slice(1), process.env);
let options: CliOptions;

// ---- the core in its utility process, supervised ---------------------------------------------

let core: UtilityProcess | null = null;
let coreReady = false;
let stopping = false;
let livePort = 0;
const liveToken = randomBytes(24).toString('base64url');
const crashes = new CrashHistory();
let restarts = 0;
let downSinceMs = 0;
let nextCallId = 1;
const pendingCalls = new Map<number, (result: unknown) => void>();
const playingViews = new Set<number>();
/** The windows' session in the core, kept in memory only, handed to a restarted core so nobody is signed out by a crash. */
let hostSessionId: string | null = null;

function broadcast(envelope: EventEnvelope): void {
  for (const window of BrowserWindow.getAllWindows()) {
    if (!window.isDestroyed()) window.webContents.send(IPC_CHANNELS.event, envelope);
  }
}

const pendingPings = new Map<number, () => void>();
let hangWatch = new HangWatch();

/**
 * The hang watch (restartPolicy.ts HANG): a ping over the utility port every period; a core that
 * misses about 30 s of them is killed with SIGKILL (it would not run a SIGTERM handler) and its
 * exit restarts it like a crash.
 */
function watchForHang(probeMs: number): void {
  const startedMs = Date.now();
  const current = core;
  const next = (): void => void setTimeout(() => watchForHang(probeMs), Math.max(0, probeMs - (Date.now() - startedMs)));
  if (!current || !coreReady || stopping) {
    next();
    return;
  }
  const id = nextCallId++;
  const answered = new Promise<boolean>((resolve) => {
    pendingPings.set(id, () => resolve(true));
    setTimeout(() => resolve(false), probeMs);
  });
  current.postMessage({ type: 'ping', id } satisfies ToCore);
  void answered.then((ok) => {
    pendingPings.delete(id);
    if (core === current && hangWatch.probed(ok) === 'hung' && current.pid) {
      console.error(translate(options.language, 'host.hung', { seconds: Math.round((probeMs * HANG.missedProbes) / 1000) }));
      process.kill(current.pid, 'SIGKILL');
    }
    next();
  });
}

/** Starts one core; resolves when it is ready, rejects with its refusal (startFailed). */
function forkCore(): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = utilityProcess.fork(path.join(__dirname, '..', 'core', 'utility.cjs'), [], { serviceName: 'Console core', stdio: 'inherit' });
    core = child;
    hangWatch = new HangWatch();
    let settled = false;
    child.on('message', (raw: unknown) => {
      const parsed = FromCoreSchema.safeParse(raw);
      if (!parsed.success) return;
      const message = parsed.data;
      if (message.type === 'ready') {
        livePort = message.port;
        coreReady = true;
        settled = true;
        resolve();
      } else if (message.type === 'startFailed') {
        settled = true;
        reject(Object.assign(new Error(message.message), { locked: message.locked === true }));
      } else if (message.type === 'hostSession') {
        hostSessionId = message.id;
      } else if (message.type === 'pong') {
        pendingPings.get(message.id)?.();
      } else if (message.type === 'result') {
        pendingCalls.get(message.id)?.(message.result);
        pendingCalls.delete(message.id);
      } else if (message.type === 'event') {
        if (message.envelope.event === 'viewHealth') {
          if (message.envelope.payload.health === 'playing') playingViews.add(message.envelope.payload.viewId);
          else playingViews.delete(message.envelope.payload.viewId);
          updateSleepBlocker();
        }
        broadcast(message.envelope);
      }
    });
    child.on('exit', (code: number) => {
      if (core === child) core = null;
      coreReady = false;
      for (const resolveCall of pendingCalls.values()) resolveCall(fail('unavailable', 'core exited'));
      pendingCalls.clear();
      playingViews.clear();
      updateSleepBlocker();
      if (!settled) {
        settled = true;
        reject(new Error(`core exited with ${code}`));
        return;
      }
      onCoreExit(code);
    });
    const start: ToCore = {
      type: 'start',
      sitePath: options.site,
      dataDir: options.data,
      language: options.language,
      ffmpegPath: options.ffmpeg,
      credentialsKey: credentialsKey(options.data),
      port: livePort,
      token: liveToken,
      hostSessionId,
      idleLockSeconds: options.idleLockSeconds,
      demoTrouble: options.demoTrouble,
    };
    child.postMessage(start);
  });
}

/** An exit after the core was ready: restart it with back-off, or give up on a crash loop. */
function onCoreExit(code: number): void {
  if (classifyExit(code, null, stopping) !== 'crash') return;
  if (downSinceMs === 0) downSinceMs = Date.now();
  const decision = crashes.record(Date.now());
  if (decision.action === 'giveUp') {
    showCrashLoop(decision.recentExits);
    return;
  }
  console.error(translate(options.language, 'host.restarting', { count: restarts + 1, seconds: (decision.delayMs / 1000).toFixed(1) }));
  setTimeout(() => {
    if (stopping) return;
    forkCore().then(
      () => {
        restarts += 1;
        broadcast({ event: 'coreRestarted', payload: { restarts, downMs: Date.now() - downSinceMs } });
        downSinceMs = 0;
      },
      // a refusal on restart (say the site file was broken meanwhile) counts as one more crash
      () => onCoreExit(1),
    );
  }, decision.delayMs);
}

function showCrashLoop(exits: number): void {
  const page = crashLoopPage(options.language, path.join(options.data, 'logs'), exits);
  for (const window of BrowserWindow.getAllWindows()) {
    void window.loadURL(`data:text/html;charset=utf-8,${encodeURIComponent(page)}`);
  }
}

/**
 * The data key of the camera credentials, kept wrapped by the OS keychain (safeStorage: DPAPI
 * on Windows, libsecret/kwallet on Linux) in DATA/credentials.key.wrapped, unwrapped here and
 * handed to the core. Without a keychain: null, and the core keeps its 0600 key file (the
 * browser-mode fallback, docs/devices.md).
 */
function credentialsKey(dataDir: string): string | null {
  try {
    if (!safeStorage.isEncryptionAvailable()) return null;
    const wrappedFile = path.join(dataDir, 'credentials.key.wrapped');
    if (fs.existsSync(wrappedFile)) return safeStorage.decryptString(fs.readFileSync(wrappedFile));
    // a first start under Electron after browser mode: take over the key file's key
    const plainFile = path.join(dataDir, 'credentials.key');
    const key = fs.existsSync(plainFile) ? fs.readFileSync(plainFile) : randomBytes(32);
    if (key.length !== 32) return null;
    const encoded = key.toString('base64');
    fs.mkdirSync(dataDir, { recursive: true });
    fs.writeFileSync(wrappedFile, safeStorage.encryptString(encoded), { mode: 0o600 });
    if (fs.existsSync(plainFile)) fs.rmSync(plainFile);
    return encoded;
  } catch {
    return null;
  }
}

// ---- display sleep -------------------------------------------------------------------------

let sleepBlocker: number | null = null;

/** prevent-display-sleep while a wall shows video in a window that is not minimized. */
function updateSleepBlocker(): void {
  const visible = BrowserWindow.getAllWindows().some((window) => !window.isDestroyed() && !window.isMinimized());
  const want = playingViews.size > 0 && visible;
  if (want && sleepBlocker === null) sleepBlocker = powerSaveBlocker.start('prevent-display-sleep');
  else if (!want && sleepBlocker !== null) {
    powerSaveBlocker.stop(sleepBlocker);
    sleepBlocker = null;
  }
}

// ---- windows -------------------------------------------------------------------------------

function contentSecurityPolicy(): string {
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data: blob:",
    "font-src 'self'",
    `connect-src ws://127.0.0.1:${livePort}`,
    "worker-src 'self' blob:",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
    "object-src 'none'",
  ].join('; ');
}

function serveRenderer(request: Request): Promise<Response> | Response {
  const url = new URL(request.url);
  const relative = decodeURIComponent(url.pathname === '/' ? '/index.html' : url.pathname).replace(/^\/+/, '');
  const file = path.resolve(rendererRoot, relative);
  if (url.host !== 'console' || !file.startsWith(rendererRoot + path.sep) || !fs.existsSync(file)) {
    return new Response('Not found', { status: 404 });
  }
  return net.fetch(pathToFileURL(file).toString()).then((response) => {
    const headers = new Headers(response.headers);
    headers.set('Content-Security-Policy', contentSecurityPolicy());
    headers.set('X-Content-Type-Options', 'nosniff');
    return new Response(response.body, { status: response.status, headers });
  });
}

function windowStateFile(): string {
  return path.join(options.data, 'window-state.json');
}

function readWindowState(): Record<string, SavedPlacement> {
  try {
    return parseWindowState(fs.readFileSync(windowStateFile(), 'utf8'));
  } catch {
    return {};
  }
}

function rememberPlacement(key: string, window: BrowserWindow): void {
  try {
    const bounds = window.getNormalBounds();
    const state = readWindowState();
    state[key] = { displayId: screen.getDisplayMatching(bounds).id, bounds, fullScreen: window.isFullScreen(), maximized: window.isMaximized() };
    fs.writeFileSync(windowStateFile(), JSON.stringify(state, null, 2));
  } catch {
    // placement is a comfort: never fail a close over it
  }
}

/** The same locked-down preferences for every window (the wall and any second screen), placed where it was. */
function windowOptions(key: string): Electron.BrowserWindowConstructorOptions {
  const displays = screen.getAllDisplays().map((display) => ({ id: display.id, bounds: display.bounds, workArea: display.workArea }));
  const placement = restorePlacement(readWindowState()[key] ?? null, displays, screen.getPrimaryDisplay().id, key);
  return {
    ...placement.bounds,
    fullscreen: placement.fullScreen,
    kiosk: hostOptions.kiosk,
    backgroundColor: '#0f1216',
    title: translate(options.language, 'app.title'),
    webPreferences: {
      preload: path.join(__dirname, '..', 'preload', 'preload.cjs'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
      spellcheck: false,
    },
  };
}

function track(window: BrowserWindow, key: string, maximized: boolean): void {
  if (maximized) window.maximize();
  window.on('close', () => rememberPlacement(key, window));
  window.on('minimize', updateSleepBlocker);
  window.on('restore', updateSleepBlocker);
  window.webContents.on('render-process-gone', () => {
    // a renderer crash: reload; the page reconnects and reopens its views
    if (!window.isDestroyed()) window.webContents.reload();
  });
}

function createWindow(): BrowserWindow {
  const key = 'main';
  const saved = readWindowState()[key];
  const window = new BrowserWindow(windowOptions(key));
  track(window, key, saved?.maximized === true);
  void window.loadURL(`${APP_ORIGIN}/index.html`);
  return window;
}

app.on('web-contents-created', (_event, contents) => {
  contents.on('will-navigate', (event, url) => {
    if (!mayNavigate(url, contents.getURL())) event.preventDefault();
  });
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(({ url }) => (isConsolePage(url) ? { action: 'allow', overrideBrowserWindowOptions: windowOptions(windowKey(url)) } : { action: 'deny' }));
  contents.on('did-create-window', (window, details) => track(window, windowKey(details.url), false));
});

// ---- auto-start at log-in --------------------------------------------------------------------

/** The setting lives in DATA/host-settings.json; on by default in installed builds. */
function applyAutoStart(): void {
  const file = path.join(options.data, 'host-settings.json');
  let saved: { autoStart?: boolean } = {};
  try {
    saved = JSON.parse(fs.readFileSync(file, 'utf8')) as { autoStart?: boolean };
  } catch {
    // first start
  }
  const plan = autoStartPlan({ platform: process.platform, isPackaged: app.isPackaged, flag: hostOptions.autoStart, saved: saved.autoStart, homeDir: os.homedir(), exec: process.env.APPIMAGE ?? process.execPath, name: translate('vi', 'app.title') });
  try {
    fs.writeFileSync(file, JSON.stringify({ ...saved, autoStart: plan.autoStart }, null, 2));
    if (plan.openAtLogin !== null) app.setLoginItemSettings({ openAtLogin: plan.openAtLogin });
    if (plan.desktopFile?.action === 'write') {
      fs.mkdirSync(path.dirname(plan.desktopFile.path), { recursive: true });
      fs.writeFileSync(plan.desktopFile.path, plan.desktopFile.content);
    } else if (plan.desktopFile?.action === 'remove') fs.rmSync(plan.desktopFile.path, { force: true });
  } catch (error) {
    console.error('auto-start setting not applied:', (error as Error).message);
  }
}

// ---- start -----------------------------------------------------------------------------------

function mainWindow(): BrowserWindow | null {
  return BrowserWindow.getAllWindows().find((window) => !window.isDestroyed()) ?? null;
}

if (!app.requestSingleInstanceLock()) {
  // the console already runs: it shows its window ('second-instance' there); this copy leaves
  app.quit();
} else {
  app.on('second-instance', () => {
    const window = mainWindow();
    const handOff = secondInstanceHandOff(window ? { exists: true, minimized: window.isMinimized() } : null);
    if (handOff.action === 'create') {
      if (coreReady) createWindow();
      return;
    }
    if (handOff.restore) window?.restore();
    window?.show();
    window?.focus();
  });

  void app.whenReady().then(async () => {
    options = parseCliArgs(pickOwnOptions(process.argv.slice(1)), {
      ...process.env,
      CONSOLE_DATA_DIR: process.env.CONSOLE_DATA_DIR ?? app.getPath('userData'),
      CONSOLE_LANG: isLanguage(process.env.CONSOLE_LANG) ? process.env.CONSOLE_LANG : DEFAULT_LANGUAGE,
    });
    fs.mkdirSync(options.data, { recursive: true });
    session.defaultSession.setPermissionRequestHandler((_contents, permission, callback) => callback(permission === 'fullscreen'));
    protocol.handle(APP_SCHEME, serveRenderer);
    ipcMain.handle(IPC_CHANNELS.call, (event, raw: unknown) => {
      const frame = event.senderFrame;
      const sender = frame ? { url: frame.url, origin: frame.origin, isMainFrame: frame === event.sender.mainFrame } : null;
      const check = checkCall(sender, raw, coreReady && core !== null);
      if (!check.ok) return fail(check.code, check.message);
      const id = nextCallId++;
      const message: ToCore = { type: 'call', id, method: check.method, params: check.params };
      return new Promise((resolve) => {
        pendingCalls.set(id, resolve);
        core?.postMessage(message);
      });
    });
    applyAutoStart();
    try {
      await forkCore();
    } catch (error) {
      dialog.showErrorBox(translate(options.language, 'app.title'), (error as Error).message);
      app.exit(2);
      return;
    }
    createWindow();
    watchForHang(hangProbeMs(process.env.CONSOLE_HANG_PROBE_MS));
  });

  app.on('window-all-closed', () => {
    stopping = true;
    core?.postMessage({ type: 'stop' } satisfies ToCore);
    app.quit();
  });
}
