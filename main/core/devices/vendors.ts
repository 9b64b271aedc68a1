import { foldVietnamese } from '../../../common/text';
import type { NvrVendor } from '../../../common/ptzContract';

/**
 * RTSP URL templates of NVR channels, for when ONVIF is off or an NVR hides its channels behind
 * one ONVIF device (docs/devices.md, ../shared/field-notes.md):
 * - Hikvision: /Streaming/Channels/<channel*100+stream>, 101 = channel 1 main, 102 = its sub;
 * - Dahua and OEMs (KBVision…): /cam/realmonitor?channel=<n>&subtype=<0 main|1 sub>.
 * Credentials are never part of these URLs (they go to the credential store).
 */
export function nvrChannelUrls(vendor: NvrVendor, host: string, rtspPort: number, channel: number): { main: string; sub: string } {
  const base = `rtsp://${host}${rtspPort === 554 ? '' : `:${rtspPort}`}`;
  if (vendor === 'hikvision') {
    return { main: `${base}/Streaming/Channels/${channel * 100 + 1}`, sub: `${base}/Streaming/Channels/${channel * 100 + 2}` };
  }
  return { main: `${base}/cam/realmonitor?channel=${channel}&subtype=0`, sub: `${base}/cam/realmonitor?channel=${channel}&subtype=1` };
}

/** A camera id from a name: ASCII, lower case, Vietnamese diacritics dropped, unique in `taken`. */
export function cameraIdFrom(name: string, taken: ReadonlySet<string>): string {
  const ascii = foldVietnamese(name)
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 48);
  const base = ascii || 'camera';
  if (!taken.has(base)) return base;
  for (let index = 2; ; index++) {
    const candidate = `${base}-${index}`;
    if (!taken.has(candidate)) return candidate;
  }
}
