import { createHash, randomBytes } from 'node:crypto';
import { normalizeUserName } from '../../../common/accounts';
import type { Role } from '../../../common/permissions';
import type { Clock, TimerHandle } from '../util/clock';

/**
 * Server-side sessions (docs/security.md). A session is created by a log-in and named by a
 * random 256-bit id that the browser keeps in an HttpOnly, SameSite=Strict cookie (Electron: the
 * core keeps it for the host). Every call's principal comes from here, never from the request
 * body. Live sockets are bound to the session that opened them: when it locks, its views close
 * and no frame goes out; when it ends, its sockets are closed.
 */
export interface SessionUser {
  userName: string;
  fullName: string;
  rank: string;
  role: Role;
}

export type SessionState = 'active' | 'locked';

export interface Session {
  id: string;
  user: SessionUser;
  state: SessionState;
  transport: 'http' | 'ipc';
  createdMs: number;
  /** Monotonic ms of the last user input reported by the page (touchSession) or log-in/unlock. */
  lastInputMono: number;
  expiresAtMs: number;
}

export interface SessionOptions {
  /** Lock after this long without user input; 0: never. */
  idleLockMs: number;
  /** A session ends this long after log-in (a shift and a half), locked or not. */
  maxAgeMs: number;
}

export const DEFAULT_SESSION_OPTIONS: SessionOptions = { idleLockMs: 10 * 60_000, maxAgeMs: 14 * 3600_000 };

/**
 * Where sessions outlive the core process (DATA/security.sqlite, table `sessions`): a crash or a
 * supervisor restart must not sign the duty officer out of the wall. Only the SHA-256 of a session
 * id is stored, so the file alone signs nobody in; a stored session wakes when its cookie comes
 * back (`get`). Writing is best effort: a failure is logged, the session lives on in memory.
 */
export interface SessionStore {
  save(row: StoredSession): void;
  remove(idHash: string): void;
  removeUser(userKey: string): void;
  find(idHash: string): StoredSession | null;
}

export interface StoredSession {
  idHash: string;
  user: SessionUser;
  state: SessionState;
  transport: Session['transport'];
  createdMs: number;
  expiresAtMs: number;
}

export const sessionIdHash = (id: string): string => createHash('sha256').update(id).digest('hex');

export type SessionChange =
  | { type: 'locked'; session: Session; reason: 'button' | 'idle' }
  | { type: 'unlocked'; session: Session }
  | { type: 'ended'; session: Session; reason: 'logout' | 'expired' | 'switched' | 'disabled' }
  | { type: 'replaced'; from: Session; to: Session }
  | { type: 'resumed'; session: Session };

export class SessionManager {
  private readonly sessions = new Map<string, Session>();
  /** live client id → session id */
  private readonly clients = new Map<string, string>();
  /** Live clients that are a second screen's wall (their page is `?screen=2` or higher). */
  private readonly wallScreens = new Set<string>();
  /** Whether a second screen's wall keeps its video while its session is locked (the site file's `security.secondScreenWallWhileLocked`). */
  wallWhileLocked: () => boolean = () => false;
  private readonly listeners = new Set<(change: SessionChange) => void>();
  private timer: TimerHandle | null = null;

  constructor(
    private readonly clock: Clock,
    readonly options: SessionOptions = DEFAULT_SESSION_OPTIONS,
    private readonly store: SessionStore | null = null,
    private readonly onStoreError: (error: unknown) => void = () => undefined,
  ) {
    this.schedule();
  }

  private persist(action: (store: SessionStore) => void): void {
    if (!this.store) return;
    try {
      action(this.store);
    } catch (error) {
      this.onStoreError(error);
    }
  }

  private save(session: Session): void {
    this.persist((store) => store.save({ idHash: sessionIdHash(session.id), user: session.user, state: session.state, transport: session.transport, createdMs: session.createdMs, expiresAtMs: session.expiresAtMs }));
  }

  /** A session stored by an earlier run of the core, woken by its cookie (input time starts again now). */
  private resume(id: string): Session | null {
    if (!this.store) return null;
    let stored: StoredSession | null = null;
    this.persist((store) => (stored = store.find(sessionIdHash(id))));
    const row = stored as StoredSession | null;
    if (!row) return null;
    const session: Session = { id, user: row.user, state: row.state, transport: row.transport, createdMs: row.createdMs, lastInputMono: this.clock.monotonic(), expiresAtMs: row.expiresAtMs };
    if (this.clock.now() >= session.expiresAtMs) {
      this.persist((store) => store.remove(row.idHash));
      return null;
    }
    this.sessions.set(id, session);
    this.notify({ type: 'resumed', session });
    return session;
  }

  private schedule(): void {
    this.timer = this.clock.setTimeout(() => {
      this.tick();
      this.schedule();
    }, 1000);
  }

  /** Idle lock and expiry (every second, and before every lookup). */
  tick(): void {
    for (const session of [...this.sessions.values()]) this.refresh(session);
  }

  private refresh(session: Session): boolean {
    if (this.clock.now() >= session.expiresAtMs) {
      this.end(session.id, 'expired');
      return false;
    }
    if (session.state === 'active' && this.options.idleLockMs > 0 && this.clock.monotonic() - session.lastInputMono >= this.options.idleLockMs) {
      session.state = 'locked';
      this.save(session);
      this.notify({ type: 'locked', session, reason: 'idle' });
    }
    return true;
  }

  onChange(listener: (change: SessionChange) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private notify(change: SessionChange): void {
    for (const listener of this.listeners) listener(change);
  }

  create(user: SessionUser, transport: Session['transport']): Session {
    const session: Session = {
      id: randomBytes(32).toString('base64url'),
      user,
      state: 'active',
      transport,
      createdMs: this.clock.now(),
      lastInputMono: this.clock.monotonic(),
      expiresAtMs: this.clock.now() + this.options.maxAgeMs,
    };
    this.sessions.set(session.id, session);
    this.save(session);
    return session;
  }

  get(id: string | null | undefined): Session | null {
    if (!id) return null;
    const session = this.sessions.get(id) ?? this.resume(id);
    if (!session) return null;
    return this.refresh(session) ? session : null;
  }

  touch(id: string): void {
    const session = this.get(id);
    if (session && session.state === 'active') session.lastInputMono = this.clock.monotonic();
  }

  lock(id: string, reason: 'button' | 'idle'): void {
    const session = this.get(id);
    if (!session || session.state === 'locked') return;
    session.state = 'locked';
    this.save(session);
    this.notify({ type: 'locked', session, reason });
  }

  unlock(id: string): void {
    const session = this.get(id);
    if (!session) return;
    session.state = 'active';
    session.lastInputMono = this.clock.monotonic();
    this.save(session);
    this.notify({ type: 'unlocked', session });
  }

  end(id: string, reason: 'logout' | 'expired' | 'switched' | 'disabled'): void {
    const session = this.sessions.get(id);
    if (!session) return;
    this.sessions.delete(id);
    this.persist((store) => store.remove(sessionIdHash(id)));
    this.notify({ type: 'ended', session, reason });
    for (const [client, owner] of this.clients) if (owner === id) this.clients.delete(client);
  }

  /** Shift change: a new session for `user` takes over the old one's live sockets (their views keep playing). */
  replace(id: string, user: SessionUser): Session | null {
    const from = this.sessions.get(id);
    if (!from) return null;
    const to = this.create(user, from.transport);
    for (const [client, owner] of this.clients) if (owner === id) this.clients.set(client, to.id);
    this.sessions.delete(id);
    this.persist((store) => store.remove(sessionIdHash(id)));
    this.notify({ type: 'replaced', from, to });
    return to;
  }

  /** Ends every session of a user (account disabled or role changed). */
  endUser(userName: string): void {
    const key = normalizeUserName(userName);
    for (const session of [...this.sessions.values()]) if (normalizeUserName(session.user.userName) === key) this.end(session.id, 'disabled');
    // and the ones stored by an earlier run, not woken yet
    this.persist((store) => store.removeUser(key));
  }

  bindClient(sessionId: string, liveClientId: string, screen: 'operator' | 'wall' = 'operator'): void {
    this.clients.set(liveClientId, sessionId);
    if (screen === 'wall') this.wallScreens.add(liveClientId);
  }

  unbindClient(liveClientId: string): void {
    this.clients.delete(liveClientId);
    this.wallScreens.delete(liveClientId);
  }

  /** This client is a second screen's wall that keeps its video while its session is locked. */
  keepsWallWhileLocked(liveClientId: string): boolean {
    return this.wallScreens.has(liveClientId) && this.wallWhileLocked();
  }

  sessionOfClient(liveClientId: string): string | null {
    return this.clients.get(liveClientId) ?? null;
  }

  clientsOf(sessionId: string): string[] {
    return [...this.clients].filter(([, owner]) => owner === sessionId).map(([client]) => client);
  }

  /**
   * Frames may go to this client now: its session exists and is not locked, or it is locked and
   * this client is a second screen's wall the site lets play on (video only: it can call nothing).
   */
  mayReceiveFrames(liveClientId: string): boolean {
    const sessionId = this.clients.get(liveClientId);
    const session = sessionId ? this.sessions.get(sessionId) : undefined;
    if (session === undefined) return false;
    return session.state === 'active' || (session.state === 'locked' && this.keepsWallWhileLocked(liveClientId));
  }

  stop(): void {
    this.timer?.cancel();
  }
}

/**
 * Failed log-ins slow the next try, per user name and per client: after the n-th failure a key
 * waits min(250 ms × 2^(n-1), 30 s). A success clears the user name's count; counts fade after
 * 15 minutes without failure.
 */
export class LoginThrottle {
  private readonly failures = new Map<string, { count: number; lastMono: number }>();

  constructor(private readonly clock: Clock) {}

  static waitMs(count: number): number {
    return count <= 0 ? 0 : Math.min(250 * 2 ** (count - 1), 30_000);
  }

  retryAfterMs(keys: string[]): number {
    let wait = 0;
    const now = this.clock.monotonic();
    for (const key of keys) {
      const entry = this.failures.get(key);
      if (!entry) continue;
      if (now - entry.lastMono > 15 * 60_000) {
        this.failures.delete(key);
        continue;
      }
      wait = Math.max(wait, entry.lastMono + LoginThrottle.waitMs(entry.count) - now);
    }
    return Math.max(0, Math.ceil(wait));
  }

  failed(keys: string[]): void {
    const now = this.clock.monotonic();
    for (const key of keys) {
      const entry = this.failures.get(key);
      this.failures.set(key, { count: (entry?.count ?? 0) + 1, lastMono: now });
    }
  }

  succeeded(key: string): void {
    this.failures.delete(key);
  }
}
