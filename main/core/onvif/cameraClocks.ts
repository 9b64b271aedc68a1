/**
 * The cameras' own clocks against the PC's (issue 20): one owner of every measurement.
 *
 * Every camera with an ONVIF address is asked GetSystemDateAndTime (allowed without credentials
 * by the ONVIF core spec) at start (staggered) and then every `periodMs`, so the biên bản and the
 * devices page state a recent offset for every ONVIF camera, not only for a PTZ head that an
 * operator happened to open. The PTZ feature reports the offset it measures when it connects a
 * head (`record`). Index times stay the PC clock's (docs/recording.md); this is stated beside them.
 */
import type { Camera } from '../../../common/site';
import type { Clock, TimerHandle } from '../util/clock';
import type { Logger } from '../log/logger';
import { hostOf } from '../util/urls';
import { OnvifDevice } from './onvifClient';
import type { SoapOptions } from './soap';

/** A camera's clock against the PC's: camera minus PC, ms, and when that was measured. */
export interface CameraClock {
  offsetMs: number;
  measuredAtMs: number;
}

export interface CameraClocksOptions {
  /** Between two measurements of one camera. */
  periodMs: number;
  /** Between the cameras of one round (31 cameras are not asked in the same second). */
  staggerMs: number;
  /** An offset this large is logged as a warning (a camera whose own clock is wrong). */
  warnAboveMs: number;
}

export const DEFAULT_CAMERA_CLOCKS: CameraClocksOptions = { periodMs: 15 * 60_000, staggerMs: 1000, warnAboveMs: 2000 };

export interface CameraClocksDeps {
  clock: Clock;
  log: Logger;
  /** The site's cameras now (cameras added later are measured from the next round). */
  cameras: () => readonly Camera[];
  soap?: Partial<SoapOptions>;
  /** Camera minus PC in ms for an ONVIF address (default: GetSystemDateAndTime over SOAP). */
  measure?: (address: string) => Promise<number>;
}

export class CameraClocks {
  private readonly clocks = new Map<string, CameraClock>();
  private readonly timers = new Set<TimerHandle>();
  private running = false;

  constructor(
    private readonly deps: CameraClocksDeps,
    private readonly options: CameraClocksOptions = DEFAULT_CAMERA_CLOCKS,
  ) {}

  /** The last measurement of a camera (null: never measured, or it has no ONVIF address). */
  of(cameraId: string): CameraClock | null {
    return this.clocks.get(cameraId) ?? null;
  }

  /** A measurement made elsewhere (the PTZ feature when it connects a head). */
  record(cameraId: string, offsetMs: number, measuredAtMs = this.deps.clock.now()): void {
    const before = this.clocks.get(cameraId);
    this.clocks.set(cameraId, { offsetMs, measuredAtMs });
    const large = Math.abs(offsetMs) > this.options.warnAboveMs;
    // once when it becomes wrong, and again when it moves by more than a second
    if (large && (!before || Math.abs(before.offsetMs - offsetMs) > 1000)) {
      this.deps.log.warn('camera clock differs from the PC clock', { cameraId, offsetMs: Math.round(offsetMs) });
    }
  }

  /** Measures one camera now; null when it has no ONVIF address or does not answer. */
  async measure(cameraId: string): Promise<CameraClock | null> {
    const camera = this.deps.cameras().find((entry) => entry.id === cameraId);
    const address = camera?.onvif?.address;
    if (!address) return null;
    try {
      const offsetMs = await (this.deps.measure ?? ((url: string) => new OnvifDevice({ address: url, username: '', password: '', soap: this.deps.soap }).measureClock()))(address);
      this.record(cameraId, offsetMs);
      return this.of(cameraId);
    } catch (error) {
      // the last good measurement stays (with its time): the biên bản says when it was made
      this.deps.log.debug('camera clock not measured', { cameraId, host: hostOf(address), error: error instanceof Error ? error.message : String(error) });
      return null;
    }
  }

  /** The first round now (staggered), then one every `periodMs`. */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.round();
  }

  stop(): void {
    this.running = false;
    for (const timer of this.timers) timer.cancel();
    this.timers.clear();
  }

  private later(callback: () => void, delayMs: number): void {
    const timer = this.deps.clock.setTimeout(() => {
      this.timers.delete(timer);
      if (this.running) callback();
    }, delayMs);
    this.timers.add(timer);
  }

  private round(): void {
    const cameras = this.deps.cameras().filter((camera) => camera.onvif?.address);
    cameras.forEach((camera, n) => this.later(() => void this.measure(camera.id), n * this.options.staggerMs));
    this.later(() => this.round(), this.options.periodMs);
  }
}
