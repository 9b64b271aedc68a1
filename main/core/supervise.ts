import { spawn, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import { DEFAULT_LANGUAGE, isLanguage, translate, type Language } from '../../common/i18n';
import { parseCliArgs } from './cliArgs';
import { newToken } from './server/auth';
import { CALL_PATH } from '../../common/liveProtocol';
import { classifyExit, CrashHistory, crashLoopPage, HANG, hangProbeMs, HangWatch } from './restartPolicy';

/**
 * Browser mode's supervisor (`npm start` without Electron, `npm run serve`): runs the core
 * (dist/core/cli.cjs) as a child and restarts it with back-off when it dies, on the same port and
 * with the same token, so open pages reconnect by themselves and recording resumes. A refusal to
 * start (bad site file, locked data folder) is passed on, not repeated. Five crashes in two
 * minutes: it stops trying and serves, on the console's address, a page that says so and where
 * the logs are. A core that stops answering (HANG: a real call over HTTP every few seconds,
 * about 30 s of silence) is killed with SIGKILL and restarted like a crash. The Electron host
 * does the same for its utility process (main/electron/main.ts).
 */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/** One real call to the core (getAuthState, which every caller may make); true if it answered within `deadlineMs`. */
function probeCore(port: number, token: string, deadlineMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const body = JSON.stringify({ method: 'getAuthState', params: {} });
    const request = http.request(
      { host: '127.0.0.1', port, path: CALL_PATH, method: 'POST', timeout: deadlineMs, headers: { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body), Authorization: `Bearer ${token}` } },
      (response) => {
        response.resume();
        resolve(true);
      },
    );
    request.on('timeout', () => request.destroy());
    request.on('error', () => resolve(false));
    request.end(body);
  });
}

function withPort(args: string[], port: number): string[] {
  const result: string[] = [];
  for (let index = 0; index < args.length; index += 1) {
    const arg = args[index] ?? '';
    if (arg === '--port') index += 1;
    else if (!arg.startsWith('--port=')) result.push(arg);
  }
  return [...result, '--port', String(port)];
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const cli = path.join(__dirname, 'cli.cjs');
  let language: Language = isLanguage(process.env.CONSOLE_LANG) ? process.env.CONSOLE_LANG : DEFAULT_LANGUAGE;
  let dataDir = '';
  let port = 0;
  try {
    const options = parseCliArgs(args);
    language = options.language;
    dataDir = options.data;
    port = options.port;
  } catch {
    // the core prints what is wrong with the arguments and exits 2, which ends this supervisor too
  }
  if (dataDir && port === 0) port = await freePort();
  const childArgs = port ? withPort(args, port) : args;
  const env = { ...process.env, CONSOLE_SUPERVISED_TOKEN: newToken() };
  const history = new CrashHistory();
  let child: ChildProcess | null = null;
  let stopping = false;
  let restarts = 0;
  let crashPage: http.Server | null = null;

  const probeMs = hangProbeMs(process.env.CONSOLE_HANG_PROBE_MS);
  let watch = new HangWatch();
  const watchForHang = async (): Promise<void> => {
    const startedMs = Date.now();
    const current = child;
    if (current && port && !stopping) {
      const answered = await probeCore(port, env.CONSOLE_SUPERVISED_TOKEN, probeMs);
      if (child === current && watch.probed(answered) === 'hung') {
        console.error(translate(language, 'host.hung', { seconds: Math.round((probeMs * HANG.missedProbes) / 1000) }));
        current.kill('SIGKILL'); // SIGTERM would wait for the hung event loop; the exit below restarts it
      }
    }
    // one probe per period: a missed answer took the whole period already
    setTimeout(() => void watchForHang(), Math.max(0, probeMs - (Date.now() - startedMs))).unref();
  };

  const start = (): void => {
    watch = new HangWatch();
    child = spawn(process.execPath, [cli, ...childArgs], { stdio: 'inherit', env: { ...env, CONSOLE_RESTARTS: String(restarts) } });
    child.once('exit', (code, signal) => {
      child = null;
      const kind = classifyExit(code, signal, stopping);
      if (kind !== 'crash') {
        process.exit(code ?? 0);
        return;
      }
      const decision = history.record(Date.now());
      if (decision.action === 'restart') {
        restarts += 1;
        console.error(translate(language, 'host.restarting', { count: restarts, seconds: (decision.delayMs / 1000).toFixed(1) }));
        setTimeout(() => {
          if (!stopping) start();
        }, decision.delayMs);
        return;
      }
      const logDir = path.join(dataDir, 'logs');
      console.error(`${translate(language, 'host.crashLoop.title')}. ${translate(language, 'host.crashLoop.body', { count: decision.recentExits, minutes: 2 })}`);
      console.error(`${translate(language, 'host.crashLoop.logs')} ${logDir}`);
      if (!port) process.exit(1);
      const page = crashLoopPage(language, logDir, decision.recentExits);
      crashPage = http.createServer((_request, response) => {
        response.writeHead(503, { 'Content-Type': 'text/html; charset=utf-8', 'Content-Security-Policy': "default-src 'none'; style-src 'unsafe-inline'", 'Cache-Control': 'no-store' });
        response.end(page);
      });
      crashPage.listen(port, '127.0.0.1');
    });
  };

  const stop = (signal: NodeJS.Signals): void => {
    stopping = true;
    if (child) child.kill(signal);
    else if (crashPage) crashPage.close(() => process.exit(0));
    else process.exit(0);
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('exit', () => child?.kill('SIGKILL'));
  start();
  void watchForHang();
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
