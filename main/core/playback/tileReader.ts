import type { PlaybackTile, PlaybackTileState } from '../../../common/playbackContract';
import type { StreamKind } from '../../../common/site';
import type { Clock } from '../util/clock';
import type { Logger } from '../log/logger';
import type { FfmpegInfo } from '../ffmpeg/probe';
import type { ProcessRegistry } from '../ffmpeg/supervisor';
import type { FedView } from '../media/liveService';
import { DecodeRun } from './decodeRun';
import type { Footage, FootageFinder } from './footage';
import { keyframeBefore, type SegmentScan, type SegmentScanCache } from './segmentScan';

// One tile of a playback session (split out of session.ts, issue 14: one class a file).

/** A decoder silent this long: show the newest frame not later than the clock without waiting for the next. */
const STUCK_AFTER_MS = 600;
/** Frame times this close count as the same time (as `firstTimeAfter` and the frame index do). */
const SAME_TIME_MS = 0.5;
/**
 * The same after a seek, before its picture: the frame index already tells which decoded frame
 * is the one, so this only matters for a decoder that lost frames (on a loaded machine a healthy
 * decoder can pause 600 ms between two pictures, and the picture before the target would show).
 */
const STUCK_AFTER_SEEK_MS = 2500;
/** How far ahead to look for a tile's next footage. */
const HORIZON_MS = 7 * 24 * 3600 * 1000;

export interface SessionDeps {
  clock: Clock;
  log: Logger;
  registry?: ProcessRegistry | undefined;
  ffmpeg: FfmpegInfo;
  footage: FootageFinder;
  scans: SegmentScanCache;
  /** Keeps segment files (absolute paths) from retention while a run reads them, as export does; returns the release. */
  pin?: (files: readonly string[]) => () => void;
}

export interface TileSetup {
  cameraId: string;
  stream: StreamKind;
  widthPx: number;
  heightPx: number;
  view: FedView;
}

/** What a tile reads of its session's clock (PlaybackSession implements it; a leaf type, so no import cycle). */
export interface SessionClock {
  readonly playing: boolean;
  readonly speed: number;
  readonly keyframesOnly: boolean;
  position(): number;
}

interface QueuedFrame {
  wallMs: number;
  frame: Buffer;
}

/**
 * One tile of a playback session: decodes its camera's footage from the session's clock on,
 * keeps a few decoded frames ahead, and shows the newest frame not later than the clock.
 */
export class PlaybackTileReader {
  private runs: DecodeRun[] = [];
  private queue: QueuedFrame[] = [];
  shownMs: number | null = null;
  /** The footage being played (null: none at or after the clock). */
  private current: Footage | null = null;
  /** The footage of the newest decode run, and the recorded time of its last frame. */
  private lastFootage: Footage | null = null;
  private lastRunEndMs = 0;
  private lastFootageLookupMono = -Infinity;
  /** A run being started: its segment's frames are being read (one at a time per tile). */
  private starting: Promise<void> | null = null;
  state: PlaybackTileState = 'loading';
  /** A decoder of this tile ended without any picture, twice (reset by a seek). */
  private undecodable = false;
  /** Monotonic ms when the last seek asked, and how long until its frame was shown. */
  seekAskedAtMono: number | null = null;
  lastSeekLatencyMs: number | null = null;
  private generation = 0;
  /** When the last picture came out of a decoder (monotonic ms), and its recorded time. */
  private lastDecodedAtMono: number | null = null;
  private lastDecodedWallMs: number | null = null;
  /** Playing faster than this machine decodes: this tile decodes keyframes only until the next seek. */
  private behind = false;
  private lastCatchUpMono = -Infinity;

  constructor(
    readonly setup: TileSetup,
    private readonly session: SessionClock,
    private readonly deps: SessionDeps,
  ) {}

  /** Throws away everything decoded and starts decoding at `atMs`. */
  async seek(atMs: number, keyframesOnly: boolean, keepPicture = false): Promise<void> {
    this.generation += 1;
    const runs = this.runs;
    this.runs = [];
    this.queue = [];
    if (!keepPicture) {
      this.shownMs = null;
      this.behind = false;
    }
    this.lastDecodedWallMs = null;
    this.lastDecodedAtMono = this.deps.clock.monotonic();
    this.lastFootage = null;
    this.undecodable = false;
    this.seekAskedAtMono = this.deps.clock.monotonic();
    const stopping = Promise.all(runs.map((run) => this.stopRun(run)));
    this.current = this.deps.footage.atOrAfter(this.setup.cameraId, this.setup.stream, atMs, HORIZON_MS);
    this.lastFootageLookupMono = this.deps.clock.monotonic();
    this.state = this.current && this.current.startMs <= atMs ? 'loading' : 'noFootage';
    const starting = this.current ? this.startRun(this.current, Math.max(0, atMs - this.current.startMs), keyframesOnly) : null;
    await Promise.all([stopping, starting]);
  }

  /** The footage at `atMs` or the next, as known now (looked up again now and then: the open segment grows). */
  footageAt(atMs: number): Footage | null {
    const now = this.deps.clock.monotonic();
    const current = this.current;
    const sinceLookup = now - this.lastFootageLookupMono;
    const inside = current !== null && current.startMs <= atMs && atMs < current.endMs;
    const ahead = current !== null && current.startMs > atMs;
    const fresh = sinceLookup < (current?.open ? 1000 : 5000);
    if ((inside || ahead) && fresh) return current;
    if (!inside && !ahead && sinceLookup < 200) return current;
    this.lastFootageLookupMono = now;
    this.current = this.deps.footage.atOrAfter(this.setup.cameraId, this.setup.stream, atMs, HORIZON_MS);
    return this.current;
  }

  hasFootageAt(atMs: number): boolean {
    const footage = this.footageAt(atMs);
    return footage !== null && footage.startMs <= atMs && atMs < footage.endMs;
  }

  /** First recorded time after `atMs` this tile could show (for skipping a gap of the whole wall). */
  nextFootageAfter(atMs: number): number | null {
    const footage = this.footageAt(atMs);
    return footage ? Math.max(footage.startMs, atMs) : null;
  }

  /** Applies the clock: shows the newest decoded frame not later than it; feeds the decoders. */
  present(clockMs: number): void {
    // times on the contract are whole ms, recorded frame times are not: a frame within half a
    // millisecond of the clock is at it (a seek to a frame's shown time shows that frame)
    const atMs = clockMs + SAME_TIME_MS;
    // The newest frame not later than the clock is only known once a later frame was decoded (or
    // nothing more is coming): after a seek the frames between the keyframe and the target are
    // decoded, never shown.
    // (a decoder that gave nothing for a while is not waited for: better the newest frame we have)
    // The segment's frame index says which frame comes next: a decoded frame whose next planned
    // frame is later than the clock is the one, without waiting for that next frame.
    const silentMs = this.lastDecodedAtMono === null ? 0 : this.deps.clock.monotonic() - this.lastDecodedAtMono;
    const waitedTooLong = silentMs > (this.seekAskedAtMono === null ? STUCK_AFTER_MS : STUCK_AFTER_SEEK_MS);
    const candidate = this.queue.filter((queued) => queued.wallMs <= atMs).at(-1);
    const final =
      this.runs.length === 0 ||
      waitedTooLong ||
      this.queue.some((queued) => queued.wallMs > atMs) ||
      (candidate !== undefined && this.nextPlannedAfter(candidate.wallMs) > atMs);
    let show: QueuedFrame | null = null;
    while (final && this.queue.length > 0 && this.queue[0]!.wallMs <= atMs) show = this.queue.shift()!;
    // the decoder could not give the frames before the clock (it lost its first keyframe): the
    // nearest later picture is better than none (its time is shown as it is)
    if (!show && this.shownMs === null && waitedTooLong && this.queue.length > 0 && this.queue[0]!.wallMs - atMs < 2000) show = this.queue.shift()!;
    if (show && (this.shownMs === null || show.wallMs > this.shownMs)) {
      this.setup.view.push(show.frame, show.wallMs);
      this.shownMs = show.wallMs;
      if (this.seekAskedAtMono !== null) {
        this.lastSeekLatencyMs = this.deps.clock.monotonic() - this.seekAskedAtMono;
        this.seekAskedAtMono = null;
      }
    }
    const inFootage = this.hasFootageAt(clockMs);
    this.state = !inFootage ? 'noFootage' : this.shownMs !== null && clockMs - this.shownMs < 2000 * Math.max(1, this.session.speed) ? 'playing' : this.undecodable ? 'error' : 'loading';
    this.catchUp(clockMs, inFootage);
    this.pump(clockMs);
  }

  /** Recorded time of the next frame any decoder of this tile will give after `wallMs` (-Infinity: none planned). */
  private nextPlannedAfter(wallMs: number): number {
    let next = Infinity;
    for (const run of this.runs) next = Math.min(next, run.plannedAfter(wallMs) ?? Infinity);
    return next === Infinity ? -Infinity : next;
  }

  /**
   * The clock ran away from this tile's decoder (more tiles x speed than the machine decodes):
   * start again just ahead of the clock, keyframes only, so the tile keeps moving with the wall
   * (fewer pictures) instead of showing nothing.
   */
  private catchUp(atMs: number, inFootage: boolean): void {
    if (!this.session.playing || !inFootage || this.session.speed <= 1) return;
    const now = this.deps.clock.monotonic();
    if (now - this.lastCatchUpMono < 2000) return;
    // (just sought: give the decoder a moment for its first picture)
    if (this.lastDecodedWallMs === null && now - (this.lastDecodedAtMono ?? now) < 1500) return;
    const decodedMs = this.lastDecodedWallMs ?? -Infinity;
    if (atMs - decodedMs < Math.max(1000, 500 * this.session.speed)) return;
    this.lastCatchUpMono = now;
    this.behind = true;
    this.deps.log.info('playback tile behind the clock: keyframes only', { cameraId: this.setup.cameraId, behindMs: Math.round(atMs - decodedMs), speed: this.session.speed });
    void this.seek(atMs + 500 * this.session.speed, true, true);
  }

  /** The recorded time of the k-th decoded frame after the shown one (frame step), if decoded. */
  frameAfter(atMs: number): number | null {
    return this.queue.find((queued) => queued.wallMs > atMs)?.wallMs ?? null;
  }

  /**
   * Recorded time of the frame `count` frames before the one at `atMs` (from the segments' frame
   * index; frames with the same time count once: a clock cannot show them apart). An indexed
   * segment is read from the keyframe before `atMs`, then from the keyframe before that one as
   * long as more frames are wanted.
   */
  async frameBefore(atMs: number, count: number): Promise<number | null> {
    let footage = this.deps.footage.atOrAfter(this.setup.cameraId, this.setup.stream, atMs, 1);
    let remaining = count;
    let current = atMs;
    for (let hops = 0; footage && hops < 8; hops++) {
      const startMs = footage.startMs;
      let scan = await this.deps.scans.from(footage, current - startMs);
      if (!scan) return null;
      for (;;) {
        // latest first in presentation order (B-frames: file order is not time order)
        const times = scan.frames.map((frame) => startMs + frame.atMs).sort((a, b) => b - a);
        for (const time of times) {
          if (time >= current - 0.5) continue;
          remaining -= 1;
          current = time;
          if (remaining === 0) return time;
        }
        if (scan.windowStart === null) break;
        // a window from a stored keyframe: the frames before it are in the window from the
        // keyframe before (keyframes are at least a frame, so more than 1 ms, apart)
        const earlier: SegmentScan | null = await this.deps.scans.from(footage, scan.frames[0]!.atMs - 1);
        if (!earlier || earlier.frames[0]!.offset >= scan.frames[0]!.offset) break;
        scan = earlier;
      }
      footage = this.deps.footage.between(this.setup.cameraId, this.setup.stream, startMs - 3600_000, startMs).filter((other) => other.endMs <= startMs + 1).at(-1) ?? null;
    }
    return null;
  }

  /** Keeps enough decoded frames ahead of the clock, and starts the next segment in time. */
  pump(atMs: number): void {
    const speed = this.session.speed;
    const wanted = Math.min(48, Math.max(6, Math.ceil(speed * 8)));
    const ahead = this.queue.length + this.runs.reduce((sum, run) => sum + run.pending, 0);
    const feeding = this.runs.find((run) => !run.allFed);
    if (feeding) {
      if (ahead < wanted) feeding.feed(wanted - ahead);
      return;
    }
    // everything of the current segment was fed: start the next one ahead of time
    // the next segment's decoder starts once this one gave its last picture: pictures then come
    // in order (a frame step or the clock never passes a picture still to come)
    const last = this.lastFootage;
    if (!last || this.runs.length > 0 || this.starting) return;
    const next = this.deps.footage.atOrAfter(this.setup.cameraId, this.setup.stream, last.open ? this.lastRunEndMs : last.endMs, HORIZON_MS);
    if (!next) return;
    if (last.open && next.startMs === last.startMs) {
      // the open segment grew since its run started (instant replay near the live edge), or was
      // closed meanwhile (renamed from .part, another file name): go on after the last frame fed
      // (closed with nothing more: the segment after it comes next)
      this.startRun(next, this.lastRunEndMs - next.startMs + 1, this.session.keyframesOnly || this.behind, this.lastRunEndMs).catch((error: unknown) => this.deps.log.warn('playback run could not start', { file: next.file, error }));
      return;
    }
    if (next.startMs - atMs > 60_000 * Math.max(1, speed)) return; // far away: when the clock comes closer
    this.startRun(next, 0, this.session.keyframesOnly || this.behind).catch((error: unknown) => this.deps.log.warn('playback run could not start', { file: next.file, error }));
  }

  /** The footage has a frame after `wallMs` a run could decode (the open segment's last one may be half-written). */
  private static framesAfter(footage: Footage, scan: SegmentScan | null, wallMs: number): boolean {
    const after = (scan?.frames ?? []).filter((frame) => footage.startMs + frame.atMs > wallMs + 0.5).length;
    return after > (footage.open ? 1 : 0);
  }

  async close(): Promise<void> {
    this.generation += 1;
    const runs = this.runs;
    this.runs = [];
    this.queue = [];
    await Promise.all(runs.map((run) => this.stopRun(run)));
  }

  tile(): PlaybackTile {
    return { cameraId: this.setup.cameraId, stream: this.setup.stream, viewId: this.setup.view.viewId, state: this.state, frameMs: this.shownMs === null ? null : Math.round(this.shownMs) };
  }

  /** For the debug log: what the tile holds against the clock. */
  describe(atMs: number): Record<string, unknown> {
    return {
      cameraId: this.setup.cameraId,
      state: this.state,
      shownAgoMs: this.shownMs === null ? null : Math.round(atMs - this.shownMs),
      queue: this.queue.length,
      queueFromMs: this.queue.length > 0 ? Math.round(this.queue[0]!.wallMs - atMs) : null,
      queueToMs: this.queue.length > 0 ? Math.round(this.queue.at(-1)!.wallMs - atMs) : null,
      runs: this.runs.map((run) => ({ pending: run.pending, allFed: run.allFed })),
    };
  }

  /** The file and recorded time of the frame shown (snapshots). */
  shownFootage(): { footage: Footage; frameMs: number } | null {
    if (this.shownMs === null) return null;
    const footage = this.deps.footage.atOrAfter(this.setup.cameraId, this.setup.stream, this.shownMs, 1);
    return footage && footage.startMs <= this.shownMs ? { footage, frameMs: this.shownMs } : null;
  }

  /**
   * Reads the frames of `footage` a run needs (an indexed segment only from the stored keyframe at
   * or before `offsetMs`), then starts a decoder on the keyframe at or before `offsetMs`, unless a
   * seek came meanwhile. `afterMs` (going on in a segment that grew or was closed): only if it has
   * a frame after that recorded time; a closed one without is done with.
   */
  private startRun(footage: Footage, offsetMs: number, keyframesOnly: boolean, afterMs: number | null = null): Promise<void> {
    const generation = this.generation;
    const windowMs = afterMs === null ? offsetMs : Math.min(offsetMs, afterMs - footage.startMs);
    const starting = this.deps.scans.from(footage, windowMs).then((scan) => {
      if (this.starting === starting) this.starting = null;
      if (generation !== this.generation) return;
      if (afterMs !== null && !PlaybackTileReader.framesAfter(footage, scan, afterMs)) {
        if (!footage.open) this.lastFootage = footage;
        return;
      }
      this.runOn(footage, scan, offsetMs, keyframesOnly);
    });
    this.starting = starting;
    return starting;
  }

  private runOn(footage: Footage, scan: SegmentScan | null, offsetMs: number, keyframesOnly: boolean): void {
    if (!scan) {
      this.deps.log.warn('unreadable segment', { file: footage.file });
      this.state = 'error';
      return;
    }
    const from = keyframeBefore(scan, offsetMs);
    const plan: number[] = [];
    for (let index = from; index < scan.frames.length; index++) if (!keyframesOnly || scan.frames[index]!.keyframe) plan.push(index);
    // the open segment's last frame may still be being written
    if (footage.open && plan.length > 1) plan.pop();
    if (plan.length === 0) return;
    this.lastFootage = footage;
    this.lastRunEndMs = footage.startMs + scan.frames[plan.at(-1)!]!.atMs;
    this.deps.log.debug('playback run', { cameraId: this.setup.cameraId, file: footage.file.split(/[\\/]/).at(-1), open: footage.open, fromMs: Math.round(footage.startMs + scan.frames[plan[0]!]!.atMs), toMs: Math.round(this.lastRunEndMs), frames: plan.length });
    const generation = this.generation;
    // the file stays on disk while the run reads it, whatever retention decides meanwhile
    const release = footage.open ? () => undefined : (this.deps.pin?.([footage.file]) ?? (() => undefined));
    const run = new DecodeRun(
      footage.file,
      footage.startMs,
      scan,
      plan,
      this.setup.widthPx,
      this.setup.heightPx,
      this.deps.ffmpeg,
      this.deps,
      (_run, wallMs, frame) => {
        if (generation !== this.generation) return;
        this.onDecoded(wallMs, frame);
      },
      (done) => {
        this.pinReleases.get(done)?.();
        this.pinReleases.delete(done);
        if (generation !== this.generation) return;
        // a decoder that gave no picture even when retried: the tile says so instead of loading
        if (done.noPicture) this.undecodable = true;
        this.runs = this.runs.filter((other) => other !== done);
        this.pump(this.session.position());
      },
    );
    this.pinReleases.set(run, release);
    this.runs.push(run);
  }

  private readonly pinReleases = new Map<DecodeRun, () => void>();

  private async stopRun(run: DecodeRun): Promise<void> {
    try {
      await run.stop();
    } finally {
      this.pinReleases.get(run)?.();
      this.pinReleases.delete(run);
    }
  }

  private onDecoded(wallMs: number, frame: Buffer): void {
    this.lastDecodedAtMono = this.deps.clock.monotonic();
    this.lastDecodedWallMs = wallMs;
    const atMs = this.session.position();
    // a frame older than the clock is only worth keeping if it is the newest such frame
    if (wallMs <= atMs + SAME_TIME_MS) {
      this.queue = this.queue.filter((queued) => queued.wallMs > wallMs || queued.wallMs > atMs + SAME_TIME_MS);
    }
    let index = this.queue.length;
    while (index > 0 && this.queue[index - 1]!.wallMs > wallMs) index -= 1;
    this.queue.splice(index, 0, { wallMs, frame });
    this.present(atMs);
  }
}
