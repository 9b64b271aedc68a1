import { translate, type Language } from '../../common/i18n';

/**
 * Who restarts the core, and when to stop trying: one policy for both hosts (the Electron main
 * process restarts its utility process; `npm start` / `npm run serve` run the core under
 * main/core/supervise.ts). Pure: tested in tests/unit/restartPolicy.test.ts.
 */

/** Exit codes of the core that are answers, not crashes: restarting would only repeat them. */
export const EXIT_CODES = {
  ok: 0,
  /** Bad command-line arguments or a refused site file: the message says what to fix. */
  config: 2,
  /** Another console holds DATA/console.lock. */
  locked: 3,
} as const;

/** A crash loop: this many unexpected exits within the window, and the host gives up. */
export const CRASH_LOOP = { exits: 5, windowMs: 2 * 60 * 1000 } as const;
/** Back-off before restart number n (1-based) within the window; the last value repeats. */
export const BACKOFF_MS = [250, 500, 1000, 2000] as const;

export type ExitKind = 'stopped' | 'fatal' | 'crash';

/** What an exit of the core means: asked for (stopped), a refusal to start (fatal), or a crash. */
export function classifyExit(code: number | null, signal: string | null, stopRequested: boolean): ExitKind {
  if (stopRequested) return 'stopped';
  if (signal === null && code === EXIT_CODES.ok) return 'stopped';
  if (signal === null && (code === EXIT_CODES.config || code === EXIT_CODES.locked)) return 'fatal';
  return 'crash';
}

export type RestartDecision = { action: 'restart'; delayMs: number; recentExits: number } | { action: 'giveUp'; recentExits: number };

/**
 * After a crash at `nowMs`, given the times of earlier crashes: restart after a back-off that
 * grows with the crashes of the last two minutes, or give up at the fifth.
 */
export function restartDecision(earlierCrashesMs: readonly number[], nowMs: number): RestartDecision {
  const recentExits = earlierCrashesMs.filter((at) => nowMs - at < CRASH_LOOP.windowMs && at <= nowMs).length + 1;
  if (recentExits >= CRASH_LOOP.exits) return { action: 'giveUp', recentExits };
  const delayMs: number = BACKOFF_MS[Math.min(recentExits, BACKOFF_MS.length) - 1] ?? 2000;
  return { action: 'restart', delayMs, recentExits };
}

/** Keeps the crash history a host needs (the last window's worth). */
export class CrashHistory {
  private times: number[] = [];

  record(nowMs: number): RestartDecision {
    const decision = restartDecision(this.times, nowMs);
    this.times = [...this.times.filter((at) => nowMs - at < CRASH_LOOP.windowMs), nowMs];
    return decision;
  }
}

/**
 * A core that hangs (alive, but its event loop answers nothing) is killed and restarted like a
 * crash. Each host asks the core something every `probeEveryMs` (browser mode: a real call over
 * HTTP; Electron: a ping over the utility port) and waits as long for the answer; this many
 * missed answers in a row (about 30 s) and the core is hung. Generous on purpose: a long
 * synchronous task (a big audit PDF) must not cost a running recorder its process.
 */
export const HANG = { probeEveryMs: 5000, missedProbes: 6 } as const;

/** The probe period: `CONSOLE_HANG_PROBE_MS` (tests make it short), else HANG.probeEveryMs. */
export function hangProbeMs(value: string | undefined): number {
  const parsed = Number(value);
  return Number.isInteger(parsed) && parsed >= 100 && parsed <= 600_000 ? parsed : HANG.probeEveryMs;
}

export type HangVerdict = 'ok' | 'waiting' | 'hung';

/**
 * What the probes of one core say. Armed by its first answer (a core doing its start-up recovery
 * on a big disk is not hung), then hung after `missedProbes` misses in a row. One per core run.
 */
export class HangWatch {
  private armed = false;
  private missed = 0;

  constructor(private readonly missedLimit: number = HANG.missedProbes) {}

  probed(answered: boolean): HangVerdict {
    if (answered) {
      this.armed = true;
      this.missed = 0;
      return 'ok';
    }
    if (!this.armed) return 'waiting';
    this.missed += 1;
    return this.missed >= this.missedLimit ? 'hung' : 'waiting';
  }
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[char] ?? char);
}

/**
 * The screen shown instead of the wall once the host gives up: says what happened and where the
 * logs are, in the user's language with the other one below. Self-contained (no script, no fetch).
 */
export function crashLoopPage(language: Language, logDir: string, exits: number): string {
  const other: Language = language === 'vi' ? 'en' : 'vi';
  const block = (lang: Language, main: boolean): string => {
    const t = (key: string, vars?: Record<string, string | number>) => escapeHtml(translate(lang, key, vars));
    return `<section lang="${lang}" class="${main ? 'main' : 'other'}"><h1>${t('host.crashLoop.title')}</h1><p>${t('host.crashLoop.body', {
      count: exits,
      minutes: CRASH_LOOP.windowMs / 60000,
    })}</p><p>${t('host.crashLoop.logs')}</p><pre data-testid="log-dir">${escapeHtml(logDir)}</pre><p>${t('host.crashLoop.action')}</p></section>`;
  };
  return `<!doctype html><html lang="${language}"><head><meta charset="utf-8"><title>${escapeHtml(translate(language, 'host.crashLoop.title'))}</title><style>
body{margin:0;background:#0f1216;color:#e8ecf1;font:18px/1.5 "Noto Sans",system-ui,sans-serif;display:flex;align-items:center;justify-content:center;min-height:100vh}
main{max-width:820px;padding:32px}h1{color:#ff8a7a;font-size:28px;margin:0 0 12px}pre{background:#1b2129;padding:12px 16px;border-radius:6px;white-space:pre-wrap;word-break:break-all;font-size:16px}
.other{margin-top:28px;opacity:.7;font-size:15px}.other h1{font-size:20px}
</style></head><body><main data-testid="crash-loop">${block(language, true)}${block(other, false)}</main></body></html>`;
}
