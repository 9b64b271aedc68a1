import { fork, type ChildProcess } from 'node:child_process';
import { DEMO_ADMIN, TEST_ADMIN } from './signIn';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { build } from 'esbuild';
import { decodePng } from './browser';
import { repoRoot } from './paths';
import type { PNG } from 'pngjs';

/**
 * The Electron host under test without the Electron binary: the built dist/electron/main.cjs run
 * by Node with `require('electron')` answered by tests/harness/electronStandIn.ts (real core in a
 * forked process, real renderer, real preload, real Chromium). The test talks to the stand-in over
 * the host's Node IPC channel.
 */
export interface HarnessWindow {
  id: number;
  url: string;
  focusCount: number;
  minimized: boolean;
  fullScreen: boolean;
  kiosk: boolean;
  bounds: { x: number; y: number; width: number; height: number };
}

export interface ElectronHarness {
  child: ChildProcess;
  userData: string;
  output(): string;
  send<T>(cmd: string, extra?: Record<string, unknown>): Promise<T>;
  windows(): Promise<HarnessWindow[]>;
  evaluate<T>(window: number, expression: string): Promise<T>;
  screenshot(window: number, file?: string): Promise<PNG>;
  exited: Promise<number | null>;
  close(): Promise<void>;
}

let built: Promise<string> | null = null;
/** Hosts running on the current build; when the last one exits, the build folder goes. */
let openHarnesses = 0;

/** Bundles the stand-in (once per test run) next to a parentPort shim and a require hook. */
function buildStandIn(): Promise<string> {
  built ??= (async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ccc-harness-build-'));
    await build({
      entryPoints: [path.join(repoRoot, 'tests', 'harness', 'electronStandIn.ts')],
      outfile: path.join(dir, 'electron.cjs'),
      bundle: true,
      platform: 'node',
      format: 'cjs',
      target: 'node20',
      external: ['playwright-core'],
      logLevel: 'warning',
    });
    fs.writeFileSync(
      path.join(dir, 'register.cjs'),
      `const Module = require('node:module');
const standIn = require('node:path').join(__dirname, 'electron.cjs');
const resolve = Module._resolveFilename;
Module._resolveFilename = function (request, ...rest) {
  return request === 'electron' ? standIn : resolve.call(this, request, ...rest);
};
`,
    );
    fs.writeFileSync(
      path.join(dir, 'parentPort.cjs'),
      `// Electron's process.parentPort in a utility process, over Node's IPC channel
const { EventEmitter } = require('node:events');
const port = new EventEmitter();
port.postMessage = (message) => process.send && process.send(message);
process.on('message', (data) => port.emit('message', { data, ports: [] }));
Object.defineProperty(process, 'parentPort', { value: port });
`,
    );
    process.once('exit', () => fs.rmSync(dir, { recursive: true, force: true }));
    return dir;
  })();
  return built;
}

export async function startElectronHarness(args: string[], options: { userData: string; env?: NodeJS.ProcessEnv }): Promise<ElectronHarness> {
  const dir = await buildStandIn();
  openHarnesses++;
  const child = fork(path.join(repoRoot, 'dist', 'electron', 'main.cjs'), args, {
    cwd: repoRoot,
    execArgv: ['--require', path.join(dir, 'register.cjs')],
    env: {
      ...process.env,
      ...options.env,
      NODE_PATH: path.join(repoRoot, 'node_modules'),
      HARNESS_USER_DATA: options.userData,
      HARNESS_PARENT_PORT: path.join(dir, 'parentPort.cjs'),
    },
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output = (output + chunk.toString()).slice(-40000)));
  child.stderr?.on('data', (chunk: Buffer) => (output = (output + chunk.toString()).slice(-40000)));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  void exited.then(() => {
    if (--openHarnesses === 0 && built) {
      built = null;
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
  let nextId = 1;
  const waiting = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  child.on('message', (raw: unknown) => {
    const message = raw as { id: number; ok: boolean; result?: unknown; error?: string };
    const entry = waiting.get(message.id);
    if (!entry) return;
    waiting.delete(message.id);
    if (message.ok) entry.resolve(message.result);
    else entry.reject(new Error(message.error));
  });
  void exited.then(() => {
    for (const entry of waiting.values()) entry.reject(new Error(`host exited:\n${output}`));
    waiting.clear();
  });
  const send = <T>(cmd: string, extra: Record<string, unknown> = {}): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      if (!child.connected) return reject(new Error(`host not running:\n${output}`));
      const id = nextId++;
      waiting.set(id, { resolve: resolve as (value: unknown) => void, reject });
      child.send({ id, cmd, ...extra });
    });
  return {
    child,
    userData: options.userData,
    output: () => output,
    send,
    windows: () => send<HarnessWindow[]>('windows'),
    evaluate: <T>(window: number, expression: string) => send<T>('evaluate', { window, expression }),
    async screenshot(window, file) {
      const buffer = Buffer.from(await send<string>('screenshot', { window }), 'base64');
      if (file) fs.writeFileSync(file, buffer);
      return decodePng(buffer);
    },
    exited,
    async close() {
      if (child.exitCode === null && child.signalCode === null) {
        await send('quit').catch(() => undefined);
        const timer = setTimeout(() => child.kill('SIGKILL'), 10000);
        await exited;
        clearTimeout(timer);
      }
    },
  };
}

/** Polls until the host shows at least `count` windows with a loaded page. */
export async function waitForWindows(harness: ElectronHarness, count: number, timeoutMs = 60000): Promise<HarnessWindow[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const windows = await harness.windows();
    if (windows.filter((window) => window.url.startsWith('app://console/')).length >= count) return windows;
    if (Date.now() > deadline) throw new Error(`expected ${count} windows, have ${JSON.stringify(windows)}:\n${harness.output()}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/**
 * Signs the host in from one of its windows (issue 15: nothing is reachable without a session),
 * through the window's own bridge (preload → ipcMain → core), as the log-in screen would; the
 * first caller on a new site creates the test administrator. Every window of the app shares the
 * host's session, so one sign-in serves them all; the window is reloaded to start signed in.
 */
export async function signInWindow(harness: ElectronHarness, window: number): Promise<void> {
  const script = `(async () => {
    const call = (method, params) => window.consoleBridge.call(method, params);
    const state = await call('getAuthState', {});
    if (!state.ok) return 'getAuthState: ' + JSON.stringify(state);
    if (state.value.state === 'active') return null;
    if (state.value.state === 'setup') {
      const setup = await call('setupAdministrator', ${JSON.stringify(TEST_ADMIN)});
      return setup.ok && setup.value.outcome && setup.value.outcome.status === 'signedIn' ? null : 'setup: ' + JSON.stringify(setup);
    }
    const chosen = state.value.demoAccounts ? ${JSON.stringify({ userName: DEMO_ADMIN.userName, password: DEMO_ADMIN.password })} : ${JSON.stringify({ userName: TEST_ADMIN.userName, password: TEST_ADMIN.password })};
    const login = await call('login', chosen);
    return login.ok && login.value.status === 'signedIn' ? null : 'login: ' + JSON.stringify(login);
  })()`;
  let error: string | null = 'the window had no bridge';
  for (let attempt = 0; attempt < 50; attempt++) {
    if (await harness.evaluate<boolean>(window, `typeof window.consoleBridge?.call === 'function'`)) {
      error = await harness.evaluate<string | null>(window, script);
      break;
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  if (error) throw new Error(`could not sign the window in: ${error}`);
  // The page reloads itself as the console does after a log-out (main.ts lets a window reload its
  // own page), then reads the signed-in state at start. Wait for the new document and its bridge.
  await harness.evaluate(window, 'window.__beforeSignInReload = true; setTimeout(() => location.reload(), 0)');
  for (let attempt = 0; attempt < 100; attempt++) {
    await new Promise((resolve) => setTimeout(resolve, 200));
    const ready = await harness
      .evaluate<boolean>(window, `!window.__beforeSignInReload && document.readyState === 'complete' && typeof window.consoleBridge?.call === 'function'`)
      .catch(() => false);
    if (ready) return;
  }
  throw new Error('the window did not come back after signing in');
}
