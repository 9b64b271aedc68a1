import { methods, type MethodName } from '../../../common/contract';
import { fail, ok, type Result } from '../../../common/result';
import { actorOf, type DispatchHooks, type Principal } from '../api/dispatch';
import type { AuditEvent, AuditLog } from './auditLog';
import type { SessionManager } from './sessions';

/**
 * Which calls leave an audit row, and what it says (docs/security.md). A row is written BEFORE
 * the handler runs: if it cannot be written the call is refused (`auditUnavailable`), so nothing
 * audited happens unrecorded. Live views are coalesced per session and camera (the first open
 * writes a row; the session's end writes first and last time). PTZ moves are summarized per hold.
 */
const SECRET_KEY = /pass|secret|credential|token|key/i;

/** Params as they go into a row: secrets masked, long strings cut. */
export function maskParams(value: unknown, depth = 0): unknown {
  if (depth > 4) return '…';
  if (typeof value === 'string') return value.length > 300 ? `${value.slice(0, 300)}…` : value;
  if (Array.isArray(value)) return value.slice(0, 64).map((item) => maskParams(item, depth + 1));
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) {
      if (key === 'liveClientId') continue;
      out[key] = SECRET_KEY.test(key) && key !== 'token' ? (item === undefined || item === null || item === '' ? item : '***') : maskParams(item, depth + 1);
    }
    return out;
  }
  return value;
}

type Params = Record<string, unknown>;
type Rule = (params: Params) => Omit<AuditEvent, 'actor'> | null;

const camera = (params: Params): string | null => (typeof params.cameraId === 'string' ? params.cameraId : null);

/** Methods that are only reads, or audited elsewhere, leave no row from here. */
const RULES: Partial<Record<MethodName, Rule>> = {
  takeSnapshot: (p) => ({ action: 'snapshot', cameraId: camera(p), detail: { stream: p.stream } }),
  takePlaybackSnapshot: (p) => ({ action: 'snapshot', cameraId: camera(p), detail: maskParams(p) as Params }),
  openPlayback: (p) => ({
    action: 'playback',
    cameraId: Array.isArray(p.tiles) && p.tiles.length === 1 ? ((p.tiles[0] as Params).cameraId as string) : null,
    detail: { tiles: maskParams(p.tiles), atMs: p.atMs },
  }),
  addBookmark: (p) => ({ action: 'bookmarkCreated', cameraId: camera((p.bookmark ?? {}) as Params), detail: maskParams(p) as Params }),
  updateBookmark: (p) => ({ action: 'bookmarkChanged', detail: maskParams(p) as Params }),
  deleteBookmark: (p) => ({ action: 'bookmarkDeleted', detail: maskParams(p) as Params }),
  exportStart: (p) => ({ action: 'exportStarted', detail: maskParams(p) as Params }),
  exportCancel: (p) => ({ action: 'exportCancelled', detail: maskParams(p) as Params }),
  ptzAcquire: (p) => ({ action: 'ptzAcquire', cameraId: camera(p) }),
  ptzSavePreset: (p) => ({ action: 'ptzPresetSet', cameraId: camera(p), detail: { name: p.name, token: p.token ?? null, rename: p.token !== undefined && p.token !== null } }),
  ptzRemovePreset: (p) => ({ action: 'ptzPresetDeleted', cameraId: camera(p), detail: { token: p.token } }),
  ptzGotoPreset: (p) => ({ action: 'ptzPresetGoto', cameraId: camera(p), detail: { token: p.token } }),
};

/** `configure` methods that change something (every one but the reads) write a `deviceChanged` / `siteChanged` / `mapChanged` row. */
function configureRule(method: MethodName): Rule | null {
  if (methods[method].permission !== 'configure') return null;
  if (/^(get|list|devicesList|devicesScan|devicesProbe|devicesTest|audit|listUsers|createUser|updateUser)/.test(method)) return null;
  const action = method.startsWith('devices') ? 'deviceChanged' : /Map|placeCamera/.test(method) ? 'mapChanged' : 'siteChanged';
  return (p) => ({ action, cameraId: camera(p), detail: { method, params: maskParams(p) } });
}

interface LiveCoalesce {
  firstMs: number;
  lastMs: number;
  opens: number;
}

export class AuditPolicy implements DispatchHooks {
  /** sessionId → cameraId → first/last open */
  private readonly live = new Map<string, Map<string, LiveCoalesce>>();
  /** `${cameraId}` → moves during the current hold */
  private readonly ptzMoves = new Map<string, { actor: string; moves: number; sinceMs: number }>();

  constructor(
    private readonly audit: AuditLog,
    private readonly sessions: SessionManager,
    private readonly clock: { now(): number },
  ) {}

  before(principal: Principal, method: MethodName, params: unknown): Result<null> {
    const p = (params ?? {}) as Params;
    // a live client id in the params must be one of this session's own sockets (never another window's)
    if (principal.sessionId !== null && typeof p.liveClientId === 'string' && this.sessions.sessionOfClient(p.liveClientId) !== principal.sessionId) {
      return fail('forbidden', 'liveClientId of another session');
    }
    const actor = actorOf(principal);
    if (method === 'openLive') return this.liveView(principal, p);
    if (method === 'ptzMove') {
      const key = String(p.cameraId);
      const entry = this.ptzMoves.get(key);
      if (entry && entry.actor === actor) entry.moves += 1;
      else this.ptzMoves.set(key, { actor, moves: 1, sinceMs: this.clock.now() });
      return ok(null);
    }
    if (method === 'ptzRelease') {
      const entry = this.ptzMoves.get(String(p.cameraId));
      this.ptzMoves.delete(String(p.cameraId));
      return this.write({ actor, action: 'ptzRelease', cameraId: camera(p), detail: { moves: entry?.moves ?? 0, movingSinceMs: entry?.sinceMs ?? null } });
    }
    const rule = RULES[method] ?? configureRule(method);
    if (!rule) return ok(null);
    const event = rule(p);
    return event ? this.write({ actor, ...event }) : ok(null);
  }

  after(principal: Principal, method: MethodName, params: unknown, result: Result<unknown>): void {
    if (result.ok) return;
    const rule = RULES[method] ?? configureRule(method);
    if (!rule && method !== 'openLive') return;
    // the attempt was written before; say it did not happen
    this.audit.appendOrLog({ actor: actorOf(principal), action: `${method === 'openLive' ? 'liveView' : (rule?.((params ?? {}) as Params)?.action ?? method)}Failed`, cameraId: camera((params ?? {}) as Params), detail: { code: result.error.code } });
  }

  private write(event: AuditEvent): Result<null> {
    const written = this.audit.append(event);
    return written.ok ? ok(null) : fail('auditUnavailable', written.error.message);
  }

  private liveView(principal: Principal, p: Params): Result<null> {
    const cameraId = camera(p);
    if (!cameraId) return ok(null);
    const key = principal.sessionId ?? `in-process:${actorOf(principal)}`;
    let cameras = this.live.get(key);
    if (!cameras) this.live.set(key, (cameras = new Map()));
    const now = this.clock.now();
    const seen = cameras.get(cameraId);
    if (seen) {
      seen.lastMs = now;
      seen.opens += 1;
      return ok(null);
    }
    const written = this.write({ actor: actorOf(principal), action: 'liveView', cameraId, detail: { phase: 'opened', stream: p.stream } });
    if (written.ok) cameras.set(cameraId, { firstMs: now, lastMs: now, opens: 1 });
    return written;
  }

  /** The session ended (or switched user): one summary row per camera it watched. */
  sessionEnded(sessionId: string, actor: string): void {
    const cameras = this.live.get(sessionId);
    this.live.delete(sessionId);
    if (!cameras) return;
    for (const [cameraId, seen] of cameras) {
      this.audit.appendOrLog({ actor, action: 'liveView', cameraId, detail: { phase: 'summary', firstMs: seen.firstMs, lastMs: seen.lastMs, opens: seen.opens } });
    }
  }
}
