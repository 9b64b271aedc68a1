import { APP_ORIGIN } from '../../common/bridge';
import { startCore, type RunningCore } from './core';
import { SiteFileError } from './site/loadSite';
import { formatSiteIssues } from './site/parseSite';
import { ToCoreSchema, type FromCore } from './utilityProtocol';

/**
 * The core under Electron: the same program as browser mode, run in an Electron utility process
 * so that video traffic never stalls the main process. Calls arrive from the main process (which
 * checked the sender); the renderer's live socket connects straight to the loopback server.
 */
const parentPort = process.parentPort;
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
      port: 0,
      host: 'electron',
      language: message.language,
      staticDir: null,
      extraOrigins: [APP_ORIGIN],
      ffmpegPath: message.ffmpegPath,
      credentialsKey: message.credentialsKey ? Buffer.from(message.credentialsKey, 'base64') : null,
    }).then(
      (running) => {
        core = running;
        running.onEvent((envelope) => post({ type: 'event', envelope }));
        post({ type: 'ready', liveUrl: running.liveUrl, port: running.port });
      },
      (error: unknown) => {
        const text = error instanceof SiteFileError ? formatSiteIssues(error.file, error.issues, message.language) : String(error);
        post({ type: 'startFailed', message: text });
      },
    );
  } else if (message.type === 'call' && core) {
    const { id } = message;
    // the principal is the session the core keeps for this host (log-in over the same IPC call path)
    void core.hostCall(message.method, message.params).then((result) => post({ type: 'result', id, result }));
  } else if (message.type === 'stop') {
    void (core?.stop() ?? Promise.resolve()).then(() => process.exit(0));
  }
});
