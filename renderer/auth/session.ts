import { useEffect } from 'react';
import { useConsole } from '../store';
import type { CoreClient } from '../transport/coreClient';
import { useAuth } from './authStore';

/** After a switch of user: the new user's role and permissions (the tabs follow). */
export async function refreshSession(client: CoreClient): Promise<void> {
  const session = await client.call('getSession', {});
  if (session.ok) useConsole.setState({ session: session.value });
}

const TOUCH_EVERY_MS = 15_000;

/**
 * While signed in: user input postpones the core's idle lock (touchSession at most every 15 s);
 * Ctrl+Shift+L locks at once. The core decides the idle lock itself and says so on the socket.
 */
export function useActivity(client: CoreClient, active: boolean): void {
  useEffect(() => {
    if (!active) return;
    let last = 0;
    const touch = (): void => {
      const now = Date.now();
      if (now - last < TOUCH_EVERY_MS) return;
      last = now;
      void client.call('touchSession', {});
    };
    const onKey = (event: KeyboardEvent): void => {
      if (event.ctrlKey && event.shiftKey && (event.key === 'L' || event.key === 'l')) {
        event.preventDefault();
        void client.call('lockSession', {}).then(() => useAuth.getState().setLocked());
        return;
      }
      touch();
    };
    const events = ['pointerdown', 'pointermove', 'wheel'] as const;
    for (const name of events) window.addEventListener(name, touch, { passive: true });
    window.addEventListener('keydown', onKey);
    return () => {
      for (const name of events) window.removeEventListener(name, touch);
      window.removeEventListener('keydown', onKey);
    };
  }, [client, active]);
}
