import fs from 'node:fs';
import type { Clock, TimerHandle } from '../util/clock';
import type { Logger } from '../log/logger';
import type { FfmpegInfo } from '../ffmpeg/probe';
import { FfmpegSupervisor, type ProcessRegistry } from '../ffmpeg/supervisor';
import { decodeArgs } from '../ffmpeg/args';
import { FrameAssembler } from '../media/frameAssembler';
import { withSegmentParameterSets } from './parameterSets';
import type { SegmentScan } from './segmentScan';

/** `[Parsed_showinfo_3 @ 0x…] n:  12 pts: 123456 pts_time:1.37 …` (ffmpeg 4.x to 7.x). */
const SHOWINFO_LINE = /Parsed_showinfo_\d+ @ [^\]]*\] n:\s*\d+ pts:\s*(-?\d+)/;

/**
 * The live decoder's arguments (decodeArgs: same demuxer flags, filter, output), plus what
 * playback needs to know which picture is which: the input's own timestamps kept (`-copyts`, so a
 * picture's PTS is the PTS in the segment) and `showinfo` at the end of the filter chain, whose
 * line per picture (info level) carries that PTS.
 */
export function playbackDecodeArgs(caps: Parameters<typeof decodeArgs>[0], widthPx: number, heightPx: number, probeBytes: number | null = null): string[] {
  const args = decodeArgs(caps, widthPx, heightPx, { cached: true });
  if (probeBytes !== null) {
    // the retry: the probe reads at least everything written before it started (or up to the end
    // of the input), whatever the encoder's slices or reordering (a probe of exactly those bytes
    // still failed with ffmpeg 4.1: "Unable to seek back to the start"); analyzeduration in µs
    const probe = args.indexOf('-probesize');
    args[probe + 1] = String(Math.max(262_144, probeBytes * 2));
    args[probe + 3] = '30000000';
  }
  const level = args.indexOf('-loglevel');
  if (level >= 0) args[level + 1] = 'info';
  const filter = args.indexOf('-vf');
  if (filter >= 0) args[filter + 1] = `${args[filter + 1]},showinfo`;
  args.splice(args.indexOf('-i'), 0, '-copyts');
  return args;
}

/** The first of ascending `times` later than `wallMs` (times within 0.5 ms count as the same frame). */
export function firstTimeAfter(times: readonly number[], wallMs: number): number | null {
  let low = 0;
  let high = times.length;
  while (low < high) {
    const middle = (low + high) >> 1;
    if (times[middle]! <= wallMs + 0.5) low = middle + 1;
    else high = middle;
  }
  return times[low] ?? null;
}

/** Frames handed to a decoder whose pictures have not come out yet (ffmpeg's own delay is ~1). */
const MAX_IN_DECODER = 4;
/**
 * A decoder that gave no picture for this long although it holds frames may want more input
 * before its first picture (its probe): it gets a few more, up to MAX_IN_DECODER_STARVED.
 */
const STARVED_AFTER_MS = 150;
const MAX_IN_DECODER_STARVED = 24;
/** A decoder holding frames that gave no picture at all for this long is retried (then given up on). */
const NO_PICTURE_MS = 4000;

/**
 * One decoder ffmpeg on one recorded segment, started on a keyframe: PAT + PMT, then the frames
 * of the plan (every frame from the keyframe on, or keyframes only for fast speeds), written to
 * its stdin a few at a time, as the session asks (`feed`). The decoder is the live path's
 * (`decodeArgs`: stdin MPEG-TS → scaled raw I420), so a recording plays exactly as live did.
 * Pictures come out in presentation order; the n-th picture is the n-th plan time in order.
 */
export class DecodeRun {
  private supervisor!: FfmpegSupervisor;
  private readonly assembler: FrameAssembler;
  /** Recorded times (wall ms) of the plan's frames, in presentation order. */
  private readonly times: number[];
  /** PTS → recorded time (wall ms) of the plan's frames. */
  private readonly timeByPts = new Map<number, number>();
  /** PTS of pictures announced by showinfo, and pictures waiting for theirs. */
  private readonly announced: number[] = [];
  private readonly pictures: Buffer[] = [];
  private fd: number | null = null;
  private next = 0;
  private out = 0;
  private ended = false;
  private stopped = false;
  private readonly startedAtMono: number;
  private starvedTimer: TimerHandle | null = null;
  private outAtLastCheck = -1;
  private extraRoom = 0;
  private psiPending = false;
  /** The plan's first frame as written (with the segment's parameter sets if it lacked them). */
  private firstFrame: Buffer | null = null;
  /** Monotonic ms of the first picture, for seek-latency figures. */
  firstFrameAfterMs: number | null = null;
  failed = false;
  /**
   * 0: the fast decoder (a 32-byte probe: the first picture about as soon as the keyframe is in).
   * 1: the retry of a decoder that ended (or stalled) without any picture: the same frames again,
   * all written before it starts, and a probe that reads exactly those bytes. ffmpeg 4.1's
   * mpegts probe fails on a short run with the tiny probe ("Unable to seek back to the start",
   * "Cannot determine format of input stream 0:0 after EOF").
   */
  attempt = 0;
  /** Both attempts ended without a picture although frames were written: the tile says so. */
  noPicture = false;

  constructor(
    readonly file: string,
    readonly segmentStartMs: number,
    readonly scan: SegmentScan,
    /** Indexes into scan.frames to feed, ascending; the first is a keyframe. */
    private readonly plan: readonly number[],
    widthPx: number,
    heightPx: number,
    ffmpeg: FfmpegInfo,
    private readonly deps: { clock: Clock; log: Logger; registry?: ProcessRegistry | undefined },
    private readonly onFrame: (run: DecodeRun, wallMs: number, frame: Buffer) => void,
    private readonly onDone: (run: DecodeRun) => void,
  ) {
    this.times = plan.map((index) => segmentStartMs + scan.frames[index]!.atMs).sort((a, b) => a - b);
    for (const index of plan) this.timeByPts.set(scan.frames[index]!.pts, segmentStartMs + scan.frames[index]!.atMs);
    this.assembler = new FrameAssembler(widthPx, heightPx);
    this.startedAtMono = deps.clock.monotonic();
    this.launch(widthPx, heightPx, ffmpeg, null, MAX_IN_DECODER);
  }

  private launch(widthPx: number, heightPx: number, ffmpeg: FfmpegInfo, probeBytes: number | null, firstFeed: number): void {
    this.supervisor = new FfmpegSupervisor(
      {
        name: `playback ${this.file.split(/[\\/]/).slice(-4).join('/')} ${widthPx}x${heightPx}${probeBytes === null ? '' : ' (retry)'}`,
        args: () => playbackDecodeArgs(ffmpeg, widthPx, heightPx, probeBytes),
        stdin: true,
        // holds frames and gave no byte of a picture: ended (onEnd retries once, then gives up)
        startupTimeoutMs: NO_PICTURE_MS,
        stallTimeoutMs: null,
        restart: null,
        killGraceMs: 300,
      },
      {
        onStart: () => {
          // PAT + PMT and the keyframe in ONE write, as the live decoder gets its GOP: written
          // apart, ffmpeg's 32-byte probe could start on the tables alone and lose the keyframe
          this.psiPending = true;
          this.feed(firstFeed);
          this.watchStarvation();
        },
        onStdout: (chunk) => {
          for (const frame of this.assembler.push(chunk)) this.pictures.push(frame);
          this.pair();
        },
        onStderrLine: (line) => {
          const match = SHOWINFO_LINE.exec(line);
          if (!match) return;
          this.announced.push(Number(match[1]));
          this.pair();
        },
        onEnd: (end) => {
          this.starvedTimer?.cancel();
          this.starvedTimer = null;
          const withoutPicture = !this.stopped && this.out === 0 && this.next > 0;
          if (withoutPicture && this.attempt === 0) {
            // retried differently: the frames written so far (at least the plan's first few)
            // all in before ffmpeg starts, and a probe sized to them
            this.deps.log.warn('playback decoder gave no picture; retrying with a full probe', { file: this.file, code: end.code, frames: this.next, stderr: end.stderrTail.slice(-300) });
            this.retry(widthPx, heightPx, ffmpeg);
            return;
          }
          if (withoutPicture || (end.reason !== 'stopped' && end.code !== 0)) {
            this.failed = true;
            this.noPicture = withoutPicture;
            this.deps.log.warn('playback decoder failed', { file: this.file, code: end.code, attempt: this.attempt, pictures: this.out, stderr: end.stderrTail.slice(-300) });
          }
          this.closeFile();
          if (!this.stopped) this.onDone(this);
        },
      },
      { binary: ffmpeg.path, clock: this.deps.clock, log: this.deps.log, registry: this.deps.registry },
    );
    this.supervisor.start();
  }

  private retry(widthPx: number, heightPx: number, ffmpeg: FfmpegInfo): void {
    const frames = Math.min(this.plan.length, Math.max(this.next, MAX_IN_DECODER));
    this.attempt = 1;
    this.next = 0;
    this.out = 0;
    this.ended = false;
    this.extraRoom = frames;
    this.outAtLastCheck = -1;
    this.announced.length = 0;
    this.pictures.length = 0;
    this.assembler.reset();
    let probeBytes = this.scan.psi.length;
    for (let written = 0; written < frames; written++) {
      const index = this.plan[written]!;
      probeBytes += written === 0 && this.firstFrame ? this.firstFrame.length : this.frameEnd(index) - this.scan.frames[index]!.offset;
    }
    this.launch(widthPx, heightPx, ffmpeg, probeBytes, frames);
  }

  private frameEnd(index: number): number {
    return index + 1 < this.scan.frames.length ? this.scan.frames[index + 1]!.offset : this.scan.bytes;
  }

  /** Recorded time of the first and last picture this run will give. */
  get firstMs(): number {
    return this.times[0] ?? this.segmentStartMs;
  }

  get lastMs(): number {
    return this.times.at(-1) ?? this.segmentStartMs;
  }

  /** Recorded time of the first frame of the plan later than `wallMs` (null: none left in this run). */
  plannedAfter(wallMs: number): number | null {
    return firstTimeAfter(this.times, wallMs);
  }

  /** Every frame of the plan was written (the decoder's input is closed). */
  get allFed(): boolean {
    return this.ended;
  }

  get pending(): number {
    return this.next - this.out;
  }

  /** Writes up to `count` more frames, keeping at most MAX_IN_DECODER inside ffmpeg. */
  feed(count: number): void {
    if (this.stopped || this.ended || !this.supervisor.running) return;
    const room = Math.min(count, MAX_IN_DECODER + this.extraRoom - this.pending);
    if (room <= 0) return;
    const frames = this.scan.frames;
    const pieces: Buffer[] = [];
    for (let written = 0; written < room && this.next < this.plan.length; written++) {
      const index = this.plan[this.next]!;
      if (this.next === 0) {
        this.firstFrame ??= this.startingFrame(index);
        pieces.push(this.firstFrame);
      } else pieces.push(this.read(frames[index]!.offset, this.frameEnd(index)));
      this.next += 1;
    }
    if (this.psiPending) {
      pieces.unshift(this.scan.psi);
      this.psiPending = false;
    }
    if (pieces.length > 0) this.supervisor.write(Buffer.concat(pieces));
    if (this.next >= this.plan.length) {
      this.ended = true;
      this.supervisor.endInput();
    }
  }

  /** The plan's first frame: a later keyframe without parameter sets gets the segment's first ones. */
  private startingFrame(index: number): Buffer {
    const recorded = this.read(this.scan.frames[index]!.offset, this.frameEnd(index));
    const frame = withSegmentParameterSets(this.scan, index, recorded, (start, end) => this.read(start, end));
    if (frame !== recorded) this.deps.log.debug('playback keyframe given the segment’s parameter sets', { file: this.file, frame: index });
    return frame;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.starvedTimer?.cancel();
    this.starvedTimer = null;
    await this.supervisor.stop();
    this.closeFile();
  }

  /**
   * Each picture on stdout gets the PTS showinfo printed for it on stderr (the two pipes arrive
   * in any order): its recorded time is then exact even if the decoder dropped a frame.
   */
  private pair(): void {
    while (this.pictures.length > 0 && this.announced.length > 0 && !this.stopped) {
      const frame = this.pictures.shift()!;
      const pts = this.announced.shift()!;
      const wallMs = this.timeByPts.get(pts) ?? this.nearestTime(pts);
      this.out += 1;
      this.firstFrameAfterMs ??= this.deps.clock.monotonic() - this.startedAtMono;
      this.onFrame(this, wallMs, frame);
    }
  }

  /** A PTS the index does not know (never seen so far): the nearest frame of the plan. */
  private nearestTime(pts: number): number {
    let best = this.times[0] ?? this.segmentStartMs;
    let bestDistance = Infinity;
    for (const [candidate, wallMs] of this.timeByPts) {
      const distance = Math.abs(candidate - pts);
      if (distance < bestDistance) {
        bestDistance = distance;
        best = wallMs;
      }
    }
    return best;
  }

  private watchStarvation(): void {
    this.starvedTimer = this.deps.clock.setTimeout(() => {
      this.starvedTimer = null;
      if (this.stopped || this.ended || !this.supervisor.running) return;
      if (this.out === this.outAtLastCheck && this.pending > 0) {
        if (this.extraRoom < MAX_IN_DECODER_STARVED - MAX_IN_DECODER) {
          this.extraRoom += 4;
          this.feed(4);
        } else if (this.pictures.length > 0 || this.announced.length > 0) {
          this.deps.log.warn('playback decoder output unpaired', { file: this.file, pictures: this.pictures.length, announced: this.announced.length });
        }
      } else if (this.out > this.outAtLastCheck) {
        this.extraRoom = 0;
      }
      this.outAtLastCheck = this.out;
      this.watchStarvation();
    }, STARVED_AFTER_MS);
  }

  private read(start: number, end: number): Buffer {
    this.fd ??= fs.openSync(this.file, 'r');
    const buffer = Buffer.allocUnsafe(end - start);
    let done = 0;
    while (done < buffer.length) {
      const bytes = fs.readSync(this.fd, buffer, done, buffer.length - done, start + done);
      if (bytes <= 0) break;
      done += bytes;
    }
    return done === buffer.length ? buffer : buffer.subarray(0, done);
  }

  private closeFile(): void {
    if (this.fd === null) return;
    try {
      fs.closeSync(this.fd);
    } catch {
      // already closed
    }
    this.fd = null;
  }
}
