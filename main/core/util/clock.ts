/**
 * Time as a dependency: back-off, stall detection and (later) recording rotation take a Clock,
 * so tests can drive them with simulated time.
 */
export interface TimerHandle {
  cancel(): void;
}

export interface Clock {
  /** Wall clock, ms since the epoch (what gets written into indexes and shown to people). */
  now(): number;
  /** Monotonic ms (what measures durations and timeouts). */
  monotonic(): number;
  setTimeout(callback: () => void, delayMs: number): TimerHandle;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  monotonic: () => performance.now(),
  setTimeout(callback, delayMs) {
    const handle = setTimeout(callback, delayMs);
    return { cancel: () => clearTimeout(handle) };
  },
};

/** A clock that only moves when told to (unit tests). */
export class ManualClock implements Clock {
  private timeMs: number;
  private monotonicMs = 0;
  private timers: { dueMs: number; callback: () => void; id: number }[] = [];
  private nextId = 1;

  constructor(startMs = Date.UTC(2026, 0, 1)) {
    this.timeMs = startMs;
  }

  now(): number {
    return this.timeMs;
  }

  monotonic(): number {
    return this.monotonicMs;
  }

  setTimeout(callback: () => void, delayMs: number): TimerHandle {
    const id = this.nextId++;
    this.timers.push({ dueMs: this.monotonicMs + Math.max(0, delayMs), callback, id });
    return { cancel: () => void (this.timers = this.timers.filter((timer) => timer.id !== id)) };
  }

  /** The PC clock jumps (NTP correction, a wrong BIOS clock): wall time moves, monotonic does not. */
  jumpWall(deltaMs: number): void {
    this.timeMs += deltaMs;
  }

  /** Moves time forward, firing due timers in order. */
  advance(ms: number): void {
    const target = this.monotonicMs + ms;
    for (;;) {
      this.timers.sort((a, b) => a.dueMs - b.dueMs || a.id - b.id);
      const next = this.timers[0];
      if (!next || next.dueMs > target) break;
      this.timers.shift();
      this.timeMs += next.dueMs - this.monotonicMs;
      this.monotonicMs = next.dueMs;
      next.callback();
    }
    this.timeMs += target - this.monotonicMs;
    this.monotonicMs = target;
  }
}
