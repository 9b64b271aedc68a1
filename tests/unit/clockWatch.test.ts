import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../main/core/util/clock';
import { ClockWatch, type ClockJump } from '../../main/core/util/clockWatch';

// Clock jumps went to the recording index only; the audit trail (issue 15) must name them once, whichever way they go.
describe('the PC clock watch', () => {
  it('reports a jump forward and one backward once each, with the times either side; time passing is no jump', () => {
    const clock = new ManualClock(Date.UTC(2026, 11, 5, 1, 0, 0));
    const jumps: ClockJump[] = [];
    const watch = new ClockWatch(clock, (jump) => jumps.push(jump));
    watch.start();
    clock.advance(60_000);
    expect(jumps).toEqual([]);
    const before = clock.now();
    clock.jumpWall(24 * 3600_000);
    clock.advance(250);
    expect(jumps).toHaveLength(1);
    expect(jumps[0]!.driftMs).toBe(24 * 3600_000);
    expect(jumps[0]!.beforeMs).toBe(before + 250);
    expect(jumps[0]!.afterMs).toBe(before + 250 + 24 * 3600_000);
    clock.advance(10_000);
    expect(jumps).toHaveLength(1);
    clock.jumpWall(-90_000);
    clock.advance(1000);
    expect(jumps).toHaveLength(2);
    expect(jumps[1]!.driftMs).toBe(-90_000);
    watch.stop();
    clock.jumpWall(3600_000);
    clock.advance(1000);
    expect(jumps).toHaveLength(2);
  });

  it('a small correction (NTP slewing a second) is not a jump', () => {
    const clock = new ManualClock();
    const watch = new ClockWatch(clock, () => undefined);
    clock.advance(250);
    clock.jumpWall(1500);
    expect(watch.check()).toBeNull();
    clock.jumpWall(-2500);
    expect(watch.check()?.driftMs).toBe(-2500);
  });
});
