/**
 * The recording torture run (issue 19): cameras from the real RTSP test server recorded by the
 * real console process (dist/core/cli.cjs) with DATA on a small tmpfs, while faults are applied
 * one step at a time; after each step an invariant checker compares the index, the disk and
 * ffprobe of every file. Used by `npm run torture:record -- [minutes]` (bench/torture.ts) and
 * by the short CI version (tests/integration/torture.test.ts). Needs root (tmpfs mount).
 *
 * Faults are a list of small step functions (`TortureStep`): add one by pushing to the list
 * handed to runTorture (e.g. a hostile map layer imported and requested).
 */
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { h264Clip } from './ffmpeg';
import { RtspTestServer } from './rtspServer';
import { startConsoleProcess, type ConsoleProcess } from './consoleProcess';
import { tempDir } from './paths';
import { writeHostileMbtiles, writeHostilePmtiles } from './hostileMaps';
import { signInHttp } from './signIn';
import { CALL_PATH } from '../../common/liveProtocol';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export interface TortureContext {
  rtsp: RtspTestServer;
  mounts: string[];
  dataDir: string;
  sitePath: string;
  /** The run's own folder (outside DATA), removed at the end. */
  workDir: string;
  core: ConsoleProcess;
  /** Restarts the console (after a kill). */
  restart(): Promise<void>;
  figures: TortureFigures;
  random: () => number;
  log: (line: string) => void;
}

export interface TortureStep {
  name: string;
  run(context: TortureContext): Promise<void>;
}

export interface TortureFigures {
  steps: Record<string, number>;
  violations: string[];
  killLossMs: number[];
  resumeMs: number[];
  checks: number;
  filesProbed: number;
}

interface Row {
  id: number;
  camera_id: string;
  stream: string;
  start_ms: number;
  end_ms: number;
  bytes: number;
  path: string;
}

const recordingsOf = (dataDir: string) => path.join(dataDir, 'recordings');

function segmentFiles(root: string): { relative: string; startMs: number; part: boolean }[] {
  if (!fs.existsSync(root)) return [];
  const out: { relative: string; startMs: number; part: boolean }[] = [];
  for (const name of fs.readdirSync(root, { recursive: true }) as string[]) {
    const match = /_(\d{10,16})\.ts(\.part)?$/.exec(name);
    if (match) out.push({ relative: name.split(path.sep).join('/'), startMs: Number(match[1]), part: Boolean(match[2]) });
  }
  return out;
}

function readIndex(dataDir: string): { rows: Row[]; gaps: { camera_id: string; start_ms: number; end_ms: number; reason: string }[] } {
  const db = new Database(path.join(dataDir, 'recordings.sqlite'), { readonly: true, fileMustExist: true });
  try {
    db.pragma('busy_timeout = 5000');
    const rows = db.prepare('SELECT id, camera_id, stream, start_ms, end_ms, bytes, path FROM segments ORDER BY camera_id, stream, start_ms').all() as Row[];
    const gaps = db.prepare('SELECT camera_id, start_ms, end_ms, reason FROM gaps ORDER BY camera_id, start_ms').all() as { camera_id: string; start_ms: number; end_ms: number; reason: string }[];
    return { rows, gaps };
  } finally {
    db.close();
  }
}

const probed = new Map<string, number | null>();

function probeDurationMs(file: string): number | null {
  try {
    const out = execFileSync('ffprobe', ['-v', 'error', '-show_entries', 'format=duration', '-of', 'csv=p=0', file], { encoding: 'utf8', timeout: 20000 });
    const seconds = Number(out.trim());
    return Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : null;
  } catch {
    return null;
  }
}

/**
 * The invariants: every row's bytes are on disk (size equal, ffprobe plays it, its length the
 * row's within 1 s); no overlap per stream; every hole between rows over 1.5 s is covered by gap
 * rows with a reason. Returns the violations found (rows deleted meanwhile are not counted).
 */
export function checkInvariants(dataDir: string, figures: TortureFigures): string[] {
  const root = recordingsOf(dataDir);
  const { rows, gaps } = readIndex(dataDir);
  const violations: string[] = [];
  const stillIndexed = (row: Row) => readIndex(dataDir).rows.some((other) => other.id === row.id && other.bytes === row.bytes);
  for (const row of rows) {
    const file = path.join(root, ...row.path.split('/'));
    let size: number | null = null;
    try {
      size = fs.statSync(file).size;
    } catch {
      size = null;
    }
    if (size !== row.bytes) {
      if (stillIndexed(row)) violations.push(`row without its bytes: ${row.path} (index ${row.bytes}, disk ${size ?? 'missing'})`);
      continue;
    }
    const key = `${row.path}:${row.bytes}`;
    if (!probed.has(key)) {
      probed.set(key, probeDurationMs(file));
      figures.filesProbed += 1;
    }
    const duration = probed.get(key);
    if (duration === null || duration === undefined) {
      if (fs.existsSync(file) && stillIndexed(row)) violations.push(`ffprobe cannot read ${row.path}`);
    } else if (Math.abs(duration - (row.end_ms - row.start_ms)) > 1000) {
      violations.push(`${row.path}: the index claims ${row.end_ms - row.start_ms} ms, the file holds ${Math.round(duration)} ms`);
    }
  }
  const byStream = new Map<string, Row[]>();
  for (const row of rows) byStream.set(`${row.camera_id}/${row.stream}`, [...(byStream.get(`${row.camera_id}/${row.stream}`) ?? []), row]);
  for (const [key, list] of byStream) {
    const cameraGaps = gaps.filter((gap) => gap.camera_id === key.split('/')[0]);
    for (let n = 1; n < list.length; n++) {
      const previous = list[n - 1]!;
      const row = list[n]!;
      if (row.start_ms < previous.end_ms) violations.push(`overlap: ${previous.path} ends ${previous.end_ms - row.start_ms} ms after ${row.path} starts`);
      else if (row.start_ms - previous.end_ms > 1500) {
        // the hole must be covered by gap rows (with a reason), 1.5 s slack at each end
        let covered = previous.end_ms;
        for (const gap of cameraGaps) if (gap.start_ms <= covered + 1500 && gap.end_ms > covered && gap.reason) covered = gap.end_ms;
        if (covered < row.start_ms - 1500) violations.push(`hole without a gap row: ${key} ${new Date(previous.end_ms).toISOString()} → ${new Date(row.start_ms).toISOString()}`);
      }
    }
  }
  figures.checks += 1;
  return violations;
}

/** Picks a closed, indexed segment file (not the newest of its stream). */
function pickIndexed(context: TortureContext): string | null {
  const { rows } = readIndex(context.dataDir);
  const candidates = rows.filter((row) => rows.some((other) => other.camera_id === row.camera_id && other.start_ms > row.start_ms));
  if (candidates.length === 0) return null;
  return path.join(recordingsOf(context.dataDir), ...candidates[Math.floor(context.random() * candidates.length)]!.path.split('/'));
}

/** Waits long enough for the console's running audit (every 10 s) to see a tampered file. */
const AUDIT_WAIT_MS = 11_000;

export const killCore: TortureStep = {
  name: 'kill -9 of the core',
  async run(context) {
    const killedAt = Date.now();
    context.core.child.kill('SIGKILL');
    await new Promise((resolve) => (context.core.child.exitCode !== null ? resolve(null) : context.core.child.once('exit', resolve)));
    await context.restart();
    await sleep(3000);
    const { rows } = readIndex(context.dataDir);
    for (const cameraId of [...new Set(rows.map((row) => row.camera_id))]) {
      const before = rows.filter((row) => row.camera_id === cameraId && row.start_ms <= killedAt);
      if (before.length === 0) continue;
      context.figures.killLossMs.push(Math.max(0, killedAt - Math.max(...before.map((row) => row.end_ms))));
    }
  },
};

/** Another program: writes until the disk is full and keeps topping it up; returns its stop. */
function startFiller(context: TortureContext): () => Promise<void> {
  const filler = path.join(context.dataDir, 'other-program.bin');
  const script = `const fs=require('fs');const fd=fs.openSync(${JSON.stringify(filler)},'w');const b=Buffer.alloc(65536,7);const eat=()=>{try{for(;;)fs.writeSync(fd,b)}catch{}};eat();setInterval(eat,100);`;
  const child = spawn(process.execPath, ['-e', script], { stdio: 'ignore' });
  return async () => {
    child.kill('SIGKILL');
    if (child.exitCode === null && child.signalCode === null) await new Promise((resolve) => child.once('exit', resolve));
    fs.rmSync(filler, { force: true });
  };
}

/** A power cut while another program filled the disk: the console must start on the full disk. */
export const killOnFullDisk: TortureStep = {
  name: 'kill -9 on a full disk, restart on it',
  async run(context) {
    const stopFiller = startFiller(context);
    try {
      await sleep(3000);
      context.core.child.kill('SIGKILL');
      await new Promise((resolve) => (context.core.child.exitCode !== null ? resolve(null) : context.core.child.once('exit', resolve)));
      try {
        await context.restart();
        await sleep(3000);
        if (context.core.child.exitCode !== null) throw new Error(context.core.output().slice(-1500));
      } catch (error) {
        context.figures.violations.push(`the console did not start on a full disk: ${(error as Error).message}`);
        await stopFiller();
        await context.restart();
      }
    } finally {
      await stopFiller();
    }
    await sleep(8000);
  },
};

export const fillDisk: TortureStep = {
  name: 'disk filled to 0 by another program, then freed',
  async run(context) {
    const stopFiller = startFiller(context);
    await sleep(4000 + context.random() * 4000);
    await stopFiller();
    const freedAt = Date.now();
    const cameras = context.mounts.length;
    const resumed = new Map<string, number>();
    while (Date.now() - freedAt < 30_000 && resumed.size < cameras) {
      for (const file of segmentFiles(recordingsOf(context.dataDir))) {
        const cameraId = file.relative.split('/')[0]!;
        if (file.startMs >= freedAt - 500 && !resumed.has(cameraId)) resumed.set(cameraId, Math.max(0, file.startMs - freedAt));
      }
      await sleep(250);
    }
    for (let n = 0; n < cameras; n++) {
      const value = resumed.get(`cam-${n + 1}`);
      context.figures.resumeMs.push(value ?? 30_000);
      if (value === undefined || value > 10_000) context.figures.violations.push(`cam-${n + 1} did not resume within 10 s of space returning (${value ?? 'never'} ms)`);
    }
  },
};

export const deleteFile: TortureStep = {
  name: 'a segment file deleted',
  async run(context) {
    const file = pickIndexed(context);
    if (file) fs.rmSync(file, { force: true });
    await sleep(AUDIT_WAIT_MS);
  },
};

export const truncateFile: TortureStep = {
  name: 'a segment file truncated',
  async run(context) {
    const file = pickIndexed(context);
    if (file && fs.existsSync(file)) fs.truncateSync(file, Math.floor(fs.statSync(file).size / 2) - 100);
    await sleep(AUDIT_WAIT_MS);
  },
};

export const renameFile: TortureStep = {
  name: 'a segment file renamed',
  async run(context) {
    const file = pickIndexed(context);
    if (file && fs.existsSync(file)) fs.renameSync(file, `${file}.renamed`);
    await sleep(AUDIT_WAIT_MS);
  },
};

export const dropCamera: TortureStep = {
  name: 'a camera drops',
  async run(context) {
    const mount = context.mounts[Math.floor(context.random() * context.mounts.length)]!;
    await context.rtsp.stopMount(mount);
    await sleep(5000 + context.random() * 5000);
    await context.rtsp.startMount(mount);
    await sleep(6000);
  },
};

/** The two map files that stopped the station (tests/helpers/hostileMaps.ts), made once per run in its folder, outside DATA. */
async function hostileMapFiles(workDir: string): Promise<{ pmtiles: string; mbtiles: string }> {
  const files = { pmtiles: path.join(workDir, 'ban-do.pmtiles'), mbtiles: path.join(workDir, 'ban-do.mbtiles') };
  if (!fs.existsSync(files.pmtiles)) await writeHostilePmtiles(files.pmtiles);
  if (!fs.existsSync(files.mbtiles)) await writeHostileMbtiles(files.mbtiles);
  return files;
}

/** The administrator imports both hostile map files through the console's own HTTP calls, while it records. */
export const hostileMapImport: TortureStep = {
  name: 'hostile map files imported (PMTiles bomb, MBTiles endless view)',
  async run(context) {
    const files = await hostileMapFiles(context.workDir);
    const { core } = context;
    const cookie = await signInHttp(core.baseUrl, core.token);
    const call = async (method: string, params: unknown) => {
      const response = await fetch(`${core.baseUrl}${CALL_PATH}`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${core.token}`, Cookie: cookie },
        body: JSON.stringify({ method, params }),
      });
      return (await response.json()) as { ok: boolean; value?: Record<string, unknown>; error?: { code: string; message: string } };
    };
    for (const [kind, file] of [['pmtiles', files.pmtiles], ['mbtiles', files.mbtiles]] as const) {
      const bytes = fs.readFileSync(file);
      const started = await call('startMapImport', { kind, name: `torture ${kind}`, bytes: bytes.length, corners: null });
      if (!started.ok) {
        context.figures.violations.push(`startMapImport ${kind} failed: ${JSON.stringify(started.error)}`);
        continue;
      }
      const uploadId = started.value!.uploadId as string;
      for (let offset = 0; offset < bytes.length; offset += 36 * 1024) {
        await call('appendMapImport', { uploadId, offset, dataBase64: bytes.subarray(offset, offset + 36 * 1024).toString('base64') });
      }
      const finishedAt = Date.now();
      const finished = await call('finishMapImport', { uploadId });
      const answeredMs = Date.now() - finishedAt;
      // refused with its reason, within the worker's deadline, and the console still answers
      if (!finished.ok || finished.value?.layer !== null || typeof finished.value?.problem !== 'string') {
        context.figures.violations.push(`the hostile ${kind} was not refused: ${JSON.stringify(finished).slice(0, 300)}`);
      }
      if (answeredMs > 125_000) context.figures.violations.push(`the hostile ${kind} import took ${answeredMs} ms`);
      if (!(await call('listRecordingStatus', {})).ok) context.figures.violations.push(`HTTP did not answer after the hostile ${kind}`);
      context.log(`hostile ${kind}: refused (${String(finished.value?.problem)}) in ${answeredMs} ms`);
    }
    await sleep(3000);
  },
};

export const DEFAULT_STEPS: TortureStep[] = [killCore, fillDisk, killOnFullDisk, deleteFile, truncateFile, renameFile, dropCamera, hostileMapImport];

export interface TortureOptions {
  /** Total time of the fault loop. */
  minutes: number;
  cameras?: number;
  /** Run these in order once each (CI), instead of random picks until the time is up. */
  sequence?: TortureStep[];
  steps?: TortureStep[];
  diskMb?: number;
  /** Recording before the first fault. */
  warmUpMs?: number;
  seed?: number;
  log?: (line: string) => void;
}

/** Runs the torture; always unmounts and removes what it made. */
export async function runTorture(options: TortureOptions): Promise<TortureFigures> {
  const log = options.log ?? ((line: string) => console.log(line));
  const figures: TortureFigures = { steps: {}, violations: [], killLossMs: [], resumeMs: [], checks: 0, filesProbed: 0 };
  let seed = options.seed ?? Date.now() % 100000;
  const random = () => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed / 2147483648;
  };
  const clip = await h264Clip({ width: 640, height: 360, fps: 15, seconds: 4, gopFrames: 15 });
  const mounts = Array.from({ length: options.cameras ?? 4 }, (_, n) => `/cam${n + 1}`);
  const dir = tempDir('torture');
  const dataDir = path.join(dir, 'disk');
  fs.mkdirSync(dataDir);
  let mounted = false;
  let rtsp: RtspTestServer | null = null;
  let core: ConsoleProcess | null = null;
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${options.diskMb ?? 60}m`, 'tmpfs', dataDir]);
    mounted = true;
    rtsp = await RtspTestServer.start(mounts.map((mount) => ({ path: mount, clip })));
    const server = rtsp;
    const sitePath = path.join(dir, 'site.json');
    fs.writeFileSync(
      sitePath,
      JSON.stringify({
        schemaVersion: 1,
        name: 'Torture',
        recording: { segmentSeconds: 10, minFreeGb: 6 / 1024 },
        cameras: mounts.map((mount, n) => ({ id: `cam-${n + 1}`, name: `Camera ${n + 1}`, streams: { main: server.url(mount) } })),
      }),
    );
    const start = () => startConsoleProcess(['--site', sitePath, '--data', dataDir, '--port', '0']);
    core = await start();
    const context: TortureContext = {
      rtsp,
      mounts,
      dataDir,
      sitePath,
      workDir: dir,
      core,
      figures,
      random,
      log,
      async restart() {
        context.core = await start();
        core = context.core;
      },
    };
    await sleep(options.warmUpMs ?? 25_000);
    const steps = options.steps ?? DEFAULT_STEPS;
    const deadline = Date.now() + options.minutes * 60_000;
    const queue = options.sequence ? [...options.sequence] : null;
    for (;;) {
      const step = queue ? queue.shift() : Date.now() < deadline ? steps[Math.floor(random() * steps.length)] : undefined;
      if (!step) break;
      const before = figures.violations.length;
      await step.run(context);
      figures.steps[step.name] = (figures.steps[step.name] ?? 0) + 1;
      const found = checkInvariants(dataDir, figures);
      figures.violations.push(...found.map((violation) => `after "${step.name}": ${violation}`));
      log(`step ${Object.values(figures.steps).reduce((a, b) => a + b, 0)}: ${step.name} — ${figures.violations.length - before} violation(s)`);
      if (context.core.child.exitCode !== null) {
        figures.violations.push(`the core stopped after "${step.name}": ${context.core.output().slice(-2000)}`);
        await context.restart();
      }
    }
    return figures;
  } finally {
    await core?.stop();
    await rtsp?.close();
    if (mounted) execFileSync('umount', ['-l', dataDir]);
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

export function formatFigures(figures: TortureFigures): string {
  const stat = (values: number[]) => {
    if (values.length === 0) return 'n/a';
    const sorted = [...values].sort((a, b) => a - b);
    return `median ${sorted[Math.floor(sorted.length / 2)]} ms, max ${sorted.at(-1)} ms (${sorted.length})`;
  };
  return [
    `steps: ${Object.entries(figures.steps).map(([name, count]) => `${name} ×${count}`).join(', ')}`,
    `invariant checks: ${figures.checks}, files probed with ffprobe: ${figures.filesProbed}`,
    `footage lost per kill -9 (per camera): ${stat(figures.killLossMs)}`,
    `recording resumed after space returned (per camera): ${stat(figures.resumeMs)}`,
    `violations: ${figures.violations.length}`,
    ...figures.violations.slice(0, 30).map((violation) => `  - ${violation}`),
  ].join('\n');
}
