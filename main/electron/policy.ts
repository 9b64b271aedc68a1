import { APP_SCHEME } from '../../common/bridge';
import { CallRequestSchema, isMethodName, type MethodName } from '../../common/contract';

/**
 * Every decision of the Electron host, as pure functions tested under Node with Node's own URL
 * (tests/unit/electronPolicy.test.ts). main.ts is the thin glue that hands Electron's objects to
 * them. The core's restart policy is shared with browser mode: ../core/restartPolicy.ts.
 */

const APP_HOST = 'console';

/** What main.ts knows of the frame that sent an IPC call (event.senderFrame). */
export interface SenderFrame {
  url: string;
  /** WebFrameMain.origin where Electron gives it ("app://console" for our privileged scheme). */
  origin?: string;
  isMainFrame: boolean;
}

/**
 * Our page, compared by scheme and host: for a non-special scheme such as app:, the WHATWG URL
 * of Node (and of Electron's main process) gives the origin "null", so comparing origins refused
 * every call. No user info, no port.
 */
export function isAppUrl(url: string): boolean {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  return parsed.protocol === `${APP_SCHEME}:` && parsed.hostname === APP_HOST && parsed.port === '' && parsed.username === '' && parsed.password === '';
}

/** A call is trusted only from the main frame of our own page (Electron's origin must agree when given). */
export function isTrustedSender(frame: SenderFrame | null): boolean {
  if (frame === null || !frame.isMainFrame || !isAppUrl(frame.url)) return false;
  return frame.origin === undefined || frame.origin === `${APP_SCHEME}://${APP_HOST}`;
}

/** Only our own page may open a window, and only our own page in it (a second monitor's wall). */
export function isConsolePage(url: string): boolean {
  return isAppUrl(url) && new URL(url).pathname === '/index.html';
}

/**
 * Navigation of a window: only a reload of the console page it shows. The page is a single-page
 * app and links open nothing, but the renderer reloads itself on log-out and when its session
 * ends (location.reload()), and Electron announces a renderer-initiated reload through
 * will-navigate with the page's own URL: refusing it would leave a signed-out console on screen.
 */
export function mayNavigate(url: string, currentUrl: string): boolean {
  return isConsolePage(url) && url === currentUrl;
}

export type CallCheck = { ok: true; method: MethodName; params: unknown } | { ok: false; code: 'forbidden' | 'badRequest' | 'unavailable'; message: string };

/** Largest call accepted over IPC (the biggest real one, a site import, is far below). */
export const MAX_CALL_BYTES = 4 * 1024 * 1024;

/** The envelope of one IPC call: trusted sender, a known method, a sane size, a core to take it. */
export function checkCall(frame: SenderFrame | null, raw: unknown, coreReady: boolean): CallCheck {
  if (!isTrustedSender(frame)) return { ok: false, code: 'forbidden', message: 'untrusted sender' };
  let size = 0;
  try {
    size = JSON.stringify(raw ?? null).length;
  } catch {
    return { ok: false, code: 'badRequest', message: 'invalid call' };
  }
  if (size > MAX_CALL_BYTES) return { ok: false, code: 'badRequest', message: 'call too large' };
  const request = CallRequestSchema.safeParse(raw);
  if (!request.success) return { ok: false, code: 'badRequest', message: 'invalid call' };
  if (!isMethodName(request.data.method)) return { ok: false, code: 'badRequest', message: 'unknown method' };
  if (!coreReady) return { ok: false, code: 'unavailable', message: 'core restarting' };
  return { ok: true, method: request.data.method, params: request.data.params };
}

/** A second launch: the running console shows its window instead (requestSingleInstanceLock). */
export type HandOff = { action: 'focus'; restore: boolean } | { action: 'create' };

export function secondInstanceHandOff(window: { exists: boolean; minimized: boolean } | null): HandOff {
  if (!window || !window.exists) return { action: 'create' };
  return { action: 'focus', restore: window.minimized };
}

export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface DisplayInfo {
  id: number;
  bounds: Rect;
  workArea: Rect;
}

/** Where a window was, per window key ("main", "screen-2", …), kept in DATA/window-state.json. */
export interface SavedPlacement {
  displayId: number;
  bounds: Rect;
  fullScreen: boolean;
  maximized: boolean;
}

export interface Placement {
  bounds: Rect;
  fullScreen: boolean;
  maximized: boolean;
  displayId: number;
}

export const DEFAULT_SIZE = { width: 1600, height: 960 } as const;
const MIN_SIZE = { width: 800, height: 500 } as const;

function overlapArea(a: Rect, b: Rect): number {
  const width = Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x);
  const height = Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y);
  return width > 0 && height > 0 ? width * height : 0;
}

function fitInto(bounds: Rect, area: Rect): Rect {
  const width = Math.max(Math.min(bounds.width, area.width), Math.min(MIN_SIZE.width, area.width));
  const height = Math.max(Math.min(bounds.height, area.height), Math.min(MIN_SIZE.height, area.height));
  const x = Math.min(Math.max(bounds.x, area.x), area.x + area.width - width);
  const y = Math.min(Math.max(bounds.y, area.y), area.y + area.height - height);
  return { x, y, width, height };
}

function centred(area: Rect): Rect {
  const width = Math.min(DEFAULT_SIZE.width, area.width);
  const height = Math.min(DEFAULT_SIZE.height, area.height);
  return { x: area.x + Math.round((area.width - width) / 2), y: area.y + Math.round((area.height - height) / 2), width, height };
}

/**
 * Where to open a window: on the monitor it was on (matched by id, else by the largest overlap
 * with its old bounds), fitted inside that monitor's work area; a monitor that is gone moves the
 * window to the primary one. The second screen's wall with no saved place: the first monitor
 * that is not the primary, full screen.
 */
export function restorePlacement(saved: SavedPlacement | null, displays: readonly DisplayInfo[], primaryId: number, key = 'main'): Placement {
  const primary = displays.find((display) => display.id === primaryId) ?? displays[0];
  if (!primary) return { bounds: { x: 0, y: 0, ...DEFAULT_SIZE }, fullScreen: false, maximized: false, displayId: primaryId };
  if (saved) {
    const display =
      displays.find((candidate) => candidate.id === saved.displayId) ??
      [...displays].sort((a, b) => overlapArea(b.bounds, saved.bounds) - overlapArea(a.bounds, saved.bounds)).find((candidate) => overlapArea(candidate.bounds, saved.bounds) > 0);
    if (display) return { bounds: fitInto(saved.bounds, display.workArea), fullScreen: saved.fullScreen, maximized: saved.maximized, displayId: display.id };
    return { bounds: centred(primary.workArea), fullScreen: saved.fullScreen, maximized: saved.maximized, displayId: primary.id };
  }
  if (key !== 'main') {
    const other = displays.find((display) => display.id !== primary.id);
    if (other) return { bounds: centred(other.workArea), fullScreen: true, maximized: false, displayId: other.id };
  }
  return { bounds: centred(primary.workArea), fullScreen: false, maximized: false, displayId: primary.id };
}

/** The window key of a console page: "main", or "screen-N" for `?screen=N` (N ≥ 2). */
export function windowKey(url: string): string {
  try {
    const screen = Number(new URL(url).searchParams.get('screen'));
    return Number.isInteger(screen) && screen >= 2 && screen <= 9 ? `screen-${screen}` : 'main';
  } catch {
    return 'main';
  }
}

/** Parses DATA/window-state.json, dropping anything malformed (never throws). */
export function parseWindowState(text: string): Record<string, SavedPlacement> {
  const result: Record<string, SavedPlacement> = {};
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return result;
  }
  if (typeof raw !== 'object' || raw === null) return result;
  const isRect = (value: unknown): value is Rect =>
    typeof value === 'object' && value !== null && ['x', 'y', 'width', 'height'].every((name) => Number.isFinite((value as Record<string, unknown>)[name]));
  for (const [key, value] of Object.entries(raw)) {
    if (!/^(main|screen-[2-9])$/.test(key) || typeof value !== 'object' || value === null) continue;
    const entry = value as Record<string, unknown>;
    if (!isRect(entry.bounds) || typeof entry.displayId !== 'number') continue;
    result[key] = { displayId: entry.displayId, bounds: entry.bounds, fullScreen: entry.fullScreen === true, maximized: entry.maximized === true };
  }
  return result;
}

/** Host options from the command line or environment that are not the core's. */
export interface HostOptions {
  kiosk: boolean;
  autoStart: boolean | null;
}

export function parseHostOptions(argv: readonly string[], env: Record<string, string | undefined>): HostOptions {
  const kiosk = argv.includes('--kiosk') || env.CONSOLE_KIOSK === '1';
  const autoStart = argv.includes('--no-auto-start') ? false : argv.includes('--auto-start') ? true : null;
  return { kiosk, autoStart };
}

/**
 * Start at log-in (issue 16 item 5): what the host does with the setting. The command line
 * (`--auto-start` / `--no-auto-start`) wins and is remembered (DATA/host-settings.json); without
 * it the remembered choice; without that, on in installed builds only. Windows and macOS: the
 * login item. Linux: an autostart desktop file, written only for an installed build (a
 * development run must not start itself at the next log-in), removed when turned off.
 */
export interface AutoStartPlan {
  /** The value to remember in host-settings.json. */
  autoStart: boolean;
  /** Windows/macOS: `app.setLoginItemSettings({ openAtLogin })`; null on Linux. */
  openAtLogin: boolean | null;
  /** Linux: write this desktop file, remove it, or leave it. */
  desktopFile: { action: 'write'; path: string; content: string } | { action: 'remove'; path: string } | null;
}

export function autoStartPlan(input: { platform: string; isPackaged: boolean; flag: boolean | null; saved: boolean | undefined; homeDir: string; exec: string; name: string }): AutoStartPlan {
  const autoStart = input.flag ?? input.saved ?? input.isPackaged;
  if (input.platform !== 'linux') return { autoStart, openAtLogin: autoStart, desktopFile: null };
  const file = `${input.homeDir.replace(/\/+$/, '')}/.config/autostart/commune-console.desktop`;
  if (!autoStart) return { autoStart, openAtLogin: null, desktopFile: { action: 'remove', path: file } };
  if (!input.isPackaged) return { autoStart, openAtLogin: null, desktopFile: null };
  // the desktop entry quotes Exec; a name or path cannot break out of its line
  const oneLine = (text: string) => text.replace(/[\r\n]/g, ' ');
  const exec = oneLine(input.exec).replace(/["`$\\]/g, (char) => `\\${char}`);
  return {
    autoStart,
    openAtLogin: null,
    desktopFile: { action: 'write', path: file, content: `[Desktop Entry]\nType=Application\nName=${oneLine(input.name)}\nExec="${exec}"\nX-GNOME-Autostart-enabled=true\n` },
  };
}
