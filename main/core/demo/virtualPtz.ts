import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import type { Camera, StreamKind } from '../../../common/site';
import type { FfmpegInfo } from '../ffmpeg/probe';
import { filterValue } from '../ffmpeg/args';
import { FfmpegSupervisor, runFfmpegOnce, type ProcessRegistry } from '../ffmpeg/supervisor';
import type { Logger } from '../log/logger';
import type { Clock, TimerHandle } from '../util/clock';
import { findLabelFont } from './fonts';

/**
 * The demo's PTZ cameras, with no camera: a virtual pan/tilt/zoom head over one large generated
 * scene (3840x2160, drawn once by ffmpeg and kept in the data folder). The head's position picks
 * the part of the scene a stream shows; the stream is encoded live (H.264 in MPEG-TS, like the
 * other demo streams) and served on a loopback TCP port that the camera's pull reads, so the pull,
 * the wall, recording and snapshots see an ordinary camera. The PTZ feature drives the head
 * through the same PtzDriver interface as ONVIF (main/core/ptz/virtualDriver.ts), so the pad,
 * the keyboard, presets and follow mode all work on the demo.
 */

export interface PtzPosition {
  /** -1 (left) … 1 (right), ONVIF's generic pan space. */
  pan: number;
  /** -1 (down) … 1 (up). */
  tilt: number;
  /** 0 (wide) … 1 (tele). */
  zoom: number;
}

export interface VirtualPreset extends PtzPosition {
  token: string;
  name: string;
}

export const SCENE_WIDTH = 3840;
export const SCENE_HEIGHT = 2160;
/** Full speed: the whole pan range in 8 s, tilt in 6 s, zoom wide→tele in 4 s. */
const SPEED_PER_S: PtzPosition = { pan: 0.25, tilt: 0.33, zoom: 0.25 };
/** A preset is reached at twice full speed (cameras move faster to presets than by hand). */
const PRESET_SPEED_FACTOR = 2;
/** At zoom 0 a stream shows half the scene's width; at zoom 1, a twelfth. */
const WIDE_FRACTION = 0.5;
const TELE_MAGNIFICATION = 6;
const FPS = 15;
const SCENE_VERSION = 1;

const STREAM_SIZE: Record<StreamKind, { widthPx: number; heightPx: number; gopFrames: number; bitrateKbps: number }> = {
  main: { widthPx: 1280, heightPx: 720, gopFrames: 30, bitrateKbps: 1500 },
  sub: { widthPx: 640, heightPx: 360, gopFrames: 15, bitrateKbps: 400 },
};

export const DEFAULT_VIRTUAL_PRESETS: readonly Omit<VirtualPreset, 'token'>[] = [
  { name: 'Toàn cảnh', pan: 0, tilt: 0, zoom: 0 },
  { name: 'Hướng trái', pan: -0.8, tilt: 0.1, zoom: 0.35 },
  { name: 'Hướng phải', pan: 0.8, tilt: -0.1, zoom: 0.35 },
  { name: 'Cận cảnh', pan: 0.15, tilt: 0, zoom: 0.9 },
];

function clamp(value: number, min: number, max: number): number {
  return Math.max(min, Math.min(max, value));
}

function clampPosition(position: PtzPosition): PtzPosition {
  return { pan: clamp(position.pan, -1, 1), tilt: clamp(position.tilt, -1, 1), zoom: clamp(position.zoom, 0, 1) };
}

/**
 * The head's motion: continuous moves at a velocity (-1…1 per axis) and moves to a target
 * (presets, home), integrated on the injected clock, so tests run in simulated time.
 */
export class VirtualPtzHead {
  private at: PtzPosition = { pan: 0, tilt: 0, zoom: 0 };
  private sinceMs: number;
  private velocity: PtzPosition = { pan: 0, tilt: 0, zoom: 0 };
  private target: PtzPosition | null = null;
  private revision = 0;

  constructor(private readonly clock: Pick<Clock, 'monotonic'>) {
    this.sinceMs = clock.monotonic();
  }

  /** Changes each time the head is told to do something (the picture re-renders on it). */
  get changes(): number {
    return this.revision;
  }

  position(): PtzPosition {
    const now = this.clock.monotonic();
    const seconds = Math.max(0, (now - this.sinceMs) / 1000);
    if (this.target) {
      const target = this.target;
      const step = (axis: keyof PtzPosition): number => {
        const distance = target[axis] - this.at[axis];
        const reach = SPEED_PER_S[axis] * PRESET_SPEED_FACTOR * seconds;
        return Math.abs(distance) <= reach ? target[axis] : this.at[axis] + Math.sign(distance) * reach;
      };
      return { pan: step('pan'), tilt: step('tilt'), zoom: step('zoom') };
    }
    // Zoomed in, a pan covers less of the scene per second (as on a real camera, slower at tele).
    const slow = 1 / (1 + this.at.zoom * (TELE_MAGNIFICATION - 1));
    return clampPosition({
      pan: this.at.pan + this.velocity.pan * SPEED_PER_S.pan * slow * seconds,
      tilt: this.at.tilt + this.velocity.tilt * SPEED_PER_S.tilt * slow * seconds,
      zoom: this.at.zoom + this.velocity.zoom * SPEED_PER_S.zoom * seconds,
    });
  }

  moving(): boolean {
    const now = this.position();
    if (this.target) return now.pan !== this.target.pan || now.tilt !== this.target.tilt || now.zoom !== this.target.zoom;
    return this.velocity.pan !== 0 || this.velocity.tilt !== 0 || this.velocity.zoom !== 0;
  }

  private settle(): void {
    this.at = this.position();
    this.sinceMs = this.clock.monotonic();
    this.revision += 1;
  }

  move(velocity: PtzPosition): void {
    this.settle();
    this.target = null;
    this.velocity = { pan: clamp(velocity.pan, -1, 1), tilt: clamp(velocity.tilt, -1, 1), zoom: clamp(velocity.zoom, -1, 1) };
  }

  stop(): void {
    this.settle();
    this.target = null;
    this.velocity = { pan: 0, tilt: 0, zoom: 0 };
  }

  goto(position: PtzPosition): void {
    this.settle();
    this.velocity = { pan: 0, tilt: 0, zoom: 0 };
    this.target = clampPosition(position);
  }
}

/** The part of the scene the head looks at, in scene pixels. */
export function viewWindow(position: PtzPosition, aspect: number): { x: number; y: number; width: number; height: number } {
  const magnification = 1 + position.zoom * (TELE_MAGNIFICATION - 1);
  const width = (SCENE_WIDTH * WIDE_FRACTION) / magnification;
  const height = Math.min(SCENE_HEIGHT, width / aspect);
  const centreX = SCENE_WIDTH / 2 + position.pan * (SCENE_WIDTH / 2 - width / 2);
  const centreY = SCENE_HEIGHT / 2 - position.tilt * (SCENE_HEIGHT / 2 - height / 2);
  return { x: centreX - width / 2, y: centreY - height / 2, width, height };
}

/** Nearest-neighbour crop and scale of a YUV 4:2:0 scene into a frame of width x height. */
export function renderView(scene: Buffer, position: PtzPosition, width: number, height: number, out: Buffer = Buffer.alloc((width * height * 3) / 2)): Buffer {
  const view = viewWindow(position, width / height);
  const chromaWidth = SCENE_WIDTH / 2;
  const uBase = SCENE_WIDTH * SCENE_HEIGHT;
  const vBase = uBase + chromaWidth * (SCENE_HEIGHT / 2);
  const columns = new Int32Array(width);
  for (let x = 0; x < width; x++) columns[x] = Math.min(SCENE_WIDTH - 1, Math.floor(view.x + ((x + 0.5) * view.width) / width));
  let offset = 0;
  for (let y = 0; y < height; y++) {
    const row = Math.min(SCENE_HEIGHT - 1, Math.floor(view.y + ((y + 0.5) * view.height) / height)) * SCENE_WIDTH;
    for (let x = 0; x < width; x++) out[offset++] = scene[row + (columns[x] ?? 0)] ?? 0;
  }
  const halfWidth = width / 2;
  const halfHeight = height / 2;
  for (const base of [uBase, vBase]) {
    for (let y = 0; y < halfHeight; y++) {
      const sceneRow = Math.min(SCENE_HEIGHT / 2 - 1, Math.floor((view.y + ((2 * y + 1) * view.height) / height) / 2));
      const row = base + sceneRow * chromaWidth;
      for (let x = 0; x < halfWidth; x++) out[offset++] = scene[row + ((columns[2 * x] ?? 0) >> 1)] ?? 128;
    }
  }
  return out;
}

/**
 * A vehicle on the road across the middle of the scene, so a still head's picture moves as a real
 * camera's does. It drives the stretch the head sees at its home position (pan 0, wide), above
 * the on-screen labels, and comes round again.
 */
const VEHICLE = { widthPx: 360, heightPx: 140, roadY: Math.round(SCENE_HEIGHT * 0.42), speedPxPerS: 500 } as const;
const ROAD = { fromX: SCENE_WIDTH * (0.5 - WIDE_FRACTION / 2), toX: SCENE_WIDTH * (0.5 + WIDE_FRACTION / 2) } as const;

/** The vehicle's box in scene pixels at `timeMs` (left to right along the road, then again). */
export function vehicleBox(timeMs: number): { x: number; y: number; width: number; height: number } {
  const lap = ROAD.toX - ROAD.fromX + VEHICLE.widthPx;
  const x = ROAD.fromX - VEHICLE.widthPx + (((timeMs / 1000) * VEHICLE.speedPxPerS) % lap);
  return { x, y: VEHICLE.roadY, width: VEHICLE.widthPx, height: VEHICLE.heightPx };
}

/**
 * Paints the vehicle (a red body under a dark windscreen) into a rendered view, where the head's
 * view window sees it: cheap, a rectangle per frame over a copy of the still view.
 */
export function paintVehicle(frame: Buffer, position: PtzPosition, width: number, height: number, timeMs: number): void {
  const view = viewWindow(position, width / height);
  const box = vehicleBox(timeMs);
  const toX = (sceneX: number): number => Math.round(((sceneX - view.x) * width) / view.width);
  const toY = (sceneY: number): number => Math.round(((sceneY - view.y) * height) / view.height);
  const x0 = Math.max(0, toX(box.x)) & ~1;
  const x1 = Math.min(width, toX(box.x + box.width)) & ~1;
  const y0 = Math.max(0, toY(box.y)) & ~1;
  const y1 = Math.min(height, toY(box.y + box.height)) & ~1;
  if (x1 <= x0 || y1 <= y0) return;
  const windscreenEnd = y0 + Math.round((y1 - y0) * 0.35);
  for (let y = y0; y < y1; y++) frame.fill(y < windscreenEnd ? 40 : 82, y * width + x0, y * width + x1);
  const uBase = width * height;
  const vBase = uBase + (width / 2) * (height / 2);
  for (let y = y0 / 2; y < y1 / 2; y++) {
    const windscreen = y * 2 < windscreenEnd;
    frame.fill(windscreen ? 128 : 90, uBase + y * (width / 2) + x0 / 2, uBase + y * (width / 2) + x1 / 2);
    frame.fill(windscreen ? 128 : 240, vBase + y * (width / 2) + x0 / 2, vBase + y * (width / 2) + x1 / 2);
  }
}

/** "P +12° T −5° Z 2,0×": what the camera's on-screen display says about its position. */
export function positionLabel(position: PtzPosition): string {
  const degrees = (value: number, range: number): string => {
    const rounded = Math.round(value * range);
    return `${rounded > 0 ? '+' : rounded < 0 ? '−' : ''}${Math.abs(rounded)}°`;
  };
  const magnification = (1 + position.zoom * (TELE_MAGNIFICATION - 1)).toFixed(1).replace('.', ',');
  return `P ${degrees(position.pan, 170)}  T ${degrees(position.tilt, 45)}  Z ${magnification}×`;
}

interface StreamServer {
  server: net.Server;
  port: number;
}

interface VirtualCamera {
  camera: Camera;
  head: VirtualPtzHead;
  presets: VirtualPreset[];
}

export interface VirtualPtzDeps {
  clock: Clock;
  log: Logger;
  registry?: ProcessRegistry;
}

/** The virtual PTZ cameras of the demo site: their heads, presets, scene and live streams. */
export class VirtualPtzCameras {
  private readonly cameras = new Map<string, VirtualCamera>();
  private readonly servers = new Map<string, Promise<StreamServer>>();
  private readonly sessions = new Set<() => void>();
  private scene: Promise<Buffer> | null = null;
  private readonly dir: string;
  private readonly font: string | null;
  private stopped = false;

  constructor(
    cameras: readonly Camera[],
    private readonly dataDir: string,
    private readonly ffmpeg: FfmpegInfo | null,
    private readonly deps: VirtualPtzDeps,
  ) {
    this.dir = path.join(dataDir, 'demo-media', `ptz-v${SCENE_VERSION}`);
    this.font = findLabelFont();
    for (const camera of cameras) {
      if (!camera.ptz || camera.onvif || !camera.streams.main.startsWith('demo://')) continue;
      this.cameras.set(camera.id, { camera, head: new VirtualPtzHead(deps.clock), presets: this.loadPresets(camera.id) });
    }
  }

  has(cameraId: string): boolean {
    return this.cameras.has(cameraId);
  }

  head(cameraId: string): VirtualPtzHead | null {
    return this.cameras.get(cameraId)?.head ?? null;
  }

  presets(cameraId: string): VirtualPreset[] {
    return [...(this.cameras.get(cameraId)?.presets ?? [])];
  }

  setPreset(cameraId: string, name: string, token: string | null): string {
    const entry = this.cameras.get(cameraId);
    if (!entry) throw new Error(`not a virtual PTZ camera: ${cameraId}`);
    const position = entry.head.position();
    const existing = token ? entry.presets.find((preset) => preset.token === token) : undefined;
    let saved: string;
    if (existing) {
      Object.assign(existing, { name, ...position });
      saved = existing.token;
    } else {
      const used = new Set(entry.presets.map((preset) => preset.token));
      let number = 1;
      while (used.has(String(number))) number += 1;
      saved = token ?? String(number);
      entry.presets.push({ token: saved, name, ...position });
    }
    this.savePresets(cameraId, entry.presets);
    return saved;
  }

  removePreset(cameraId: string, token: string): boolean {
    const entry = this.cameras.get(cameraId);
    if (!entry) return false;
    const before = entry.presets.length;
    entry.presets = entry.presets.filter((preset) => preset.token !== token);
    this.savePresets(cameraId, entry.presets);
    return entry.presets.length !== before;
  }

  private presetsFile(cameraId: string): string {
    return path.join(this.dataDir, 'virtual-ptz', `${cameraId}.json`);
  }

  private loadPresets(cameraId: string): VirtualPreset[] {
    try {
      const raw = JSON.parse(fs.readFileSync(this.presetsFile(cameraId), 'utf8')) as unknown;
      if (Array.isArray(raw)) {
        return raw.flatMap((entry: Partial<VirtualPreset>) =>
          typeof entry.token === 'string' && typeof entry.name === 'string' && [entry.pan, entry.tilt, entry.zoom].every((value) => typeof value === 'number')
            ? [{ token: entry.token, name: entry.name, ...clampPosition(entry as PtzPosition) }]
            : [],
        );
      }
    } catch {
      // no file yet (or unreadable): the default presets
    }
    return DEFAULT_VIRTUAL_PRESETS.map((preset, index) => ({ token: String(index + 1), ...preset }));
  }

  private savePresets(cameraId: string, presets: VirtualPreset[]): void {
    const file = this.presetsFile(cameraId);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(`${file}.tmp`, JSON.stringify(presets, null, 2));
    fs.renameSync(`${file}.tmp`, file);
  }

  /** The address the camera's pull reads this stream from (`tcp://127.0.0.1:PORT`). */
  async streamUrl(cameraId: string, stream: StreamKind): Promise<string> {
    const key = `${cameraId}-${stream}`;
    let server = this.servers.get(key);
    if (!server) {
      server = this.listen(cameraId, stream);
      this.servers.set(key, server);
      server.catch(() => this.servers.delete(key));
    }
    return `tcp://127.0.0.1:${(await server).port}`;
  }

  private listen(cameraId: string, stream: StreamKind): Promise<StreamServer> {
    return new Promise((resolve, reject) => {
      const server = net.createServer((socket) => this.serve(cameraId, stream, socket));
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => {
        const address = server.address();
        resolve({ server, port: typeof address === 'object' && address ? address.port : 0 });
      });
    });
  }

  private sceneBuffer(): Promise<Buffer> {
    this.scene ??= this.makeScene();
    this.scene.catch(() => (this.scene = null));
    return this.scene;
  }

  private async makeScene(): Promise<Buffer> {
    const file = path.join(this.dir, 'scene.yuv');
    if (!fs.existsSync(file)) {
      const ffmpeg = this.ffmpeg;
      if (!ffmpeg) throw new Error('no ffmpeg: the virtual PTZ scene cannot be drawn');
      fs.mkdirSync(this.dir, { recursive: true });
      const temporary = `${file}.${process.pid}.tmp`;
      const result = await runFfmpegOnce(
        { binary: ffmpeg.path, ...this.deps },
        'virtual ptz scene',
        [
          '-hide_banner', '-nostats', '-loglevel', 'error', '-nostdin', '-y',
          '-f', 'lavfi', '-i', `mandelbrot=size=${SCENE_WIDTH}x${SCENE_HEIGHT}:rate=1:maxiter=256:start_scale=2.4:start_x=-0.75`,
          '-frames:v', '1',
          '-vf', 'drawgrid=w=240:h=240:t=3:c=white@0.6,format=yuv420p',
          '-f', 'rawvideo', temporary,
        ],
        { timeoutMs: 120000 },
      );
      if (result.code !== 0) {
        fs.rmSync(temporary, { force: true });
        throw new Error(`virtual PTZ scene failed: ${result.stderrTail.slice(-300)}`);
      }
      fs.renameSync(temporary, file);
    }
    const scene = fs.readFileSync(file);
    if (scene.length !== (SCENE_WIDTH * SCENE_HEIGHT * 3) / 2) throw new Error('virtual PTZ scene has the wrong size');
    return scene;
  }

  /** One connection = one camera session: an encoder fed with the head's view at 15 fps. */
  private serve(cameraId: string, stream: StreamKind, socket: net.Socket): void {
    const entry = this.cameras.get(cameraId);
    const ffmpeg = this.ffmpeg;
    if (!entry || !ffmpeg?.h264Encoder || this.stopped) {
      socket.destroy();
      return;
    }
    const size = STREAM_SIZE[stream];
    const labelFile = path.join(this.dir, `${cameraId}-${stream}-${process.pid}-${Date.now()}.txt`);
    let label = '';
    const writeLabel = (text: string): void => {
      if (text === label || !this.font) return;
      label = text;
      try {
        fs.mkdirSync(this.dir, { recursive: true });
        // drawtext re-reads the file every frame: write it whole (rename), never half.
        fs.writeFileSync(`${labelFile}.tmp`, text);
        fs.renameSync(`${labelFile}.tmp`, labelFile);
      } catch {
        // the label is decoration; the picture goes on
      }
    };
    writeLabel(`${entry.camera.name}\n${positionLabel(entry.head.position())}`);
    const fontSize = Math.max(12, Math.round(size.heightPx / 16));
    // No clock burned in: ffmpeg's localtime is the PC's zone, not the site's (a wrong time on
    // a picture is worse than none); the console's tile footer shows the time. The stream's own
    // running time goes bottom right, as on the other demo cameras, and a vehicle crosses the
    // road (paintVehicle): a still head's picture moves, as a real camera's does.
    const filters = this.font
      ? [
          `drawtext=fontfile=${filterValue(this.font)}:fontcolor=white:box=1:boxcolor=black@0.6:boxborderw=${Math.round(fontSize / 3)}:textfile=${filterValue(labelFile)}:reload=1:fontsize=${fontSize}:x=${fontSize}:y=h-th-${Math.round(fontSize * 2.2)}`,
          `drawtext=fontfile=${filterValue(this.font)}:fontcolor=white:box=1:boxcolor=black@0.6:boxborderw=${Math.round(fontSize / 4)}:text='%{pts\\:hms}':fontsize=${fontSize}:x=w-tw-${fontSize}:y=${Math.round(fontSize * 2)}`,
        ]
      : [];
    const encoder =
      ffmpeg.h264Encoder === 'libx264'
        ? ['-c:v', 'libx264', '-preset', 'ultrafast', '-tune', 'zerolatency', '-x264-params', `keyint=${size.gopFrames}:min-keyint=${size.gopFrames}:scenecut=0`]
        : ['-c:v', 'libopenh264', '-g', String(size.gopFrames)];
    let still: Buffer = Buffer.alloc((size.widthPx * size.heightPx * 3) / 2);
    let renderedChange = -1;
    let timer: TimerHandle | null = null;
    let closed = false;
    const supervisor = new FfmpegSupervisor(
      {
        name: `virtual ptz ${cameraId}/${stream}`,
        args: () => [
          '-hide_banner', '-nostats', '-loglevel', 'error',
          '-f', 'rawvideo', '-pix_fmt', 'yuv420p', '-video_size', `${size.widthPx}x${size.heightPx}`, '-framerate', String(FPS), '-i', 'pipe:0',
          ...(filters.length > 0 ? ['-vf', filters.join(',')] : []),
          ...encoder,
          '-b:v', `${size.bitrateKbps}k`, '-maxrate', `${size.bitrateKbps}k`, '-bufsize', `${size.bitrateKbps * 2}k`,
          '-pix_fmt', 'yuv420p', '-an',
          '-f', 'mpegts', '-muxdelay', '0', '-muxpreload', '0', '-flush_packets', '1', 'pipe:1',
        ],
        stdin: true,
        startupTimeoutMs: null,
        stallTimeoutMs: null,
        restart: null,
      },
      {
        onStdout: (chunk) => {
          if (!socket.destroyed) socket.write(chunk);
        },
        onEnd: () => close(),
      },
      { binary: ffmpeg.path, ...this.deps },
    );
    const close = (): void => {
      if (closed) return;
      closed = true;
      timer?.cancel();
      this.sessions.delete(close);
      socket.destroy();
      void supervisor.stop();
      fs.rmSync(labelFile, { force: true });
    };
    this.sessions.add(close);
    socket.on('close', close);
    socket.on('error', close);
    void this.sceneBuffer().then(
      (scene) => {
        if (closed) return;
        supervisor.start();
        const started = this.deps.clock.monotonic();
        let frames = 0;
        const tick = (): void => {
          if (closed) return;
          const head = entry.head;
          const position = head.position();
          // Re-render the still view only when the head moved; the vehicle goes over a copy.
          if (head.moving() || head.changes !== renderedChange) {
            renderedChange = head.changes;
            still = renderView(scene, position, size.widthPx, size.heightPx, still);
            writeLabel(`${entry.camera.name}\n${positionLabel(position)}`);
          }
          // A slow encoder drops frames rather than queueing them.
          if (supervisor.stdinBacklogBytes < still.length * 2) {
            const frame = Buffer.from(still);
            paintVehicle(frame, position, size.widthPx, size.heightPx, this.deps.clock.monotonic() - started);
            supervisor.write(frame);
          }
          frames += 1;
          const nextAt = started + (frames * 1000) / FPS;
          timer = this.deps.clock.setTimeout(tick, Math.max(1, nextAt - this.deps.clock.monotonic()));
        };
        tick();
      },
      (error: unknown) => {
        this.deps.log.warn('virtual ptz scene unavailable', { cameraId, error: error instanceof Error ? error.message : String(error) });
        close();
      },
    );
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const close of [...this.sessions]) close();
    const servers = await Promise.allSettled([...this.servers.values()]);
    await Promise.all(servers.map((entry) => (entry.status === 'fulfilled' ? new Promise<void>((resolve) => entry.value.server.close(() => resolve())) : undefined)));
    this.servers.clear();
  }
}
