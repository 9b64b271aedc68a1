import crypto from 'node:crypto';
import dgram from 'node:dgram';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { attr, child, parseXml, path as xmlPath, textOf, type XmlNode } from '../../main/core/onvif/soap';

/**
 * A fake ONVIF camera that speaks the real protocol: SOAP 1.2 over HTTP (device, media and PTZ
 * services), WS-UsernameToken digest checked against its own (skewable) clock, WS-Discovery
 * ProbeMatches over UDP, and a PTZ position that moves with velocity over time. The position is
 * written to `positionFile`, which the RTSP test server's `ptz` mount reads, so its video follows
 * the PTZ (tests/helpers/rtsp_server.py).
 */
export interface OnvifSimQuirks {
  /** No pan/tilt space: zoom only. */
  zoomOnly?: boolean;
  /** Keeps moving past a ContinuousMove's Timeout (until Stop). */
  ignoresTimeout?: boolean;
  /** Answers Stop but keeps moving (a broken motor controller). */
  ignoresStop?: boolean;
  /** Stream and snapshot URIs with an internal NVR address instead of ours. */
  internalIp?: boolean;
  /** Old firmware: GetServices is an unknown action (GetCapabilities only). */
  noGetServices?: boolean;
}

export interface OnvifSimOptions {
  username?: string;
  password?: string;
  /** The camera's clock minus the real one. */
  clockSkewMs?: number;
  /** rtsp://host:port/path of the main stream (sub: the same with /sub appended unless given). */
  rtspMain?: string;
  rtspSub?: string;
  positionFile?: string;
  /** Start a WS-Discovery responder on this UDP port of 127.0.0.1 (0: any free port). */
  discoveryPort?: number | null;
  manufacturer?: string;
  model?: string;
  name?: string;
  /** Velocity range the camera advertises (default ±1). */
  velocityMax?: number;
  /** Position units per second at full speed (default 0.5: the whole pan range in 4 s). */
  unitsPerSecond?: number;
  quirks?: OnvifSimQuirks;
}

export interface SimRequest {
  action: string;
  atMs: number;
  /** Monotonic high-resolution time (performance.now) of arrival. */
  atHr: number;
  authenticated: boolean;
  body: XmlNode;
}

/** Replaces the reply to one request (bad-input tests). */
export type ReplyOverride = (action: string) =>
  | { kind: 'reply'; status: number; body: string | Buffer; contentType?: string }
  | { kind: 'neverEnding' }
  | { kind: 'hang' }
  | { kind: 'huge'; bytes: number }
  | null;

interface Preset {
  token: string;
  name: string;
  pan: number;
  tilt: number;
  zoom: number;
}

const SOAP_HEAD =
  '<?xml version="1.0" encoding="UTF-8"?><SOAP-ENV:Envelope xmlns:SOAP-ENV="http://www.w3.org/2003/05/soap-envelope" ' +
  'xmlns:tds="http://www.onvif.org/ver10/device/wsdl" xmlns:trt="http://www.onvif.org/ver10/media/wsdl" ' +
  'xmlns:tptz="http://www.onvif.org/ver20/ptz/wsdl" xmlns:tt="http://www.onvif.org/ver10/schema" ' +
  'xmlns:ter="http://www.onvif.org/ver10/error"><SOAP-ENV:Body>';
const SOAP_TAIL = '</SOAP-ENV:Body></SOAP-ENV:Envelope>';

function clamp(value: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, value));
}

export class OnvifSimulator {
  readonly requests: SimRequest[] = [];
  override: ReplyOverride | null = null;
  clockSkewMs: number;
  private readonly listeners = new Set<(request: SimRequest) => void>();
  private server: http.Server | null = null;
  private udp: dgram.Socket | null = null;
  port = 0;
  discoveryPort = 0;
  readonly presets: Preset[] = [
    { token: '1', name: 'Cổng chợ', pan: -0.5, tilt: 0, zoom: 0 },
    { token: '2', name: 'Cầu Khê', pan: 0.5, tilt: 0.2, zoom: 0.3 },
  ];
  private nextPresetToken = 3;
  // motion: position at `sinceMs` plus velocity until `untilMs`
  private pos = { pan: 0, tilt: 0, zoom: 0 };
  private velocity = { pan: 0, tilt: 0, zoom: 0 };
  private sinceMs = Date.now();
  private untilMs = Infinity;
  private writer: NodeJS.Timeout | null = null;
  private lastWritten = '';
  private readonly options: Required<Omit<OnvifSimOptions, 'positionFile' | 'rtspSub' | 'quirks' | 'discoveryPort'>> & Pick<OnvifSimOptions, 'positionFile' | 'rtspSub' | 'discoveryPort'> & { quirks: OnvifSimQuirks };

  constructor(options: OnvifSimOptions = {}) {
    this.options = {
      username: options.username ?? 'admin',
      password: options.password ?? 'Khe@2026',
      clockSkewMs: options.clockSkewMs ?? 0,
      rtspMain: options.rtspMain ?? 'rtsp://127.0.0.1:554/main',
      rtspSub: options.rtspSub,
      positionFile: options.positionFile,
      discoveryPort: options.discoveryPort,
      manufacturer: options.manufacturer ?? 'SimVision',
      model: options.model ?? 'PTZ-SIM-1',
      name: options.name ?? 'Camera mô phỏng',
      velocityMax: options.velocityMax ?? 1,
      unitsPerSecond: options.unitsPerSecond ?? 0.5,
      quirks: options.quirks ?? {},
    };
    this.clockSkewMs = this.options.clockSkewMs;
  }

  static async start(options: OnvifSimOptions = {}): Promise<OnvifSimulator> {
    const sim = new OnvifSimulator(options);
    await sim.listen();
    return sim;
  }

  get deviceUrl(): string {
    return `http://127.0.0.1:${this.port}/onvif/device_service`;
  }

  get address(): string {
    return `127.0.0.1:${this.port}`;
  }

  onRequest(listener: (request: SimRequest) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** The current position (moving with the velocity since the last command). */
  position(): { pan: number; tilt: number; zoom: number; moving: boolean } {
    const now = Date.now();
    const end = Math.min(now, this.untilMs);
    const seconds = Math.max(0, end - this.sinceMs) / 1000;
    const rate = this.options.unitsPerSecond / this.options.velocityMax;
    const pan = clamp(this.pos.pan + this.velocity.pan * rate * seconds, -1, 1);
    const tilt = clamp(this.pos.tilt + this.velocity.tilt * rate * seconds, -1, 1);
    const zoom = clamp(this.pos.zoom + this.velocity.zoom * rate * seconds, 0, 1);
    const moving = now < this.untilMs && (this.velocity.pan !== 0 || this.velocity.tilt !== 0 || this.velocity.zoom !== 0);
    return { pan, tilt, zoom, moving };
  }

  actions(name?: string): SimRequest[] {
    return name ? this.requests.filter((request) => request.action === name) : this.requests;
  }

  private setMotion(velocity: { pan: number; tilt: number; zoom: number }, untilMs: number): void {
    const here = this.position();
    this.pos = { pan: here.pan, tilt: here.tilt, zoom: here.zoom };
    this.velocity = velocity;
    this.sinceMs = Date.now();
    this.untilMs = untilMs;
  }

  moveTo(target: { pan: number; tilt: number; zoom: number }): void {
    this.pos = { ...target };
    this.velocity = { pan: 0, tilt: 0, zoom: 0 };
    this.sinceMs = Date.now();
    this.untilMs = Infinity;
  }

  private async listen(): Promise<void> {
    this.server = http.createServer((request, response) => this.handle(request, response));
    this.server.keepAliveTimeout = 1000;
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
    if (this.options.positionFile) {
      this.writer = setInterval(() => this.writePosition(), 40);
      this.writePosition();
    }
    if (this.options.discoveryPort !== undefined && this.options.discoveryPort !== null) await this.listenDiscovery(this.options.discoveryPort);
  }

  private writePosition(): void {
    if (!this.options.positionFile) return;
    const { pan, tilt, zoom } = this.position();
    const text = JSON.stringify({ pan: Math.round(pan * 1000) / 1000, tilt: Math.round(tilt * 1000) / 1000, zoom: Math.round(zoom * 1000) / 1000 });
    if (text === this.lastWritten) return;
    this.lastWritten = text;
    const temporary = `${this.options.positionFile}.tmp`;
    fs.writeFileSync(temporary, text);
    fs.renameSync(temporary, this.options.positionFile);
  }

  private async listenDiscovery(port: number): Promise<void> {
    const socket = dgram.createSocket('udp4');
    this.udp = socket;
    socket.on('message', (message, remote) => {
      const document = parseXml(message.toString('utf8'));
      const probe = xmlPath(document, 'Envelope', 'Body', 'Probe');
      if (probe === undefined) return;
      const messageId = textOf(xmlPath(document, 'Envelope', 'Header', 'MessageID')) ?? '';
      const scopes = [
        'onvif://www.onvif.org/type/video_encoder',
        'onvif://www.onvif.org/Profile/Streaming',
        `onvif://www.onvif.org/name/${encodeURIComponent(this.options.name)}`,
        `onvif://www.onvif.org/hardware/${encodeURIComponent(this.options.model)}`,
        `onvif://www.onvif.org/mfr/${encodeURIComponent(this.options.manufacturer)}`,
      ].join(' ');
      const reply =
        '<?xml version="1.0" encoding="UTF-8"?><s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" xmlns:a="http://schemas.xmlsoap.org/ws/2004/08/addressing" xmlns:d="http://schemas.xmlsoap.org/ws/2005/04/discovery" xmlns:dn="http://www.onvif.org/ver10/network/wsdl">' +
        `<s:Header><a:MessageID>uuid:${crypto.randomUUID()}</a:MessageID><a:RelatesTo>${messageId}</a:RelatesTo><a:Action>http://schemas.xmlsoap.org/ws/2005/04/discovery/ProbeMatches</a:Action></s:Header>` +
        `<s:Body><d:ProbeMatches><d:ProbeMatch><a:EndpointReference><a:Address>urn:uuid:sim-${this.port}</a:Address></a:EndpointReference>` +
        `<d:Types>dn:NetworkVideoTransmitter</d:Types><d:Scopes>${scopes}</d:Scopes><d:XAddrs>${this.deviceUrl}</d:XAddrs><d:MetadataVersion>1</d:MetadataVersion></d:ProbeMatch></d:ProbeMatches></s:Body></s:Envelope>`;
      socket.send(Buffer.from(reply), remote.port, remote.address);
    });
    await new Promise<void>((resolve) => socket.bind(port, '127.0.0.1', resolve));
    this.discoveryPort = socket.address().port;
  }

  async close(): Promise<void> {
    if (this.writer) clearInterval(this.writer);
    this.udp?.close();
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  // ---- HTTP/SOAP ------------------------------------------------------------------------------

  private handle(request: http.IncomingMessage, response: http.ServerResponse): void {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size < 256 * 1024) chunks.push(chunk);
    });
    request.on('end', () => {
      const atHr = performance.now();
      const text = Buffer.concat(chunks).toString('utf8');
      const document = parseXml(text);
      const body = xmlPath(document, 'Envelope', 'Body');
      const action = body && typeof body === 'object' ? (Object.keys(body).find((key) => !key.startsWith('@') && key !== '#text') ?? '') : '';
      const authenticated = this.checkAuth(document);
      const entry: SimRequest = { action, atMs: Date.now(), atHr, authenticated, body: (child(body, action) as XmlNode | undefined) ?? {} };
      this.requests.push(entry);
      if (this.requests.length > 5000) this.requests.splice(0, 1000);
      for (const listener of this.listeners) listener(entry);
      const override = this.override?.(action) ?? null;
      if (override) return this.sendOverride(response, override);
      if (request.method !== 'POST' || !document) return this.send(response, 400, this.fault('env:Sender', 'ter:WellFormed', 'Malformed request'));
      if (action !== 'GetSystemDateAndTime' && !authenticated) return this.send(response, 400, this.fault('env:Sender', 'ter:NotAuthorized', 'Sender not authorized'));
      try {
        const reply = this.reply(action, entry.body);
        if (reply === null) return this.send(response, 400, this.fault('env:Sender', 'ter:ActionNotSupported', `Unknown action ${action}`));
        this.send(response, 200, SOAP_HEAD + reply + SOAP_TAIL);
      } catch (error) {
        this.send(response, 400, this.fault('env:Sender', 'ter:InvalidArgVal', (error as Error).message));
      }
    });
  }

  private sendOverride(response: http.ServerResponse, override: NonNullable<ReturnType<ReplyOverride>>): void {
    if (override.kind === 'reply') {
      response.writeHead(override.status, { 'Content-Type': override.contentType ?? 'application/soap+xml' });
      response.end(override.body);
    } else if (override.kind === 'hang') {
      // never answers at all (the socket stays open until the client gives up)
    } else if (override.kind === 'neverEnding') {
      response.writeHead(200, { 'Content-Type': 'application/soap+xml' });
      response.write(SOAP_HEAD);
      const timer = setInterval(() => {
        if (response.destroyed || !response.write('<tt:Pad>x</tt:Pad>')) clearInterval(timer);
      }, 50);
      response.on('close', () => clearInterval(timer));
    } else {
      response.writeHead(200, { 'Content-Type': 'application/soap+xml' });
      const block = Buffer.alloc(64 * 1024, 'A');
      let sent = 0;
      const pump = (): void => {
        while (sent < override.bytes && !response.destroyed) {
          sent += block.length;
          if (!response.write(block)) return void response.once('drain', pump);
        }
        response.end();
      };
      response.write(SOAP_HEAD);
      pump();
    }
  }

  private send(response: http.ServerResponse, status: number, body: string): void {
    response.writeHead(status, { 'Content-Type': 'application/soap+xml; charset=utf-8', 'Content-Length': Buffer.byteLength(body) });
    response.end(body);
  }

  private fault(code: string, subcode: string, reason: string): string {
    return `${SOAP_HEAD}<SOAP-ENV:Fault><SOAP-ENV:Code><SOAP-ENV:Value>${code}</SOAP-ENV:Value><SOAP-ENV:Subcode><SOAP-ENV:Value>${subcode}</SOAP-ENV:Value></SOAP-ENV:Subcode></SOAP-ENV:Code><SOAP-ENV:Reason><SOAP-ENV:Text xml:lang="en">${reason}</SOAP-ENV:Text></SOAP-ENV:Reason></SOAP-ENV:Fault>${SOAP_TAIL}`;
  }

  /** WS-UsernameToken digest, Created within 5 s of the camera's own clock. */
  private checkAuth(document: XmlNode | null): boolean {
    const token = xmlPath(document, 'Envelope', 'Header', 'Security', 'UsernameToken');
    if (token === undefined) return false;
    const username = textOf(child(token, 'Username'));
    const digest = textOf(child(token, 'Password'));
    const nonce = textOf(child(token, 'Nonce'));
    const created = textOf(child(token, 'Created'));
    if (!username || !digest || !nonce || !created) return false;
    const createdMs = Date.parse(created);
    if (!Number.isFinite(createdMs) || Math.abs(createdMs - (Date.now() + this.clockSkewMs)) > 5000) return false;
    const expected = crypto
      .createHash('sha1')
      .update(Buffer.concat([Buffer.from(nonce, 'base64'), Buffer.from(created, 'utf8'), Buffer.from(this.options.password, 'utf8')]))
      .digest('base64');
    return username === this.options.username && expected === digest;
  }

  private streamUri(kind: 'main' | 'sub'): string {
    const uri = kind === 'main' ? this.options.rtspMain : (this.options.rtspSub ?? this.options.rtspMain);
    if (!this.options.quirks.internalIp) return uri;
    const url = new URL(uri);
    url.hostname = '192.168.254.10';
    return url.toString();
  }

  private velocitySpaces(): string {
    const max = this.options.velocityMax;
    const panTilt = this.options.quirks.zoomOnly
      ? ''
      : `<tt:ContinuousPanTiltVelocitySpace><tt:URI>http://www.onvif.org/ver10/tptz/PanTiltSpaces/VelocityGenericSpace</tt:URI><tt:XRange><tt:Min>${-max}</tt:Min><tt:Max>${max}</tt:Max></tt:XRange><tt:YRange><tt:Min>${-max}</tt:Min><tt:Max>${max}</tt:Max></tt:YRange></tt:ContinuousPanTiltVelocitySpace>`;
    return `${panTilt}<tt:ContinuousZoomVelocitySpace><tt:URI>http://www.onvif.org/ver10/tptz/ZoomSpaces/VelocityGenericSpace</tt:URI><tt:XRange><tt:Min>${-max}</tt:Min><tt:Max>${max}</tt:Max></tt:XRange></tt:ContinuousZoomVelocitySpace>`;
  }

  private reply(action: string, body: XmlNode): string | null {
    const base = `http://127.0.0.1:${this.port}/onvif`;
    const profile = (token: string, name: string, width: number, height: number): string =>
      `<trt:Profiles token="${token}" fixed="true"><tt:Name>${name}</tt:Name><tt:VideoEncoderConfiguration token="enc_${token}"><tt:Name>enc</tt:Name><tt:Encoding>H264</tt:Encoding><tt:Resolution><tt:Width>${width}</tt:Width><tt:Height>${height}</tt:Height></tt:Resolution></tt:VideoEncoderConfiguration>` +
      `<tt:PTZConfiguration token="ptzcfg"><tt:Name>ptz</tt:Name><tt:NodeToken>node0</tt:NodeToken><tt:DefaultPTZTimeout>PT10S</tt:DefaultPTZTimeout></tt:PTZConfiguration></trt:Profiles>`;
    switch (action) {
      case 'GetSystemDateAndTime': {
        const now = new Date(Date.now() + this.clockSkewMs);
        return `<tds:GetSystemDateAndTimeResponse><tds:SystemDateAndTime><tt:DateTimeType>NTP</tt:DateTimeType><tt:DaylightSavings>false</tt:DaylightSavings><tt:TimeZone><tt:TZ>ICT-7</tt:TZ></tt:TimeZone><tt:UTCDateTime><tt:Time><tt:Hour>${now.getUTCHours()}</tt:Hour><tt:Minute>${now.getUTCMinutes()}</tt:Minute><tt:Second>${now.getUTCSeconds()}</tt:Second></tt:Time><tt:Date><tt:Year>${now.getUTCFullYear()}</tt:Year><tt:Month>${now.getUTCMonth() + 1}</tt:Month><tt:Day>${now.getUTCDate()}</tt:Day></tt:Date></tt:UTCDateTime></tds:SystemDateAndTime></tds:GetSystemDateAndTimeResponse>`;
      }
      case 'GetDeviceInformation':
        return `<tds:GetDeviceInformationResponse><tds:Manufacturer>${this.options.manufacturer}</tds:Manufacturer><tds:Model>${this.options.model}</tds:Model><tds:FirmwareVersion>1.0.0</tds:FirmwareVersion><tds:SerialNumber>SIM${this.port}</tds:SerialNumber><tds:HardwareId>1</tds:HardwareId></tds:GetDeviceInformationResponse>`;
      case 'GetServices':
        if (this.options.quirks.noGetServices) return null;
        return (
          '<tds:GetServicesResponse>' +
          `<tds:Service><tds:Namespace>http://www.onvif.org/ver10/device/wsdl</tds:Namespace><tds:XAddr>${base}/device_service</tds:XAddr><tds:Version><tt:Major>2</tt:Major><tt:Minor>60</tt:Minor></tds:Version></tds:Service>` +
          `<tds:Service><tds:Namespace>http://www.onvif.org/ver10/media/wsdl</tds:Namespace><tds:XAddr>${base}/media_service</tds:XAddr><tds:Version><tt:Major>2</tt:Major><tt:Minor>60</tt:Minor></tds:Version></tds:Service>` +
          `<tds:Service><tds:Namespace>http://www.onvif.org/ver20/ptz/wsdl</tds:Namespace><tds:XAddr>${base}/ptz_service</tds:XAddr><tds:Version><tt:Major>2</tt:Major><tt:Minor>60</tt:Minor></tds:Version></tds:Service>` +
          '</tds:GetServicesResponse>'
        );
      case 'GetCapabilities':
        return `<tds:GetCapabilitiesResponse><tds:Capabilities><tt:Device><tt:XAddr>${base}/device_service</tt:XAddr></tt:Device><tt:Media><tt:XAddr>${base}/media_service</tt:XAddr></tt:Media><tt:PTZ><tt:XAddr>${base}/ptz_service</tt:XAddr></tt:PTZ></tds:Capabilities></tds:GetCapabilitiesResponse>`;
      case 'GetProfiles':
        return `<trt:GetProfilesResponse>${profile('main', 'mainStream', 1280, 720)}${profile('sub', 'subStream', 320, 180)}</trt:GetProfilesResponse>`;
      case 'GetStreamUri': {
        const token = textOf(child(body, 'ProfileToken'));
        if (token !== 'main' && token !== 'sub') throw new Error('no such profile');
        return `<trt:GetStreamUriResponse><trt:MediaUri><tt:Uri>${this.streamUri(token).replace(/&/g, '&amp;')}</tt:Uri><tt:InvalidAfterConnect>false</tt:InvalidAfterConnect><tt:InvalidAfterReboot>false</tt:InvalidAfterReboot><tt:Timeout>PT0S</tt:Timeout></trt:MediaUri></trt:GetStreamUriResponse>`;
      }
      case 'GetSnapshotUri': {
        const host = this.options.quirks.internalIp ? '192.168.254.10' : '127.0.0.1';
        return `<trt:GetSnapshotUriResponse><trt:MediaUri><tt:Uri>http://${host}:${this.port}/snapshot.jpg</tt:Uri><tt:InvalidAfterConnect>false</tt:InvalidAfterConnect><tt:InvalidAfterReboot>false</tt:InvalidAfterReboot><tt:Timeout>PT0S</tt:Timeout></trt:MediaUri></trt:GetSnapshotUriResponse>`;
      }
      case 'GetNodes':
        return `<tptz:GetNodesResponse><tptz:PTZNode token="node0" FixedHomePosition="false"><tt:Name>PTZ</tt:Name><tt:SupportedPTZSpaces>${this.velocitySpaces()}</tt:SupportedPTZSpaces><tt:MaximumNumberOfPresets>64</tt:MaximumNumberOfPresets><tt:HomeSupported>true</tt:HomeSupported></tptz:PTZNode></tptz:GetNodesResponse>`;
      case 'GetConfigurationOptions':
        return `<tptz:GetConfigurationOptionsResponse><tptz:PTZConfigurationOptions><tt:Spaces>${this.velocitySpaces()}</tt:Spaces><tt:PTZTimeout><tt:Min>PT1S</tt:Min><tt:Max>PT60S</tt:Max></tt:PTZTimeout></tptz:PTZConfigurationOptions></tptz:GetConfigurationOptionsResponse>`;
      case 'ContinuousMove': {
        const velocity = child(body, 'Velocity');
        const max = this.options.velocityMax;
        const panTilt = child(velocity, 'PanTilt');
        if (panTilt !== undefined && this.options.quirks.zoomOnly) throw new Error('no pan/tilt on this camera');
        const read = (node: unknown, name: string): number => clamp(Number(attr(node, name) ?? 0) || 0, -max, max);
        const timeoutText = textOf(child(body, 'Timeout'));
        const seconds = timeoutText ? Number(/PT([\d.]+)S/.exec(timeoutText)?.[1] ?? 10) : 10;
        const until = this.options.quirks.ignoresTimeout ? Infinity : Date.now() + seconds * 1000;
        this.setMotion({ pan: read(panTilt, 'x'), tilt: read(panTilt, 'y'), zoom: read(child(velocity, 'Zoom'), 'x') }, until);
        return '<tptz:ContinuousMoveResponse/>';
      }
      case 'Stop':
        if (!this.options.quirks.ignoresStop) this.setMotion({ pan: 0, tilt: 0, zoom: 0 }, Infinity);
        return '<tptz:StopResponse/>';
      case 'GetStatus': {
        const here = this.position();
        const state = here.moving ? 'MOVING' : 'IDLE';
        return `<tptz:GetStatusResponse><tptz:PTZStatus><tt:Position><tt:PanTilt x="${here.pan}" y="${here.tilt}" space="http://www.onvif.org/ver10/tptz/PanTiltSpaces/PositionGenericSpace"/><tt:Zoom x="${here.zoom}" space="http://www.onvif.org/ver10/tptz/ZoomSpaces/PositionGenericSpace"/></tt:Position><tt:MoveStatus><tt:PanTilt>${state}</tt:PanTilt><tt:Zoom>${state}</tt:Zoom></tt:MoveStatus><tt:UtcTime>${new Date(Date.now() + this.clockSkewMs).toISOString()}</tt:UtcTime></tptz:PTZStatus></tptz:GetStatusResponse>`;
      }
      case 'GetPresets':
        return `<tptz:GetPresetsResponse>${this.presets.map((preset) => `<tptz:Preset token="${preset.token}"><tt:Name>${escape(preset.name)}</tt:Name><tt:PTZPosition><tt:PanTilt x="${preset.pan}" y="${preset.tilt}"/><tt:Zoom x="${preset.zoom}"/></tt:PTZPosition></tptz:Preset>`).join('')}</tptz:GetPresetsResponse>`;
      case 'GotoPreset': {
        const preset = this.presets.find((entry) => entry.token === textOf(child(body, 'PresetToken')));
        if (!preset) throw new Error('no such preset');
        this.moveTo(preset);
        return '<tptz:GotoPresetResponse/>';
      }
      case 'GotoHomePosition':
        this.moveTo({ pan: 0, tilt: 0, zoom: 0 });
        return '<tptz:GotoHomePositionResponse/>';
      case 'SetPreset': {
        const name = textOf(child(body, 'PresetName')) ?? '';
        const token = textOf(child(body, 'PresetToken'));
        const here = this.position();
        const existing = token ? this.presets.find((entry) => entry.token === token) : undefined;
        if (token && !existing) throw new Error('no such preset');
        if (existing) Object.assign(existing, { name: name || existing.name, pan: here.pan, tilt: here.tilt, zoom: here.zoom });
        const saved = existing ?? { token: String(this.nextPresetToken++), name: name || `Preset ${this.nextPresetToken}`, pan: here.pan, tilt: here.tilt, zoom: here.zoom };
        if (!existing) this.presets.push(saved);
        return `<tptz:SetPresetResponse><tptz:PresetToken>${saved.token}</tptz:PresetToken></tptz:SetPresetResponse>`;
      }
      case 'RemovePreset': {
        const index = this.presets.findIndex((entry) => entry.token === textOf(child(body, 'PresetToken')));
        if (index < 0) throw new Error('no such preset');
        this.presets.splice(index, 1);
        return '<tptz:RemovePresetResponse/>';
      }
      default:
        return null;
    }
  }
}

function escape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;');
}
