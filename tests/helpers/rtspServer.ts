import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import path from 'node:path';
import readline from 'node:readline';
import { repoRoot } from './paths';

export interface MountSpec {
  path: string;
  clip: string;
  fps?: number;
}

type ServerEvent = { event: string; [key: string]: unknown };

/**
 * The real RTSP server of the tests (GStreamer gst-rtsp-server, tests/helpers/rtsp_server.py),
 * on a free loopback port. Mounts can be stopped (the camera dies) and started (it returns).
 */
export class RtspTestServer {
  private readonly waiters: ((event: ServerEvent) => boolean)[] = [];
  readonly setupsByMount = new Map<string, number>();

  private constructor(
    private readonly child: ChildProcessWithoutNullStreams,
    readonly port: number,
  ) {}

  static async start(mounts: MountSpec[]): Promise<RtspTestServer> {
    // Debian's python3 has python3-gi; the python3 first on PATH may be another build without it.
    const python = process.env.RTSP_TEST_PYTHON ?? '/usr/bin/python3';
    const child = spawn(python, [path.join(repoRoot, 'tests', 'helpers', 'rtsp_server.py'), JSON.stringify({ mounts })], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
    const lines = readline.createInterface({ input: child.stdout });
    let server: RtspTestServer | null = null;
    const port = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`RTSP test server did not start: ${stderr}`)), 15000);
      child.once('exit', (code) => reject(new Error(`RTSP test server exited (${code}): ${stderr}`)));
      lines.on('line', (line) => {
        let event: ServerEvent;
        try {
          event = JSON.parse(line) as ServerEvent;
        } catch {
          return;
        }
        if (event.event === 'ready') {
          clearTimeout(timer);
          resolve(Number(event.port));
          return;
        }
        server?.onEvent(event);
      });
    });
    server = new RtspTestServer(child, port);
    return server;
  }

  url(mount: string): string {
    return `rtsp://127.0.0.1:${this.port}${mount}`;
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  async stopMount(mount: string): Promise<void> {
    await this.command({ cmd: 'stop', mount });
  }

  async startMount(mount: string): Promise<void> {
    await this.command({ cmd: 'start', mount });
  }

  /** RTSP SETUP requests seen per mount since the server started (one per session and track). */
  async sessions(): Promise<Record<string, number>> {
    const reply = await this.command({ cmd: 'sessions' });
    return reply.setups as Record<string, number>;
  }

  async close(): Promise<void> {
    if (this.child.exitCode !== null) return;
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    this.child.stdin.end();
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 3000);
    await exited;
    clearTimeout(timer);
  }

  private onEvent(event: ServerEvent): void {
    if (event.event === 'setup' && typeof event.mount === 'string') {
      this.setupsByMount.set(event.mount, (this.setupsByMount.get(event.mount) ?? 0) + 1);
    }
    for (let index = 0; index < this.waiters.length; index++) {
      if (this.waiters[index]?.(event)) {
        this.waiters.splice(index, 1);
        return;
      }
    }
  }

  private command(command: Record<string, unknown>): Promise<ServerEvent> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`RTSP server did not answer ${JSON.stringify(command)}`)), 5000);
      this.waiters.push((event) => {
        if ((event.event === 'ok' && event.cmd === command.cmd) || event.event === 'error') {
          clearTimeout(timer);
          if (event.event === 'error') reject(new Error(String(event.message)));
          else resolve(event);
          return true;
        }
        return false;
      });
      this.child.stdin.write(`${JSON.stringify(command)}\n`);
    });
  }
}
