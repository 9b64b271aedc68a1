import type { DeviceProblemInfo } from '../../common/ptzContract';
import type { CoreClient } from '../transport/coreClient';

export interface Velocity {
  pan: number;
  tilt: number;
  zoom: number;
}

/** How often a held key is confirmed to the core (its dead-man stops after ~1 s without). */
export const CONFIRM_INTERVAL_MS = 250;

/**
 * One camera's press-and-hold: the move goes out at once, is confirmed every 250 ms while held,
 * and Stop goes out on release. Pad buttons, keys and the gamepad all drive the same hold.
 */
export class PtzHold {
  private velocity: Velocity | null = null;
  private timer: number | null = null;
  private acquired = false;

  constructor(
    private readonly client: CoreClient,
    private readonly cameraId: string,
    private readonly liveClientId: () => string | null,
    private readonly holderName: () => string,
    private readonly speed: () => number,
    private readonly onProblem: (problem: DeviceProblemInfo) => void,
  ) {}

  get moving(): boolean {
    return this.velocity !== null;
  }

  set(velocity: Velocity): void {
    if (velocity.pan === 0 && velocity.tilt === 0 && velocity.zoom === 0) return this.stop();
    const same = this.velocity && this.velocity.pan === velocity.pan && this.velocity.tilt === velocity.tilt && this.velocity.zoom === velocity.zoom;
    if (same) return;
    this.velocity = velocity;
    this.send();
    if (this.timer === null) this.timer = window.setInterval(() => this.send(), CONFIRM_INTERVAL_MS);
  }

  private send(): void {
    const id = this.liveClientId();
    const velocity = this.velocity;
    if (!id || !velocity) return;
    // the move does not wait for the lock: the core gives a free camera to the first mover
    if (!this.acquired) {
      this.acquired = true;
      void this.client.call('ptzAcquire', { cameraId: this.cameraId, liveClientId: id, holderName: this.holderName() });
    }
    void this.client.call('ptzMove', { cameraId: this.cameraId, liveClientId: id, ...velocity, speed: this.speed() }).then((result) => {
      if (result.ok && result.value.problem) {
        this.onProblem(result.value.problem);
        if (result.value.problem.code === 'heldByOther') this.halt();
      }
    });
  }

  private halt(): void {
    this.velocity = null;
    if (this.timer !== null) window.clearInterval(this.timer);
    this.timer = null;
  }

  stop(): void {
    if (!this.velocity) return;
    this.halt();
    const id = this.liveClientId();
    if (!id) return;
    void this.client.call('ptzStop', { cameraId: this.cameraId, liveClientId: id }).then((result) => {
      if (result.ok && result.value.problem) this.onProblem(result.value.problem);
    });
  }

  /** The pad closes: stop, and free the camera for others. */
  dispose(): void {
    this.stop();
    const id = this.liveClientId();
    if (id && this.acquired) void this.client.call('ptzRelease', { cameraId: this.cameraId, liveClientId: id });
    this.acquired = false;
  }
}

/** Pressed keys → a velocity (arrows pan/tilt, +/− zoom); null when the key is not ours. */
export const KEY_VELOCITY: Record<string, Velocity> = {
  ArrowLeft: { pan: -1, tilt: 0, zoom: 0 },
  ArrowRight: { pan: 1, tilt: 0, zoom: 0 },
  ArrowUp: { pan: 0, tilt: 1, zoom: 0 },
  ArrowDown: { pan: 0, tilt: -1, zoom: 0 },
  '+': { pan: 0, tilt: 0, zoom: 1 },
  '=': { pan: 0, tilt: 0, zoom: 1 },
  '-': { pan: 0, tilt: 0, zoom: -1 },
  _: { pan: 0, tilt: 0, zoom: -1 },
};

export function combine(keys: Iterable<string>): Velocity {
  const total = { pan: 0, tilt: 0, zoom: 0 };
  for (const key of keys) {
    const velocity = KEY_VELOCITY[key];
    if (!velocity) continue;
    total.pan += velocity.pan;
    total.tilt += velocity.tilt;
    total.zoom += velocity.zoom;
  }
  return { pan: Math.sign(total.pan), tilt: Math.sign(total.tilt), zoom: Math.sign(total.zoom) };
}

/** Gamepad axes → a velocity, with a dead zone (a stick at rest drifts a little). */
export function gamepadVelocity(axes: readonly number[], buttons: readonly { pressed: boolean }[], deadZone = 0.2): Velocity {
  const axis = (value: number | undefined): number => (value === undefined || Math.abs(value) < deadZone ? 0 : Math.round(Math.max(-1, Math.min(1, value)) * 10) / 10);
  const zoomIn = buttons[5]?.pressed || buttons[7]?.pressed;
  const zoomOut = buttons[4]?.pressed || buttons[6]?.pressed;
  return { pan: axis(axes[0]), tilt: 0 - axis(axes[1]) || 0, zoom: zoomIn ? 1 : zoomOut ? -1 : 0 };
}
