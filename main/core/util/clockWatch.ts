import type { Clock, TimerHandle } from './clock';

/** A jump of the PC clock: wall time moved by `driftMs` more than monotonic time did. */
export interface ClockJump {
  driftMs: number;
  /** The wall time just before the jump (as the last check saw it, moved on by monotonic time). */
  beforeMs: number;
  /** The wall time just after it. */
  afterMs: number;
}

/**
 * Watches the PC clock against monotonic time and reports each jump once (issue 15: clock jumps
 * are audited; each recorder also closes its segment and writes a `clockJump` gap, issue 19).
 * A late tick (a busy event loop) moves both clocks alike and is not a jump.
 */
export class ClockWatch {
  private lastWall: number;
  private lastMono: number;
  private timer: TimerHandle | null = null;

  constructor(
    private readonly clock: Clock,
    private readonly onJump: (jump: ClockJump) => void,
    private readonly options: { thresholdMs: number; intervalMs: number } = { thresholdMs: 2000, intervalMs: 250 },
  ) {
    this.lastWall = clock.now();
    this.lastMono = clock.monotonic();
  }

  start(): void {
    const tick = (): void => {
      this.check();
      this.timer = this.clock.setTimeout(tick, this.options.intervalMs);
    };
    this.timer = this.clock.setTimeout(tick, this.options.intervalMs);
  }

  stop(): void {
    this.timer?.cancel();
    this.timer = null;
  }

  /** One look at both clocks; reports a jump beyond the threshold. */
  check(): ClockJump | null {
    const wall = this.clock.now();
    const mono = this.clock.monotonic();
    const expected = this.lastWall + (mono - this.lastMono);
    const drift = wall - expected;
    this.lastWall = wall;
    this.lastMono = mono;
    if (Math.abs(drift) <= this.options.thresholdMs) return null;
    const jump = { driftMs: Math.round(drift), beforeMs: Math.round(expected), afterMs: wall };
    this.onJump(jump);
    return jump;
  }
}
