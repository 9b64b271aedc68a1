import { createRoot } from 'react-dom/client';
import { StrictMode } from 'react';
import type { FrameHeader } from '../common/liveProtocol';
import type { SessionInfo } from '../common/contract';
import { initI18n, savedLanguage } from './i18n';
import { createCoreClient, EventHub } from './transport/coreClient';
import { LiveSocket } from './live/liveSocket';
import { RuntimeContext, type Runtime } from './runtime';
import { screenId, useConsole } from './store';
import { App } from './App';
import type { CoreClient } from './transport/coreClient';
import type { AuthState } from '../common/authContract';
import { useAuth } from './auth/authStore';
import { LockScreen, SignInScreen, WallOnlyCover } from './auth/AuthScreens';
import { refreshSession, useActivity } from './auth/session';
// maplibre's styles are in app.css: esbuild does not load the CSS of a split chunk by itself.
import 'maplibre-gl/dist/maplibre-gl.css';
import './styles.css';

// Marks read by bench/open.ts (a fresh page's time to the wall, by phase).
performance.mark('console:script');
initI18n();
useConsole.getState().setLanguage(savedLanguage());

const socketEvents = new EventHub();
const client = createCoreClient(socketEvents);
let frameSink: ((header: FrameHeader, pixels: Uint8Array) => void) | null = null;

let socket: LiveSocket | null = null;

/** The live socket, opened as soon as the session is known: in parallel with the other start-up
 *  calls, so the live client id is there when the tiles mount (bench:open, phase "socket"). */
function openLiveSocket(session: SessionInfo): LiveSocket {
  if (socket) return socket;
  const opened: LiveSocket = new LiveSocket(session, client.host === 'browser', {
    onClientId: (id) => {
      performance.mark('console:socket');
      useConsole.getState().setLiveClientId(id);
    },
    onFrame: (header, pixels) => {
      if (frameSink) frameSink(header, pixels);
      else opened.ack(header.viewId, header.seq);
    },
    onEvent: (envelope) => socketEvents.emit(envelope),
    onSession: (state, wallPlaysOn) => {
      // a second screen's wall the site lets play on stays (covered); every other window locks
      useAuth.getState().setWallOnly(state === 'locked' && wallPlaysOn);
      if (state === 'locked' && !wallPlaysOn) useAuth.getState().setLocked();
      // signed out elsewhere or expired: start again from the log-in screen
      else if (state === 'ended') location.reload();
    },
    onConnection: (state) => {
      if (state === 'open') {
        void client.call('listStreamStatus', {}).then((result) => {
          if (result.ok) result.value.forEach((status) => useConsole.getState().setStatus(status));
        });
        void client.call('listRecordingStatus', {}).then((result) => {
          if (result.ok) useConsole.getState().setRecording(result.value);
        });
        useConsole.getState().setConnection('ready');
      } else if (state === 'closed') {
        useConsole.getState().setConnection('lost');
      }
    },
  }, screenId());
  socket = opened;
  opened.open();
  return opened;
}

async function loadState(): Promise<boolean> {
  const store = useConsole.getState();
  const sessionCall = client.call('getSession', {});
  void sessionCall.then((result) => {
    if (result.ok) openLiveSocket(result.value);
  });
  const [session, site, cameras, statuses] = await Promise.all([sessionCall, client.call('getSite', {}), client.call('listCameras', {}), client.call('listStreamStatus', {})]);
  if (!session.ok || !site.ok || !cameras.ok || !statuses.ok) {
    const unauthorized = [session, site, cameras, statuses].some((result) => !result.ok && result.error.code === 'unauthorized');
    store.setConnection(unauthorized ? 'unauthorized' : 'lost');
    return false;
  }
  store.setLoaded(session.value, site.value, cameras.value, statuses.value);
  performance.mark('console:state');
  return true;
}

/** The sign-in state first (no session: the log-in or first-start screen), retried while the core is out of reach. */
async function loadAuth(): Promise<AuthState | null> {
  for (;;) {
    const result = await client.call('getAuthState', {});
    if (result.ok) return result.value;
    if (result.error.code === 'unauthorized') {
      useConsole.getState().setConnection('unauthorized');
      return null;
    }
    useConsole.getState().setConnection('lost');
    await new Promise((resolve) => setTimeout(resolve, 2000));
  }
}

/** Resolves once this window has an active session (signed in, or unlocked). */
function signedIn(): Promise<void> {
  return new Promise((resolve) => {
    if (useAuth.getState().auth?.state === 'active') return resolve();
    const stop = useAuth.subscribe((state) => {
      if (state.auth?.state === 'active') {
        stop();
        resolve();
      }
    });
  });
}

async function boot(): Promise<void> {
  const auth = await loadAuth();
  if (!auth) return render(null);
  useAuth.getState().setAuth(auth);
  render(null);
  await signedIn();
  while (!(await loadState())) {
    if (useConsole.getState().connection === 'unauthorized') return;
    await new Promise((resolve) => setTimeout(resolve, 2000));
  }
  const session = useConsole.getState().session;
  if (!session) return;
  client.onEvent((envelope) => {
    if (envelope.event === 'streamStatus') useConsole.getState().setStatus(envelope.payload);
    else if (envelope.event === 'viewHealth') useConsole.getState().setViewHealth(envelope.payload);
    else if (envelope.event === 'recordingStatus') useConsole.getState().setRecording([envelope.payload]);
    else if (envelope.event === 'coreRestarted') socket?.reconnectNow();
    else if (envelope.event === 'camerasChanged') {
      void client.call('listCameras', {}).then((result) => {
        if (result.ok) useConsole.getState().setCameras(result.value);
      });
    }
  });
  // Only what is seen is decoded: a hidden tab or a minimized window closes its views (the
  // pulls stay warm for a while, so coming back is instant).
  document.addEventListener('visibilitychange', () => useConsole.getState().setVisible(document.visibilityState !== 'hidden'));
  void client.call('listSavedViews', {}).then((result) => {
    if (result.ok) useConsole.getState().setSavedViews(result.value);
  });
  void client.call('listRecordingStatus', {}).then((result) => {
    if (result.ok) useConsole.getState().setRecording(result.value);
  });
  const runtime: Runtime = { client, socket: openLiveSocket(session), setFrameSink: (sink) => (frameSink = sink) };
  render(runtime);
}

const container = document.getElementById('root');
if (!container) throw new Error('#root missing');
const root = createRoot(container);

/**
 * Signed out: the log-in (or first-start) screen. Locked: the lock screen INSTEAD of the console,
 * so the wall is unmounted (no video in this window; the core closed the views already).
 */
function Root({ runtime, coreClient }: { runtime: Runtime | null; coreClient: CoreClient }) {
  const auth = useAuth((state) => state.auth);
  const wallOnly = useAuth((state) => state.wallOnly);
  useActivity(coreClient, auth?.state === 'active' && !wallOnly);
  const onSignedIn = (next: AuthState): void => {
    useAuth.getState().setAuth(next);
    if (runtime) void refreshSession(coreClient);
  };
  if (auth && (auth.state === 'setup' || auth.state === 'signedOut')) return <SignInScreen client={coreClient} auth={auth} onSignedIn={onSignedIn} />;
  if (auth && auth.state === 'locked') return <LockScreen client={coreClient} auth={auth} onSignedIn={onSignedIn} onSignedOut={() => location.reload()} />;
  return (
    <RuntimeContext.Provider value={runtime}>
      <App ready={runtime !== null} />
      {wallOnly && <WallOnlyCover />}
    </RuntimeContext.Provider>
  );
}

function render(runtime: Runtime | null): void {
  root.render(
    <StrictMode>
      <Root runtime={runtime} coreClient={client} />
    </StrictMode>,
  );
}

render(null);
void boot();
