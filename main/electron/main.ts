import path from 'node:path';
import fs from 'node:fs';
import { pathToFileURL } from 'node:url';
import { randomBytes } from 'node:crypto';
import { app, BrowserWindow, dialog, ipcMain, net, protocol, safeStorage, session, utilityProcess, type IpcMainInvokeEvent, type UtilityProcess } from 'electron';
import { APP_ORIGIN, APP_SCHEME, IPC_CHANNELS } from '../../common/bridge';
import { CallRequestSchema } from '../../common/contract';
import { fail } from '../../common/result';
import { DEFAULT_LANGUAGE, isLanguage } from '../../common/i18n';
import { FromCoreSchema, type ToCore } from '../core/utilityProtocol';
import { parseCliArgs, pickOwnOptions, type CliOptions } from '../core/cliArgs';

/**
 * The Electron host. The window is sandboxed (contextIsolation, sandbox, no Node), loads the
 * renderer from app://console under a strict CSP, cannot navigate or open windows, and reaches
 * the core only through the preload's contract bridge. The core itself runs in a utility process.
 */
protocol.registerSchemesAsPrivileged([{ scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } }]);

const rendererRoot = path.join(__dirname, '..', 'renderer');
let core: UtilityProcess | null = null;
let livePort = 0;
let nextCallId = 1;
const pendingCalls = new Map<number, (result: unknown) => void>();

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

function isTrustedSender(event: IpcMainInvokeEvent): boolean {
  const frame = event.senderFrame;
  return frame !== null && frame === event.sender.mainFrame && new URL(frame.url).origin === APP_ORIGIN;
}

function startCoreProcess(options: CliOptions): Promise<void> {
  return new Promise((resolve, reject) => {
    core = utilityProcess.fork(path.join(__dirname, '..', 'core', 'utility.cjs'), [], { serviceName: 'Console core', stdio: 'inherit' });
    core.on('message', (raw: unknown) => {
      const parsed = FromCoreSchema.safeParse(raw);
      if (!parsed.success) return;
      const message = parsed.data;
      if (message.type === 'ready') {
        livePort = message.port;
        resolve();
      } else if (message.type === 'startFailed') {
        reject(new Error(message.message));
      } else if (message.type === 'result') {
        pendingCalls.get(message.id)?.(message.result);
        pendingCalls.delete(message.id);
      } else if (message.type === 'event') {
        for (const window of BrowserWindow.getAllWindows()) window.webContents.send(IPC_CHANNELS.event, message.envelope);
      }
    });
    core.on('exit', (code) => {
      for (const resolveCall of pendingCalls.values()) resolveCall(fail('unavailable', 'core exited'));
      pendingCalls.clear();
      if (code !== 0) reject(new Error(`core exited with ${code}`));
    });
    const start: ToCore = {
      type: 'start',
      sitePath: options.site,
      dataDir: options.data,
      language: options.language,
      ffmpegPath: options.ffmpeg,
      credentialsKey: credentialsKey(options.data),
    };
    core.postMessage(start);
  });
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

/** The same locked-down preferences for every window (the wall and any second screen). */
function windowOptions(): Electron.BrowserWindowConstructorOptions {
  return {
    width: 1600,
    height: 960,
    backgroundColor: '#0f1216',
    title: 'Giám sát camera',
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

function createWindow(): void {
  const window = new BrowserWindow(windowOptions());
  void window.loadURL(`${APP_ORIGIN}/index.html`);
}

/** Only our own page may open a window, and only our own page in it (a second monitor's wall). */
function isConsolePage(url: string): boolean {
  try {
    const parsed = new URL(url);
    return parsed.origin === APP_ORIGIN && parsed.pathname === '/index.html';
  } catch {
    return false;
  }
}

app.on('web-contents-created', (_event, contents) => {
  contents.on('will-navigate', (event) => event.preventDefault());
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(({ url }) => (isConsolePage(url) ? { action: 'allow', overrideBrowserWindowOptions: windowOptions() } : { action: 'deny' }));
});

void app.whenReady().then(async () => {
  const options = parseCliArgs(pickOwnOptions(process.argv.slice(1)), {
    ...process.env,
    CONSOLE_DATA_DIR: process.env.CONSOLE_DATA_DIR ?? app.getPath('userData'),
    CONSOLE_LANG: isLanguage(process.env.CONSOLE_LANG) ? process.env.CONSOLE_LANG : DEFAULT_LANGUAGE,
  });
  session.defaultSession.setPermissionRequestHandler((_contents, permission, callback) => callback(permission === 'fullscreen'));
  protocol.handle(APP_SCHEME, serveRenderer);
  ipcMain.handle(IPC_CHANNELS.call, (event, raw: unknown) => {
    if (!isTrustedSender(event)) return fail('forbidden', 'untrusted sender');
    const request = CallRequestSchema.safeParse(raw);
    if (!request.success || !core) return fail('badRequest', 'invalid call');
    const id = nextCallId++;
    const message: ToCore = { type: 'call', id, method: request.data.method, params: request.data.params };
    return new Promise((resolve) => {
      pendingCalls.set(id, resolve);
      core?.postMessage(message);
    });
  });
  try {
    await startCoreProcess(options);
  } catch (error) {
    dialog.showErrorBox('Giám sát camera', (error as Error).message);
    app.exit(2);
    return;
  }
  createWindow();
});

app.on('window-all-closed', () => {
  core?.postMessage({ type: 'stop' } satisfies ToCore);
  app.quit();
});
