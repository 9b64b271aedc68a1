import { APP_ORIGIN } from '../../common/bridge';

/**
 * Every decision of the Electron host, as pure functions tested under Node (tests/unit/
 * electronPolicy.test.ts). main.ts is the thin glue that hands Electron's objects to them.
 */

/** What main.ts knows of the frame that sent an IPC call (event.senderFrame). */
export interface SenderFrame {
  url: string;
  /** WebFrameMain.origin where Electron gives it. */
  origin?: string;
  isMainFrame: boolean;
}

/** A call is trusted only from the main frame of our own page. */
export function isTrustedSender(frame: SenderFrame | null): boolean {
  return frame !== null && frame.isMainFrame && new URL(frame.url).origin === APP_ORIGIN;
}

/** Only our own page may open a window, and only our own page in it (a second monitor's wall). */
export function isConsolePage(url: string): boolean {
  try {
    const parsed = new URL(url);
    return parsed.origin === APP_ORIGIN && parsed.pathname === '/index.html';
  } catch {
    return false;
  }
}
