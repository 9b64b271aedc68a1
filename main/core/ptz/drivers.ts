import type { Preset, PtzStatus, Range } from '../onvif/onvifParse';
import { OnvifDevice, type OnvifPtzInfo } from '../onvif/onvifClient';
import type { Credentials, SoapOptions } from '../onvif/soap';

/**
 * The console's view of a camera's control side, whatever speaks to it. The video side is always
 * RTSP (the pull in media/); a driver only says how to move and what the camera can do.
 * Implementations: ONVIF (OnvifPtzDriver), plain RTSP and vendor NVR channels (no PTZ: `ptz` is
 * null). A vendor HTTP API (Hikvision ISAPI, Dahua CGI) would be one more PtzDriver.
 */
export interface CameraDriver {
  readonly kind: 'onvif' | 'rtsp';
  /** null: this camera cannot move. */
  readonly ptz: PtzDriver | null;
}

export interface PtzAxes {
  pan: boolean;
  tilt: boolean;
  zoom: boolean;
  presets: boolean;
  home: boolean;
}

export interface PtzDriver {
  readonly axes: PtzAxes;
  readonly clockOffsetMs: number | null;
  /** Velocities in -1…1 (console units), scaled here into the camera's advertised ranges. */
  continuousMove(velocity: { pan: number; tilt: number; zoom: number }): Promise<void>;
  stop(): Promise<void>;
  status(): Promise<PtzStatus>;
  presets(): Promise<Preset[]>;
  gotoPreset(token: string): Promise<void>;
  /** New preset (token null) or re-save/rename one; returns its token. */
  setPreset(name: string, token: string | null): Promise<string>;
  removePreset(token: string): Promise<void>;
  gotoHome(): Promise<void>;
}

/** -1…1 → the camera's [min, max], 0 staying 0 (ranges need not be symmetric). */
export function scaleVelocity(value: number, range: Range): number {
  const clamped = Math.max(-1, Math.min(1, value));
  if (clamped === 0) return 0;
  return clamped > 0 ? clamped * range.max : -clamped * range.min;
}

/** The Timeout sent with every ContinuousMove: a second safety behind the dead-man timer. */
export const CAMERA_MOVE_TIMEOUT_MS = 2000;

export class OnvifPtzDriver implements PtzDriver {
  readonly axes: PtzAxes;

  constructor(
    private readonly device: OnvifDevice,
    private readonly info: OnvifPtzInfo,
  ) {
    this.axes = { pan: info.panTilt !== null, tilt: info.panTilt !== null, zoom: info.zoom !== null, presets: true, home: info.homeSupported };
  }

  /** Connects: clock first (digest needs it), then services and PTZ ranges. */
  static async connect(address: string, credentials: Credentials, soap?: Partial<SoapOptions>): Promise<OnvifPtzDriver | null> {
    const device = new OnvifDevice({ address, username: credentials.username, password: credentials.password, soap });
    const description = await device.describe();
    return description.ptz ? new OnvifPtzDriver(device, description.ptz) : null;
  }

  get clockOffsetMs(): number {
    return this.device.clockOffsetMs;
  }

  private timeoutMs(): number {
    const range = this.info.timeoutMs;
    return range ? Math.max(range.min, Math.min(range.max, CAMERA_MOVE_TIMEOUT_MS)) : CAMERA_MOVE_TIMEOUT_MS;
  }

  continuousMove(velocity: { pan: number; tilt: number; zoom: number }): Promise<void> {
    const panTilt = this.info.panTilt;
    const zoom = this.info.zoom;
    return this.device.continuousMove(
      this.info.profileToken,
      {
        ...(panTilt ? { pan: scaleVelocity(velocity.pan, panTilt.x), tilt: scaleVelocity(velocity.tilt, panTilt.y) } : {}),
        ...(zoom && (velocity.zoom !== 0 || !panTilt) ? { zoom: scaleVelocity(velocity.zoom, zoom) } : {}),
      },
      this.timeoutMs(),
    );
  }

  stop(): Promise<void> {
    return this.device.stop(this.info.profileToken);
  }

  status(): Promise<PtzStatus> {
    return this.device.status(this.info.profileToken);
  }

  presets(): Promise<Preset[]> {
    return this.device.presets(this.info.profileToken);
  }

  gotoPreset(token: string): Promise<void> {
    return this.device.gotoPreset(this.info.profileToken, token);
  }

  setPreset(name: string, token: string | null): Promise<string> {
    return this.device.setPreset(this.info.profileToken, name, token);
  }

  removePreset(token: string): Promise<void> {
    return this.device.removePreset(this.info.profileToken, token);
  }

  gotoHome(): Promise<void> {
    return this.device.gotoHome(this.info.profileToken);
  }
}
