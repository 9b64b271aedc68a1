import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { RecordingStatus, StreamStatus } from '../../common/contract';
import type { Camera } from '../../common/site';
import { ManualClock } from '../../main/core/util/clock';
import { silentLogger } from '../../main/core/log/logger';
import { TsChunker, TsStreamParser, type TsPiece } from '../../main/core/media/mpegts';
import { packetPid, packetPts } from '../../main/core/media/pes';
import { TS_PACKET_BYTES } from '../../main/core/media/mpegts';
import type { CameraStreamSource, SourceConsumer } from '../../main/core/media/source';
import { RecordingIndex } from '../../main/core/recording/recordingIndex';
import { DurabilityStats, PART_SUFFIX } from '../../main/core/recording/segmentFile';
import { StorageManager } from '../../main/core/recording/storageManager';
import { DEFAULT_RECORDER_OPTIONS, StreamRecorder, type StorageGuard } from '../../main/core/recording/streamRecorder';
import { analyzeSegment, recover } from '../../main/core/recording/recovery';
import { isScheduled } from '../../main/core/recording/schedule';
import { runFfmpegOnce } from '../../main/core/ffmpeg/supervisor';
import { deps as ffmpegDeps, testFfmpeg } from '../helpers/ffmpeg';
import { cacheDir, tempDir } from '../helpers/paths';

const DAY_MS = 86_400_000;

/** A 160x90, 15 fps clip with a keyframe every second, as a pull would deliver it (MPEG-TS). */
let clip: Buffer;

beforeAll(async () => {
  const file = path.join(cacheDir, 'recording-unit-160x90-200s.ts');
  if (!fs.existsSync(file)) {
    fs.mkdirSync(cacheDir, { recursive: true });
    const ffmpeg = await testFfmpeg();
    const result = await runFfmpegOnce({ binary: ffmpeg.path, ...ffmpegDeps }, 'clip', [
      '-hide_banner', '-loglevel', 'error', '-y', '-f', 'lavfi', '-i', 'testsrc2=size=160x90:rate=15', '-t', '200',
      '-c:v', 'libx264', '-preset', 'ultrafast', '-tune', 'zerolatency', '-x264-params', 'keyint=15:min-keyint=15:scenecut=0', '-f', 'mpegts', `${file}.tmp`,
    ]);
    expect(result.code).toBe(0);
    fs.renameSync(`${file}.tmp`, file);
  }
  clip = fs.readFileSync(file);
}, 120000);

/** Cuts the clip into one piece per video frame (as the pull's output arrives), with its PTS. */
function framesOf(data: Buffer): { piece: TsPiece; pts: number }[] {
  const parser = new TsStreamParser();
  const aligned = new TsChunker().push(data)!;
  const pieces = parser.parse(aligned);
  const frames: { piece: TsPiece; pts: number }[] = [];
  for (const piece of pieces) {
    let start = 0;
    let pts: number | null = null;
    for (let offset = 0; offset < piece.data.length; offset += TS_PACKET_BYTES) {
      if (packetPid(piece.data, offset) !== parser.videoPid) continue;
      const found = packetPts(piece.data, offset);
      if (found === null) continue;
      if (pts !== null && offset > start) {
        frames.push({ piece: { data: piece.data.subarray(start, offset), keyframe: piece.keyframe && start === 0 }, pts });
        start = offset;
      }
      pts = found;
    }
    if (pts !== null) frames.push({ piece: { data: piece.data.subarray(start), keyframe: piece.keyframe && start === 0 }, pts });
  }
  return frames;
}

/** Stands in for a camera's pull: the recorder consumes what a real pull would give it. */
class ClipSource {
  consumer: SourceConsumer | null = null;
  readonly parser = new TsStreamParser();
  status: StreamStatus = { cameraId: 'cam-1', stream: 'main', state: 'live', sinceMs: 0, problem: null, codec: 'h264', widthPx: 160, heightPx: 90, revision: 1 };
  audioKept = false;
  constructor() {
    this.parser.parse(new TsChunker().push(clip.subarray(0, TS_PACKET_BYTES * 200))!);
  }
  get videoPid() {
    return this.parser.videoPid;
  }
  psi() {
    return this.parser.psi();
  }
  subscribe(consumer: SourceConsumer) {
    this.consumer = consumer;
    return () => (this.consumer = null);
  }
}

const camera: Camera = { id: 'cam-1', name: 'Cam 1', streams: { main: 'rtsp://h/1' } };
const roomy: StorageGuard = { makeRoom: () => true, hasRoom: () => true, guarded: (write) => write() };

function setup(options: { storage?: StorageGuard; schedule?: Camera['recording'] } = {}) {
  const dir = tempDir('rec-unit');
  const clock = new ManualClock(Date.UTC(2026, 10, 30, 1, 0, 0));
  const index = new RecordingIndex(path.join(dir, 'index.sqlite'));
  const source = new ClipSource();
  const statuses: RecordingStatus[] = [];
  const recorder = new StreamRecorder(
    camera,
    'main',
    source as unknown as CameraStreamSource,
    {
      index,
      storage: options.storage ?? roomy,
      clock,
      log: silentLogger,
      stats: new DurabilityStats(),
      root: path.join(dir, 'recordings'),
      timeZone: 'Asia/Ho_Chi_Minh',
      schedule: options.schedule?.schedule,
      kbps: () => 100,
      onStatus: (status) => statuses.push(status),
    },
    { segmentMs: 20000, flushMs: 2000, clockJumpMs: 2000, reanchorMs: 1000, silenceMs: 3000 },
  );
  return { dir, clock, index, source, recorder, statuses };
}

/** Plays frames into the recorder in simulated real time (the clock follows the PTS). */
function play(setupResult: ReturnType<typeof setup>, frames: { piece: TsPiece; pts: number }[], epoch = 1, beforeFrame?: (index: number) => void): void {
  let previous: number | null = null;
  frames.forEach((frame, index) => {
    if (previous !== null) setupResult.clock.advance(Math.max(0, ((frame.pts - previous) / 90000) * 1000));
    previous = frame.pts;
    beforeFrame?.(index);
    setupResult.source.consumer?.onData(frame.piece.data, frame.piece.keyframe, epoch);
  });
}

const opened: RecordingIndex[] = [];
afterEach(() => {
  for (const index of opened.splice(0)) index.close();
});

describe('recording with a simulated clock', () => {
  it('cuts contiguous segments at keyframes once the segment length is reached', async () => {
    const rig = setup();
    opened.push(rig.index);
    rig.recorder.start();
    const frames = framesOf(clip).slice(0, 15 * 70); // 70 s
    play(rig, frames);
    await rig.recorder.stop();
    const rows = rig.index.segments('cam-1', 'main', 0, Number.MAX_SAFE_INTEGER);
    expect(rows).toHaveLength(4); // 20 + 20 + 20 + 10 s
    for (let index = 1; index < rows.length; index++) expect(rows[index]!.startMs).toBe(rows[index - 1]!.endMs);
    expect(rows[0]!.endMs - rows[0]!.startMs).toBe(20000);
    expect(rows.at(-1)!.endMs - rows[0]!.startMs).toBe(70000);
    for (const row of rows) {
      const file = path.join(rig.dir, 'recordings', ...row.path.split('/'));
      expect(fs.statSync(file).size).toBe(row.bytes);
      const analysis = analyzeSegment(fs.readFileSync(file));
      expect(analysis.durationMs).toBe(row.endMs - row.startMs);
      expect(analysis.keyframes).toBe(Math.round((row.endMs - row.startMs) / 1000));
    }
    expect(rows[0]!.path).toMatch(/^cam-1\/main\/2026-11-30\/08-00-00_\d+\.ts$/);
    expect(rig.statuses.map((status) => status.state)).toContain('recording');
  });

  it('indexes a gap with its reason when the camera drops, then resumes', async () => {
    const rig = setup();
    opened.push(rig.index);
    rig.recorder.start();
    const frames = framesOf(clip);
    play(rig, frames.slice(0, 150), 1);
    rig.clock.advance(8000); // the camera is gone for 8 s
    play(rig, frames.slice(300, 450), 2); // a new pull (epoch 2) starts at a keyframe
    await rig.recorder.stop();
    const rows = rig.index.segments('cam-1', 'main', 0, Number.MAX_SAFE_INTEGER);
    expect(rows).toHaveLength(2);
    const gaps = rig.index.gaps('cam-1', 'main', 0, Number.MAX_SAFE_INTEGER);
    expect(gaps).toHaveLength(1);
    expect(gaps[0]).toMatchObject({ reason: 'cameraOffline', startMs: rows[0]!.endMs, endMs: rows[1]!.startMs });
    expect(gaps[0]!.endMs - gaps[0]!.startMs).toBeGreaterThan(7000);
  });

  it('handles a PC clock that jumps back: nothing overlaps, nothing is reordered, the jump is recorded', async () => {
    const rig = setup();
    opened.push(rig.index);
    rig.recorder.start();
    const frames = framesOf(clip);
    play(rig, frames.slice(0, 15 * 45), 1, (index) => {
      if (index === 15 * 25) rig.clock.jumpWall(-3_600_000); // NTP sets the clock back an hour
    });
    await rig.recorder.stop();
    const rows = rig.index.segments('cam-1', 'main', 0, Number.MAX_SAFE_INTEGER);
    for (let index = 1; index < rows.length; index++) expect(rows[index]!.startMs).toBeGreaterThanOrEqual(rows[index - 1]!.endMs);
    expect(rig.index.events(0).map((event) => event.kind)).toContain('clockJump');
  });

  it('marks a forward jump of the PC clock as a gap with its reason', async () => {
    const rig = setup();
    opened.push(rig.index);
    rig.recorder.start();
    const frames = framesOf(clip);
    play(rig, frames.slice(0, 150), 1);
    rig.clock.advance(3000);
    rig.clock.jumpWall(600_000); // a wrong BIOS clock corrected forward by 10 minutes
    play(rig, frames.slice(300, 450), 2);
    await rig.recorder.stop();
    const gaps = rig.index.gaps('cam-1', 'main', 0, Number.MAX_SAFE_INTEGER);
    expect(gaps).toHaveLength(1);
    expect(gaps[0]!.reason).toBe('clockJump');
  });

  it('records only inside its weekly schedule, the rest is a "recording off" gap', async () => {
    // 08:00-08:00:30 local on Monday 30/11/2026 is inside, 08:00:30 onwards outside
    const rig = setup({ schedule: { schedule: [{ days: [1], from: '07:00', to: '08:01' }] } });
    opened.push(rig.index);
    rig.recorder.start();
    const frames = framesOf(clip);
    play(rig, frames.slice(0, 15 * 100)); // 08:00:00 → 08:01:40 local
    rig.clock.advance(10_000); // the 10-s schedule check runs
    await rig.recorder.stop();
    const rows = rig.index.segments('cam-1', 'main', 0, Number.MAX_SAFE_INTEGER);
    const last = rows.at(-1)!;
    expect(last.endMs).toBeLessThanOrEqual(Date.UTC(2026, 10, 30, 1, 1, 10));
    expect(isScheduled([{ days: [1], from: '22:00', to: '06:00' }], Date.UTC(2026, 10, 30, 22, 30), 'Asia/Ho_Chi_Minh')).toBe(true); // Tue 05:30 local
    expect(isScheduled([{ days: [1], from: '22:00', to: '06:00' }], Date.UTC(2026, 10, 30, 23, 30), 'Asia/Ho_Chi_Minh')).toBe(false); // Tue 06:30
    expect(isScheduled(undefined, 0, 'UTC')).toBe(true);
  });

  it('stops cleanly when the disk is full and nothing can be deleted, and resumes when space returns', async () => {
    let full = false;
    const storage: StorageGuard = { makeRoom: () => !full, hasRoom: () => !full, guarded: (write) => write() };
    const rig = setup({ storage });
    opened.push(rig.index);
    rig.recorder.start();
    const frames = framesOf(clip);
    play(rig, frames.slice(0, 150));
    // the disk fills: the next write fails with ENOSPC
    full = true;
    const segmentFile = (rig.recorder as unknown as { current: { file: { write: (data: Buffer) => void } } }).current.file;
    // the disk is full: the next write fails with ENOSPC
    segmentFile.write = () => {
      throw Object.assign(new Error('no space'), { code: 'ENOSPC' });
    };
    play(rig, frames.slice(150, 200));
    expect(rig.recorder.status).toMatchObject({ state: 'diskFull', problem: 'diskFull' });
    full = false;
    rig.clock.advance(5000);
    play(rig, frames.slice(300, 450));
    expect(rig.recorder.status.state).toBe('recording');
    await rig.recorder.stop();
    const gaps = rig.index.gaps('cam-1', 'main', 0, Number.MAX_SAFE_INTEGER);
    expect(gaps.map((gap) => gap.reason)).toEqual(['diskFull']);
    expect(rig.index.events(0).map((event) => event.kind)).toContain('diskFull');
  });
});

describe('legal hold at the floor (issue 17)', () => {
  it('stops at the next segment when only held footage is left below the floor, with a gap and an event, and resumes when there is room', async () => {
    let heldFloor = false;
    const storage: StorageGuard = { makeRoom: () => !heldFloor, hasRoom: () => !heldFloor, guarded: (write) => write(), heldFloorReached: () => heldFloor };
    const rig = setup({ storage });
    opened.push(rig.index);
    rig.recorder.start();
    const frames = framesOf(clip);
    play(rig, frames.slice(0, 150)); // 10 s into the first 20-s segment
    heldFloor = true; // the storage manager found only held footage below the floor
    play(rig, frames.slice(150, 360)); // the segment ends at 20 s: no next one is opened
    expect(rig.recorder.status).toMatchObject({ state: 'diskFull', problem: 'diskFull' });
    await rig.recorder.settled();
    const stoppedAt = rig.index.segments('cam-1', 'main', 0, Number.MAX_SAFE_INTEGER).at(-1)!.endMs;
    expect(stoppedAt - Date.UTC(2026, 10, 30, 1, 0, 0)).toBeGreaterThanOrEqual(19_900);
    // ended at the keyframe at or after 20 s; nothing of the 24 s played was written into the floor after it
    expect(stoppedAt - Date.UTC(2026, 10, 30, 1, 0, 0)).toBeLessThanOrEqual(21_000);
    heldFloor = false; // a hold released (or a disk added)
    play(rig, frames.slice(400, 550));
    expect(rig.recorder.status.state).toBe('recording');
    await rig.recorder.stop();
    const gaps = rig.index.gaps('cam-1', 'main', 0, Number.MAX_SAFE_INTEGER);
    expect(gaps.map((gap) => gap.reason)).toEqual(['diskFull']);
    expect(gaps[0]!.startMs).toBe(stoppedAt);
    expect(rig.index.events(0).find((event) => event.kind === 'diskFull')?.detail).toMatchObject({ code: 'heldFloor' });
  });
});

describe('retention with a simulated clock (days pass in seconds)', () => {
  function seed(index: RecordingIndex, root: string, cameraId: string, startMs: number, count: number, bytes: number): void {
    for (let n = 0; n < count; n++) {
      const relative = `${cameraId}/main/day/${n}_${startMs + n * 3_600_000}.ts`;
      const file = path.join(root, ...relative.split('/'));
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, Buffer.alloc(bytes));
      index.insertSegment({ cameraId, stream: 'main', startMs: startMs + n * 3_600_000, endMs: startMs + (n + 1) * 3_600_000, bytes, path: relative, codec: 'h264', widthPx: null, heightPx: null, hasAudio: false, recovered: false });
    }
  }

  it('deletes footage older than each camera keeps it, oldest first, through pending deletes', () => {
    const dir = tempDir('retention');
    const root = path.join(dir, 'recordings');
    const clock = new ManualClock(Date.UTC(2026, 0, 1));
    const index = new RecordingIndex(path.join(dir, 'index.sqlite'));
    opened.push(index);
    seed(index, root, 'a', clock.now(), 24 * 10, 1000); // 10 days of hourly segments
    seed(index, root, 'b', clock.now(), 24 * 10, 1000);
    const storage = new StorageManager(index, root, { retentionDays: 7, cameraRetentionDays: new Map([['b', 3]]), quotaBytes: null, minFreeBytes: 0 }, { clock, log: silentLogger, stats: new DurabilityStats(), space: () => ({ totalBytes: 1e12, freeBytes: 1e12 }) });
    clock.advance(10 * DAY_MS);
    storage.enforce();
    const oldestOf = (cameraId: string) => index.segments(cameraId, 'main', 0, Number.MAX_SAFE_INTEGER)[0]!.startMs;
    expect(clock.now() - oldestOf('a')).toBeLessThanOrEqual(7 * DAY_MS + 3_600_000);
    expect(clock.now() - oldestOf('b')).toBeLessThanOrEqual(3 * DAY_MS + 3_600_000);
    expect(index.pendingDeletes()).toEqual([]);
    const filesLeft = fs.readdirSync(path.join(root, 'b', 'main', 'day')).length;
    expect(filesLeft).toBe(index.segments('b', 'main', 0, Number.MAX_SAFE_INTEGER).length);
  });

  it('keeps recordings under the quota and the free-space floor, and projects the days the disk can hold', () => {
    const dir = tempDir('quota');
    const root = path.join(dir, 'recordings');
    const clock = new ManualClock(Date.UTC(2026, 0, 1));
    const index = new RecordingIndex(path.join(dir, 'index.sqlite'));
    opened.push(index);
    seed(index, root, 'a', clock.now(), 100, 10_000);
    // a disk whose free space grows by what is deleted
    let baseFree = 500_000;
    const storage: StorageManager = new StorageManager(index, root, { retentionDays: 30, cameraRetentionDays: new Map(), quotaBytes: 600_000, minFreeBytes: 400_000 }, { clock, log: silentLogger, stats: new DurabilityStats(), space: () => ({ totalBytes: 2_000_000, freeBytes: baseFree + storage.deletedBytes }) });
    storage.enforce();
    expect(index.totalBytes()).toBe(600_000);
    const oldestKept = index.segments('a', 'main', 0, Number.MAX_SAFE_INTEGER)[0]!.startMs;
    expect(oldestKept).toBe(clock.now() + 40 * 3_600_000); // exactly the 40 oldest hours went
    baseFree = 350_000 - storage.deletedBytes; // another program filled the disk: 50 kB below the floor
    expect(storage.makeRoom(0)).toBe(true);
    expect(index.totalBytes()).toBe(550_000); // five more of the oldest
    baseFree = -10_000_000; // nothing we could delete would make room
    expect(storage.makeRoom(0)).toBe(false);
    expect(index.totalBytes()).toBe(0);
    // 1 MB a day into (quota 600 kB) → 0.6 days; warn when short of the 30 configured
    baseFree = 10_000_000;
    expect(storage.projectedDays(1_000_000)).toBeCloseTo(0.6);
    storage.checkProjection(1_000_000);
    expect(index.events(0).map((event) => event.kind)).toContain('retentionShort');
  });
});

describe('recovery at start-up', () => {
  it('indexes a segment cut short by a crash, removes an unreadable one, finishes deletions, reports all', () => {
    const dir = tempDir('recovery');
    const root = path.join(dir, 'recordings');
    const clock = new ManualClock(Date.UTC(2026, 10, 30, 2));
    const index = new RecordingIndex(path.join(dir, 'index.sqlite'));
    opened.push(index);
    const day = path.join(root, 'cam-1', 'main', '2026-11-30');
    fs.mkdirSync(day, { recursive: true });
    const startMs = Date.UTC(2026, 10, 30, 1, 30);
    // a segment being written when the console died: 10 s of footage, its last packet cut in half
    fs.writeFileSync(path.join(day, `08-30-00_${startMs}.ts${PART_SUFFIX}`), clip.subarray(0, Math.floor(clip.length / 20) - 100));
    fs.writeFileSync(path.join(day, `08-40-00_${startMs + 600000}.ts`), Buffer.from('this is not a video at all'.repeat(100)));
    index.markForDeletion({ id: 999, cameraId: 'cam-1', stream: 'main', startMs: 0, endMs: 1, bytes: 1, path: 'cam-1/main/2026-11-29/00-00-00_1.ts', codec: null, widthPx: null, heightPx: null, hasAudio: false, recovered: false, sha256: null, recoveredRange: null, chainSeq: null, prevHash: null, rowHash: null, keyframes: null, psiBytes: null }, 0);
    const storage = new StorageManager(index, root, { retentionDays: 30, cameraRetentionDays: new Map(), quotaBytes: null, minFreeBytes: 0 }, { clock, log: silentLogger, stats: new DurabilityStats() });
    // the journal says the console was writing both (one open, one closed but not yet indexed)
    index.setMeta('open:cam-1/main', `cam-1/main/2026-11-30/08-30-00_${startMs}.ts`);
    index.setMeta(`closing:cam-1/main/2026-11-30/08-40-00_${startMs + 600000}.ts`, `cam-1/main/2026-11-30/08-40-00_${startMs + 600000}.ts`);
    const found = fs.statSync(path.join(day, `08-30-00_${startMs}.ts${PART_SUFFIX}`)).size;
    const report = recover(index, root, () => storage.finishPendingDeletes(), { clock, log: silentLogger, stats: new DurabilityStats() });
    expect(report.pendingDeletesFinished).toBe(1);
    expect(index.pendingDeletes()).toEqual([]);
    expect(report.indexed).toHaveLength(1);
    expect(report.removed).toEqual([{ path: `cam-1/main/2026-11-30/08-40-00_${startMs + 600000}.ts`, reason: 'no playable picture' }]);
    expect(report.quarantined).toEqual([]);
    expect(index.metaWithPrefix('closing:')).toEqual([]);
    const [row] = index.segments('cam-1', 'main', 0, Number.MAX_SAFE_INTEGER);
    expect(row).toMatchObject({ startMs, recovered: true, chainSeq: 1, prevHash: null });
    // hashed from the bytes that survived, and the surviving range recorded
    const kept = fs.readFileSync(path.join(day, `08-30-00_${startMs}.ts`));
    expect(row!.sha256).toBe(createHash('sha256').update(kept).digest('hex'));
    expect(row!.recoveredRange).toBe(`0-${kept.length}/${found}`);
    expect(kept.length).toBeLessThan(found);
    expect(row!.endMs - startMs).toBeGreaterThan(8000);
    const file = path.join(day, `08-30-00_${startMs}.ts`);
    expect(fs.statSync(file).size % TS_PACKET_BYTES).toBe(0);
    expect(fs.statSync(file).size).toBe(row!.bytes);
    expect(fs.readdirSync(day).filter((name) => name.endsWith(PART_SUFFIX))).toEqual([]);
    expect(index.events(0).map((event) => event.kind).sort()).toEqual(['segmentRecovered', 'segmentRemoved']);
  });
});

// Issue 19: the recorder's own timeline, silence, recovery that checks what it trusts.
describe('issue 19: timeline, silence, recovery checks (simulated clock)', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
  });
  const rigOf = (options: Parameters<typeof setup>[0] = {}) => {
    const rig = setup(options);
    opened.push(rig.index);
    dirs.push(rig.dir);
    return rig;
  };

  it('closes and indexes the open segment after 3 s of silence, so an outage’s last seconds are playable during it', async () => {
    const rig = rigOf();
    rig.recorder.start();
    play(rig, framesOf(clip).slice(0, 15 * 5));
    expect(rig.index.segments('cam-1', 'main', 0, Number.MAX_SAFE_INTEGER)).toHaveLength(0);
    rig.clock.advance(3500); // the camera says nothing (same connection: no new epoch)
    await rig.recorder.settled();
    const rows = rig.index.segments('cam-1', 'main', 0, Number.MAX_SAFE_INTEGER);
    expect(rows).toHaveLength(1);
    expect(rows[0]!.endMs - rows[0]!.startMs).toBe(5000);
    // it speaks again: a new segment, and the silence is a cameraOffline gap
    play(rig, framesOf(clip).slice(15 * 10, 15 * 15));
    await rig.recorder.stop();
    const gaps = rig.index.gaps('cam-1', 'main', 0, Number.MAX_SAFE_INTEGER);
    expect(gaps.map((gap) => gap.reason)).toEqual(['cameraOffline']);
    expect(rig.index.segments('cam-1', 'main', 0, Number.MAX_SAFE_INTEGER)).toHaveLength(2);
  });

  it('never continues from a row dated 24 h ahead: new footage is at the PC clock, in today’s folder', async () => {
    const rig = rigOf();
    const now = rig.clock.now();
    rig.index.insertSegment({ cameraId: 'cam-1', stream: 'main', startMs: now + DAY_MS, endMs: now + DAY_MS + 60_000, bytes: 10, path: 'cam-1/main/2026-12-01/08-00-00_x.ts', codec: 'h264', widthPx: null, heightPx: null, hasAudio: false, recovered: false });
    // the recorder is made after the row exists (as at a restart)
    const fresh = new StreamRecorder(camera, 'main', rig.source as unknown as CameraStreamSource, {
      index: rig.index, storage: roomy, clock: rig.clock, log: silentLogger, stats: new DurabilityStats(), root: path.join(rig.dir, 'recordings'), timeZone: 'Asia/Ho_Chi_Minh', kbps: () => 100, onStatus: () => undefined,
    }, { ...DEFAULT_RECORDER_OPTIONS, segmentMs: 20000 });
    fresh.start();
    play(rig, framesOf(clip).slice(0, 15 * 25));
    await fresh.stop();
    const rows = rig.index.segments('cam-1', 'main', 0, now + DAY_MS - 1);
    expect(rows.length).toBeGreaterThanOrEqual(2);
    for (const row of rows) expect(Math.abs(row.startMs - now)).toBeLessThan(30_000);
    expect(rows[0]!.path).toMatch(/^cam-1\/main\/2026-11-30\//);
  });

  it('a backward PC clock jump closes the segment, new footage follows the PC clock, the repeated hour is a clockJump gap', async () => {
    const rig = rigOf();
    rig.recorder.start();
    const frames = framesOf(clip);
    let jumpedAt = 0;
    play(rig, frames.slice(0, 15 * 45), 1, (index) => {
      if (index === 15 * 10) {
        rig.clock.jumpWall(-3_600_000);
        jumpedAt = rig.clock.now();
      }
    });
    await rig.recorder.stop();
    const rows = rig.index.segments('cam-1', 'main', 0, Number.MAX_SAFE_INTEGER);
    const after = rows.filter((row) => row.startMs < jumpedAt + 60_000);
    // the footage after the jump starts within a second or two of the PC clock, not an hour ahead
    expect(after.length).toBeGreaterThanOrEqual(1);
    expect(after[0]!.startMs - jumpedAt).toBeLessThan(2000);
    expect(after[0]!.startMs - jumpedAt).toBeGreaterThanOrEqual(0);
    const gaps = rig.index.gaps('cam-1', 'main', 0, Number.MAX_SAFE_INTEGER);
    expect(gaps.map((gap) => gap.reason)).toEqual(['clockJump']);
    expect(rig.index.events(0).map((event) => event.kind)).toContain('clockJump');
  });

  it('a forward PC clock jump while the camera keeps sending closes the segment and leaves a clockJump gap, not an unexplained hole', async () => {
    const rig = rigOf();
    rig.recorder.start();
    play(rig, framesOf(clip).slice(0, 15 * 30), 1, (index) => {
      if (index === 15 * 8) rig.clock.jumpWall(600_000);
    });
    await rig.recorder.stop();
    const rows = rig.index.segments('cam-1', 'main', 0, Number.MAX_SAFE_INTEGER);
    const gaps = rig.index.gaps('cam-1', 'main', 0, Number.MAX_SAFE_INTEGER);
    expect(gaps).toHaveLength(1);
    expect(gaps[0]!.reason).toBe('clockJump');
    // every hole between rows is covered by the gap
    for (let n = 1; n < rows.length; n++) {
      if (rows[n]!.startMs === rows[n - 1]!.endMs) continue;
      expect(gaps.some((gap) => gap.startMs <= rows[n - 1]!.endMs && gap.endMs >= rows[n]!.startMs)).toBe(true);
    }
  });

  it('recovery scans today’s and yesterday’s folders by date: a stray future folder hides nothing; only the journaled open segment is indexed', () => {
    const dir = tempDir('recovery19');
    dirs.push(dir);
    const root = path.join(dir, 'recordings');
    const clock = new ManualClock(Date.UTC(2026, 10, 30, 2));
    const index = new RecordingIndex(path.join(dir, 'index.sqlite'));
    opened.push(index);
    const base = path.join(root, 'cam-1', 'main');
    const startMs = Date.UTC(2026, 10, 30, 1, 30);
    for (const day of ['2026-11-29', '2026-11-30', '2026-12-24', '2027-01-02', '2027-05-05']) fs.mkdirSync(path.join(base, day), { recursive: true });
    fs.writeFileSync(path.join(base, '2026-11-30', `08-30-00_${startMs}.ts${PART_SUFFIX}`), clip.subarray(0, Math.floor(clip.length / 20)));
    // a journaled open segment in an old folder (the clock was wrong when it opened)
    const oldStart = Date.UTC(2026, 10, 20, 1, 0);
    fs.mkdirSync(path.join(base, '2026-11-20'), { recursive: true });
    fs.writeFileSync(path.join(base, '2026-11-20', `08-00-00_${oldStart}.ts${PART_SUFFIX}`), clip.subarray(0, Math.floor(clip.length / 40)));
    index.setMeta('open:cam-1/main', `cam-1/main/2026-11-20/08-00-00_${oldStart}.ts`);
    const report = recover(index, root, () => 0, { clock, log: silentLogger, stats: new DurabilityStats(), timeZone: 'Asia/Ho_Chi_Minh' });
    // only the journaled one is indexed; the unjournaled .part of today is the console's no more: quarantined
    expect(report.indexed.map((entry) => entry.path).sort()).toEqual([`cam-1/main/2026-11-20/08-00-00_${oldStart}.ts`]);
    expect(report.quarantined.map((entry) => entry.path)).toEqual([`cam-1/main/2026-11-30/08-30-00_${startMs}.ts${PART_SUFFIX}`]);
    expect(fs.existsSync(path.join(dir, 'quarantine', 'cam-1', 'main', '2026-11-30', `08-30-00_${startMs}.ts${PART_SUFFIX}`))).toBe(true);
    expect(report.futureFolders.sort()).toEqual(['cam-1/main/2026-12-24', 'cam-1/main/2027-01-02', 'cam-1/main/2027-05-05']);
    expect(index.events(0).map((event) => event.kind)).toContain('futureFootage');
  });

  it('a power cut on a full disk: the segment whose row the disk refused is deferred with its end; the restarted recorder continues after it, so the downtime has its gap row when the row comes later', async () => {
    const dir = tempDir('recovery-full');
    dirs.push(dir);
    const root = path.join(dir, 'recordings');
    const startMs = Date.UTC(2026, 10, 30, 1, 30);
    const clock = new ManualClock(startMs + 60_000);
    const index = new RecordingIndex(path.join(dir, 'index.sqlite'));
    opened.push(index);
    const relative = `cam-1/main/2026-11-30/08-30-00_${startMs}.ts`;
    fs.mkdirSync(path.join(root, 'cam-1', 'main', '2026-11-30'), { recursive: true });
    fs.writeFileSync(path.join(root, ...relative.split('/')) + PART_SUFFIX, clip.subarray(0, Math.floor(clip.length / 20)));
    index.setMeta('open:cam-1/main', relative);
    // the index refuses every write, as SQLite does on a disk full to the last byte
    let full = true;
    const guarded = <T,>(write: () => T): T => {
      if (full) throw Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' });
      return write();
    };
    const report = recover(index, root, () => 0, { clock, log: silentLogger, stats: new DurabilityStats(), timeZone: 'Asia/Ho_Chi_Minh', guarded });
    expect(report.deferred).toEqual([relative]);
    const heldMs = analyzeSegment(clip.subarray(0, Math.floor(clip.length / 20))).durationMs;
    expect(report.deferredEnds).toEqual([{ cameraId: 'cam-1', stream: 'main', endMs: startMs + heldMs }]);
    expect(index.segments('cam-1', 'main', 0, Number.MAX_SAFE_INTEGER)).toHaveLength(0);

    // space returns; the recorder of the restarted console is told where that footage ends
    full = false;
    const source = new ClipSource();
    const recorder = new StreamRecorder(camera, 'main', source as unknown as CameraStreamSource, {
      index, storage: roomy, clock, log: silentLogger, stats: new DurabilityStats(), root, timeZone: 'Asia/Ho_Chi_Minh', kbps: () => 100, onStatus: () => undefined,
      pendingEndMs: () => report.deferredEnds[0]!.endMs,
    }, { ...DEFAULT_RECORDER_OPTIONS, segmentMs: 20000 });
    recorder.start();
    play({ clock, source } as unknown as ReturnType<typeof setup>, framesOf(clip).slice(0, 15 * 25));
    await recorder.stop();
    // the retry (every 5 s in the service) indexes the deferred segment afterwards
    const again = recover(index, root, () => 0, { clock, log: silentLogger, stats: new DurabilityStats(), timeZone: 'Asia/Ho_Chi_Minh', guarded, only: report.deferred });
    expect(again.deferred).toEqual([]);
    const rows = index.segments('cam-1', 'main', 0, Number.MAX_SAFE_INTEGER);
    expect(rows[0]!.path).toBe(relative);
    expect(rows[0]!.endMs).toBe(startMs + heldMs);
    const gaps = index.gaps('cam-1', 'main', 0, Number.MAX_SAFE_INTEGER);
    // the downtime: one gap from the end of the deferred footage to the first new segment, nothing overlapping
    expect(gaps).toEqual([expect.objectContaining({ startMs: startMs + heldMs, endMs: rows[1]!.startMs, reason: 'consoleNotRunning' })]);
    for (let n = 1; n < rows.length; n++) expect(rows[n]!.startMs).toBeGreaterThanOrEqual(rows[n - 1]!.endMs);
  });

  it('recovery checks every row against the disk: a file truncated while stopped fixes its row, a vanished one leaves a footageMissing gap; future rows are reported', () => {
    const dir = tempDir('audit19');
    dirs.push(dir);
    const root = path.join(dir, 'recordings');
    const clock = new ManualClock(Date.UTC(2026, 10, 30, 2));
    const index = new RecordingIndex(path.join(dir, 'index.sqlite'));
    opened.push(index);
    const day = path.join(root, 'cam-1', 'main', '2026-10-01');
    fs.mkdirSync(day, { recursive: true });
    const ten = clip.subarray(0, Math.floor(clip.length / 20) - (Math.floor(clip.length / 20) % TS_PACKET_BYTES));
    const tenMs = analyzeSegment(ten).durationMs;
    const rows = [0, 1].map((n) => {
      const startMs = Date.UTC(2026, 9, 1) + n * tenMs;
      const relative = `cam-1/main/2026-10-01/00-00-0${n}_${startMs}.ts`;
      fs.writeFileSync(path.join(root, ...relative.split('/')), ten);
      index.insertSegment({ cameraId: 'cam-1', stream: 'main', startMs, endMs: startMs + tenMs, bytes: ten.length, path: relative, codec: 'h264', widthPx: null, heightPx: null, hasAudio: false, recovered: false });
      return relative;
    });
    // the first is cut to half, the second vanishes; a row dated next year is there too
    fs.truncateSync(path.join(root, ...rows[0]!.split('/')), Math.floor(ten.length / 2 / TS_PACKET_BYTES) * TS_PACKET_BYTES);
    fs.rmSync(path.join(root, ...rows[1]!.split('/')));
    index.insertSegment({ cameraId: 'cam-2', stream: 'main', startMs: Date.UTC(2027, 10, 30), endMs: Date.UTC(2027, 10, 30) + 1000, bytes: 0, path: 'cam-2/main/2027-11-30/x.ts', codec: null, widthPx: null, heightPx: null, hasAudio: false, recovered: false });
    fs.mkdirSync(path.join(root, 'cam-2', 'main', '2027-11-30'), { recursive: true });
    fs.writeFileSync(path.join(root, 'cam-2', 'main', '2027-11-30', 'x.ts'), '');
    const report = recover(index, root, () => 0, { clock, log: silentLogger, stats: new DurabilityStats(), timeZone: 'Asia/Ho_Chi_Minh' });
    expect(report.resizedRows).toEqual([rows[0]]);
    expect(report.missingRows).toEqual([rows[1]]);
    expect(report.futureRows).toBe(1);
    const [fixed] = index.segments('cam-1', 'main', 0, Number.MAX_SAFE_INTEGER);
    expect(fixed!.bytes).toBe(fs.statSync(path.join(root, ...rows[0]!.split('/'))).size);
    expect(fixed!.endMs - fixed!.startMs).toBeLessThan(tenMs * 0.6);
    const gaps = index.gaps('cam-1', 'main', 0, Number.MAX_SAFE_INTEGER);
    expect(gaps.map((gap) => gap.reason)).toEqual(['footageMissing', 'footageMissing']);
    // the holes are covered end to end: from the truncated row's new end to the vanished row's end
    expect(gaps[0]!.startMs).toBe(fixed!.endMs);
    expect(gaps.at(-1)!.endMs).toBe(Date.UTC(2026, 9, 1) + 2 * tenMs);
  });

  it('prunes events with the footage (keeping the last week)', () => {
    const dir = tempDir('events19');
    dirs.push(dir);
    const root = path.join(dir, 'recordings');
    const clock = new ManualClock(Date.UTC(2026, 0, 1));
    const index = new RecordingIndex(path.join(dir, 'index.sqlite'));
    opened.push(index);
    index.addEvent(clock.now(), 'clockJump', 'a');
    clock.advance(40 * DAY_MS);
    index.addEvent(clock.now() - 2 * DAY_MS, 'diskFull', 'a');
    const storage = new StorageManager(index, root, { retentionDays: 30, cameraRetentionDays: new Map(), quotaBytes: null, minFreeBytes: 0 }, { clock, log: silentLogger, stats: new DurabilityStats(), space: () => ({ totalBytes: 1e12, freeBytes: 1e12 }) });
    storage.enforce();
    expect(index.events(0).map((event) => event.kind)).toEqual(['diskFull']);
  });
});
