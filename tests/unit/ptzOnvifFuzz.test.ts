import { describe, expect, it } from 'vitest';
import {
  parseConfigurationOptions,
  parseDeviceInformation,
  parseMediaUri,
  parseNodes,
  parsePresets,
  parseProfiles,
  parseProbeMatches,
  parseServices,
  parseStatus,
  parseSystemDateAndTime,
  durationMs,
} from '../../main/core/onvif/onvifParse';
import { ONVIF_PROBLEMS, OnvifError, parseSoapReply, parseXml, type XmlNode } from '../../main/core/onvif/soap';

// Replies as real cameras send them (prefixes vary by vendor: SOAP-ENV, env, s), then thousands of
// broken variants: each must end in a parsed value or an OnvifError, never another exception.
const HEAD = '<?xml version="1.0" encoding="UTF-8"?><SOAP-ENV:Envelope xmlns:SOAP-ENV="http://www.w3.org/2003/05/soap-envelope" xmlns:tt="http://www.onvif.org/ver10/schema" xmlns:tds="http://www.onvif.org/ver10/device/wsdl" xmlns:trt="http://www.onvif.org/ver10/media/wsdl" xmlns:tptz="http://www.onvif.org/ver20/ptz/wsdl"><SOAP-ENV:Header/><SOAP-ENV:Body>';
const TAIL = '</SOAP-ENV:Body></SOAP-ENV:Envelope>';
const SAMPLES = [
  '<tds:GetSystemDateAndTimeResponse><tds:SystemDateAndTime><tt:DateTimeType>Manual</tt:DateTimeType><tt:UTCDateTime><tt:Time><tt:Hour>1</tt:Hour><tt:Minute>2</tt:Minute><tt:Second>3</tt:Second></tt:Time><tt:Date><tt:Year>2026</tt:Year><tt:Month>11</tt:Month><tt:Day>30</tt:Day></tt:Date></tt:UTCDateTime></tds:SystemDateAndTime></tds:GetSystemDateAndTimeResponse>',
  '<tds:GetDeviceInformationResponse><tds:Manufacturer>HIKVISION</tds:Manufacturer><tds:Model>DS-2DE4425IW-DE</tds:Model><tds:FirmwareVersion>V5.6.15 build 200507</tds:FirmwareVersion><tds:SerialNumber>DS-2DE4425IW-DE20200101</tds:SerialNumber><tds:HardwareId>88</tds:HardwareId></tds:GetDeviceInformationResponse>',
  '<tds:GetServicesResponse><tds:Service><tds:Namespace>http://www.onvif.org/ver10/media/wsdl</tds:Namespace><tds:XAddr>http://192.168.1.64/onvif/Media</tds:XAddr></tds:Service><tds:Service><tds:Namespace>http://www.onvif.org/ver20/ptz/wsdl</tds:Namespace><tds:XAddr>http://192.168.1.64/onvif/PTZ</tds:XAddr></tds:Service></tds:GetServicesResponse>',
  '<trt:GetProfilesResponse><trt:Profiles fixed="true" token="Profile_1"><tt:Name>mainStream</tt:Name><tt:VideoEncoderConfiguration token="VideoEncoderToken_1"><tt:Encoding>H264</tt:Encoding><tt:Resolution><tt:Width>2560</tt:Width><tt:Height>1440</tt:Height></tt:Resolution></tt:VideoEncoderConfiguration><tt:PTZConfiguration token="PTZToken"><tt:NodeToken>PTZNODETOKEN</tt:NodeToken></tt:PTZConfiguration></trt:Profiles></trt:GetProfilesResponse>',
  '<trt:GetStreamUriResponse><trt:MediaUri><tt:Uri>rtsp://10.1.1.2:554/cam/realmonitor?channel=1&amp;subtype=0&amp;unicast=true</tt:Uri><tt:InvalidAfterConnect>true</tt:InvalidAfterConnect></trt:MediaUri></trt:GetStreamUriResponse>',
  '<tptz:GetNodesResponse><tptz:PTZNode token="PTZNODETOKEN"><tt:SupportedPTZSpaces><tt:ContinuousPanTiltVelocitySpace><tt:XRange><tt:Min>-1</tt:Min><tt:Max>1</tt:Max></tt:XRange><tt:YRange><tt:Min>-1</tt:Min><tt:Max>1</tt:Max></tt:YRange></tt:ContinuousPanTiltVelocitySpace></tt:SupportedPTZSpaces><tt:MaximumNumberOfPresets>300</tt:MaximumNumberOfPresets><tt:HomeSupported>true</tt:HomeSupported></tptz:PTZNode></tptz:GetNodesResponse>',
  '<tptz:GetConfigurationOptionsResponse><tptz:PTZConfigurationOptions><tt:Spaces><tt:ContinuousZoomVelocitySpace><tt:XRange><tt:Min>-8</tt:Min><tt:Max>8</tt:Max></tt:XRange></tt:ContinuousZoomVelocitySpace></tt:Spaces><tt:PTZTimeout><tt:Min>PT1S</tt:Min><tt:Max>PT1M</tt:Max></tt:PTZTimeout></tptz:PTZConfigurationOptions></tptz:GetConfigurationOptionsResponse>',
  '<tptz:GetPresetsResponse><tptz:Preset token="1"><tt:Name>Cổng UBND</tt:Name></tptz:Preset><tptz:Preset token="2"><tt:Name>Chợ</tt:Name></tptz:Preset></tptz:GetPresetsResponse>',
  '<tptz:GetStatusResponse><tptz:PTZStatus><tt:Position><tt:PanTilt x="0.25" y="-0.1"/><tt:Zoom x="0.5"/></tt:Position><tt:MoveStatus><tt:PanTilt>MOVING</tt:PanTilt><tt:Zoom>IDLE</tt:Zoom></tt:MoveStatus></tptz:PTZStatus></tptz:GetStatusResponse>',
];

const READERS: ((body: XmlNode) => unknown)[] = [
  parseSystemDateAndTime,
  parseDeviceInformation,
  parseServices,
  parseProfiles,
  (body) => parseMediaUri(body, 'GetStreamUriResponse'),
  parseNodes,
  parseConfigurationOptions,
  parsePresets,
  parseStatus,
];

/** Deterministic generator (mulberry32): a failure can be replayed from its seed. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const JUNK = ['<', '>', '&', '&amp;', '&#0;', '&bogus;', '"', "'", '</tt:Min>', '<tt:Min>', '<![CDATA[', ']]>', '<!--', '-->', '\u0000', '\uFFFF', 'NaN', '-1e309', '<!DOCTYPE x [<!ENTITY a "aaaa">]>', '&a;', 'xmlns:tt=""', '<?xml?>', '\n', ' token=', '🙂'];

function mutate(text: string, next: () => number): string {
  const pick = (n: number): number => Math.floor(next() * n);
  const kind = pick(9);
  const at = pick(text.length + 1);
  switch (kind) {
    case 0: // truncated
      return text.slice(0, at);
    case 1: // a byte flipped
      return text.slice(0, at) + String.fromCharCode(pick(256)) + text.slice(at + 1);
    case 2: // junk inserted
      return text.slice(0, at) + (JUNK[pick(JUNK.length)] ?? '') + text.slice(at);
    case 3: {
      // a tag removed
      const tags = [...text.matchAll(/<\/?[\w:]+[^>]*>/g)];
      const tag = tags[pick(tags.length)];
      return tag?.index === undefined ? text : text.slice(0, tag.index) + text.slice(tag.index + tag[0].length);
    }
    case 4: {
      // a value replaced by garbage
      return text.replace(/>([^<]+)</, () => `>${JUNK[pick(JUNK.length)] ?? ''}${'x'.repeat(pick(50))}<`);
    }
    case 5: // deep nesting
      return text.replace('<SOAP-ENV:Body>', `<SOAP-ENV:Body>${'<a>'.repeat(200 + pick(2000))}`);
    case 6: // repeated elements
      return text.replace(/(<tt:[\w]+>[^<]*<\/tt:[\w]+>)/, (match) => match.repeat(1 + pick(300)));
    case 7: // several mutations at once
      return mutate(mutate(mutate(text, next), next), next);
    default: // a wrong element name
      return text.replace(/Response/, ['Reponse', '', 'Response2', 'response'][pick(4)] ?? '');
  }
}

describe('ONVIF reply handling under fuzz', () => {
  it('parses every well-formed sample', () => {
    SAMPLES.forEach((sample, index) => {
      const body = parseSoapReply(200, HEAD + sample + TAIL);
      expect(() => READERS[index]?.(body)).not.toThrow();
    });
    expect(parseSystemDateAndTime(parseSoapReply(200, HEAD + SAMPLES[0] + TAIL))).toBe(Date.UTC(2026, 10, 30, 1, 2, 3));
    expect(parseMediaUri(parseSoapReply(200, HEAD + SAMPLES[4] + TAIL), 'GetStreamUriResponse')).toBe('rtsp://10.1.1.2:554/cam/realmonitor?channel=1&subtype=0&unicast=true');
    expect(parseConfigurationOptions(parseSoapReply(200, HEAD + SAMPLES[6] + TAIL))).toEqual({ panTilt: null, zoom: { min: -8, max: 8 }, timeoutMs: { min: 1000, max: 60000 } });
  });

  it('survives 3,000 generated malformed replies: a value or an OnvifError, nothing else', () => {
    const next = random(20261130);
    const outcomes = new Map<string, number>();
    const total = 3000;
    for (let round = 0; round < total; round++) {
      const index = Math.floor(next() * SAMPLES.length);
      const reply = mutate(HEAD + (SAMPLES[index] ?? '') + TAIL, next);
      const status = [200, 200, 200, 400, 401, 500][Math.floor(next() * 6)] ?? 200;
      let outcome: string;
      try {
        const body = parseSoapReply(status, reply);
        const value = READERS[index]?.(body);
        outcome = 'parsed';
        // a parsed value has the promised shape
        if (index === 0) expect(Number.isFinite(value)).toBe(true);
        if (index === 3) for (const profile of value as { token: string }[]) expect(typeof profile.token).toBe('string');
        if (index === 7) for (const preset of value as { name: string }[]) expect(preset.name.length).toBeLessThanOrEqual(64);
      } catch (error) {
        if (!(error instanceof OnvifError)) throw new Error(`round ${round}: ${String(error)}\n${reply.slice(0, 500)}`);
        expect(ONVIF_PROBLEMS).toContain(error.problem);
        outcome = error.problem;
      }
      outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
    }
    // the fuzz really exercised the error paths, not just the happy one
    expect(outcomes.get('badXml') ?? 0).toBeGreaterThan(300);
    expect(outcomes.get('parsed') ?? 0).toBeGreaterThan(100);
    expect([...outcomes.values()].reduce((a, b) => a + b, 0)).toBe(total);
  });

  it('never takes a WS-Discovery datagram apart wrongly', () => {
    const next = random(7);
    const probeMatch =
      '<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" xmlns:a="http://schemas.xmlsoap.org/ws/2004/08/addressing" xmlns:d="http://schemas.xmlsoap.org/ws/2005/04/discovery"><s:Body><d:ProbeMatches><d:ProbeMatch><a:EndpointReference><a:Address>urn:uuid:1</a:Address></a:EndpointReference><d:Scopes>onvif://www.onvif.org/hardware/DH-SD49225 onvif://www.onvif.org/name/Dahua%20PTZ</d:Scopes><d:XAddrs>http://192.168.1.108/onvif/device_service</d:XAddrs></d:ProbeMatch></d:ProbeMatches></s:Body></s:Envelope>';
    const parsed = parseXml(probeMatch);
    expect(parsed && parseProbeMatches(parsed)).toEqual([
      { endpoint: 'urn:uuid:1', xaddrs: ['http://192.168.1.108/onvif/device_service'], scopes: ['onvif://www.onvif.org/hardware/DH-SD49225', 'onvif://www.onvif.org/name/Dahua%20PTZ'], manufacturer: null, model: 'DH-SD49225', name: 'Dahua PTZ' },
    ]);
    for (let round = 0; round < 1000; round++) {
      const document = parseXml(mutate(probeMatch, next));
      if (!document) continue;
      for (const match of parseProbeMatches(document)) {
        expect(match.xaddrs.length).toBeGreaterThan(0);
        for (const address of match.xaddrs) expect(address).toMatch(/^https?:\/\//);
      }
    }
  });

  it('reads ISO durations', () => {
    expect(durationMs('PT5S')).toBe(5000);
    expect(durationMs('PT0.5S')).toBe(500);
    expect(durationMs('PT1M')).toBe(60000);
    expect(durationMs('PT')).toBeNull();
    expect(durationMs('5 seconds')).toBeNull();
  });
});
