/**
 * The cameras' own clocks against the PC's (issue 20): one owner of every measurement.
 *
 * - ONVIF: every camera with an ONVIF address is asked GetSystemDateAndTime (allowed without
 *   credentials by the ONVIF core spec) at start (staggered) and then every `periodMs`. The PTZ
 *   feature reports the offset it measures when it connects a head (`record`).
 * - RTCP: every RTSP camera's sender reports (its NTP time, media/rtcpClock.ts) through a short
 *   session of our own on its sub stream (else main), first `rtcpFirstMs` after start (the pulls
 *   and recorders come first) and then every `rtcpPeriodMs`: a camera's clock drifts by seconds
 *   a day, so an hour is plenty, and each measurement is one extra RTSP session for 1-3 s.
 *
 * `of()` gives the ONVIF measurement where there is one (it is the clock the camera burns into its
 * picture), else the RTCP one. Index times stay the PC clock's (docs/recording.md); this is
 * stated beside them on the devices page and the biên bản.
 */
import type { Camera } from '../../../common/site';
import type { Clock, TimerHandle } from '../util/clock';
import type { Logger } from '../log/logger';
import { hostOf } from '../util/urls';
import { OnvifDevice } from './onvifClient';
import { measureRtcpClock } from '../media/rtcpClock';
import type { SoapOptions } from './soap';

/** A camera's clock against the PC's: camera minus PC, ms, when and how that was measured. */
export interface CameraClock {
  offsetMs: number;
  measuredAtMs: number;
  source: ClockSource;
}

/** ONVIF GetSystemDateAndTime, or the NTP time of the camera's RTCP sender reports. */
export type ClockSource = 'onvif' | 'rtcp';

export interface CameraClocksOptions {
  /** Between two measurements of one camera. */
  periodMs: number;
  /** Between the cameras of one round (31 cameras are not asked in the same second). */
  staggerMs: number;
  /** An offset this large is logged as a warning (a camera whose own clock is wrong). */
  warnAboveMs: number;
  /** The first RTCP round after start, and between two (null: never). */
  rtcpFirstMs: number | null;
  rtcpPeriodMs: number;
}

export const DEFAULT_CAMERA_CLOCKS: CameraClocksOptions = { periodMs: 15 * 60_000, staggerMs: 1000, warnAboveMs: 2000, rtcpFirstMs: 10 * 60_000, rtcpPeriodMs: 60 * 60_000 };

export interface CameraClocksDeps {
  clock: Clock;
  log: Logger;
  /** The site's cameras now (cameras added later are measured from the next round). */
  cameras: () => readonly Camera[];
  soap?: Partial<SoapOptions>;
  /** Camera minus PC in ms for an ONVIF address (default: GetSystemDateAndTime over SOAP). */
  measure?: (address: string) => Promise<number>;
  /** Camera minus PC in ms from an RTSP URL's sender reports (default: media/rtcpClock.ts). */
  measureRtcp?: (url: string) => Promise<number>;
}

export class CameraClocks {
  private readonly clocks = new Map<string, Partial<Record<ClockSource, CameraClock>>>();
  private readonly timers = new Set<TimerHandle>();
  private running = false;

  constructor(
    private readonly deps: CameraClocksDeps,
    private readonly options: CameraClocksOptions = DEFAULT_CAMERA_CLOCKS,
  ) {}

  /** The last measurement of a camera: ONVIF's where there is one, else RTCP's (null: never measured). */
  of(cameraId: string): CameraClock | null {
    const measured = this.clocks.get(cameraId);
    return measured?.onvif ?? measured?.rtcp ?? null;
  }

  /** The last measurement by one method. */
  bySource(cameraId: string, source: ClockSource): CameraClock | null {
    return this.clocks.get(cameraId)?.[source] ?? null;
  }

  /** A measurement (made here, or elsewhere: the PTZ feature when it connects a head). */
  record(cameraId: string, offsetMs: number, source: ClockSource = 'onvif', measuredAtMs = this.deps.clock.now()): void {
    const measured = this.clocks.get(cameraId) ?? {};
    const before = measured[source];
    measured[source] = { offsetMs, measuredAtMs, source };
    this.clocks.set(cameraId, measured);
    const large = Math.abs(offsetMs) > this.options.warnAboveMs;
    // once when it becomes wrong, and again when it moves by more than a second
    if (large && (!before || Math.abs(before.offsetMs - offsetMs) > 1000)) {
      this.deps.log.warn('camera clock differs from the PC clock', { cameraId, source, offsetMs: Math.round(offsetMs) });
    }
  }

  /** Measures one camera over ONVIF now; null when it has no ONVIF address or does not answer. */
  async measure(cameraId: string): Promise<CameraClock | null> {
    const camera = this.deps.cameras().find((entry) => entry.id === cameraId);
    const address = camera?.onvif?.address;
    if (!address) return null;
    try {
      const offsetMs = await (this.deps.measure ?? ((url: string) => new OnvifDevice({ address: url, username: '', password: '', soap: this.deps.soap }).measureClock()))(address);
      this.record(cameraId, offsetMs, 'onvif');
      return this.bySource(cameraId, 'onvif');
    } catch (error) {
      // the last good measurement stays (with its time): the biên bản says when it was made
      this.deps.log.debug('camera clock not measured', { cameraId, source: 'onvif', host: hostOf(address), error: error instanceof Error ? error.message : String(error) });
      return null;
    }
  }

  /** Measures one camera from its RTCP sender reports now; null when it sends none or does not answer. */
  async measureRtcp(cameraId: string): Promise<CameraClock | null> {
    const url = rtspUrlOf(this.deps.cameras().find((entry) => entry.id === cameraId));
    if (!url) return null;
    try {
      const offsetMs = await (this.deps.measureRtcp ?? ((target: string) => measureRtcpClock(target).then((measured) => measured.offsetMs)))(url);
      this.record(cameraId, offsetMs, 'rtcp');
      return this.bySource(cameraId, 'rtcp');
    } catch (error) {
      this.deps.log.debug('camera clock not measured', { cameraId, source: 'rtcp', host: hostOf(url), problem: (error as { problem?: string }).problem ?? null });
      return null;
    }
  }

  /** The first round now (staggered), then one every `periodMs`. */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.round();
    if (this.options.rtcpFirstMs !== null) this.later(() => void this.rtcpRound(), this.options.rtcpFirstMs);
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

  /** One camera after the other (each is a short RTSP session), then again after the period. */
  private async rtcpRound(): Promise<void> {
    for (const camera of this.deps.cameras().filter((entry) => rtspUrlOf(entry))) {
      if (!this.running) return;
      await this.measureRtcp(camera.id);
    }
    this.later(() => void this.rtcpRound(), this.options.rtcpPeriodMs);
  }
}

/** The RTSP URL an RTCP measurement uses: the sub stream (lighter) where there is one. */
function rtspUrlOf(camera: Camera | undefined): string | null {
  const url = camera?.streams.sub ?? camera?.streams.main;
  return url && /^rtsps?:\/\//i.test(url) ? url : null;
}
