import { displayNameOf } from '../api/dispatch';
import type { DeviceProblemInfo, ptzMethods, PtzHolder } from '../../../common/ptzContract';
import type { Camera } from '../../../common/site';
import { SYSTEM_ACTOR } from '../../../common/accounts';
import { neighbourCameras, neighbours, roadLinesOf, type RoadLine } from '../../../common/neighbours';
import { ok } from '../../../common/result';
import type { CoreFeature, FeatureDeps } from '../features';
import { hostOf } from '../util/urls';
import { OnvifPtzDriver, type PtzDriver } from './drivers';
import { VirtualPtzDriver } from './virtualDriver';
import { DEFAULT_PTZ_CONTROL, PtzController, type ControlResult, type PtzControlOptions } from './ptzControl';
import { OnvifError, type Credentials, type SoapOptions } from '../onvif/soap';

/** The PTZ methods of the PTZ contract file (the `devices*` ones are the devices feature's). */
export type PtzMethods = Omit<typeof ptzMethods, `devices${string}`>;

export interface PtzFeatureOptions {
  control?: Partial<PtzControlOptions>;
  soap?: Partial<SoapOptions>;
  /** A camera's stored credentials (the devices feature's, handed by core.ts). */
  credentialsOf?: (camera: Camera) => Credentials | null;
  /** The camera's clock minus ours, measured when its head was connected (the camera clocks' owner keeps it). */
  onClockMeasured?: (cameraId: string, offsetMs: number) => void;
  /** The camera's last measured clock offset (from the camera clocks' owner), for the capabilities. */
  clockOffsetOf?: (cameraId: string) => number | null;
}

export type PtzFeature = CoreFeature<PtzMethods>;

function problemOf(error: unknown): DeviceProblemInfo {
  if (error instanceof OnvifError) return { code: error.problem, detail: error.detail.slice(0, 300) };
  return { code: 'unreachable', detail: (error instanceof Error ? error.message : String(error)).slice(0, 300) };
}

function controlProblem(result: ControlResult): DeviceProblemInfo | null {
  return result.ok ? null : { code: result.problem, detail: result.detail.slice(0, 300) };
}

/** Composition of the ptz feature: creates its services and returns their handlers. */
export function createPtzFeature(deps: FeatureDeps, options: PtzFeatureOptions = {}): PtzFeature {
  const log = deps.log;
  let roads: RoadLine[] | null = null;
  const drivers = new Map<string, Promise<PtzDriver | null>>();

  const camera = (cameraId: string): Camera | undefined => deps.site.cameras.find((entry) => entry.id === cameraId);

  function driverOf(cameraId: string): Promise<PtzDriver | null> {
    let driver = drivers.get(cameraId);
    if (!driver) {
      const target = camera(cameraId);
      // the demo's PTZ cameras: the in-core virtual head
      if (deps.virtualPtz?.has(cameraId)) return Promise.resolve(new VirtualPtzDriver(deps.virtualPtz, cameraId));
      if (!target?.onvif) return Promise.resolve(null);
      const credentials = options.credentialsOf?.(target) ?? { username: '', password: '' };
      driver = OnvifPtzDriver.connect(target.onvif.address, credentials, options.soap).then((connected) => {
        if (connected?.clockOffsetMs !== null && connected?.clockOffsetMs !== undefined) options.onClockMeasured?.(cameraId, connected.clockOffsetMs);
        return connected;
      });
      drivers.set(cameraId, driver);
      // a failed connection is tried again on the next command
      driver.catch((error: unknown) => {
        if (drivers.get(cameraId) === driver) drivers.delete(cameraId);
        log.warn('ptz camera not reachable', { cameraId, host: hostOf(target.onvif?.address ?? ''), problem: problemOf(error).code });
      });
    }
    return driver;
  }

  const controller = new PtzController(
    async (cameraId) => {
      try {
        return await driverOf(cameraId);
      } catch (error) {
        throw error instanceof OnvifError ? error : new OnvifError('unreachable', String(error));
      }
    },
    {
      clock: deps.clock,
      log,
      onHolder: (cameraId, holder) => deps.emit({ event: 'ptzHolder', payload: { cameraId, holder } }),
      onAlert: (cameraId, kind) => deps.emit({ event: 'ptzAlert', payload: { cameraId, kind, atMs: deps.clock.now() } }),
      // reconnect on the next command: the clock offset is measured again, services re-read
      onDriverFailed: (cameraId) => drivers.delete(cameraId),
      // issue 15: a hold the console ended by itself is in the audit trail too, by `system`, naming the holder
      onAutoRelease: (cameraId, holder, reason) => deps.audit.appendOrLog({ actor: SYSTEM_ACTOR, action: 'ptzRelease', cameraId, detail: { reason, holder: holder.name } }),
    },
    { ...DEFAULT_PTZ_CONTROL, ...options.control },
  );
  const stopListening = deps.onLiveClientGone((liveClientId) => void controller.clientGone(liveClientId));

  return {
    handlers: {
      async ptzGetCapabilities({ cameraId }) {
        const target = camera(cameraId);
        if (!target) return ok({ capabilities: null, problem: { code: 'notPtz', detail: 'unknown camera' } });
        try {
          const driver = await driverOf(cameraId);
          if (!driver) return ok({ capabilities: null, problem: { code: 'notPtz', detail: '' } });
          return ok({ capabilities: { cameraId, ...driver.axes, holder: controller.holder(cameraId), clockOffsetMs: options.clockOffsetOf?.(cameraId) ?? null }, problem: null });
        } catch (error) {
          return ok({ capabilities: null, problem: problemOf(error) });
        }
      },
      ptzAcquire({ cameraId, liveClientId, holderName }, principal) {
        // the holder is the session's user (the dispatcher checked the live client is this session's own)
        const holder: PtzHolder = { liveClientId, name: displayNameOf(principal) ?? holderName };
        return ok(controller.acquire(cameraId, holder));
      },
      async ptzRelease({ cameraId, liveClientId }) {
        await controller.release(cameraId, liveClientId);
        return ok(null);
      },
      async ptzMove({ cameraId, liveClientId, pan, tilt, zoom, speed }) {
        const result = await controller.move(cameraId, liveClientId, { pan: pan * speed, tilt: tilt * speed, zoom: zoom * speed });
        return ok({ problem: controlProblem(result) });
      },
      async ptzStop({ cameraId, liveClientId }) {
        return ok({ problem: controlProblem(await controller.stop(cameraId, liveClientId)) });
      },
      async ptzListPresets({ cameraId }) {
        const result = await controller.command(cameraId, null, (driver) => driver.presets());
        return ok({ presets: result.ok ? ((result.value as { token: string; name: string }[]) ?? []) : [], problem: controlProblem(result) });
      },
      async ptzGotoPreset({ cameraId, liveClientId, token }) {
        return ok({ problem: controlProblem(await controller.command(cameraId, liveClientId, (driver) => driver.gotoPreset(token))) });
      },
      async ptzGotoHome({ cameraId, liveClientId }) {
        return ok({ problem: controlProblem(await controller.command(cameraId, liveClientId, (driver) => driver.gotoHome())) });
      },
      async ptzSavePreset({ cameraId, liveClientId, name, token }) {
        const result = await controller.command(cameraId, liveClientId, (driver) => driver.setPreset(name, token));
        return ok({ token: result.ok ? String(result.value) : null, problem: controlProblem(result) });
      },
      async ptzRemovePreset({ cameraId, liveClientId, token }) {
        return ok({ problem: controlProblem(await controller.command(cameraId, liveClientId, (driver) => driver.removePreset(token))) });
      },
      followNeighbours({ cameraId }) {
        const origin = camera(cameraId);
        // Along the roads of the built-in commune map (the same ranking as the map page), ranked
        // by the followed camera's heading; cameras off those roads: straight line × 1.4.
        roads ??= roadLinesOf(deps.builtinMap?.() ?? null);
        const found = neighbours(cameraId, neighbourCameras(deps.site.cameras.map((entry) => ({ id: entry.id, latitude: entry.latitude, longitude: entry.longitude }))), roads, { travelBearingDeg: origin?.headingDeg ?? null, includeBehind: true, limit: 6 });
        return ok({
          neighbours: found.flatMap((entry) => {
            const neighbour = camera(entry.cameraId);
            if (!neighbour) return [];
            return [{ cameraId: entry.cameraId, name: neighbour.name, distanceM: Math.round(entry.distanceM), bearingDeg: Math.round(entry.departureBearingDeg), ahead: entry.direction !== 'behind', ptz: Boolean(neighbour.ptz) }];
          }),
        });
      },
    },
    async stop() {
      stopListening();
      await controller.stopAll();
    },
  };
}
