import { attr, child, children, numberAttr, numberOf, OnvifError, path, textOf, type XmlNode } from './soap';

/**
 * Pure readers of ONVIF replies (the SOAP Body, namespace prefixes removed). Cameras leave out
 * optional elements freely; every reader tolerates that and says `noMedia`/`badXml` only when
 * what we need is missing.
 */

export interface Range {
  min: number;
  max: number;
}

export interface DeviceInfo {
  manufacturer: string;
  model: string;
  firmware: string;
  serial: string;
}

export interface ServiceAddresses {
  media: string | null;
  media2: string | null;
  ptz: string | null;
}

export interface MediaProfile {
  token: string;
  name: string;
  encoding: string | null;
  widthPx: number | null;
  heightPx: number | null;
  ptzConfigurationToken: string | null;
  ptzNodeToken: string | null;
}

export interface PtzSpaces {
  panTilt: { x: Range; y: Range } | null;
  zoom: Range | null;
  timeoutMs: Range | null;
}

export interface PtzNodeInfo extends PtzSpaces {
  token: string;
  maxPresets: number;
  homeSupported: boolean;
}

export interface Preset {
  token: string;
  name: string;
}

export interface PtzStatus {
  pan: number | null;
  tilt: number | null;
  zoom: number | null;
  moving: boolean;
}

export interface ProbeMatch {
  /** urn:uuid:… */
  endpoint: string;
  xaddrs: string[];
  scopes: string[];
  manufacturer: string | null;
  model: string | null;
  name: string | null;
}

function required(value: unknown, what: string): unknown {
  if (value === undefined) throw new OnvifError('badXml', `missing ${what}`);
  return value;
}

/** GetSystemDateAndTime → the camera's UTC time in ms since the epoch. */
export function parseSystemDateAndTime(body: XmlNode): number {
  const info = required(path(body, 'GetSystemDateAndTimeResponse', 'SystemDateAndTime'), 'SystemDateAndTime');
  const utc = child(info, 'UTCDateTime') ?? child(info, 'LocalDateTime');
  const date = child(utc, 'Date');
  const time = child(utc, 'Time');
  const parts = [numberOf(child(date, 'Year')), numberOf(child(date, 'Month')), numberOf(child(date, 'Day')), numberOf(child(time, 'Hour')), numberOf(child(time, 'Minute')), numberOf(child(time, 'Second'))];
  if (parts.some((part) => part === undefined)) throw new OnvifError('badXml', 'incomplete date/time');
  const [year, month, day, hour, minute, second] = parts as number[];
  const ms = Date.UTC(year ?? 0, (month ?? 1) - 1, day, hour, minute, second);
  if (!Number.isFinite(ms) || (year ?? 0) < 1970 || (year ?? 0) > 2200) throw new OnvifError('badXml', 'date out of range');
  return ms;
}

export function parseDeviceInformation(body: XmlNode): DeviceInfo {
  const info = required(child(body, 'GetDeviceInformationResponse'), 'GetDeviceInformationResponse');
  const read = (name: string): string => (textOf(child(info, name)) ?? '').slice(0, 120);
  return { manufacturer: read('Manufacturer'), model: read('Model'), firmware: read('FirmwareVersion'), serial: read('SerialNumber') };
}

const NAMESPACES = {
  media: 'http://www.onvif.org/ver10/media/wsdl',
  media2: 'http://www.onvif.org/ver20/media/wsdl',
  ptz: 'http://www.onvif.org/ver20/ptz/wsdl',
};

export function parseServices(body: XmlNode): ServiceAddresses {
  const services = children(required(child(body, 'GetServicesResponse'), 'GetServicesResponse'), 'Service');
  const find = (namespace: string): string | null => {
    const service = services.find((entry) => textOf(child(entry, 'Namespace')) === namespace);
    return safeHttpUrl(textOf(child(service, 'XAddr')));
  };
  return { media: find(NAMESPACES.media), media2: find(NAMESPACES.media2), ptz: find(NAMESPACES.ptz) };
}

export function parseCapabilities(body: XmlNode): ServiceAddresses {
  const capabilities = required(path(body, 'GetCapabilitiesResponse', 'Capabilities'), 'Capabilities');
  return {
    media: safeHttpUrl(textOf(path(capabilities, 'Media', 'XAddr'))),
    media2: null,
    ptz: safeHttpUrl(textOf(path(capabilities, 'PTZ', 'XAddr'))),
  };
}

function safeHttpUrl(text: string | undefined): string | null {
  if (!text) return null;
  try {
    const url = new URL(text.trim().split(/\s+/)[0] ?? '');
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.toString() : null;
  } catch {
    return null;
  }
}

export function parseProfiles(body: XmlNode): MediaProfile[] {
  const profiles = children(required(child(body, 'GetProfilesResponse'), 'GetProfilesResponse'), 'Profiles');
  const result: MediaProfile[] = [];
  for (const profile of profiles) {
    const token = attr(profile, 'token');
    if (!token) continue;
    const encoder = child(profile, 'VideoEncoderConfiguration');
    const ptz = child(profile, 'PTZConfiguration');
    result.push({
      token: token.slice(0, 64),
      name: (textOf(child(profile, 'Name')) ?? token).slice(0, 64),
      encoding: textOf(child(encoder, 'Encoding')) ?? null,
      widthPx: numberOf(path(encoder, 'Resolution', 'Width')) ?? null,
      heightPx: numberOf(path(encoder, 'Resolution', 'Height')) ?? null,
      ptzConfigurationToken: ptz === undefined ? null : (attr(ptz, 'token') ?? null),
      ptzNodeToken: ptz === undefined ? null : (textOf(child(ptz, 'NodeToken')) ?? null),
    });
  }
  return result;
}

/** GetStreamUri / GetSnapshotUri → the URI. */
export function parseMediaUri(body: XmlNode, response: 'GetStreamUriResponse' | 'GetSnapshotUriResponse'): string {
  const uri = textOf(path(body, response, 'MediaUri', 'Uri'));
  if (!uri) throw new OnvifError('noMedia', `${response} without Uri`);
  return uri.trim();
}

function range(node: unknown): Range | null {
  const min = numberOf(child(node, 'Min'));
  const max = numberOf(child(node, 'Max'));
  if (min === undefined || max === undefined || !(max > min)) return null;
  return { min, max };
}

function spacesOf(spaces: unknown): Omit<PtzSpaces, 'timeoutMs'> {
  const panTiltSpace = child(spaces, 'ContinuousPanTiltVelocitySpace');
  const x = range(child(panTiltSpace, 'XRange'));
  const y = range(child(panTiltSpace, 'YRange'));
  const zoom = range(child(child(spaces, 'ContinuousZoomVelocitySpace'), 'XRange'));
  return { panTilt: x && y ? { x, y } : null, zoom };
}

export function parseNodes(body: XmlNode): PtzNodeInfo[] {
  const nodes = children(required(child(body, 'GetNodesResponse'), 'GetNodesResponse'), 'PTZNode');
  return nodes.flatMap((node) => {
    const token = attr(node, 'token');
    if (!token) return [];
    return [
      {
        token,
        ...spacesOf(child(node, 'SupportedPTZSpaces')),
        timeoutMs: null,
        maxPresets: numberOf(child(node, 'MaximumNumberOfPresets')) ?? 0,
        homeSupported: textOf(child(node, 'HomeSupported')) === 'true',
      },
    ];
  });
}

/** ISO 8601 duration (PT5S, PT0.5S, PT1M) → ms. */
export function durationMs(text: string | undefined): number | null {
  if (!text) return null;
  const match = /^P(?:T(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?)$/.exec(text.trim());
  if (!match || text.trim() === 'PT') return null;
  return Math.round((Number(match[1] ?? 0) * 3600 + Number(match[2] ?? 0) * 60 + Number(match[3] ?? 0)) * 1000);
}

export function parseConfigurationOptions(body: XmlNode): PtzSpaces {
  const options = required(path(body, 'GetConfigurationOptionsResponse', 'PTZConfigurationOptions'), 'PTZConfigurationOptions');
  const timeout = child(options, 'PTZTimeout');
  const min = durationMs(textOf(child(timeout, 'Min')));
  const max = durationMs(textOf(child(timeout, 'Max')));
  return { ...spacesOf(child(options, 'Spaces')), timeoutMs: min !== null && max !== null && max >= min ? { min, max } : null };
}

export function parsePresets(body: XmlNode): Preset[] {
  const presets = children(required(child(body, 'GetPresetsResponse'), 'GetPresetsResponse'), 'Preset');
  return presets.flatMap((preset) => {
    const token = attr(preset, 'token');
    if (!token) return [];
    return [{ token: token.slice(0, 64), name: (textOf(child(preset, 'Name')) ?? token).slice(0, 64) }];
  });
}

export function parseSetPreset(body: XmlNode): string {
  const token = textOf(path(body, 'SetPresetResponse', 'PresetToken'));
  if (!token) throw new OnvifError('badXml', 'SetPresetResponse without PresetToken');
  return token;
}

export function parseStatus(body: XmlNode): PtzStatus {
  const status = required(path(body, 'GetStatusResponse', 'PTZStatus'), 'PTZStatus');
  const position = child(status, 'Position');
  const moveStatus = child(status, 'MoveStatus');
  const moving = [textOf(child(moveStatus, 'PanTilt')), textOf(child(moveStatus, 'Zoom'))].some((value) => value === 'MOVING');
  return {
    pan: numberAttr(child(position, 'PanTilt'), 'x') ?? null,
    tilt: numberAttr(child(position, 'PanTilt'), 'y') ?? null,
    zoom: numberAttr(child(position, 'Zoom'), 'x') ?? null,
    moving,
  };
}

/** A WS-Discovery ProbeMatches message (already parsed); [] when it is something else. */
export function parseProbeMatches(document: XmlNode): ProbeMatch[] {
  const matches = children(path(document, 'Envelope', 'Body', 'ProbeMatches'), 'ProbeMatch');
  return matches.flatMap((match) => {
    const endpoint = textOf(path(match, 'EndpointReference', 'Address')) ?? '';
    const xaddrs = (textOf(child(match, 'XAddrs')) ?? '')
      .split(/\s+/)
      .filter((address) => /^https?:\/\/[^\s/?#]+/.test(address))
      .slice(0, 8);
    if (xaddrs.length === 0) return [];
    const scopes = (textOf(child(match, 'Scopes')) ?? '').split(/\s+/).filter(Boolean).slice(0, 64);
    const scope = (kind: string): string | null => {
      const found = scopes.find((entry) => entry.toLowerCase().startsWith(`onvif://www.onvif.org/${kind}/`));
      if (!found) return null;
      try {
        return decodeURIComponent(found.slice(`onvif://www.onvif.org/${kind}/`.length)).slice(0, 120);
      } catch {
        return found.slice(`onvif://www.onvif.org/${kind}/`.length).slice(0, 120);
      }
    };
    return [{ endpoint: endpoint.slice(0, 200), xaddrs, scopes, manufacturer: scope('mfr') ?? scope('manufacturer'), model: scope('hardware'), name: scope('name') }];
  });
}
