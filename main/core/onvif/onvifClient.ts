import {
  parseCapabilities,
  parseConfigurationOptions,
  parseDeviceInformation,
  parseMediaUri,
  parseNodes,
  parsePresets,
  parseProfiles,
  parseServices,
  parseSetPreset,
  parseStatus,
  parseSystemDateAndTime,
  type DeviceInfo,
  type MediaProfile,
  type Preset,
  type PtzSpaces,
  type PtzStatus,
  type Range,
  type ServiceAddresses,
} from './onvifParse';
import { DEFAULT_SOAP_OPTIONS, escapeXml, OnvifError, soapRequest, type SoapAuth, type SoapOptions, type XmlNode } from './soap';

/** What reading a device gives: enough to make cameras of it. */
export interface OnvifDescription {
  device: DeviceInfo;
  /** Camera clock minus ours, ms. */
  clockOffsetMs: number;
  profiles: (MediaProfile & { streamUri: string | null; snapshotUri: string | null; originalStreamUri: string | null })[];
  ptz: OnvifPtzInfo | null;
  /** Stream URIs whose host was rewritten: [original, rewritten] for the log. */
  rewrites: [string, string][];
}

export interface OnvifPtzInfo {
  profileToken: string;
  panTilt: { x: Range; y: Range } | null;
  zoom: Range | null;
  timeoutMs: Range | null;
  maxPresets: number;
  homeSupported: boolean;
}

export interface OnvifConnectOptions {
  /** http://host[:port]/onvif/device_service (a bare host or host:port is completed). */
  address: string;
  username: string;
  password: string;
  soap?: Partial<SoapOptions>;
}

/** Completes what the user typed ("192.168.1.64", "10.0.0.5:8000") into a device service URL. */
export function deviceServiceUrl(address: string): string {
  const trimmed = address.trim();
  const withScheme = /^https?:\/\//i.test(trimmed) ? trimmed : `http://${trimmed}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    throw new OnvifError('badAddress', 'not an address');
  }
  if (!url.hostname) throw new OnvifError('badAddress', 'no host');
  if (url.pathname === '/' || url.pathname === '') url.pathname = '/onvif/device_service';
  url.username = '';
  url.password = '';
  return url.toString();
}

/**
 * Stream and snapshot URIs often carry the camera's internal address (NVR PoE subnet, NAT,
 * 127.0.0.1): keep the path, put the host the user gave. The port stays unless the URI's host
 * was the foreign one AND it is an HTTP URI whose port is the device's own.
 */
export function rewriteHost(uri: string, deviceAddress: string): string {
  let target: URL;
  let device: URL;
  try {
    target = new URL(uri);
    device = new URL(deviceAddress);
  } catch {
    return uri;
  }
  if (target.hostname === device.hostname) return uri;
  target.hostname = device.hostname;
  if ((target.protocol === 'http:' || target.protocol === 'https:') && device.port) target.port = device.port;
  return target.toString();
}

/** One ONVIF device: its services, profiles and PTZ, with the clock offset measured first. */
export class OnvifDevice {
  readonly deviceUrl: string;
  private readonly soapOptions: SoapOptions;
  private auth: SoapAuth;
  private services: ServiceAddresses | null = null;

  constructor(private readonly options: OnvifConnectOptions) {
    this.deviceUrl = deviceServiceUrl(options.address);
    this.soapOptions = { ...DEFAULT_SOAP_OPTIONS, ...options.soap };
    this.auth = { username: options.username, password: options.password, clockOffsetMs: 0 };
  }

  get clockOffsetMs(): number {
    return this.auth.clockOffsetMs;
  }

  setClockOffset(offsetMs: number): void {
    this.auth = { ...this.auth, clockOffsetMs: offsetMs };
  }

  private call(endpoint: string, body: string, authenticated = true): Promise<XmlNode> {
    return soapRequest(endpoint, body, authenticated && this.auth.username ? this.auth : null, this.soapOptions);
  }

  /** GetSystemDateAndTime without credentials (allowed by the spec): the camera's clock offset. */
  async measureClock(): Promise<number> {
    const now = this.soapOptions.now ?? Date.now;
    const before = now();
    const body = await this.call(this.deviceUrl, '<tds:GetSystemDateAndTime/>', false);
    const after = now();
    const cameraMs = parseSystemDateAndTime(body);
    // whole seconds on the wire: the middle of the exchange is the best estimate
    const offset = cameraMs - Math.round((before + after) / 2);
    this.setClockOffset(Math.abs(offset) < 1500 ? 0 : offset);
    return offset;
  }

  async serviceAddresses(): Promise<ServiceAddresses> {
    if (this.services) return this.services;
    let services: ServiceAddresses;
    try {
      services = parseServices(await this.call(this.deviceUrl, '<tds:GetServices><tds:IncludeCapability>false</tds:IncludeCapability></tds:GetServices>'));
    } catch (error) {
      // old firmware lacks GetServices: fall back to GetCapabilities
      if (!(error instanceof OnvifError) || (error.problem !== 'soapFault' && error.problem !== 'badXml')) throw error;
      services = parseCapabilities(await this.call(this.deviceUrl, '<tds:GetCapabilities><tds:Category>All</tds:Category></tds:GetCapabilities>'));
    }
    // service addresses carry the camera's own idea of its address: talk to the one we reach
    this.services = {
      media: services.media ? rewriteHost(services.media, this.deviceUrl) : null,
      media2: services.media2 ? rewriteHost(services.media2, this.deviceUrl) : null,
      ptz: services.ptz ? rewriteHost(services.ptz, this.deviceUrl) : null,
    };
    return this.services;
  }

  async deviceInformation(): Promise<DeviceInfo> {
    return parseDeviceInformation(await this.call(this.deviceUrl, '<tds:GetDeviceInformation/>'));
  }

  /** Clock, services, profiles with their URIs, PTZ ranges: everything needed to add it. */
  async describe(): Promise<OnvifDescription> {
    const clockOffsetMs = await this.measureClock();
    const device = await this.deviceInformation();
    const services = await this.serviceAddresses();
    const mediaUrl = services.media ?? this.deviceUrl;
    const profiles = parseProfiles(await this.call(mediaUrl, '<trt:GetProfiles/>'));
    if (profiles.length === 0) throw new OnvifError('noMedia', 'no media profiles');
    const rewrites: [string, string][] = [];
    const described: OnvifDescription['profiles'] = [];
    for (const profile of profiles.slice(0, 4)) {
      const stream = await this.call(
        mediaUrl,
        `<trt:GetStreamUri><trt:StreamSetup><tt:Stream>RTP-Unicast</tt:Stream><tt:Transport><tt:Protocol>RTSP</tt:Protocol></tt:Transport></trt:StreamSetup><trt:ProfileToken>${escapeXml(profile.token)}</trt:ProfileToken></trt:GetStreamUri>`,
      ).then((body) => parseMediaUri(body, 'GetStreamUriResponse'));
      let snapshot: string | null = null;
      try {
        snapshot = parseMediaUri(await this.call(mediaUrl, `<trt:GetSnapshotUri><trt:ProfileToken>${escapeXml(profile.token)}</trt:ProfileToken></trt:GetSnapshotUri>`), 'GetSnapshotUriResponse');
      } catch (error) {
        if (!(error instanceof OnvifError) || error.problem === 'timeout' || error.problem === 'unreachable') throw error;
      }
      const streamUri = rewriteHost(stream, this.deviceUrl);
      if (streamUri !== stream) rewrites.push([stream, streamUri]);
      described.push({ ...profile, streamUri, originalStreamUri: stream, snapshotUri: snapshot ? rewriteHost(snapshot, this.deviceUrl) : null });
    }
    const ptz = services.ptz ? await this.ptzInfo(described) : null;
    return { device, clockOffsetMs, profiles: described, ptz, rewrites };
  }

  private async ptzInfo(profiles: MediaProfile[]): Promise<OnvifPtzInfo | null> {
    const profile = profiles.find((entry) => entry.ptzConfigurationToken) ?? null;
    if (!profile || !profile.ptzConfigurationToken) return null;
    const ptzUrl = this.services?.ptz;
    if (!ptzUrl) return null;
    const nodes = parseNodes(await this.call(ptzUrl, '<tptz:GetNodes/>'));
    const node = nodes.find((entry) => entry.token === profile.ptzNodeToken) ?? nodes[0];
    let spaces: PtzSpaces = { panTilt: node?.panTilt ?? null, zoom: node?.zoom ?? null, timeoutMs: null };
    try {
      const options = parseConfigurationOptions(
        await this.call(ptzUrl, `<tptz:GetConfigurationOptions><tptz:ConfigurationToken>${escapeXml(profile.ptzConfigurationToken)}</tptz:ConfigurationToken></tptz:GetConfigurationOptions>`),
      );
      spaces = { panTilt: options.panTilt ?? spaces.panTilt, zoom: options.zoom ?? spaces.zoom, timeoutMs: options.timeoutMs };
    } catch (error) {
      if (!(error instanceof OnvifError) || error.problem === 'timeout' || error.problem === 'unreachable' || error.problem === 'authFailed') throw error;
    }
    if (!spaces.panTilt && !spaces.zoom) return null;
    return { profileToken: profile.token, ...spaces, maxPresets: node?.maxPresets ?? 0, homeSupported: node?.homeSupported ?? false };
  }

  // ---- PTZ ------------------------------------------------------------------------------------

  private async ptzUrl(): Promise<string> {
    const services = await this.serviceAddresses();
    if (!services.ptz) throw new OnvifError('soapFault', 'no PTZ service');
    return services.ptz;
  }

  /** Velocities already in the camera's own ranges; absent axes are not sent. */
  async continuousMove(profileToken: string, velocity: { pan?: number; tilt?: number; zoom?: number }, timeoutMs: number | null): Promise<void> {
    const panTilt = velocity.pan !== undefined || velocity.tilt !== undefined ? `<tt:PanTilt x="${num(velocity.pan ?? 0)}" y="${num(velocity.tilt ?? 0)}"/>` : '';
    const zoom = velocity.zoom !== undefined ? `<tt:Zoom x="${num(velocity.zoom)}"/>` : '';
    const timeout = timeoutMs === null ? '' : `<tptz:Timeout>PT${(timeoutMs / 1000).toFixed(1)}S</tptz:Timeout>`;
    await this.call(await this.ptzUrl(), `<tptz:ContinuousMove><tptz:ProfileToken>${escapeXml(profileToken)}</tptz:ProfileToken><tptz:Velocity>${panTilt}${zoom}</tptz:Velocity>${timeout}</tptz:ContinuousMove>`);
  }

  async stop(profileToken: string): Promise<void> {
    await this.call(await this.ptzUrl(), `<tptz:Stop><tptz:ProfileToken>${escapeXml(profileToken)}</tptz:ProfileToken><tptz:PanTilt>true</tptz:PanTilt><tptz:Zoom>true</tptz:Zoom></tptz:Stop>`);
  }

  async status(profileToken: string): Promise<PtzStatus> {
    return parseStatus(await this.call(await this.ptzUrl(), `<tptz:GetStatus><tptz:ProfileToken>${escapeXml(profileToken)}</tptz:ProfileToken></tptz:GetStatus>`));
  }

  async presets(profileToken: string): Promise<Preset[]> {
    return parsePresets(await this.call(await this.ptzUrl(), `<tptz:GetPresets><tptz:ProfileToken>${escapeXml(profileToken)}</tptz:ProfileToken></tptz:GetPresets>`));
  }

  async gotoPreset(profileToken: string, presetToken: string): Promise<void> {
    await this.call(await this.ptzUrl(), `<tptz:GotoPreset><tptz:ProfileToken>${escapeXml(profileToken)}</tptz:ProfileToken><tptz:PresetToken>${escapeXml(presetToken)}</tptz:PresetToken></tptz:GotoPreset>`);
  }

  /** Saves the current position: a new preset, or (with a token) renames/overwrites that one. */
  async setPreset(profileToken: string, name: string, presetToken: string | null): Promise<string> {
    const token = presetToken ? `<tptz:PresetToken>${escapeXml(presetToken)}</tptz:PresetToken>` : '';
    return parseSetPreset(await this.call(await this.ptzUrl(), `<tptz:SetPreset><tptz:ProfileToken>${escapeXml(profileToken)}</tptz:ProfileToken><tptz:PresetName>${escapeXml(name)}</tptz:PresetName>${token}</tptz:SetPreset>`));
  }

  async removePreset(profileToken: string, presetToken: string): Promise<void> {
    await this.call(await this.ptzUrl(), `<tptz:RemovePreset><tptz:ProfileToken>${escapeXml(profileToken)}</tptz:ProfileToken><tptz:PresetToken>${escapeXml(presetToken)}</tptz:PresetToken></tptz:RemovePreset>`);
  }

  async gotoHome(profileToken: string): Promise<void> {
    await this.call(await this.ptzUrl(), `<tptz:GotoHomePosition><tptz:ProfileToken>${escapeXml(profileToken)}</tptz:ProfileToken></tptz:GotoHomePosition>`);
  }
}

function num(value: number): string {
  return Number.isFinite(value) ? String(Math.round(value * 10000) / 10000) : '0';
}
