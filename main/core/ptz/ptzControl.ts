import type { PtzAlertKind, PtzHolder } from '../../../common/ptzContract';
import type { Logger } from '../log/logger';
import type { Clock, TimerHandle } from '../util/clock';
import type { PtzDriver } from './drivers';
import { OnvifError } from '../onvif/soap';

/**
 * PTZ sessions: who holds each camera, the moves in flight, and the stop safety.
 *
 * - One operator at a time: a camera is held by one live client (window/tab); others are told
 *   who holds it. The hold ends on release, when the client goes away, or after `idleReleaseMs`
 *   without a command.
 * - Dead-man: a held key is confirmed by the UI about every 250 ms (`move` again with the same
 *   velocity); without a confirmation for `deadmanMs` the core sends Stop itself.
 * - Commands to one camera go out in order (a Stop never overtakes the Move before it); a repeated
 *   identical move only feeds the dead-man (and refreshes the camera's own Timeout now and then).
 * - After Stop the position is read twice: a camera still moving is reported (`stopIgnored`) and
 *   sent Stop again.
 */
export interface PtzControlOptions {
  deadmanMs: number;
  idleReleaseMs: number;
  /** Resend an unchanged ContinuousMove this often (the camera's Timeout is 2 s). */
  refreshMs: number;
  /** Delay between the two position reads that check a Stop. */
  stopCheckMs: number;
}

export const DEFAULT_PTZ_CONTROL: PtzControlOptions = { deadmanMs: 1000, idleReleaseMs: 60_000, refreshMs: 1000, stopCheckMs: 250 };

export interface Velocity {
  pan: number;
  tilt: number;
  zoom: number;
}

interface Session {
  holder: PtzHolder | null;
  idleTimer: TimerHandle | null;
  deadman: TimerHandle | null;
  /** The velocity the camera was last told (null: stopped). */
  moving: Velocity | null;
  sentAtMono: number;
  queue: Promise<unknown>;
}

export type ControlResult = { ok: true } | { ok: false; problem: 'heldByOther' | 'notPtz' | OnvifError['problem']; detail: string };

export class PtzController {
  private readonly sessions = new Map<string, Session>();

  constructor(
    private readonly drivers: (cameraId: string) => Promise<PtzDriver | null>,
    private readonly deps: {
      clock: Clock;
      log: Logger;
      onHolder: (cameraId: string, holder: PtzHolder | null) => void;
      onAlert: (cameraId: string, kind: PtzAlertKind) => void;
      /** A command failed in a way a new connection may cure (clock drift, camera rebooted). */
      onDriverFailed?: (cameraId: string) => void;
      /** The console freed a camera by itself: its holder left it idle, or the holder's window went away (audited). */
      onAutoRelease?: (cameraId: string, holder: PtzHolder, reason: 'idle' | 'clientGone') => void;
    },
    private readonly options: PtzControlOptions = DEFAULT_PTZ_CONTROL,
  ) {}

  private session(cameraId: string): Session {
    let session = this.sessions.get(cameraId);
    if (!session) {
      session = { holder: null, idleTimer: null, deadman: null, moving: null, sentAtMono: 0, queue: Promise.resolve() };
      this.sessions.set(cameraId, session);
    }
    return session;
  }

  holder(cameraId: string): PtzHolder | null {
    return this.sessions.get(cameraId)?.holder ?? null;
  }

  acquire(cameraId: string, holder: PtzHolder): { granted: boolean; holder: PtzHolder | null } {
    const session = this.session(cameraId);
    if (session.holder && session.holder.liveClientId !== holder.liveClientId) return { granted: false, holder: session.holder };
    const changed = session.holder?.liveClientId !== holder.liveClientId || session.holder.name !== holder.name;
    session.holder = holder;
    this.touch(cameraId, session);
    if (changed) this.deps.onHolder(cameraId, holder);
    return { granted: true, holder };
  }

  /** Stops the camera if it moves and frees it. */
  async release(cameraId: string, liveClientId: string): Promise<void> {
    const session = this.sessions.get(cameraId);
    if (!session || session.holder?.liveClientId !== liveClientId) return;
    await this.freeSession(cameraId, session);
  }

  private async freeSession(cameraId: string, session: Session): Promise<void> {
    session.idleTimer?.cancel();
    session.idleTimer = null;
    session.holder = null;
    this.deps.onHolder(cameraId, null);
    if (session.moving) await this.stopNow(cameraId, session, null);
  }

  /** A live client went away (window closed, connection lost): stop and free what it held. */
  async clientGone(liveClientId: string): Promise<void> {
    const held = [...this.sessions.entries()].filter(([, session]) => session.holder?.liveClientId === liveClientId);
    await Promise.all(
      held.map(([cameraId, session]) => {
        if (session.holder) this.deps.onAutoRelease?.(cameraId, session.holder, 'clientGone');
        return this.freeSession(cameraId, session);
      }),
    );
  }

  private touch(cameraId: string, session: Session): void {
    session.idleTimer?.cancel();
    session.idleTimer = this.deps.clock.setTimeout(() => {
      session.idleTimer = null;
      if (session.moving || !session.holder) return;
      this.deps.log.info('ptz released (idle)', { cameraId });
      this.deps.onAutoRelease?.(cameraId, session.holder, 'idle');
      void this.freeSession(cameraId, session);
    }, this.options.idleReleaseMs);
  }

  private check(cameraId: string, liveClientId: string): ControlResult & { session?: Session } {
    const session = this.session(cameraId);
    if (session.holder && session.holder.liveClientId !== liveClientId) return { ok: false, problem: 'heldByOther', detail: session.holder.name };
    if (!session.holder) {
      // a command without acquire takes a free camera (the pad acquires on open; this covers a race)
      session.holder = { liveClientId, name: '' };
      this.deps.onHolder(cameraId, session.holder);
    }
    this.touch(cameraId, session);
    return { ok: true, session };
  }

  /** Runs a camera command after the ones before it. */
  private enqueue<T>(session: Session, command: () => Promise<T>): Promise<T> {
    const run = session.queue.then(command, command);
    session.queue = run.catch(() => undefined);
    return run;
  }

  async move(cameraId: string, liveClientId: string, velocity: Velocity): Promise<ControlResult> {
    const checked = this.check(cameraId, liveClientId);
    if (!checked.ok || !checked.session) return checked;
    const session = checked.session;
    if (velocity.pan === 0 && velocity.tilt === 0 && velocity.zoom === 0) return this.stop(cameraId, liveClientId);
    this.armDeadman(cameraId, session);
    const now = this.deps.clock.monotonic();
    if (session.moving && sameVelocity(session.moving, velocity) && now - session.sentAtMono < this.options.refreshMs) return { ok: true };
    session.moving = velocity;
    session.sentAtMono = now;
    return this.enqueue(session, async () => {
      // a Stop queued meanwhile wins: do not start again what was already released
      if (!session.moving || !sameVelocity(session.moving, velocity)) return { ok: true } as ControlResult;
      const driver = await this.drivers(cameraId);
      if (!driver) return { ok: false, problem: 'notPtz', detail: '' } as ControlResult;
      try {
        await driver.continuousMove(velocity);
        return { ok: true } as ControlResult;
      } catch (error) {
        session.moving = null;
        session.deadman?.cancel();
        this.deps.log.warn('ptz move failed', { cameraId, error: describe(error) });
        this.deps.onAlert(cameraId, 'moveFailed');
        return this.failed(cameraId, error);
      }
    });
  }

  private armDeadman(cameraId: string, session: Session): void {
    session.deadman?.cancel();
    session.deadman = this.deps.clock.setTimeout(() => {
      session.deadman = null;
      if (!session.moving) return;
      this.deps.log.warn('ptz dead-man: no confirmation from the UI, stopping', { cameraId });
      this.deps.onAlert(cameraId, 'deadman');
      void this.stopNow(cameraId, session, null);
    }, this.options.deadmanMs);
  }

  async stop(cameraId: string, liveClientId: string): Promise<ControlResult> {
    const session = this.session(cameraId);
    if (session.holder && session.holder.liveClientId !== liveClientId) return { ok: false, problem: 'heldByOther', detail: session.holder.name };
    return this.stopNow(cameraId, session, null);
  }

  /** Stop, whatever the camera was told before; then check that it really stopped. */
  private stopNow(cameraId: string, session: Session, _reason: null): Promise<ControlResult> {
    session.deadman?.cancel();
    session.deadman = null;
    session.moving = null;
    return this.enqueue(session, async () => {
      const driver = await this.drivers(cameraId);
      if (!driver) return { ok: false, problem: 'notPtz', detail: '' } as ControlResult;
      try {
        await driver.stop();
      } catch (error) {
        this.deps.log.warn('ptz stop failed', { cameraId, error: describe(error) });
        this.deps.onAlert(cameraId, 'stopFailed');
        return this.failed(cameraId, error);
      }
      void this.verifyStopped(cameraId, session, driver);
      return { ok: true } as ControlResult;
    });
  }

  private async verifyStopped(cameraId: string, session: Session, driver: PtzDriver): Promise<void> {
    try {
      const first = await driver.status();
      await new Promise((resolve) => this.deps.clock.setTimeout(() => resolve(undefined), this.options.stopCheckMs));
      if (session.moving) return; // moving again on purpose
      const second = await driver.status();
      const drifted = first.pan !== second.pan || first.tilt !== second.tilt || first.zoom !== second.zoom;
      if ((second.moving || drifted) && !session.moving) {
        this.deps.log.warn('ptz camera ignored Stop', { cameraId, first, second });
        this.deps.onAlert(cameraId, 'stopIgnored');
        await this.enqueue(session, () => driver.stop()).catch(() => undefined);
      }
    } catch {
      // GetStatus is optional on cheap cameras: nothing to check
    }
  }

  /** Preset and home commands: queued like moves, on a held (or free) camera. */
  async command(cameraId: string, liveClientId: string | null, run: (driver: PtzDriver) => Promise<unknown>): Promise<ControlResult & { value?: unknown }> {
    let session: Session;
    if (liveClientId !== null) {
      const checked = this.check(cameraId, liveClientId);
      if (!checked.ok || !checked.session) return checked;
      session = checked.session;
    } else session = this.session(cameraId);
    return this.enqueue(session, async () => {
      const driver = await this.drivers(cameraId);
      if (!driver) return { ok: false, problem: 'notPtz', detail: '' } as ControlResult;
      try {
        return { ok: true, value: await run(driver) } as ControlResult & { value?: unknown };
      } catch (error) {
        this.deps.log.warn('ptz command failed', { cameraId, error: describe(error) });
        return this.failed(cameraId, error);
      }
    });
  }

  private failed(cameraId: string, error: unknown): ControlResult {
    const result = failure(error);
    if (!result.ok && (result.problem === 'authFailed' || result.problem === 'unreachable' || result.problem === 'timeout')) this.deps.onDriverFailed?.(cameraId);
    return result;
  }

  /** Stops every moving camera (the console is closing). */
  async stopAll(): Promise<void> {
    await Promise.all(
      [...this.sessions.entries()].map(([cameraId, session]) => {
        session.idleTimer?.cancel();
        return session.moving ? this.stopNow(cameraId, session, null) : Promise.resolve();
      }),
    );
  }
}

function sameVelocity(a: Velocity, b: Velocity): boolean {
  return a.pan === b.pan && a.tilt === b.tilt && a.zoom === b.zoom;
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function failure(error: unknown): ControlResult {
  if (error instanceof OnvifError) return { ok: false, problem: error.problem, detail: error.detail };
  return { ok: false, problem: 'unreachable', detail: describe(error) };
}
