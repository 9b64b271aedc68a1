import { describe, expect, it } from 'vitest';
import { isConsolePage, isTrustedSender } from '../../main/electron/policy';

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
