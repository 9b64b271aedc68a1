import { z } from 'zod';
import { CameraId, method, NoParams } from './contractKit';

/**
 * Contract of PTZ, ONVIF devices (discovery, adding, NVR import, credentials), follow mode.
 * Merged into `methods` / `events` by contract.ts; method and event names must be unique
 * across all contract files.
 *
 * Device operations answer `problem` (a code the UI says in Vietnamese, `ptz.problems.<code>`)
 * rather than a contract error: a wrong password is an answer, not a failure of the call.
 */

/** What can go wrong talking ONVIF to a device (main/core/ptz/soap.ts makes every failure one of these). */
export const ONVIF_PROBLEMS = ['unreachable', 'timeout', 'authFailed', 'notOnvif', 'badXml', 'soapFault', 'tooLarge', 'badAddress', 'noMedia'] as const;
export type OnvifProblem = (typeof ONVIF_PROBLEMS)[number];

export const DEVICE_PROBLEMS = [
  ...ONVIF_PROBLEMS,
  'noPicture',
  'duplicate',
  'siteNotSaved',
  'notPtz',
  'heldByOther',
  'ffmpegMissing',
] as const;
export type DeviceProblem = (typeof DEVICE_PROBLEMS)[number];
export const DeviceProblemSchema = z.object({ code: z.enum(DEVICE_PROBLEMS), detail: z.string().max(300) });
export type DeviceProblemInfo = z.infer<typeof DeviceProblemSchema>;

const LiveClientId = z.string().min(8).max(64);
const Secret = z.string().max(128);
const Address = z.string().trim().min(1).max(300);
const CameraName = z.string().trim().min(1).max(120);

export const PtzHolderSchema = z.object({ liveClientId: z.string(), name: z.string().max(80) });
export type PtzHolder = z.infer<typeof PtzHolderSchema>;

export const PtzCapabilitiesSchema = z.object({
  cameraId: CameraId,
  pan: z.boolean(),
  tilt: z.boolean(),
  zoom: z.boolean(),
  presets: z.boolean(),
  home: z.boolean(),
  holder: PtzHolderSchema.nullable(),
  /** Camera clock minus the console's, ms (null: not measured). */
  clockOffsetMs: z.number().nullable(),
});
export type PtzCapabilities = z.infer<typeof PtzCapabilitiesSchema>;

export const PresetSchema = z.object({ token: z.string().max(64), name: z.string().max(64) });
export type PtzPreset = z.infer<typeof PresetSchema>;

const Velocity = z.number().min(-1).max(1);
const Problem = DeviceProblemSchema.nullable();

export const DiscoveredDeviceSchema = z.object({
  address: z.string(),
  host: z.string(),
  manufacturer: z.string().nullable(),
  model: z.string().nullable(),
  name: z.string().nullable(),
  alreadyAdded: z.boolean(),
});
export type DiscoveredDeviceInfo = z.infer<typeof DiscoveredDeviceSchema>;

export const OnvifProbeSchema = z.object({
  manufacturer: z.string(),
  model: z.string(),
  firmware: z.string(),
  clockOffsetMs: z.number(),
  profiles: z.array(z.object({ token: z.string(), name: z.string(), encoding: z.string().nullable(), widthPx: z.number().nullable(), heightPx: z.number().nullable() })),
  ptz: z.object({ pan: z.boolean(), tilt: z.boolean(), zoom: z.boolean() }).nullable(),
  /** Stream URIs whose foreign host was replaced by the address given (credentials never included). */
  rewrittenHosts: z.number().int().nonnegative(),
});
export type OnvifProbe = z.infer<typeof OnvifProbeSchema>;

export const NVR_VENDORS = ['hikvision', 'dahua'] as const;
export type NvrVendor = (typeof NVR_VENDORS)[number];

export const DeviceEntrySchema = z.object({
  cameraId: CameraId,
  name: z.string(),
  kind: z.enum(['onvif', 'rtsp']),
  /** Host (and port) only: never credentials. */
  host: z.string(),
  ptz: z.boolean(),
  hasCredentials: z.boolean(),
  clockOffsetMs: z.number().nullable(),
});
export type DeviceEntry = z.infer<typeof DeviceEntrySchema>;

export const NeighbourSchema = z.object({
  cameraId: CameraId,
  name: z.string(),
  distanceM: z.number(),
  /** Bearing from the followed camera, degrees clockwise from north. */
  bearingDeg: z.number(),
  /** In front of the followed camera (within 90° of its heading), or behind. */
  ahead: z.boolean(),
  ptz: z.boolean(),
});
export type Neighbour = z.infer<typeof NeighbourSchema>;

const ByCamera = z.strictObject({ cameraId: CameraId });
const Held = z.strictObject({ cameraId: CameraId, liveClientId: LiveClientId });
const Added = z.object({ problem: Problem, cameraIds: z.array(CameraId) });

export const ptzMethods = {
  ptzGetCapabilities: method({ permission: 'controlPtz', params: ByCamera, result: z.object({ capabilities: PtzCapabilitiesSchema.nullable(), problem: Problem }) }),
  /** Takes the camera for this window (one operator at a time). */
  ptzAcquire: method({
    permission: 'controlPtz',
    params: z.strictObject({ cameraId: CameraId, liveClientId: LiveClientId, holderName: z.string().trim().min(1).max(80) }),
    result: z.object({ granted: z.boolean(), holder: PtzHolderSchema.nullable() }),
  }),
  ptzRelease: method({ permission: 'controlPtz', params: Held, result: z.null() }),
  /**
   * Continuous move while a key or button is held. The UI repeats it (about every 250 ms) as the
   * dead-man confirmation: without one for ~1 s the core sends Stop itself.
   */
  ptzMove: method({
    permission: 'controlPtz',
    params: z.strictObject({ cameraId: CameraId, liveClientId: LiveClientId, pan: Velocity, tilt: Velocity, zoom: Velocity, speed: z.number().min(0.05).max(1) }),
    result: z.object({ problem: Problem }),
  }),
  ptzStop: method({ permission: 'controlPtz', params: Held, result: z.object({ problem: Problem }) }),
  ptzListPresets: method({ permission: 'controlPtz', params: ByCamera, result: z.object({ presets: z.array(PresetSchema), problem: Problem }) }),
  ptzGotoPreset: method({ permission: 'controlPtz', params: Held.extend({ token: z.string().min(1).max(64) }), result: z.object({ problem: Problem }) }),
  ptzGotoHome: method({ permission: 'controlPtz', params: Held, result: z.object({ problem: Problem }) }),
  /** Saves the current position as a new preset, or renames/re-saves `token`. */
  ptzSavePreset: method({
    permission: 'controlPtz',
    params: Held.extend({ name: z.string().trim().min(1).max(64), token: z.string().min(1).max(64).nullable() }),
    result: z.object({ token: z.string().nullable(), problem: Problem }),
  }),
  ptzRemovePreset: method({ permission: 'controlPtz', params: Held.extend({ token: z.string().min(1).max(64) }), result: z.object({ problem: Problem }) }),
  /** Neighbouring cameras of a followed camera: nearest first, along its heading first. */
  followNeighbours: method({ permission: 'viewLive', params: ByCamera, result: z.object({ neighbours: z.array(NeighbourSchema) }) }),

  devicesList: method({ permission: 'configure', params: NoParams, result: z.object({ devices: z.array(DeviceEntrySchema), siteWritable: z.boolean() }) }),
  /** WS-Discovery: multicast on the LAN, plus unicast to the addresses given. */
  devicesScan: method({
    permission: 'configure',
    params: z.strictObject({ targets: z.array(z.string().trim().min(1).max(100)).max(16), waitMs: z.number().int().min(200).max(10000).optional() }),
    result: z.object({ devices: z.array(DiscoveredDeviceSchema) }),
  }),
  devicesProbeOnvif: method({
    permission: 'configure',
    params: z.strictObject({ address: Address, username: Secret, password: Secret }),
    result: z.object({ device: OnvifProbeSchema.nullable(), problem: Problem }),
  }),
  devicesAddOnvif: method({
    permission: 'configure',
    params: z.strictObject({ address: Address, username: Secret, password: Secret, name: CameraName, village: z.string().trim().min(1).max(120).optional() }),
    result: Added,
  }),
  devicesImportNvr: method({
    permission: 'configure',
    params: z.strictObject({
      vendor: z.enum(NVR_VENDORS),
      host: z.string().trim().regex(/^[A-Za-z0-9.-]{1,253}$/),
      rtspPort: z.number().int().min(1).max(65535),
      username: Secret,
      password: Secret,
      channels: z.number().int().min(1).max(64),
      namePrefix: z.string().trim().min(1).max(80),
    }),
    result: Added,
  }),
  devicesAddRtsp: method({
    permission: 'configure',
    params: z.strictObject({ name: CameraName, main: z.string().trim().min(8).max(500), sub: z.string().trim().max(500).optional(), username: Secret.optional(), password: Secret.optional() }),
    result: Added,
  }),
  /** One picture from an RTSP URL, before adding it. */
  devicesTestRtsp: method({
    permission: 'configure',
    params: z.strictObject({ url: z.string().trim().min(8).max(500), username: Secret.optional(), password: Secret.optional() }),
    result: z.object({ problem: Problem, pngDataUrl: z.string().max(4_000_000).nullable() }),
  }),
} as const;

export const PTZ_ALERTS = ['stopIgnored', 'deadman', 'moveFailed', 'stopFailed'] as const;
export type PtzAlertKind = (typeof PTZ_ALERTS)[number];

export const ptzEvents = {
  /** Who holds a PTZ camera (null: free). */
  ptzHolder: z.object({ cameraId: CameraId, holder: PtzHolderSchema.nullable() }),
  ptzAlert: z.object({ cameraId: CameraId, kind: z.enum(PTZ_ALERTS), atMs: z.number() }),
} as const;
