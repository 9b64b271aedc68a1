import type { Clock } from '../util/clock';
import type { Logger } from '../log/logger';
import type { FfmpegInfo } from '../ffmpeg/probe';
import { FfmpegSupervisor, type ProcessRegistry } from '../ffmpeg/supervisor';
import { decodeArgs } from '../ffmpeg/args';
import { classifyDecodeError } from '../ffmpeg/probeParse';
import { FrameAssembler } from './frameAssembler';
import type { CameraStreamSource, SourceConsumer } from './source';

/** A decoder whose stdin holds more than this is behind: it skips to the next keyframe. */
const MAX_STDIN_BACKLOG_BYTES = 4 * 1024 * 1024;

/**
 * One decoder for one view: takes the packets of a camera stream from its single pull and turns
 * them into raw I420 frames of exactly the view's pixel size.
 */
export class LiveDecoder implements SourceConsumer {
  private readonly supervisor: FfmpegSupervisor;
  private readonly assembler: FrameAssembler;
  private unsubscribe: (() => void) | null = null;
  private epoch = -1;
  private needKeyframe = true;
  private started = false;
  framesOut = 0;
  skippedForBacklog = 0;
  /** The last thing the decoder complained about, and when (monotonic ms). */
  lastError: { problem: 'badStream' | 'unsupportedCodec'; atMono: number } | null = null;

  constructor(
    private readonly source: CameraStreamSource,
    readonly widthPx: number,
    readonly heightPx: number,
    ffmpeg: FfmpegInfo,
    private readonly deps: { clock: Clock; log: Logger; registry?: ProcessRegistry },
    private readonly onFrame: (frame: Buffer) => void,
  ) {
    this.assembler = new FrameAssembler(widthPx, heightPx);
    this.supervisor = new FfmpegSupervisor(
      {
        name: `decode ${source.key} ${widthPx}x${heightPx}`,
        args: () => decodeArgs(ffmpeg, widthPx, heightPx, { cached: source.snapshot() !== null }),
        stdin: true,
        startupTimeoutMs: null,
        stallTimeoutMs: null,
        restart: { delaysMs: [200, 1000, 3000], resetAfterMs: 10000 },
        killGraceMs: 500,
      },
      {
        onStart: () => this.onProcessStart(),
        onStdout: (chunk) => {
          for (const frame of this.assembler.push(chunk)) {
            this.framesOut += 1;
            this.onFrame(frame);
          }
        },
        onStderrLine: (line) => {
          const problem = classifyDecodeError(line);
          if (problem) this.lastError = { problem, atMono: this.deps.clock.monotonic() };
        },
      },
      { binary: ffmpeg.path, clock: deps.clock, log: deps.log, registry: deps.registry },
    );
  }

  get pid(): number | null {
    return this.supervisor.pid;
  }

  start(): void {
    if (this.started) return;
    this.started = true;
    this.supervisor.start();
    this.unsubscribe = this.source.subscribe(this);
  }

  async stop(): Promise<void> {
    this.started = false;
    this.unsubscribe?.();
    this.unsubscribe = null;
    await this.supervisor.stop();
  }

  onData(data: Buffer, keyframe: boolean, epoch: number): void {
    if (epoch !== this.epoch) {
      if (this.epoch !== -1) {
        // The pull restarted: a new MPEG-TS stream with new timestamps. Start a fresh decoder on it.
        this.epoch = epoch;
        this.supervisor.restartNow();
        return;
      }
      this.epoch = epoch;
    }
    if (!this.supervisor.running) return;
    if (this.needKeyframe && !keyframe) return;
    if (this.supervisor.stdinBacklogBytes > MAX_STDIN_BACKLOG_BYTES) {
      this.skippedForBacklog += 1;
      this.needKeyframe = true;
      return;
    }
    if (this.needKeyframe) {
      this.needKeyframe = false;
      // The source cached this keyframe before handing it out, so its snapshot is PAT + PMT + this
      // piece: the decoder (re)locks at once.
      this.supervisor.write(this.source.snapshot() ?? data);
      return;
    }
    this.supervisor.write(data);
  }

  private onProcessStart(): void {
    this.assembler.reset();
    this.needKeyframe = true;
    this.epoch = this.source.epoch;
    const snapshot = this.source.snapshot();
    if (snapshot) {
      this.needKeyframe = false;
      this.supervisor.write(snapshot);
    }
  }
}
