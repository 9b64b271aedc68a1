/**
 * npm run bench:soak -- [hours=2] — the console run as a station runs it, for hours (issue 16,
 * item 8 "weeks, not minutes"):
 *   - 31 cameras from the real RTSP test server (a small generated H.264 clip), all recording;
 *   - browser mode as `npm run serve` runs it: the core (dist/core/cli.cjs) under its supervisor
 *     (dist/core/supervise.cjs);
 *   - a 3x3 wall open in headless Chromium, signed in;
 *   - a camera dropping and returning every few minutes (the RTSP mount stopped, then started);
 *   - the core killed with SIGKILL once an hour (at minute 55 of each hour; the supervisor
 *     restarts it, the page reconnects with the same session).
 * Every 10 minutes one line: elapsed, resident memory of the core and of its tree (core + ffmpeg
 * children), open descriptors of the core, ffmpeg processes, SQLite sizes (with -wal), tiles live
 * on the wall and footage lost so far. At the end: growth per hour of memory and descriptors
 * after the first hour (goal ≤ 2 %/h) and footage lost beyond the kill bound (goal: none).
 * Figures only; the curve also goes to test-results/bench/soak.txt as it is made, every one-minute
 * sample to test-results/bench/soak-samples.csv at the end.
 *
 * Scaled-down runs (to try the bench): SOAK_SAMPLE_MIN (print interval, default 10),
 * SOAK_DROP_MIN (a camera drop every N minutes, default 4), SOAK_KILL_MIN (kill period, default
 * 60; the kill falls 5/60 of a period before each period's end), SOAK_WARMUP_MIN (growth is
 * measured after this, default 60), SOAK_CAMERAS (default 31).
 */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { Browser, Page } from 'playwright-core';
import { h264Clip } from '../tests/helpers/ffmpeg';
import { RtspTestServer } from '../tests/helpers/rtspServer';
import { launchBrowser, tileBoxes } from '../tests/helpers/browser';
import { startConsoleProcess, type ConsoleProcess } from '../tests/helpers/consoleProcess';
import { tempDir } from '../tests/helpers/paths';
import { signInPage } from '../tests/helpers/signIn';
import { machine, sampleTree } from './proc';

const hours = Number(process.argv[2] ?? 2);
const env = (name: string, fallback: number): number => (process.env[name] ? Number(process.env[name]) : fallback);
const SAMPLE_MS = env('SOAK_SAMPLE_MIN', 10) * 60_000;
const DROP_MS = env('SOAK_DROP_MIN', 4) * 60_000;
const KILL_PERIOD_MS = env('SOAK_KILL_MIN', 60) * 60_000;
const WARMUP_MS = env('SOAK_WARMUP_MIN', 60) * 60_000;
/** A core's own warm-up after it starts (caches, V8's heap, SQLite's pages): left out of its life's slope. */
const CORE_WARMUP_MS = env('SOAK_CORE_WARMUP_MIN', 25) * 60_000;
const CAMERAS = env('SOAK_CAMERAS', 31);
/** The duty officer moves the mouse every N minutes (0: never — the default 10-min idle lock then locks the wall). */
const TOUCH_MS = env('SOAK_TOUCH_MIN', 2) * 60_000;
const CLIP = { width: 640, height: 360, fps: 10, seconds: 6, gopFrames: 20 };
/** Memory and descriptors are read every minute (the regression uses these); lines print every SAMPLE_MS. */
const PROBE_MS = Math.min(60_000, SAMPLE_MS);
/** A camera stays away between these (ms), scaled with the drop period. */
const DROP_AWAY_MS: [number, number] = [Math.min(30_000, DROP_MS / 4), Math.min(90_000, DROP_MS / 2)];
/** The kill bound: what a kill -9 may cost (before the kill: the unflushed tail; after: the restart, item 3's 10 s). */
const KILL_BOUND = { beforeMs: 500, afterMs: 10_000 };
/** After a camera returns, its pull reconnects with back-off: a hole up to this long after its return is the drop's. */
const DROP_RECONNECT_MS = 30_000;
/** Holes shorter than this between two segments are frame-level jitter, not footage lost. */
const HOLE_TOLERANCE_MS = 1000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const mib = (bytes: number) => bytes / 2 ** 20;
const fmtMin = (ms: number) => `${Math.floor(ms / 3_600_000)}:${String(Math.floor((ms % 3_600_000) / 60_000)).padStart(2, '0')}`;

interface Probe {
  atMs: number;
  corePid: number;
  coreRss: number;
  treeRss: number;
  fds: number;
  ffmpeg: number;
}

/** The probes of each core process, in order of their first probe. */
function coreLives(probes: readonly Probe[]): Map<number, Probe[]> {
  const lives = new Map<number, Probe[]>();
  for (const p of probes) if (p.corePid > 0) lives.set(p.corePid, [...(lives.get(p.corePid) ?? []), p]);
  return lives;
}

interface Interval {
  cameraId: string | null; // null: every camera (a kill)
  fromMs: number;
  toMs: number;
}

function readRss(pid: number): number {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? 0) * 1024;
  } catch {
    return 0;
  }
}

function countFds(pid: number): number {
  try {
    return fs.readdirSync(`/proc/${pid}/fd`).length;
  } catch {
    return 0;
  }
}

function sqliteBytes(dataDir: string): { total: number; index: number } {
  let total = 0;
  let index = 0;
  for (const name of fs.existsSync(dataDir) ? fs.readdirSync(dataDir) : []) {
    if (!/\.sqlite(-wal)?$/.test(name)) continue;
    const size = fs.statSync(path.join(dataDir, name)).size;
    total += size;
    if (name.startsWith('recordings.sqlite')) index += size;
  }
  return { total, index };
}

function recordingBytes(dir: string): number {
  if (!fs.existsSync(dir)) return 0;
  let total = 0;
  for (const name of fs.readdirSync(dir, { recursive: true }) as string[]) {
    try {
      const stat = fs.statSync(path.join(dir, name));
      if (stat.isFile()) total += stat.size;
    } catch {
      // removed meanwhile (retention)
    }
  }
  return total;
}

/** Length of [from, to] not covered by any of the intervals. */
function uncovered(fromMs: number, toMs: number, cover: { fromMs: number; toMs: number }[]): number {
  const parts = cover
    .map((interval) => ({ fromMs: Math.max(fromMs, interval.fromMs), toMs: Math.min(toMs, interval.toMs) }))
    .filter((interval) => interval.toMs > interval.fromMs)
    .sort((a, b) => a.fromMs - b.fromMs);
  let covered = 0;
  let reach = fromMs;
  for (const part of parts) {
    if (part.toMs <= reach) continue;
    covered += part.toMs - Math.max(reach, part.fromMs);
    reach = part.toMs;
  }
  return toMs - fromMs - covered;
}

interface Loss {
  lostMs: number;
  lostHoles: string[];
  killCostMs: number[];
  dropHoles: number;
  segments: number;
}

/**
 * Footage lost: holes between consecutive segments of a camera's main stream (from the index,
 * read-only) not explained by an intentional drop of that camera (from its stop to its return
 * plus the reconnect allowance) or by a kill's bound. What each kill cost is reported apart.
 */
function footageLost(dataDir: string, drops: Interval[], kills: Interval[]): Loss {
  const file = path.join(dataDir, 'recordings.sqlite');
  const loss: Loss = { lostMs: 0, lostHoles: [], killCostMs: [], dropHoles: 0, segments: 0 };
  if (!fs.existsSync(file)) return loss;
  const db = new Database(file, { readonly: true, fileMustExist: true });
  let rows: { camera_id: string; start_ms: number; end_ms: number }[];
  let gaps: { camera_id: string; start_ms: number; end_ms: number; reason: string }[];
  try {
    db.pragma('busy_timeout = 5000');
    rows = db.prepare("SELECT camera_id, start_ms, end_ms FROM segments WHERE stream = 'main' ORDER BY camera_id, start_ms").all() as typeof rows;
    gaps = db.prepare("SELECT camera_id, start_ms, end_ms, reason FROM gaps WHERE stream = 'main'").all() as typeof gaps;
  } finally {
    db.close();
  }
  loss.segments = rows.length;
  const killCost = kills.map(() => 0);
  for (let i = 1; i < rows.length; i += 1) {
    const previous = rows[i - 1]!;
    const row = rows[i]!;
    if (row.camera_id !== previous.camera_id) continue;
    const hole = { fromMs: previous.end_ms, toMs: row.start_ms };
    if (hole.toMs - hole.fromMs <= HOLE_TOLERANCE_MS) continue;
    const dropCover = drops.filter((drop) => drop.cameraId === row.camera_id).map((drop) => ({ fromMs: drop.fromMs - 1000, toMs: drop.toMs + DROP_RECONNECT_MS }));
    const killCover = kills.map((kill) => ({ fromMs: kill.fromMs - KILL_BOUND.beforeMs, toMs: kill.fromMs + KILL_BOUND.afterMs }));
    if (uncovered(hole.fromMs, hole.toMs, dropCover) < hole.toMs - hole.fromMs) loss.dropHoles += 1;
    kills.forEach((kill, index) => {
      // what this kill cost this camera: the hole around the kill, bound or not
      if (hole.fromMs <= kill.fromMs + KILL_BOUND.afterMs && hole.toMs >= kill.fromMs - KILL_BOUND.beforeMs) killCost[index] = Math.max(killCost[index]!, hole.toMs - hole.fromMs);
    });
    const lost = uncovered(hole.fromMs, hole.toMs, [...dropCover, ...killCover]);
    if (lost > HOLE_TOLERANCE_MS) {
      loss.lostMs += lost;
      const reasons = [...new Set(gaps.filter((gap) => gap.camera_id === row.camera_id && gap.start_ms < hole.toMs && gap.end_ms > hole.fromMs).map((gap) => gap.reason))];
      loss.lostHoles.push(
        `${row.camera_id} ${new Date(hole.fromMs).toISOString().slice(11, 19)}–${new Date(hole.toMs).toISOString().slice(11, 19)} UTC (${(lost / 1000).toFixed(1)} s unexplained; gap rows: ${reasons.join(', ') || 'none'})`,
      );
    }
  }
  loss.killCostMs = killCost;
  return loss;
}

/** Least-squares slope (per hour) and the fitted value at the first point, of y over time. */
function fit(points: { atMs: number; y: number }[]): { perHour: number; start: number } | null {
  if (points.length < 3) return null;
  const t0 = points[0]!.atMs;
  const xs = points.map((point) => (point.atMs - t0) / 3_600_000);
  const ys = points.map((point) => point.y);
  const mx = xs.reduce((a, b) => a + b, 0) / xs.length;
  const my = ys.reduce((a, b) => a + b, 0) / ys.length;
  const sxx = xs.reduce((sum, x) => sum + (x - mx) ** 2, 0);
  if (sxx === 0) return null;
  const slope = xs.reduce((sum, x, index) => sum + (x - mx) * (ys[index]! - my), 0) / sxx;
  return { perHour: slope, start: my - slope * mx };
}

async function main(): Promise<void> {
  const startedAt = Date.now();
  const durationMs = hours * 3_600_000;
  fs.mkdirSync(path.join('test-results', 'bench'), { recursive: true });
  const outFile = path.join('test-results', 'bench', 'soak.txt');
  fs.writeFileSync(outFile, '');
  const print = (line: string): void => {
    console.log(line);
    fs.appendFileSync(outFile, `${line}\n`);
  };

  const clip = await h264Clip(CLIP);
  const clipKbps = Math.round((fs.statSync(clip).size * 8) / CLIP.seconds / 1000);
  const mounts = Array.from({ length: CAMERAS }, (_, index) => `/cam${index + 1}`);
  const rtsp = await RtspTestServer.start(mounts.map((mount) => ({ path: mount, clip })));
  const dir = tempDir('bench-soak');
  const dataDir = path.join(dir, 'data');
  const sitePath = path.join(dir, 'site.json');
  fs.writeFileSync(
    sitePath,
    JSON.stringify({
      schemaVersion: 1,
      name: 'Đông Khê (soak)',
      recording: { segmentSeconds: 60, minFreeGb: 1 },
      cameras: mounts.map((mount, index) => ({ id: `cam-${index + 1}`, name: `Camera ${index + 1}`, streams: { main: rtsp.url(mount) } })),
    }),
  );

  let consoleProcess: ConsoleProcess | null = null;
  let browser: Browser | null = null;
  let finished = false;
  const cleanUp = async (): Promise<void> => {
    if (consoleProcess) fs.writeFileSync(path.join('test-results', 'bench', 'soak-console.log'), consoleProcess.output());
    await browser?.close().catch(() => undefined);
    await consoleProcess?.stop().catch(() => undefined);
    await rtsp.close().catch(() => undefined);
    fs.rmSync(dir, { recursive: true, force: true });
  };

  const probes: Probe[] = [];
  const drops: Interval[] = [];
  const kills: Interval[] = [];
  const lines: string[] = [];
  let report: () => void = () => undefined;
  const stopEarly = async (signal: string): Promise<void> => {
    if (finished) return;
    finished = true;
    print(`stopped early by ${signal} at ${fmtMin(Date.now() - startedAt)}`);
    report();
    await cleanUp();
    process.exit(1);
  };
  process.on('SIGINT', () => void stopEarly('SIGINT'));
  process.on('SIGTERM', () => void stopEarly('SIGTERM'));

  print(`soak: started ${new Date(startedAt).toISOString()}, ${hours} h planned`);
  print(`machine: ${machine()}; load average at start ${fs.readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')}`);
  print(
    `conditions: ${CAMERAS} cameras, mouse moved every ${TOUCH_MS / 60_000} min,  ${CLIP.width}x${CLIP.height}@${CLIP.fps} H.264 ~${clipKbps} kbit/s (GStreamer RTSP test server), 60 s segments; ` +
      `3x3 wall in headless Chromium 960x540 (SwiftShader); a camera dropped every ${DROP_MS / 60_000} min for ${DROP_AWAY_MS[0] / 1000}-${DROP_AWAY_MS[1] / 1000} s; ` +
      `core SIGKILLed every ${KILL_PERIOD_MS / 60_000} min; kill bound ${KILL_BOUND.beforeMs} ms before + ${KILL_BOUND.afterMs / 1000} s after`,
  );

  consoleProcess = await startConsoleProcess(['--site', sitePath, '--data', dataDir], {}, [], 'supervise.cjs');
  const running = consoleProcess;
  const corePid = (): number => {
    try {
      return (JSON.parse(fs.readFileSync(path.join(dataDir, 'console.lock'), 'utf8')) as { pid: number }).pid;
    } catch {
      return 0;
    }
  };
  browser = await launchBrowser();
  const page: Page = await (await browser.newContext({ viewport: { width: 960, height: 540 } })).newPage();
  page.on('crash', () => print(`${fmtMin(Date.now() - startedAt)} the page crashed`));
  await page.goto(running.url);
  await signInPage(page);
  await page.click('[data-layout="grid-9"]');

  const probe = (): Probe => {
    const pid = corePid();
    const tree = sampleTree(pid);
    const ffmpeg = sampleTree(pid, (stat) => /ffmpeg/.test(stat.command));
    return { atMs: Date.now(), corePid: pid, coreRss: readRss(pid), treeRss: tree.rssBytes, fds: countFds(pid), ffmpeg: ffmpeg.count };
  };

  const wallState = async (): Promise<{ live: number; signedOut: boolean }> => {
    try {
      const tiles = await tileBoxes(page);
      return { live: tiles.filter((tile) => tile.state === 'live').length, signedOut: (await page.locator('.auth-screen').count()) > 0 };
    } catch {
      return { live: -1, signedOut: false };
    }
  };

  print('');
  print('| elapsed | core RSS MiB | tree RSS MiB (core + ffmpeg) | core fds | ffmpeg | SQLite MiB (all / index, with -wal) | recordings GiB | wall tiles live | drops / kills so far | footage lost beyond bounds | load avg 1 min |');
  print('| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |');
  const curveLine = async (): Promise<void> => {
    const now = probe();
    probes.push(now);
    const sizes = sqliteBytes(dataDir);
    const loss = footageLost(dataDir, drops, kills);
    const wall = await wallState();
    const line =
      `| ${fmtMin(now.atMs - startedAt)} | ${mib(now.coreRss).toFixed(0)} | ${mib(now.treeRss).toFixed(0)} | ${now.fds} | ${now.ffmpeg} | ` +
      `${mib(sizes.total).toFixed(2)} / ${mib(sizes.index).toFixed(2)} | ${(recordingBytes(path.join(dataDir, 'recordings')) / 2 ** 30).toFixed(2)} | ` +
      `${wall.live}/9${wall.signedOut ? ' (lock or log-in screen!)' : ''} | ${drops.length} / ${kills.length} | ${(loss.lostMs / 1000).toFixed(1)} s | ${fs.readFileSync('/proc/loadavg', 'utf8').split(' ')[0]} |`;
    lines.push(line);
    print(line);
  };

  report = (): void => {
    const elapsedMs = Date.now() - startedAt;
    print('');
    print(`ended ${new Date().toISOString()} after ${fmtMin(elapsedMs)}; load average ${fs.readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')}`);
    // growth after warm-up, over the longest core lifetime in that window (a kill restarts the core's memory)
    const late = probes.filter((p) => p.atMs - startedAt >= WARMUP_MS && p.corePid > 0);
    const lifetimes = new Map<number, Probe[]>();
    for (const p of late) lifetimes.set(p.corePid, [...(lifetimes.get(p.corePid) ?? []), p]);
    const longest = [...lifetimes.values()].sort((a, b) => b.length - a.length)[0] ?? [];
    const growth = (pick: (p: Probe) => number, label: string): void => {
      const line = fit(longest.map((p) => ({ atMs: p.atMs, y: pick(p) })));
      if (!line || longest.length < 2) return print(`${label}: not enough samples after ${fmtMin(WARMUP_MS)} in one core lifetime`);
      const span = (longest.at(-1)!.atMs - longest[0]!.atMs) / 60_000;
      print(`${label}: ${((line.perHour / line.start) * 100).toFixed(2)} %/h (least squares over ${longest.length} one-minute samples, ${span.toFixed(0)} min of core pid ${longest[0]!.corePid}, from ${line.start.toFixed(1)}; goal ≤ 2 %/h)`);
    };
    growth((p) => mib(p.coreRss), `core resident memory growth after ${fmtMin(WARMUP_MS)}`);
    growth((p) => mib(p.treeRss), 'tree resident memory growth (core + ffmpeg)');
    growth((p) => p.fds, 'core open descriptors growth');
    // the same across the whole post-warm-up window, kills included (the tree's steady state)
    const across = fit(late.map((p) => ({ atMs: p.atMs, y: mib(p.treeRss) })));
    if (across) print(`tree resident memory across every sample after the first hour, kills included: ${((across.perHour / across.start) * 100).toFixed(2)} %/h`);
    // each core's own life: its level once warmed up (its first CORE_WARMUP_MS dropped) and its
    // growth after that — a restarted core warms up again, which the fit above counts as growth
    for (const [pid, life] of coreLives(probes)) {
      const warm = life.filter((p) => p.atMs - life[0]!.atMs >= CORE_WARMUP_MS);
      const line = fit(warm.map((p) => ({ atMs: p.atMs, y: mib(p.coreRss) })));
      const level = (p: Probe | undefined) => (p ? mib(p.coreRss).toFixed(0) : 'n/a');
      print(
        `core pid ${pid} from ${fmtMin(life[0]!.atMs - startedAt)} to ${fmtMin(life.at(-1)!.atMs - startedAt)}: resident ${level(life[0])} MiB at its start, ${level(warm[0])} MiB after ${fmtMin(CORE_WARMUP_MS)}, ${level(life.at(-1))} at its end` +
          (line && warm.length >= 10 ? `; growth after its warm-up ${((line.perHour / line.start) * 100).toFixed(2)} %/h over ${warm.length} samples` : '; too short after its warm-up for a slope'),
      );
    }
    fs.writeFileSync(path.join('test-results', 'bench', 'soak-samples.csv'), `minute,core_pid,core_rss_mib,tree_rss_mib,core_fds,ffmpeg\n${probes.map((p) => `${((p.atMs - startedAt) / 60_000).toFixed(2)},${p.corePid},${mib(p.coreRss).toFixed(1)},${mib(p.treeRss).toFixed(1)},${p.fds},${p.ffmpeg}`).join('\n')}\n`);
    const loss = footageLost(dataDir, drops, kills);
    print(`segments indexed: ${loss.segments}; camera drops: ${drops.length} (holes explained by them: ${loss.dropHoles}); kills: ${kills.length}`);
    kills.forEach((kill, index) =>
      print(`kill ${index + 1} at ${fmtMin(kill.fromMs - startedAt)}: new core after ${((kill.toMs - kill.fromMs) / 1000).toFixed(1)} s; largest hole around it on any camera ${((loss.killCostMs[index] ?? 0) / 1000).toFixed(1)} s`),
    );
    print(`footage lost beyond the kill bound and the drops: ${(loss.lostMs / 1000).toFixed(1)} s (goal: none)`);
    for (const hole of loss.lostHoles.slice(0, 20)) print(`  ${hole}`);
  };

  // the schedule
  let nextProbe = startedAt;
  let nextLine = startedAt + Math.min(SAMPLE_MS, 60_000);
  let nextDrop = startedAt + DROP_MS;
  let nextKill = startedAt + KILL_PERIOD_MS - KILL_PERIOD_MS / 12;
  const dropping = new Map<string, number>(); // mount → when it returns
  let dropCounter = 0;
  let nextTouch = startedAt + TOUCH_MS;
  let touches = 0;
  while (!finished && Date.now() - startedAt < durationMs) {
    const now = Date.now();
    if (running.child.exitCode !== null) {
      print(`${fmtMin(now - startedAt)} the supervisor exited (${running.child.exitCode}):\n${running.output().slice(-3000)}`);
      break;
    }
    for (const [mount, returnAt] of dropping) {
      if (now >= returnAt) {
        await rtsp.startMount(mount);
        dropping.delete(mount);
        const drop = drops.find((entry) => entry.cameraId === `cam-${mount.slice(4)}` && entry.toMs === Infinity);
        if (drop) drop.toMs = Date.now();
      }
    }
    if (now >= nextDrop) {
      nextDrop += DROP_MS;
      dropCounter += 1;
      const mount = mounts[(dropCounter * 7) % mounts.length]!; // spread over the cameras
      if (!dropping.has(mount)) {
        const awayMs = DROP_AWAY_MS[0] + ((dropCounter * 37) % 100) / 100 * (DROP_AWAY_MS[1] - DROP_AWAY_MS[0]);
        drops.push({ cameraId: `cam-${mount.slice(4)}`, fromMs: Date.now(), toMs: Infinity });
        await rtsp.stopMount(mount);
        dropping.set(mount, Date.now() + awayMs);
      }
    }
    if (now >= nextKill) {
      nextKill += KILL_PERIOD_MS;
      const pid = corePid();
      if (pid > 0) {
        const kill: Interval = { cameraId: null, fromMs: Date.now(), toMs: Infinity };
        kills.push(kill);
        process.kill(pid, 'SIGKILL');
        while (Date.now() - kill.fromMs < 60_000 && (corePid() === pid || corePid() === 0)) await sleep(100);
        kill.toMs = Date.now();
        print(`${fmtMin(kill.fromMs - startedAt)} core ${pid} killed (SIGKILL); core ${corePid()} holds the data folder after ${((kill.toMs - kill.fromMs) / 1000).toFixed(1)} s`);
      }
    }
    if (TOUCH_MS > 0 && now >= nextTouch) {
      nextTouch += TOUCH_MS;
      touches += 1;
      await page.mouse.move(100 + ((touches * 53) % 700), 100 + ((touches * 31) % 300)).catch(() => undefined);
    }
    if (now >= nextProbe) {
      nextProbe += PROBE_MS;
      probes.push(probe());
    }
    if (now >= nextLine) {
      nextLine = startedAt + SAMPLE_MS * (Math.floor((now - startedAt) / SAMPLE_MS) + 1);
      await curveLine();
    }
    await sleep(1000);
  }
  if (finished) return;
  finished = true;
  for (const mount of dropping.keys()) await rtsp.startMount(mount).catch(() => undefined);
  probes.push(probe());
  await curveLine();
  report();
  await cleanUp();
  process.exit(0);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
