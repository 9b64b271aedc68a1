import type { VirtualPtzCameras } from '../demo/virtualPtz';
import type { PtzAxes, PtzDriver } from './drivers';
import type { Preset, PtzStatus } from '../onvif/onvifParse';
import { OnvifError } from '../onvif/soap';

/**
 * A demo PTZ camera's control side: the in-core virtual head (main/core/demo/virtualPtz.ts)
 * behind the same PtzDriver interface as ONVIF. Everything above it (hold, dead-man stop,
 * presets, follow mode, the pad and the keyboard) is the code real cameras go through.
 */
export class VirtualPtzDriver implements PtzDriver {
  readonly axes: PtzAxes = { pan: true, tilt: true, zoom: true, presets: true, home: true };
  readonly clockOffsetMs = null;

  constructor(
    private readonly cameras: VirtualPtzCameras,
    private readonly cameraId: string,
  ) {}

  private head() {
    const head = this.cameras.head(this.cameraId);
    if (!head) throw new OnvifError('unreachable', `no virtual PTZ head for ${this.cameraId}`);
    return head;
  }

  continuousMove(velocity: { pan: number; tilt: number; zoom: number }): Promise<void> {
    this.head().move(velocity);
    return Promise.resolve();
  }

  stop(): Promise<void> {
    this.head().stop();
    return Promise.resolve();
  }

  status(): Promise<PtzStatus> {
    const head = this.head();
    const position = head.position();
    return Promise.resolve({ pan: position.pan, tilt: position.tilt, zoom: position.zoom, moving: head.moving() });
  }

  presets(): Promise<Preset[]> {
    return Promise.resolve(this.cameras.presets(this.cameraId).map(({ token, name }) => ({ token, name })));
  }

  gotoPreset(token: string): Promise<void> {
    const preset = this.cameras.presets(this.cameraId).find((entry) => entry.token === token);
    if (!preset) return Promise.reject(new OnvifError('soapFault', `no preset ${token}`));
    this.head().goto(preset);
    return Promise.resolve();
  }

  setPreset(name: string, token: string | null): Promise<string> {
    return Promise.resolve(this.cameras.setPreset(this.cameraId, name, token));
  }

  removePreset(token: string): Promise<void> {
    this.cameras.removePreset(this.cameraId, token);
    return Promise.resolve();
  }

  gotoHome(): Promise<void> {
    this.head().goto({ pan: 0, tilt: 0, zoom: 0 });
    return Promise.resolve();
  }
}
