import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import readline from 'node:readline';
import { repoRoot } from './paths';

/**
 * What a test camera sends (tests/helpers/rtsp_server.py):
 * - `clip` (default): a pre-encoded H.264 clip (Annex B with AUDs, `h264Clip`), looped live;
 * - `h265`: the same with an H.265 clip (`h265Clip`);
 * - `garbage`: H.264 by its SDP, random bytes as access units (the pull gets data, nothing decodes);
 * - `switch`: `clip` for `switchAfterS` seconds, then `clipB`, and again (resolution change mid-stream);
 * - `timecode`: live-encoded (x264 zerolatency) frames carrying their send time (common/timecode.ts).
 * - `ptz`: live-encoded, a window over a large test picture placed by the pan/tilt the ONVIF
 *   simulator writes to `positionFile` (tests/helpers/onvifSim.ts): pan right, brighter picture.
 * A long-GOP camera is a `clip` encoded with a long GOP, usually `freeRunning`.
 */
export type MountKind = 'clip' | 'h265' | 'garbage' | 'switch' | 'timecode' | 'ptz';

export type TimecodeEncoder = 'x264' | 'x264-sliced' | 'x264-bframes' | 'x264-oob' | 'x264-once' | 'x264-longgop' | 'h265';
/**
 * The encoder matrix the playback and export tests run over (tests/integration/encoderFixture.ts):
 * sets before every keyframe (x264-sliced, h265), only in the SDP (x264-oob), once in band with
 * delimiters (x264-once), B-frames, a 5-s GOP.
 */
export const TIMECODE_ENCODERS: readonly TimecodeEncoder[] = ['x264-sliced', 'x264-bframes', 'x264-oob', 'x264-once', 'x264-longgop', 'h265'];

export interface MountSpec {
  path: string;
  kind?: MountKind;
  /** The clip file (clip, h265, switch: clip A). */
  clip?: string;
  /** switch: clip B. */
  clipB?: string;
  /** switch: seconds of each clip before the other one plays. */
  switchAfterS?: number;
  fps?: number;
  /** timecode: picture size (default 640x360). */
  width?: number;
  height?: number;
  /**
   * timecode: the encoder setting (default 'x264', one slice a frame): 'x264-sliced' (zerolatency
   * sliced threads, parameter sets before every keyframe), 'x264-bframes', 'x264-oob' (parameter
   * sets only in the SDP, no access unit delimiters), 'x264-once' (parameter sets in band once,
   * before the first keyframe the client receives, and in the SDP; a delimiter before every access
   * unit), 'x264-longgop' (a keyframe every 75 frames: 5 s at 15 fps), 'h265'.
   */
  encoder?: TimecodeEncoder;
  /** timecode: keyframe interval in frames (default 15; 75 for 'x264-longgop'). */
  gop?: number;
  /**
   * timecode: the encoder's parameter sets rewritten before the payloader: 'encoder' (as
   * x264 makes them: before every keyframe), 'once' (only until a client has received one
   * keyframe), 'every3' (in every third keyframe the encoder makes), 'none' (never in band: only
   * the SDP's sprop-parameter-sets; avc encoders only).
   * Default 'encoder', 'once' for 'x264-once', 'none' for 'x264-oob'.
   */
  parameterSets?: 'encoder' | 'once' | 'every3' | 'none';
  /** timecode: access unit delimiters kept (default true; false for 'x264-oob'). */
  delimiters?: boolean;
  /** ptz: the JSON file {"pan", "tilt"} the ONVIF simulator keeps up to date. */
  positionFile?: string;
  /** garbage: random bytes per access unit (default 3000). */
  bytes?: number;
  /**
   * Frames numbered from the server's start, not from the client's connection: a client joins
   * mid-GOP, as with a real camera (keyframes at `startedAtMs + k * GOP`). clip and h265 only.
   */
  freeRunning?: boolean;
}

export interface StartOptions {
  /** A fixed port (a camera that reboots comes back on its port); 0 or absent: any free port. */
  port?: number;
  /** How long to keep trying while the port is still taken. */
  bindRetryMs?: number;
  /** Every mount asks for RTSP digest auth with these (as real cameras do); absent: no auth. */
  auth?: { username: string; password: string };
}

/** A loopback port free right now (for a server that must come back on the same port). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => (address && typeof address === 'object' ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

type ServerEvent = { event: string; [key: string]: unknown };

class BindFailed extends Error {}

/**
 * The real RTSP server of the tests (GStreamer gst-rtsp-server, tests/helpers/rtsp_server.py),
 * on a loopback port. Mounts can be stopped (the camera dies) and started (it returns); the whole
 * server can be killed and started again on the same port (the camera reboots).
 */
export class RtspTestServer {
  private readonly waiters: ((event: ServerEvent) => boolean)[] = [];
  private readonly exited: Promise<void>;
  readonly setupsByMount = new Map<string, number>();

  private constructor(
    private readonly child: ChildProcessWithoutNullStreams,
    /** Resolves on 'close': exited AND its stdio pipes closed (the test process holds no descriptor of it). */
    closed: Promise<void>,
    readonly port: number,
    /** Wall-clock ms when the server started sending (frame 0 of free-running mounts). */
    readonly startedAtMs: number,
    readonly mounts: readonly MountSpec[],
    readonly auth: StartOptions['auth'] | null = null,
  ) {
    this.exited = closed;
    void this.exited.then(() => {
      for (const waiter of this.waiters.splice(0)) waiter({ event: 'error', message: 'RTSP test server exited' });
    });
  }

  static async start(mounts: MountSpec[], options: StartOptions = {}): Promise<RtspTestServer> {
    const deadline = Date.now() + (options.bindRetryMs ?? 5000);
    for (;;) {
      try {
        return await RtspTestServer.startOnce(mounts, options.port ?? 0, options.auth ?? null);
      } catch (error) {
        if (!(error instanceof BindFailed) || Date.now() >= deadline) throw error;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
  }

  private static async startOnce(mounts: MountSpec[], port: number, auth: StartOptions['auth'] | null): Promise<RtspTestServer> {
    // Debian's python3 has python3-gi; the python3 first on PATH may be another build without it.
    const python = process.env.RTSP_TEST_PYTHON ?? '/usr/bin/python3';
    const child = spawn(python, [path.join(repoRoot, 'tests', 'helpers', 'rtsp_server.py'), JSON.stringify({ port, mounts, ...(auth ? { auth } : {}) })], { stdio: ['pipe', 'pipe', 'pipe'] });
    child.stdin.on('error', () => undefined); // EPIPE once killed: the exit handler reports it
    const closed = new Promise<void>((resolve) => child.once('close', () => resolve()));
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
    const lines = readline.createInterface({ input: child.stdout });
    let server: RtspTestServer | null = null;
    let onExit: ((code: number | null) => void) | null = null;
    let timer: NodeJS.Timeout | undefined;
    try {
      const bound = await new Promise<number>((resolve, reject) => {
        timer = setTimeout(() => reject(new Error(`RTSP test server did not start: ${stderr}`)), 15000);
        onExit = (code) => reject(new Error(`RTSP test server exited (${code}): ${stderr}`));
        child.once('exit', onExit);
        lines.on('line', (line) => {
          let event: ServerEvent;
          try {
            event = JSON.parse(line) as ServerEvent;
          } catch {
            return;
          }
          if (event.event === 'ready') return resolve(Number(event.port));
          if (event.event === 'failed') return reject(new BindFailed(`RTSP test server could not listen on ${port}: ${String(event.message)}`));
          server?.onEvent(event);
        });
      });
      server = new RtspTestServer(child, closed, bound, Date.now(), mounts, auth);
      return server;
    } catch (error) {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await closed;
      throw error;
    } finally {
      clearTimeout(timer);
      if (onExit) child.off('exit', onExit);
    }
  }

  url(mount: string): string {
    return `rtsp://127.0.0.1:${this.port}${mount}`;
  }

  /** The URL with the server's credentials in it (percent-encoded, as a user would paste it). */
  urlWithCredentials(mount: string, password = this.auth?.password ?? ''): string {
    const username = encodeURIComponent(this.auth?.username ?? '');
    return `rtsp://${username}:${encodeURIComponent(password)}@127.0.0.1:${this.port}${mount}`;
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** The same server again, on the same port (after close() or kill()): the camera rebooted. */
  restart(options: Omit<StartOptions, 'port'> = {}): Promise<RtspTestServer> {
    return RtspTestServer.start([...this.mounts], { ...options, port: this.port, ...(this.auth ? { auth: this.auth } : {}) });
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

  /** Ends the server politely (stdin closed), SIGKILL after 3 s. */
  async close(): Promise<void> {
    if (this.running) this.child.stdin.end();
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 3000);
    await this.exited;
    clearTimeout(timer);
  }

  /** The camera dies without a goodbye: SIGKILL, its sockets closed by the kernel. Resolves once reaped. */
  async kill(): Promise<void> {
    if (this.running) this.child.kill('SIGKILL');
    await this.exited;
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
    if (!this.running) return Promise.reject(new Error('RTSP test server is not running'));
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
