import { APP_ORIGIN } from '../../common/bridge';
import { startCore, type RunningCore } from './core';
import { SiteFileError } from './site/loadSite';
import { formatSiteIssues } from './site/parseSite';
import { ToCoreSchema, type FromCore } from './utilityProtocol';
import { restrictToOwner } from './paths';
import { DataFolderLockedError } from './dataLock';
import { translate } from '../../common/i18n';

/**
 * The core under Electron: the same program as browser mode, run in an Electron utility process
 * so that video traffic never stalls the main process. Calls arrive from the main process (which
 * checked the sender); the renderer's live socket connects straight to the loopback server.
 */
// before anything is written: every file and folder of the console is owner-only
restrictToOwner();
const parentPort = process.parentPort;

/**
 * The CI harness (tests/harness/electronStandIn.ts) serves app://console from a loopback http
 * origin, because Chromium without Electron cannot register the scheme; its live socket then
 * carries that origin. Only a loopback http origin is taken, and the token is still required.
 */
function harnessOrigins(): string[] {
  const origin = process.env.CONSOLE_HARNESS_RENDERER_ORIGIN;
  return origin && /^http:\/\/127\.0\.0\.1:\d{1,5}$/.test(origin) ? [origin] : [];
}
let core: RunningCore | null = null;

function post(message: FromCore): void {
  parentPort.postMessage(message);
}

parentPort.on('message', (event: { data: unknown }) => {
  const parsed = ToCoreSchema.safeParse(event.data);
  if (!parsed.success) return;
  const message = parsed.data;
  if (message.type === 'start' && !core) {
    startCore({
      sitePath: message.sitePath,
      dataDir: message.dataDir,
      port: message.port ?? 0,
      token: message.token,
      host: 'electron',
      language: message.language,
      staticDir: null,
      extraOrigins: [APP_ORIGIN, ...harnessOrigins()],
      ffmpegPath: message.ffmpegPath,
      credentialsKey: message.credentialsKey ? Buffer.from(message.credentialsKey, 'base64') : null,
      hostSessionId: message.hostSessionId ?? null,
      security: message.idleLockSeconds === null || message.idleLockSeconds === undefined ? undefined : { idleLockMs: message.idleLockSeconds * 1000 },
      demoTrouble: message.demoTrouble ?? undefined,
      onHostSession: (id) => post({ type: 'hostSession', id }),
    }).then(
      (running) => {
        core = running;
        running.onEvent((envelope) => post({ type: 'event', envelope }));
        post({ type: 'ready', liveUrl: running.liveUrl, port: running.port });
      },
      (error: unknown) => {
        if (error instanceof DataFolderLockedError) {
          const since = new Date(error.owner.startedAtMs).toLocaleString(message.language === 'vi' ? 'vi-VN' : 'en-GB');
          post({ type: 'startFailed', message: translate(message.language, 'host.locked', { dir: error.dir, pid: error.owner.pid, since }), locked: true });
          return;
        }
        const text = error instanceof SiteFileError ? formatSiteIssues(error.file, error.issues, message.language) : String(error);
        post({ type: 'startFailed', message: text });
      },
    );
  } else if (message.type === 'call' && core) {
    const { id } = message;
    // the principal is the session the core keeps for this host (log-in over the same IPC call path)
    void core.hostCall(message.method, message.params).then((result) => post({ type: 'result', id, result }));
  } else if (message.type === 'ping') {
    post({ type: 'pong', id: message.id });
  } else if (message.type === 'stop') {
    void (core?.stop() ?? Promise.resolve()).then(() => process.exit(0));
  }
});
