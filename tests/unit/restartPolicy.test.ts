import { describe, expect, it } from 'vitest';
import { BACKOFF_MS, classifyExit, CRASH_LOOP, CrashHistory, crashLoopPage, HANG, hangProbeMs, HangWatch, restartDecision } from '../../main/core/restartPolicy';

describe('core restart policy', () => {
  it('restarts after a crash with a back-off that grows with the crashes of the last two minutes', () => {
    const history = new CrashHistory();
    const now = 1_000_000;
    expect(history.record(now)).toEqual({ action: 'restart', delayMs: BACKOFF_MS[0], recentExits: 1 });
    expect(history.record(now + 5_000)).toEqual({ action: 'restart', delayMs: BACKOFF_MS[1], recentExits: 2 });
    expect(history.record(now + 10_000)).toEqual({ action: 'restart', delayMs: BACKOFF_MS[2], recentExits: 3 });
    expect(history.record(now + 15_000)).toEqual({ action: 'restart', delayMs: BACKOFF_MS[3], recentExits: 4 });
    expect(history.record(now + 20_000)).toEqual({ action: 'giveUp', recentExits: CRASH_LOOP.exits });
  });

  it('forgets crashes older than the window: one crash an hour never becomes a loop', () => {
    const history = new CrashHistory();
    for (let hour = 0; hour < 24; hour += 1) expect(history.record(hour * 3_600_000)).toMatchObject({ action: 'restart', recentExits: 1 });
    expect(restartDecision([0, 1, 2, 3], CRASH_LOOP.windowMs + 10)).toMatchObject({ action: 'restart', recentExits: 1 });
  });

  it('restarts crashes only: a stop, a refused site file or a locked folder are answers', () => {
    expect(classifyExit(null, 'SIGKILL', false)).toBe('crash');
    expect(classifyExit(1, null, false)).toBe('crash');
    expect(classifyExit(134, null, false)).toBe('crash');
    expect(classifyExit(0, null, false)).toBe('stopped');
    expect(classifyExit(null, 'SIGKILL', true)).toBe('stopped');
    expect(classifyExit(2, null, false)).toBe('fatal');
    expect(classifyExit(3, null, false)).toBe('fatal');
  });

  it('shows a crash loop in Vietnamese first, with the log folder, escaped', () => {
    const page = crashLoopPage('vi', '/data/<logs>', 5);
    expect(page).toContain('Phần lõi của phần mềm bị dừng liên tục');
    expect(page).toContain('5 lần trong 2 phút');
    expect(page).toContain('/data/&lt;logs&gt;');
    expect(page).toContain('The console core keeps stopping');
    expect(page.indexOf('Phần lõi')).toBeLessThan(page.indexOf('The console core'));
    expect(page).not.toContain('<script');
  });
});

describe('hang watch', () => {
  it('a core still starting (no answer yet) is never hung; once it answered, six misses in a row are', () => {
    const watch = new HangWatch();
    for (let probe = 0; probe < 100; probe += 1) expect(watch.probed(false)).toBe('waiting'); // a long recovery
    expect(watch.probed(true)).toBe('ok');
    for (let miss = 1; miss < HANG.missedProbes; miss += 1) expect(watch.probed(false)).toBe('waiting');
    expect(watch.probed(false)).toBe('hung');
  });

  it('an answer between misses starts the count again (a slow moment is not a hang)', () => {
    const watch = new HangWatch(3);
    watch.probed(true);
    expect([false, false, true, false, false, true, false, false].map((answered) => watch.probed(answered))).not.toContain('hung');
    expect(watch.probed(false)).toBe('hung');
  });

  it('probes every 5 s unless CONSOLE_HANG_PROBE_MS says otherwise (tests), within sane bounds', () => {
    expect(hangProbeMs(undefined)).toBe(HANG.probeEveryMs);
    expect(hangProbeMs('300')).toBe(300);
    expect(hangProbeMs('5')).toBe(HANG.probeEveryMs);
    expect(hangProbeMs('abc')).toBe(HANG.probeEveryMs);
    expect(hangProbeMs('1.5')).toBe(HANG.probeEveryMs);
    expect(HANG.probeEveryMs * HANG.missedProbes).toBe(30_000);
  });
});
