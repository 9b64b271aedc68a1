/**
 * A stand-in for the `electron` module, so that the built Electron host (dist/electron/main.cjs)
 * runs under plain Node in CI, where the Electron binary cannot be downloaded. It follows
 * Electron's documented behaviour for what main.ts uses, backed by real parts:
 *
 * - utilityProcess.fork → child_process.fork (the real core runs; `process.parentPort` is given
 *   to the child by ./parentPort.cjs, messages are structured clones as in Electron);
 * - protocol.handle → the registered handler answers a loopback HTTP origin that stands for
 *   app://console (Chromium in CI cannot register a custom scheme); every URL crossing to
 *   main.ts (senderFrame.url, window-open and will-navigate URLs) is translated back to app://;
 * - BrowserWindow → a page of Debian's Chromium driven by playwright-core, with the real
 *   preload (dist/preload/preload.cjs) run in its main frame against a contextBridge/ipcRenderer
 *   pair whose invoke reaches ipcMain.handle with the calling frame as event.senderFrame; a
 *   renderer crash (the `crashRenderer` command: DevTools Page.crash) emits render-process-gone,
 *   and webContents.reload() then starts a new renderer for the same window, as Electron does;
 * - safeStorage (AES-GCM with a key kept in the user-data folder, as the OS keychain would),
 *   powerSaveBlocker, screen, dialog, app.requestSingleInstanceLock (a lock file plus a socket
 *   that hands the second launch's argv to the first, like Chromium's SingletonLock/Socket).
 *
 * The test drives it over the Node IPC channel of the host process (`control` commands below).
 * Built on the fly by tests/helpers/electronHarness.ts; never shipped.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Frame, type Page } from 'playwright-core';

const env = process.env;
const userData = env.HARNESS_USER_DATA ?? fs.mkdtempSync(path.join(os.tmpdir(), 'harness-user-'));
const parentPortShim = env.HARNESS_PARENT_PORT ?? '';

// ---- app ------------------------------------------------------------------------------------

let browser: Browser | null = null;
/** Chromium being started: a quit before the app is ready waits for it, then closes it (no stray profile folder). */
let launching: Promise<unknown> = Promise.resolve();
let context: BrowserContext | null = null;
let rendererOrigin = '';
const children = new Set<ChildProcess>();
const pendingBeforeExit: Promise<unknown>[] = [];
let quitting = false;

class App extends EventEmitter {
  isPackaged = false;
  private readyPromise: Promise<void>;
  private singleton: net.Server | null = null;
  loginItem = { openAtLogin: false };

  constructor() {
    super();
    this.readyPromise = new Promise((resolve, reject) => {
      setImmediate(() => {
        const started = startRendererServer()
          .then(() =>
            chromium.launch({
              executablePath: env.CHROMIUM_PATH ?? '/usr/bin/chromium',
              args: ['--no-sandbox', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--use-angle=swiftshader', '--enable-unsafe-swiftshader'],
            }),
          )
          .then(async (launched) => {
            browser = launched;
            context = await launched.newContext();
            await context.exposeBinding('__harnessInvoke', (source, channel: string, args: unknown[]) => invokeFromFrame(source.frame, source.page, channel, args));
            await context.exposeBinding('__harnessWindowOpen', (source, url: string) => windowOpenFrom(source.page, url));
            this.emit('ready');
            resolve();
          }, reject);
        launching = started.catch(() => undefined);
      });
    });
  }

  whenReady(): Promise<void> {
    return this.readyPromise;
  }

  isReady(): boolean {
    return browser !== null;
  }

  getPath(name: string): string {
    if (name === 'userData' || name === 'appData') return userData;
    if (name === 'home') return os.homedir();
    if (name === 'temp') return os.tmpdir();
    if (name === 'logs') return path.join(userData, 'logs');
    return userData;
  }

  getVersion(): string {
    return '0.0.0-harness';
  }

  /** Chromium's SingletonLock (pid) and SingletonSocket (argv of a second launch) in userData. */
  requestSingleInstanceLock(): boolean {
    fs.mkdirSync(userData, { recursive: true });
    const lockFile = path.join(userData, 'SingletonLock');
    const socketFile = path.join(userData, 'SingletonSocket');
    try {
      const pid = Number(fs.readFileSync(lockFile, 'utf8'));
      if (pid && pid !== process.pid && isAlive(pid)) {
        pendingBeforeExit.push(
          new Promise<void>((resolve) => {
            const client = net.connect(socketFile, () => client.end(JSON.stringify({ argv: process.argv, cwd: process.cwd() })));
            client.on('close', () => resolve());
            client.on('error', () => resolve());
          }),
        );
        return false;
      }
    } catch {
      // no lock yet
    }
    fs.writeFileSync(lockFile, String(process.pid));
    fs.rmSync(socketFile, { force: true });
    this.singleton = net.createServer((socket) => {
      let text = '';
      socket.on('data', (chunk: Buffer) => (text += chunk.toString()));
      socket.on('end', () => {
        try {
          const message = JSON.parse(text) as { argv: string[]; cwd: string };
          this.emit('second-instance', { preventDefault() {} }, message.argv, message.cwd, {});
        } catch {
          // not a launch message
        }
      });
    });
    this.singleton.listen(socketFile);
    this.singleton.unref();
    return true;
  }

  setLoginItemSettings(settings: { openAtLogin?: boolean }): void {
    this.loginItem = { openAtLogin: settings.openAtLogin === true };
  }

  getLoginItemSettings(): { openAtLogin: boolean } {
    return this.loginItem;
  }

  getGPUFeatureStatus(): Record<string, string> {
    return { webgl: 'enabled_readback', gpu_compositing: 'disabled_software' };
  }

  quit(): void {
    if (quitting) return;
    quitting = true;
    const event = { defaultPrevented: false, preventDefault() {} };
    this.emit('before-quit', event);
    this.emit('will-quit', event);
    void shutdown(0);
  }

  exit(code = 0): void {
    quitting = true;
    void shutdown(code);
  }
}

async function shutdown(code: number): Promise<void> {
  await Promise.all(pendingBeforeExit);
  // Electron ends utility processes with the app; give a core asked to stop a moment first
  await new Promise((resolve) => setTimeout(resolve, children.size > 0 ? 1500 : 0));
  for (const child of children) child.kill('SIGTERM');
  await launching;
  await browser?.close().catch(() => undefined);
  try {
    if (Number(fs.readFileSync(path.join(userData, 'SingletonLock'), 'utf8')) === process.pid) fs.rmSync(path.join(userData, 'SingletonLock'));
  } catch {
    // not ours
  }
  process.exit(code);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export const app = new App();

// ---- protocol: app://console served on a loopback origin --------------------------------------

const schemeHandlers = new Map<string, (request: Request) => Response | Promise<Response>>();
const privileged: unknown[] = [];

export const protocol = {
  registerSchemesAsPrivileged(schemes: unknown[]): void {
    privileged.push(...schemes);
  },
  handle(scheme: string, handler: (request: Request) => Response | Promise<Response>): void {
    schemeHandlers.set(scheme, handler);
  },
  unhandle(scheme: string): void {
    schemeHandlers.delete(scheme);
  },
  isProtocolHandled(scheme: string): boolean {
    return schemeHandlers.has(scheme);
  },
};

function startRendererServer(): Promise<void> {
  const server = http.createServer((request, response) => {
    const handler = schemeHandlers.get('app');
    if (!handler) {
      response.writeHead(404).end();
      return;
    }
    void Promise.resolve(handler(new Request(`app://console${request.url ?? '/'}`, { method: request.method })))
      .then(async (answer) => {
        const headers: Record<string, string> = {};
        answer.headers.forEach((value, name) => (headers[name] = value));
        response.writeHead(answer.status, headers);
        response.end(Buffer.from(await answer.arrayBuffer()));
      })
      .catch(() => response.writeHead(500).end());
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => {
      const address = server.address() as net.AddressInfo;
      rendererOrigin = `http://127.0.0.1:${address.port}`;
      server.unref();
      resolve();
    }),
  );
}

/** The URL Chromium loads for one main.ts gave. */
function toPage(url: string): string {
  return url.startsWith('app://console') ? rendererOrigin + url.slice('app://console'.length) : url;
}

/** The URL main.ts sees for one Chromium shows. */
function fromPage(url: string): string {
  return rendererOrigin && url.startsWith(rendererOrigin) ? `app://console${url.slice(rendererOrigin.length)}` : url;
}

const MIME: Record<string, string> = {
  '.html': 'text/html',
  '.js': 'text/javascript',
  '.mjs': 'text/javascript',
  '.css': 'text/css',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
  '.json': 'application/json',
  '.map': 'application/json',
  '.pmtiles': 'application/octet-stream',
};

export const net_ = {
  /** net.fetch: file: URLs as Chromium's file loader gives them, the rest through Node's fetch. */
  async fetch(input: string | Request, init?: RequestInit): Promise<Response> {
    const url = typeof input === 'string' ? input : input.url;
    if (url.startsWith('file:')) {
      const file = fileURLToPath(url);
      const body = await fs.promises.readFile(file);
      return new Response(body, { status: 200, headers: { 'Content-Type': MIME[path.extname(file)] ?? 'application/octet-stream' } });
    }
    return fetch(input, init);
  },
};
export { net_ as net };

// ---- ipcMain and the preload ------------------------------------------------------------------

const invokeHandlers = new Map<string, (event: unknown, ...args: unknown[]) => unknown>();

export const ipcMain = Object.assign(new EventEmitter(), {
  handle(channel: string, handler: (event: unknown, ...args: unknown[]) => unknown): void {
    if (invokeHandlers.has(channel)) throw new Error(`Attempted to register a second handler for '${channel}'`);
    invokeHandlers.set(channel, handler);
  },
  removeHandler(channel: string): void {
    invokeHandlers.delete(channel);
  },
});

/** WebFrameMain: one object per frame (main.ts compares senderFrame with sender.mainFrame). */
class WebFrameMain {
  constructor(private readonly frame: Frame) {}

  get url(): string {
    return fromPage(this.frame.url());
  }

  get origin(): string {
    const url = this.frame.url();
    if (rendererOrigin && url.startsWith(rendererOrigin)) return 'app://console';
    try {
      return new URL(url).origin;
    } catch {
      return 'null';
    }
  }

  get name(): string {
    return this.frame.name();
  }

  get parent(): WebFrameMain | null {
    const parent = this.frame.parentFrame();
    return parent ? frameMain(parent) : null;
  }
}

const frames = new WeakMap<Frame, WebFrameMain>();
function frameMain(frame: Frame): WebFrameMain {
  let main = frames.get(frame);
  if (!main) {
    main = new WebFrameMain(frame);
    frames.set(frame, main);
  }
  return main;
}

async function invokeFromFrame(frame: Frame, page: Page, channel: string, args: unknown[]): Promise<unknown> {
  const window = windows.find((candidate) => candidate.page === page);
  const handler = invokeHandlers.get(channel);
  if (!window || !handler) throw new Error(`No handler registered for '${channel}'`);
  const event = { sender: window.webContents, senderFrame: frameMain(frame), frameId: 0, processId: 0 };
  // structured clone both ways, as Electron's IPC does
  return structuredClone(await handler(event, ...structuredClone(args)));
}

/**
 * What runs in every new document of a window with a preload: the real preload bundle, in the
 * main frame only (Electron's default), given the `electron` module of a sandboxed preload.
 */
function preloadScript(preloadFile: string): string {
  const source = fs.readFileSync(preloadFile, 'utf8');
  return `(() => {
  if (window !== window.top) return;
  const listeners = new Map();
  const electron = {
    contextBridge: {
      exposeInMainWorld(name, api) {
        Object.defineProperty(window, name, { value: Object.freeze({ ...api }), enumerable: true, configurable: false, writable: false });
      },
    },
    ipcRenderer: {
      invoke: (channel, ...args) => window.__harnessInvoke(channel, args),
      on(channel, listener) {
        if (!listeners.has(channel)) listeners.set(channel, new Set());
        listeners.get(channel).add(listener);
        return electron.ipcRenderer;
      },
      removeListener(channel, listener) {
        listeners.get(channel)?.delete(listener);
        return electron.ipcRenderer;
      },
    },
  };
  Object.defineProperty(window, '__harnessDeliver', {
    value: (channel, args) => { for (const listener of listeners.get(channel) ?? []) listener({ sender: null }, ...args); },
  });
  const openWindow = window.__harnessWindowOpen;
  window.open = (url) => { void openWindow(new URL(String(url), location.href).href); return null; };
  const module = { exports: {} };
  const require = (name) => { if (name === 'electron') return electron; throw new Error('module not found in a sandboxed preload: ' + name); };
  (function (require, module, exports) {\n${source}\n})(require, module, module.exports);
})();`;
}

// ---- BrowserWindow ----------------------------------------------------------------------------

let nextWindowId = 1;
const windows: BrowserWindow[] = [];

type OpenHandler = (details: { url: string; frameName: string; features: string; disposition: string }) => { action: 'allow' | 'deny'; overrideBrowserWindowOptions?: Record<string, unknown> };

class WebContents extends EventEmitter {
  readonly id: number;
  openHandler: OpenHandler = () => ({ action: 'allow' });
  constructor(private readonly window: BrowserWindow) {
    super();
    this.id = window.id;
  }

  get mainFrame(): WebFrameMain {
    if (!this.window.page) throw new Error('window not ready');
    return frameMain(this.window.page.mainFrame());
  }

  setWindowOpenHandler(handler: OpenHandler): void {
    this.openHandler = handler;
  }

  send(channel: string, ...args: unknown[]): void {
    const page = this.window.page;
    if (!page || page.isClosed()) return;
    void page.evaluate(({ channel: name, args: values }) => (window as unknown as { __harnessDeliver?: (c: string, a: unknown[]) => void }).__harnessDeliver?.(name, values), { channel, args: structuredClone(args) }).catch(() => undefined);
  }

  getURL(): string {
    return this.window.page ? fromPage(this.window.page.url()) : '';
  }

  reload(): void {
    if (this.window.crashed) void this.window.replaceCrashedRenderer().catch(() => undefined);
    else void this.window.page?.reload().catch(() => undefined);
  }

  isDestroyed(): boolean {
    return this.window.isDestroyed();
  }

  loadURL(url: string): Promise<void> {
    return this.window.loadURL(url);
  }
}

export class BrowserWindow extends EventEmitter {
  readonly id = nextWindowId++;
  readonly webContents: WebContents;
  page: Page | null = null;
  readonly ready: Promise<void>;
  readonly options: Record<string, unknown>;
  private destroyed = false;
  private minimized = false;
  private maximized = false;
  private fullScreen: boolean;
  focusCount = 0;
  private allowNavigationTo: string | null = null;
  private bounds: { x: number; y: number; width: number; height: number };

  static getAllWindows(): BrowserWindow[] {
    return windows.filter((window) => !window.isDestroyed());
  }

  static fromWebContents(contents: WebContents): BrowserWindow | null {
    return windows.find((window) => window.webContents === contents) ?? null;
  }

  constructor(options: Record<string, unknown> = {}) {
    super();
    if (!context) throw new Error('BrowserWindow before app ready');
    this.options = options;
    this.webContents = new WebContents(this);
    this.fullScreen = options.fullscreen === true;
    const bounds = { x: Number(options.x ?? 0), y: Number(options.y ?? 0), width: Number(options.width ?? 800), height: Number(options.height ?? 600) };
    this.bounds = bounds;
    windows.push(this);
    app.emit('web-contents-created', { preventDefault() {} }, this.webContents);
    this.ready = this.openPage().then((page) => {
      this.page = page;
    });
  }

  /** The renderer crashed (render-process-gone was emitted) and no new one replaced it yet. */
  crashed = false;

  /** A renderer for this window: a Chromium page with the preload, the will-navigate hook and the crash event. */
  private async openPage(): Promise<Page> {
    if (!context) throw new Error('BrowserWindow before app ready');
    const preload = (this.options.webPreferences as { preload?: string } | undefined)?.preload;
    const page = await context.newPage();
    await page.setViewportSize({ width: Math.min(this.bounds.width, 1366), height: Math.min(this.bounds.height, 768) });
    if (preload) await page.addInitScript(preloadScript(preload));
    // will-navigate: a navigation of the main frame that main.ts did not ask for
    await page.route('**/*', async (route) => {
      const request = route.request();
      if (request.isNavigationRequest() && request.frame() === page.mainFrame() && request.url() !== this.allowNavigationTo) {
        let prevented = false;
        this.webContents.emit('will-navigate', { preventDefault: () => (prevented = true), url: fromPage(request.url()) }, fromPage(request.url()));
        // Electron: preventDefault() cancels the navigation and the page stays as it was. An
        // aborted request would leave Chromium on its error page; a 204 answer to a navigation
        // keeps the current document, which is what Electron does.
        if (prevented) return route.fulfill({ status: 204, body: '' });
      }
      return route.fallback();
    });
    page.on('crash', () => {
      this.crashed = true;
      this.webContents.emit('render-process-gone', {}, { reason: 'crashed', exitCode: 1 });
    });
    page.on('close', () => {
      if (this.page === page) this.markClosed();
    });
    return page;
  }

  /**
   * Electron's reload of a crashed window starts a new renderer process for the same window
   * (same BrowserWindow, same webContents id, same URL). Playwright cannot reload a crashed page,
   * so the stand-in opens a new page for this window and loads the URL the old one showed.
   */
  async replaceCrashedRenderer(): Promise<void> {
    const old = this.page;
    const url = old?.url() ?? '';
    const page = await this.openPage();
    this.page = page;
    this.crashed = false;
    void old?.close().catch(() => undefined);
    this.allowNavigationTo = url;
    try {
      await page.goto(url);
    } finally {
      this.allowNavigationTo = null;
    }
  }

  async loadURL(url: string): Promise<void> {
    await this.ready;
    const target = toPage(url);
    this.allowNavigationTo = target;
    try {
      await this.page?.goto(target);
    } finally {
      this.allowNavigationTo = null;
    }
  }

  private markClosed(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    this.emit('closed');
    if (BrowserWindow.getAllWindows().length === 0 && !quitting) app.emit('window-all-closed');
  }

  close(): void {
    const event = { defaultPrevented: false, preventDefault() {} };
    this.emit('close', event);
    void this.ready.then(() => this.page?.close());
  }

  destroy(): void {
    void this.ready.then(() => this.page?.close());
  }

  isDestroyed(): boolean {
    return this.destroyed;
  }

  isMinimized(): boolean {
    return this.minimized;
  }

  minimize(): void {
    this.minimized = true;
    this.emit('minimize');
  }

  restore(): void {
    this.minimized = false;
    this.emit('restore');
  }

  maximize(): void {
    this.maximized = true;
    this.emit('maximize');
  }

  isMaximized(): boolean {
    return this.maximized;
  }

  isFullScreen(): boolean {
    return this.fullScreen;
  }

  setFullScreen(flag: boolean): void {
    this.fullScreen = flag;
  }

  show(): void {
    this.minimized = false;
  }

  focus(): void {
    this.focusCount += 1;
    void this.page?.bringToFront().catch(() => undefined);
  }

  getBounds(): { x: number; y: number; width: number; height: number } {
    return { ...this.bounds };
  }

  getNormalBounds(): { x: number; y: number; width: number; height: number } {
    return { ...this.bounds };
  }

  setBounds(bounds: { x: number; y: number; width: number; height: number }): void {
    this.bounds = { ...bounds };
  }
}

async function windowOpenFrom(page: Page, url: string): Promise<void> {
  const opener = windows.find((candidate) => candidate.page === page);
  if (!opener) return;
  const details = { url: fromPage(url), frameName: '', features: '', disposition: 'new-window' };
  const answer = opener.webContents.openHandler(details);
  if (answer.action !== 'allow') return;
  const child = new BrowserWindow({ ...opener.options, ...(answer.overrideBrowserWindowOptions ?? {}) });
  opener.webContents.emit('did-create-window', child, { url: details.url, frameName: '', options: child.options, disposition: details.disposition });
  await child.loadURL(details.url);
}

// ---- utilityProcess ---------------------------------------------------------------------------

class UtilityProcess extends EventEmitter {
  pid: number | undefined;
  stdout: NodeJS.ReadableStream | null;
  stderr: NodeJS.ReadableStream | null;

  constructor(private readonly child: ChildProcess) {
    super();
    this.pid = child.pid;
    this.stdout = child.stdout;
    this.stderr = child.stderr;
    child.on('spawn', () => this.emit('spawn'));
    child.on('message', (message) => this.emit('message', message));
    child.on('exit', (code, signal) => {
      children.delete(child);
      this.pid = undefined;
      // Electron reports the waitpid status; a signal shows as 128 + its number
      this.emit('exit', code ?? 128 + (signal ? (os.constants.signals[signal] ?? 0) : 0));
    });
  }

  postMessage(message: unknown): void {
    if (this.child.connected) this.child.send(message as never);
  }

  kill(): boolean {
    return this.child.kill('SIGTERM');
  }
}

export const utilityProcess = {
  fork(modulePath: string, args: string[] = [], options: { env?: NodeJS.ProcessEnv; execArgv?: string[]; cwd?: string; stdio?: string | string[]; serviceName?: string } = {}): UtilityProcess {
    const pipe = options.stdio === 'pipe';
    const child = fork(modulePath, args, {
      env: { ...(options.env ?? process.env), CONSOLE_HARNESS_RENDERER_ORIGIN: rendererOrigin },
      cwd: options.cwd,
      execArgv: ['--require', parentPortShim, ...(options.execArgv ?? [])],
      serialization: 'advanced',
      stdio: pipe ? ['ignore', 'pipe', 'pipe', 'ipc'] : options.stdio === 'ignore' ? ['ignore', 'ignore', 'ignore', 'ipc'] : ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    children.add(child);
    return new UtilityProcess(child);
  },
};

// ---- safeStorage, powerSaveBlocker, screen, session, dialog ----------------------------------

function keychainKey(): Buffer {
  const file = path.join(userData, 'harness-keychain.key');
  try {
    return fs.readFileSync(file);
  } catch {
    const key = randomBytes(32);
    fs.mkdirSync(userData, { recursive: true });
    fs.writeFileSync(file, key, { mode: 0o600 });
    return key;
  }
}

export const safeStorage = {
  isEncryptionAvailable: (): boolean => true,
  encryptString(text: string): Buffer {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', keychainKey(), iv);
    const body = Buffer.concat([cipher.update(text, 'utf8'), cipher.final()]);
    return Buffer.concat([iv, cipher.getAuthTag(), body]);
  },
  decryptString(data: Buffer): string {
    const decipher = createDecipheriv('aes-256-gcm', keychainKey(), data.subarray(0, 12));
    decipher.setAuthTag(data.subarray(12, 28));
    return Buffer.concat([decipher.update(data.subarray(28)), decipher.final()]).toString('utf8');
  },
};

const blockers = new Map<number, string>();
let nextBlocker = 0;
export const powerSaveBlocker = {
  start(type: string): number {
    const id = nextBlocker++;
    blockers.set(id, type);
    return id;
  },
  stop(id: number): boolean {
    return blockers.delete(id);
  },
  isStarted(id: number): boolean {
    return blockers.has(id);
  },
};

interface Display {
  id: number;
  bounds: { x: number; y: number; width: number; height: number };
  workArea: { x: number; y: number; width: number; height: number };
  scaleFactor: number;
}
const displays: Display[] = env.HARNESS_DISPLAYS
  ? (JSON.parse(env.HARNESS_DISPLAYS) as Display[])
  : [{ id: 1, bounds: { x: 0, y: 0, width: 1366, height: 768 }, workArea: { x: 0, y: 0, width: 1366, height: 728 }, scaleFactor: 1 }];

export const screen = {
  getAllDisplays: (): Display[] => displays,
  getPrimaryDisplay: (): Display => displays[0] as Display,
  getDisplayMatching(rect: { x: number; y: number; width: number; height: number }): Display {
    const overlap = (display: Display): number =>
      Math.max(0, Math.min(rect.x + rect.width, display.bounds.x + display.bounds.width) - Math.max(rect.x, display.bounds.x)) *
      Math.max(0, Math.min(rect.y + rect.height, display.bounds.y + display.bounds.height) - Math.max(rect.y, display.bounds.y));
    return [...displays].sort((a, b) => overlap(b) - overlap(a))[0] as Display;
  },
};

export const session = {
  defaultSession: {
    setPermissionRequestHandler(_handler: unknown): void {},
  },
};

export const dialog = {
  showErrorBox(title: string, content: string): void {
    console.error(`[dialog] ${title}: ${content}`);
  },
};

// ---- control channel for the test ---------------------------------------------------------------

interface Control {
  id: number;
  cmd: string;
  window?: number;
  expression?: string;
  url?: string;
}

function describeWindow(window: BrowserWindow): Record<string, unknown> {
  return {
    id: window.id,
    url: window.webContents.getURL(),
    focusCount: window.focusCount,
    minimized: window.isMinimized(),
    fullScreen: window.isFullScreen(),
    kiosk: window.options.kiosk === true,
    bounds: window.getBounds(),
  };
}

async function control(message: Control): Promise<unknown> {
  const window = windows.find((candidate) => candidate.id === message.window && !candidate.isDestroyed());
  switch (message.cmd) {
    case 'windows':
      return BrowserWindow.getAllWindows().map(describeWindow);
    case 'evaluate':
      if (!window?.page) throw new Error('no such window');
      return window.page.evaluate(message.expression ?? 'null');
    case 'screenshot':
      if (!window?.page) throw new Error('no such window');
      return (await window.page.screenshot()).toString('base64');
    case 'openWindow': {
      const preload = (windows[0]?.options.webPreferences as { preload?: string } | undefined)?.preload;
      const opened = new BrowserWindow({ width: 800, height: 600, webPreferences: { preload } });
      await opened.loadURL(message.url ?? 'about:blank');
      return opened.id;
    }
    case 'minimize':
      window?.minimize();
      return true;
    case 'restore':
      window?.restore();
      return true;
    case 'close':
      window?.close();
      return true;
    case 'powerSave':
      return [...blockers.values()];
    case 'crashRenderer': {
      // the renderer process dies as in a real crash (Chromium's DevTools Page.crash)
      if (!window?.page) throw new Error('no such window');
      const session = await window.page.context().newCDPSession(window.page);
      void session.send('Page.crash').catch(() => undefined);
      return true;
    }
    case 'utilityPids':
      return [...children].map((child) => child.pid);
    case 'loginItem':
      return app.loginItem;
    case 'quit':
      app.quit();
      return true;
    default:
      throw new Error(`unknown command ${message.cmd}`);
  }
}

process.on('message', (raw: unknown) => {
  const message = raw as Control;
  if (typeof message !== 'object' || message === null || typeof message.cmd !== 'string') return;
  control(message).then(
    (result) => process.send?.({ id: message.id, ok: true, result }),
    (error: unknown) => process.send?.({ id: message.id, ok: false, error: String(error) }),
  );
});
process.on('disconnect', () => app.quit());
