import { describe, expect, it } from 'vitest';
import { autoStartPlan, checkCall, isConsolePage, isTrustedSender, mayNavigate, MAX_CALL_BYTES, parseHostOptions, parseWindowState, restorePlacement, secondInstanceHandOff, windowKey } from '../../main/electron/policy';

// Node's real URL: for a non-special scheme such as app:, `new URL(u).origin` is "null".
describe('trust of IPC senders (Node URL semantics)', () => {
  it('trusts the main frame of app://console (every call was refused: origin "null")', () => {
    expect(new URL('app://console/index.html').origin).toBe('null');
    expect(isTrustedSender({ url: 'app://console/index.html', isMainFrame: true })).toBe(true);
    expect(isTrustedSender({ url: 'app://console/index.html?screen=2', isMainFrame: true })).toBe(true);
  });

  it('refuses sub frames, other hosts, other schemes and garbage', () => {
    expect(isTrustedSender({ url: 'app://console/index.html', isMainFrame: false })).toBe(false);
    expect(isTrustedSender({ url: 'app://evil/index.html', isMainFrame: true })).toBe(false);
    expect(isTrustedSender({ url: 'https://console/index.html', isMainFrame: true })).toBe(false);
    expect(isTrustedSender({ url: 'app://console.evil/index.html', isMainFrame: true })).toBe(false);
    expect(isTrustedSender({ url: 'app://user@console/index.html', isMainFrame: true })).toBe(false);
    expect(isTrustedSender({ url: '', isMainFrame: true })).toBe(false);
    expect(isTrustedSender({ url: 'not a url', isMainFrame: true })).toBe(false);
    expect(isTrustedSender(null)).toBe(false);
  });
});

describe('windows the page may open', () => {
  it('allows the second screen wall (was refused: origin "null")', () => {
    expect(isConsolePage('app://console/index.html?screen=2')).toBe(true);
  });

  it('refuses anything else', () => {
    expect(isConsolePage('app://console/other.html')).toBe(false);
    expect(isConsolePage('https://example.com/index.html')).toBe(false);
    expect(isConsolePage('app://evil/index.html')).toBe(false);
    expect(isConsolePage('javascript:alert(1)')).toBe(false);
    expect(isConsolePage('')).toBe(false);
  });
});

describe('navigation of a window', () => {
  it('lets the console page reload itself (log-out and an ended session call location.reload())', () => {
    expect(mayNavigate('app://console/index.html', 'app://console/index.html')).toBe(true);
    expect(mayNavigate('app://console/index.html?screen=2', 'app://console/index.html?screen=2')).toBe(true);
  });

  it('refuses going anywhere else, even another console page or the same path elsewhere', () => {
    expect(mayNavigate('app://console/index.html?screen=2', 'app://console/index.html')).toBe(false);
    expect(mayNavigate('https://example.com/', 'app://console/index.html')).toBe(false);
    expect(mayNavigate('app://evil/index.html', 'app://evil/index.html')).toBe(false);
    expect(mayNavigate('app://console/other.html', 'app://console/other.html')).toBe(false);
    expect(mayNavigate('file:///etc/passwd', 'app://console/index.html')).toBe(false);
  });
});

describe('the envelope of an IPC call', () => {
  const main = { url: 'app://console/index.html', isMainFrame: true };
  it('passes a known method from our page to a running core', () => {
    expect(checkCall(main, { method: 'getSite', params: {} }, true)).toEqual({ ok: true, method: 'getSite', params: {} });
  });
  it('refuses an untrusted frame before looking at the call', () => {
    expect(checkCall({ url: 'https://evil.example/', isMainFrame: true }, { method: 'getSite', params: {} }, true)).toMatchObject({ ok: false, code: 'forbidden' });
    expect(checkCall({ ...main, origin: 'null' }, { method: 'getSite', params: {} }, true)).toMatchObject({ ok: false, code: 'forbidden' });
    expect(checkCall({ ...main, origin: 'app://console' }, { method: 'getSite', params: {} }, true)).toMatchObject({ ok: true });
  });
  it('refuses unknown methods, extra fields, oversized calls; says unavailable while the core restarts', () => {
    expect(checkCall(main, { method: 'rm -rf', params: {} }, true)).toMatchObject({ ok: false, code: 'badRequest' });
    expect(checkCall(main, { method: 'getSite', params: {}, extra: 1 }, true)).toMatchObject({ ok: false, code: 'badRequest' });
    expect(checkCall(main, 'getSite', true)).toMatchObject({ ok: false, code: 'badRequest' });
    expect(checkCall(main, { method: 'getSite', params: 'x'.repeat(MAX_CALL_BYTES + 1) }, true)).toMatchObject({ ok: false, code: 'badRequest' });
    expect(checkCall(main, { method: 'getSite', params: {} }, false)).toMatchObject({ ok: false, code: 'unavailable' });
  });
});

describe('single instance hand-off', () => {
  it('focuses (and restores) the running window, or opens one when none is left', () => {
    expect(secondInstanceHandOff({ exists: true, minimized: true })).toEqual({ action: 'focus', restore: true });
    expect(secondInstanceHandOff({ exists: true, minimized: false })).toEqual({ action: 'focus', restore: false });
    expect(secondInstanceHandOff(null)).toEqual({ action: 'create' });
  });
});

describe('window placement', () => {
  const primary = { id: 1, bounds: { x: 0, y: 0, width: 1920, height: 1080 }, workArea: { x: 0, y: 0, width: 1920, height: 1040 } };
  const second = { id: 2, bounds: { x: 1920, y: 0, width: 1366, height: 768 }, workArea: { x: 1920, y: 0, width: 1366, height: 768 } };

  it('reopens on the monitor, size and full-screen state it had', () => {
    const saved = { displayId: 2, bounds: { x: 2000, y: 50, width: 1200, height: 700 }, fullScreen: true, maximized: false };
    expect(restorePlacement(saved, [primary, second], 1, 'screen-2')).toEqual({ bounds: saved.bounds, fullScreen: true, maximized: false, displayId: 2 });
  });
  it('finds a monitor whose id changed by its position, and fits the window inside it', () => {
    const saved = { displayId: 99, bounds: { x: 3000, y: 500, width: 1600, height: 960 }, fullScreen: false, maximized: true };
    const placement = restorePlacement(saved, [primary, second], 1);
    expect(placement.displayId).toBe(2);
    expect(placement.bounds).toEqual({ x: 1920, y: 0, width: 1366, height: 768 });
    expect(placement.maximized).toBe(true);
  });
  it('moves a window whose monitor is gone to the primary one', () => {
    const saved = { displayId: 2, bounds: { x: 2000, y: 50, width: 1200, height: 700 }, fullScreen: true, maximized: false };
    const placement = restorePlacement(saved, [primary], 1, 'screen-2');
    expect(placement.displayId).toBe(1);
    expect(placement.bounds.x + placement.bounds.width).toBeLessThanOrEqual(1920);
  });
  it('opens a first second-screen wall full screen on the other monitor', () => {
    expect(restorePlacement(null, [primary, second], 1, 'screen-2')).toMatchObject({ displayId: 2, fullScreen: true });
    expect(restorePlacement(null, [primary, second], 1, 'main')).toMatchObject({ displayId: 1, fullScreen: false });
  });
  it('keys windows by their screen number and drops malformed saved state', () => {
    expect(windowKey('app://console/index.html')).toBe('main');
    expect(windowKey('app://console/index.html?screen=2')).toBe('screen-2');
    expect(windowKey('app://console/index.html?screen=99')).toBe('main');
    expect(parseWindowState('{"main":{"displayId":1,"bounds":{"x":0,"y":0,"width":10,"height":10}},"evil":{},"screen-2":{"bounds":1}}')).toEqual({
      main: { displayId: 1, bounds: { x: 0, y: 0, width: 10, height: 10 }, fullScreen: false, maximized: false },
    });
    expect(parseWindowState('not json')).toEqual({});
  });
});

describe('host options', () => {
  it('reads kiosk and auto-start', () => {
    expect(parseHostOptions(['--kiosk'], {})).toEqual({ kiosk: true, autoStart: null });
    expect(parseHostOptions([], { CONSOLE_KIOSK: '1' }).kiosk).toBe(true);
    expect(parseHostOptions(['--no-auto-start'], {}).autoStart).toBe(false);
  });

  it('start at log-in: on in installed builds, the command line wins and is remembered; Windows login item, Linux desktop file (installed builds only), removed when off', () => {
    const base = { homeDir: '/home/congan', exec: '/opt/Giám sát camera/giam-sat', name: 'Giám sát camera' };
    // Windows: installed, first start → on; a development run → off; the flag and the remembered choice
    expect(autoStartPlan({ ...base, platform: 'win32', isPackaged: true, flag: null, saved: undefined })).toEqual({ autoStart: true, openAtLogin: true, desktopFile: null });
    expect(autoStartPlan({ ...base, platform: 'win32', isPackaged: false, flag: null, saved: undefined }).openAtLogin).toBe(false);
    expect(autoStartPlan({ ...base, platform: 'win32', isPackaged: true, flag: null, saved: false }).openAtLogin).toBe(false);
    expect(autoStartPlan({ ...base, platform: 'win32', isPackaged: true, flag: true, saved: false }).autoStart).toBe(true);
    expect(autoStartPlan({ ...base, platform: 'win32', isPackaged: true, flag: false, saved: true })).toEqual({ autoStart: false, openAtLogin: false, desktopFile: null });
    // Linux: a desktop file for the installed build; a development run never writes one
    const linux = autoStartPlan({ ...base, platform: 'linux', isPackaged: true, flag: null, saved: undefined });
    expect(linux.openAtLogin).toBeNull();
    expect(linux.desktopFile).toEqual({
      action: 'write',
      path: '/home/congan/.config/autostart/commune-console.desktop',
      content: '[Desktop Entry]\nType=Application\nName=Giám sát camera\nExec="/opt/Giám sát camera/giam-sat"\nX-GNOME-Autostart-enabled=true\n',
    });
    expect(autoStartPlan({ ...base, platform: 'linux', isPackaged: false, flag: true, saved: undefined }).desktopFile).toBeNull();
    expect(autoStartPlan({ ...base, platform: 'linux', isPackaged: true, flag: false, saved: true }).desktopFile).toEqual({ action: 'remove', path: '/home/congan/.config/autostart/commune-console.desktop' });
    // a path with quotes or a line break cannot add a line or leave the quotes of Exec
    const hostile = autoStartPlan({ ...base, exec: '/tmp/a"b\nExec=/bin/evil', platform: 'linux', isPackaged: true, flag: null, saved: undefined });
    const content = hostile.desktopFile?.action === 'write' ? hostile.desktopFile.content : '';
    expect(content.split('\n').filter((line) => line.startsWith('Exec='))).toEqual(['Exec="/tmp/a\\"b Exec=/bin/evil"']);
  });
});
