import { displayNameOf } from '../api/dispatch';
import type { DeviceProblemInfo, ptzMethods, PtzHolder } from '../../../common/ptzContract';
import type { Camera } from '../../../common/site';
import type { SiteStore } from '../site/siteStore';
import { neighbourCameras, neighbours, roadLinesOf, type RoadLine } from '../../../common/neighbours';
import { ok } from '../../../common/result';
import type { CoreFeature, FeatureDeps } from '../features';
import type { Logger } from '../log/logger';
import { CredentialStore, hostOf, type KeyWrapper } from './credentials';
import { applyStoredCredentials, DeviceProblemError, DeviceRegistry, testPicture, type NewCamera } from './devices';
import { scanDevices } from './discovery';
import { OnvifPtzDriver, type PtzDriver } from './drivers';
import { VirtualPtzDriver } from './virtualDriver';
import { OnvifDevice } from './onvifClient';
import { DEFAULT_PTZ_CONTROL, PtzController, type ControlResult, type PtzControlOptions } from './ptzControl';
import { OnvifError, type SoapOptions } from './soap';
import { nvrChannelUrls } from './vendors';

/** Clock offsets above this are shown to the technician (digest auth fails beyond a few seconds). */
export const LARGE_CLOCK_OFFSET_MS = 5000;

export interface PtzFeatureOptions {
  control?: Partial<PtzControlOptions>;
  soap?: Partial<SoapOptions>;
  /** Electron's safeStorage, when the host can give it (see credentials.ts). */
  keyWrapper?: KeyWrapper | null;
  /** Also probe the multicast group when scanning (off in tests: no multicast route there). */
  multicastScan?: boolean;
}

/**
 * At start, before any pull: the stored credentials go into the cameras' URLs in memory.
 * (Called by core.ts right after the site is loaded.)
 */
export function prepareSiteCredentials(site: SiteStore, dataDir: string, log: Logger, credentialsKey: Buffer | null = null): void {
  applyStoredCredentials(site, new CredentialStore(dataDir, null, credentialsKey), log);
}

function problemOf(error: unknown): DeviceProblemInfo {
  if (error instanceof OnvifError) return { code: error.problem, detail: error.detail.slice(0, 300) };
  if (error instanceof DeviceProblemError) return error.info;
  return { code: 'unreachable', detail: (error instanceof Error ? error.message : String(error)).slice(0, 300) };
}

function controlProblem(result: ControlResult): DeviceProblemInfo | null {
  return result.ok ? null : { code: result.problem, detail: result.detail.slice(0, 300) };
}

/** Composition of the ptz feature: creates its services and returns their handlers. */
export function createPtzFeature(deps: FeatureDeps, options: PtzFeatureOptions = {}): CoreFeature<typeof ptzMethods> {
  const log = deps.log;
  let roads: RoadLine[] | null = null;
  const store = new CredentialStore(deps.dataDir, options.keyWrapper ?? null, deps.credentialsKey);
  // (a camera added while running reaches the hub, the recorder and the UIs through the site
  // store's camerasChanged event: core.ts subscribes them)
  const registry = new DeviceRegistry(deps.siteStore, store, log.child('devices'));
  const clockOffsets = new Map<string, number>();
  const drivers = new Map<string, Promise<PtzDriver | null>>();

  const camera = (cameraId: string): Camera | undefined => deps.site.cameras.find((entry) => entry.id === cameraId);

  function driverOf(cameraId: string): Promise<PtzDriver | null> {
    let driver = drivers.get(cameraId);
    if (!driver) {
      const target = camera(cameraId);
      // the demo's PTZ cameras: the in-core virtual head
      if (deps.virtualPtz?.has(cameraId)) return Promise.resolve(new VirtualPtzDriver(deps.virtualPtz, cameraId));
      if (!target?.onvif) return Promise.resolve(null);
      const credentials = registry.credentials(target) ?? { username: '', password: '' };
      driver = OnvifPtzDriver.connect(target.onvif.address, credentials, options.soap).then((connected) => {
        if (connected?.clockOffsetMs !== null && connected?.clockOffsetMs !== undefined) clockOffsets.set(cameraId, connected.clockOffsetMs);
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
    },
    { ...DEFAULT_PTZ_CONTROL, ...options.control },
  );
  const stopListening = deps.onLiveClientGone((liveClientId) => void controller.clientGone(liveClientId));

  async function added(make: () => Promise<NewCamera[]> | NewCamera[]) {
    try {
      const ids = registry.add(await make());
      return ok({ problem: null, cameraIds: ids });
    } catch (error) {
      const problem = problemOf(error);
      log.warn('adding cameras failed', { problem: problem.code, detail: problem.detail });
      return ok({ problem, cameraIds: [] });
    }
  }

  return {
    handlers: {
      async ptzGetCapabilities({ cameraId }) {
        const target = camera(cameraId);
        if (!target) return ok({ capabilities: null, problem: { code: 'notPtz', detail: 'unknown camera' } });
        try {
          const driver = await driverOf(cameraId);
          if (!driver) return ok({ capabilities: null, problem: { code: 'notPtz', detail: '' } });
          return ok({ capabilities: { cameraId, ...driver.axes, holder: controller.holder(cameraId), clockOffsetMs: clockOffsets.get(cameraId) ?? null }, problem: null });
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
      devicesList() {
        return ok({
          siteWritable: registry.siteWritable,
          devices: deps.site.cameras.map((entry) => ({
            cameraId: entry.id,
            name: entry.name,
            kind: entry.onvif ? ('onvif' as const) : ('rtsp' as const),
            host: hostOf(entry.onvif?.address ?? entry.streams.main) || 'demo',
            ptz: Boolean(entry.ptz),
            hasCredentials: registry.hasCredentials(entry),
            clockOffsetMs: clockOffsets.get(entry.id) ?? null,
          })),
        });
      },
      async devicesScan({ targets, waitMs }) {
        const found = await scanDevices({ waitMs: waitMs ?? 2500, multicast: options.multicastScan ?? true, targets });
        const knownHosts = new Set(deps.site.cameras.flatMap((entry) => (entry.onvif ? [hostOf(entry.onvif.address)] : [])));
        log.info('device scan', { found: found.length, targets: targets.length });
        return ok({
          devices: found.map((device) => {
            const address = device.xaddrs[0] ?? '';
            return { address, host: hostOf(address), manufacturer: device.manufacturer, model: device.model, name: device.name, alreadyAdded: knownHosts.has(hostOf(address)) };
          }),
        });
      },
      async devicesProbeOnvif({ address, username, password }) {
        try {
          const description = await new OnvifDevice({ address, username, password, soap: options.soap }).describe();
          return ok({
            problem: null,
            device: {
              manufacturer: description.device.manufacturer,
              model: description.device.model,
              firmware: description.device.firmware,
              clockOffsetMs: description.clockOffsetMs,
              profiles: description.profiles.map((profile) => ({ token: profile.token, name: profile.name, encoding: profile.encoding, widthPx: profile.widthPx, heightPx: profile.heightPx })),
              ptz: description.ptz ? { pan: description.ptz.panTilt !== null, tilt: description.ptz.panTilt !== null, zoom: description.ptz.zoom !== null } : null,
              rewrittenHosts: description.rewrites.length,
            },
          });
        } catch (error) {
          const problem = problemOf(error);
          log.warn('onvif probe failed', { host: hostOf(address.includes('://') ? address : `http://${address}`), problem: problem.code, detail: problem.detail });
          return ok({ device: null, problem });
        }
      },
      devicesAddOnvif({ address, username, password, name, village }) {
        return added(async () => {
          const device = new OnvifDevice({ address, username, password, soap: options.soap });
          const description = await device.describe();
          for (const [original, rewritten] of description.rewrites) log.info('stream URI host rewritten to the address given', { original, rewritten });
          if (Math.abs(description.clockOffsetMs) > LARGE_CLOCK_OFFSET_MS) log.warn('camera clock is off', { host: hostOf(device.deviceUrl), offsetMs: description.clockOffsetMs });
          const main = description.profiles[0]?.streamUri;
          if (!main) throw new OnvifError('noMedia', 'no stream URI');
          const sub = description.profiles[1]?.streamUri ?? undefined;
          return [{ name, village, main, sub: sub && sub !== main ? sub : undefined, ptz: description.ptz !== null, onvifAddress: device.deviceUrl, credentials: username ? { username, password } : null }];
        });
      },
      devicesImportNvr({ vendor, host, rtspPort, username, password, channels, namePrefix }) {
        return added(() =>
          Array.from({ length: channels }, (_, index) => {
            const urls = nvrChannelUrls(vendor, host, rtspPort, index + 1);
            return { name: `${namePrefix} ${index + 1}`, main: urls.main, sub: urls.sub, credentials: username ? { username, password } : null };
          }),
        );
      },
      devicesAddRtsp({ name, main, sub, username, password }) {
        return added(() => [{ name, main, sub: sub || undefined, credentials: username ? { username, password: password ?? '' } : null }]);
      },
      async devicesTestRtsp({ url, username, password }) {
        const result = await testPicture(deps.ffmpeg, { binary: deps.ffmpeg?.path ?? 'ffmpeg', clock: deps.clock, log: log.child('test'), registry: deps.registry }, url, username ? { username, password: password ?? '' } : null);
        if (result.problem) log.warn('test picture failed', { host: hostOf(url), problem: result.problem.code, detail: result.problem.detail });
        return ok({ problem: result.problem, pngDataUrl: result.png ? `data:image/png;base64,${result.png.toString('base64')}` : null });
      },
    },
    async stop() {
      stopListening();
      await controller.stopAll();
    },
  };
}
