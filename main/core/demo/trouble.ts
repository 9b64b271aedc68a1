/**
 * The demo's trouble (issue 18 item 3): without it nobody trying the demo ever sees how an outage
 * or a refused camera looks. On the demo site only, on by default (`--demo-trouble off` turns it
 * off), two cameras misbehave the way real ones do:
 *
 * - a camera that drops and returns on a schedule (a village camera on a weak link): its pull
 *   ends when an outage starts (ffmpeg's `-t`, so the pull exits by itself) and, during the
 *   outage, the next tries meet a closed port (connection refused: "unreachable", offline,
 *   a `cameraOffline` gap in the recordings); after it, the clip plays again;
 * - a camera whose password is wrong (a technician changed it on the camera): the pull talks
 *   RTSP to a loopback "camera" that answers every request with 401 and a digest challenge, so
 *   the wall, the recording status and the devices page say "Sai tên đăng nhập hoặc mật khẩu".
 *
 * Everything stays on 127.0.0.1 and inside the demo; the real site never gets here.
 */
import net from 'node:net';
import type { Clock } from '../util/clock';
import type { Logger } from '../log/logger';

export interface DemoTroubleSpec {
  /** A camera that is offline for `downMs` at the end of every `everyMs` since the console started. */
  dropping: { cameraId: string; everyMs: number; downMs: number } | null;
  /** A camera that refuses its password. */
  wrongPassword: string | null;
}

/** dk-22 (the dyke culvert, the farthest camera) drops for 45 s every 4 min; dk-28 (the pump station) has a wrong password. */
export const DEFAULT_DEMO_TROUBLE: DemoTroubleSpec = {
  dropping: { cameraId: 'dk-22', everyMs: 4 * 60_000, downMs: 45_000 },
  wrongPassword: 'dk-28',
};

/** What a demo pull reads: a clip file, or a URL; `durationS`: the pull ends by itself after that long. */
export interface DemoInput {
  input: string;
  durationS?: number;
}

/** Where in its cycle a dropping camera is: down (until when) or up (until the next outage). */
export function dropPhase(spec: NonNullable<DemoTroubleSpec['dropping']>, sinceStartMs: number): { down: boolean; msLeft: number } {
  const inCycle = ((sinceStartMs % spec.everyMs) + spec.everyMs) % spec.everyMs;
  const upMs = spec.everyMs - spec.downMs;
  return inCycle < upMs ? { down: false, msLeft: upMs - inCycle } : { down: true, msLeft: spec.everyMs - inCycle };
}

export class DemoTrouble {
  private readonly startedMs: number;
  private refusing: Promise<number> | null = null;
  private refuser: net.Server | null = null;
  private readonly sockets = new Set<net.Socket>();
  private closedPort: Promise<number> | null = null;

  constructor(
    readonly spec: DemoTroubleSpec,
    private readonly deps: { clock: Clock; log: Logger },
  ) {
    this.startedMs = deps.clock.now();
  }

  has(cameraId: string): boolean {
    return this.spec.dropping?.cameraId === cameraId || this.spec.wrongPassword === cameraId;
  }

  /** The input of this camera's next pull (`clip`: its demo clip, made only when it will play). */
  async inputFor(cameraId: string, clip: () => Promise<string>): Promise<DemoInput> {
    if (cameraId === this.spec.wrongPassword) {
      const port = await this.refusingCamera();
      return { input: `rtsp://admin:sai-mat-khau@127.0.0.1:${port}/Streaming/Channels/101` };
    }
    const dropping = this.spec.dropping;
    if (dropping && cameraId === dropping.cameraId) {
      const phase = dropPhase(dropping, this.deps.clock.now() - this.startedMs);
      if (phase.down) return { input: `tcp://127.0.0.1:${await this.portNobodyListensOn()}` };
      // at least a second of picture: a pull started just before an outage still shows one
      return { input: await clip(), durationS: Math.max(1, Math.round(phase.msLeft / 100) / 10) };
    }
    return { input: await clip() };
  }

  /** A loopback "camera" that answers every RTSP request with 401 and a digest challenge. */
  private refusingCamera(): Promise<number> {
    this.refusing ??= new Promise<number>((resolve, reject) => {
      const server = net.createServer((socket) => {
        this.sockets.add(socket);
        socket.on('close', () => this.sockets.delete(socket));
        let buffer = '';
        socket.on('error', () => socket.destroy());
        socket.setTimeout(10_000, () => socket.destroy());
        socket.on('data', (chunk: Buffer) => {
          buffer = (buffer + chunk.toString('latin1')).slice(-16_384);
          for (let end = buffer.indexOf('\r\n\r\n'); end >= 0; end = buffer.indexOf('\r\n\r\n')) {
            const head = buffer.slice(0, end);
            buffer = buffer.slice(end + 4);
            const cseq = /^cseq:\s*(\d+)/im.exec(head)?.[1] ?? '0';
            socket.write(`RTSP/1.0 401 Unauthorized\r\nCSeq: ${cseq}\r\nWWW-Authenticate: Digest realm="IP Camera(demo)", nonce="${Date.now().toString(16)}", stale="FALSE"\r\n\r\n`);
          }
        });
      });
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => {
        this.refuser = server;
        resolve((server.address() as net.AddressInfo).port);
      });
    });
    return this.refusing;
  }

  /** A loopback port that was free a moment ago: a connection to it is refused, as to a camera that is off. */
  private portNobodyListensOn(): Promise<number> {
    this.closedPort ??= new Promise<number>((resolve, reject) => {
      const probe = net.createServer();
      probe.once('error', reject);
      probe.listen(0, '127.0.0.1', () => {
        const port = (probe.address() as net.AddressInfo).port;
        probe.close(() => resolve(port));
      });
    });
    return this.closedPort;
  }

  async close(): Promise<void> {
    const server = this.refuser;
    this.refuser = null;
    for (const socket of this.sockets) socket.destroy();
    if (server) await new Promise((resolve) => server.close(resolve));
  }
}
