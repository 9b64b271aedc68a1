import type { DeviceProblemInfo, ptzMethods } from '../../../common/ptzContract';
import { ok } from '../../../common/result';
import type { Camera } from '../../../common/site';
import type { CoreFeature, FeatureDeps } from '../features';
import type { Logger } from '../log/logger';
import { scanDevices } from '../onvif/discovery';
import { OnvifDevice } from '../onvif/onvifClient';
import { OnvifError, type Credentials, type SoapOptions } from '../onvif/soap';
import type { SiteStore } from '../site/siteStore';
import { hostOf } from '../util/urls';
import { CredentialStore, type KeyWrapper } from './credentials';
import { applyStoredCredentials, DeviceProblemError, DeviceRegistry, testPicture, type NewCamera } from './devices';
import { nvrChannelUrls } from './vendors';

/**
 * The devices feature (Thiết bị): finding cameras (WS-Discovery, ONVIF), testing a stream,
 * adding cameras and NVR channels through the site file's one owner (`SiteStore`), and the
 * encrypted credentials store. Moved out of ptz/ (issue 14): PTZ only drives heads, and gets a
 * camera's credentials from here through core.ts (`credentialsOf`). Design note: docs/devices.md.
 */

/** Clock offsets above this are shown to the technician (digest auth fails beyond a few seconds). */
export const LARGE_CLOCK_OFFSET_MS = 5000;

/** The device methods of the PTZ contract file (common/ptzContract.ts: `devices*`). */
export type DeviceMethodName = Extract<keyof typeof ptzMethods, `devices${string}`>;
export type DeviceMethods = Pick<typeof ptzMethods, DeviceMethodName>;

export interface DevicesFeatureOptions {
  soap?: Partial<SoapOptions>;
  /** Electron's safeStorage, when the host can give it (see credentials.ts). */
  keyWrapper?: KeyWrapper | null;
  /** Also probe the multicast group when scanning (off in tests: no multicast route there). */
  multicastScan?: boolean;
  /** A PTZ head's measured clock offset (from the ptz feature, through core.ts), for the list. */
  clockOffsetOf?: (cameraId: string) => number | null;
}

export interface DevicesFeature extends CoreFeature<DeviceMethods> {
  /** A camera's stored credentials (for the ptz feature's ONVIF connection). */
  credentialsOf(camera: Camera): Credentials | null;
}

/**
 * At start, before any pull: the stored credentials go into the cameras' URLs in memory, through
 * the site store's credential overlay. (Called by core.ts right after the site is loaded.)
 */
export function prepareSiteCredentials(site: SiteStore, dataDir: string, log: Logger, credentialsKey: Buffer | null = null): void {
  applyStoredCredentials(site, new CredentialStore(dataDir, null, credentialsKey), log);
}

function problemOf(error: unknown): DeviceProblemInfo {
  if (error instanceof OnvifError) return { code: error.problem, detail: error.detail.slice(0, 300) };
  if (error instanceof DeviceProblemError) return error.info;
  return { code: 'unreachable', detail: (error instanceof Error ? error.message : String(error)).slice(0, 300) };
}

/** Composition of the devices feature: creates its services and returns their handlers. */
export function createDevicesFeature(deps: FeatureDeps, options: DevicesFeatureOptions = {}): DevicesFeature {
  const log = deps.log;
  const store = new CredentialStore(deps.dataDir, options.keyWrapper ?? null, deps.credentialsKey);
  // (a camera added while running reaches the hub, the recorder and the UIs through the site
  // store's camerasChanged event: core.ts subscribes them)
  const registry = new DeviceRegistry(deps.siteStore, store, log);

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
    credentialsOf: (camera) => registry.credentials(camera),
    handlers: {
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
            clockOffsetMs: options.clockOffsetOf?.(entry.id) ?? null,
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
  };
}
