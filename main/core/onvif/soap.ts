import crypto from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { ONVIF_PROBLEMS, type OnvifProblem } from '../../../common/ptzContract';

/**
 * A small SOAP 1.2 client for ONVIF (see docs/devices.md for why not the `onvif` package): every
 * request has a deadline for the WHOLE exchange (a reply that trickles forever is cut), a reply
 * size cap, and every failure becomes one OnvifProblem the UI can say in Vietnamese.
 */
export { ONVIF_PROBLEMS, type OnvifProblem };

export class OnvifError extends Error {
  constructor(
    readonly problem: OnvifProblem,
    /** For the log: never a password. */
    readonly detail: string,
  ) {
    super(`${problem}: ${detail}`);
    this.name = 'OnvifError';
  }
}

/** A user name and password (a camera's, an NVR's): the encrypted store keeps them (devices/credentials.ts). */
export interface Credentials {
  username: string;
  password: string;
}

export interface SoapAuth {
  username: string;
  password: string;
  /** The camera's clock minus ours (ms): the digest's Created must be in the camera's time. */
  clockOffsetMs: number;
}

export interface SoapOptions {
  timeoutMs: number;
  maxReplyBytes: number;
  /** Injected in tests; Date.now by default. */
  now?: () => number;
}

export const DEFAULT_SOAP_OPTIONS: SoapOptions = { timeoutMs: 5000, maxReplyBytes: 1024 * 1024 };

export type XmlNode = Record<string, unknown>;

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  removeNSPrefix: true,
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  processEntities: true,
});

/** WS-Security UsernameToken with a password digest (ONVIF Core §5.12). */
export function usernameTokenHeader(auth: SoapAuth, nowMs: number, nonce: Buffer = crypto.randomBytes(16)): string {
  const created = new Date(nowMs + auth.clockOffsetMs).toISOString().replace(/\.\d{3}Z$/, 'Z');
  const digest = crypto.createHash('sha1').update(Buffer.concat([nonce, Buffer.from(created, 'utf8'), Buffer.from(auth.password, 'utf8')])).digest('base64');
  return (
    '<Security s:mustUnderstand="1" xmlns="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd">' +
    `<UsernameToken><Username>${escapeXml(auth.username)}</Username>` +
    `<Password Type="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0#PasswordDigest">${digest}</Password>` +
    `<Nonce EncodingType="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-soap-message-security-1.0#Base64Binary">${nonce.toString('base64')}</Nonce>` +
    `<Created xmlns="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd">${created}</Created>` +
    '</UsernameToken></Security>'
  );
}

export function escapeXml(text: string): string {
  return text.replace(/[<>&'"]/g, (char) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&apos;', '"': '&quot;' })[char] ?? char);
}

export function envelope(body: string, header = ''): string {
  return (
    '<?xml version="1.0" encoding="UTF-8"?>' +
    '<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" xmlns:tds="http://www.onvif.org/ver10/device/wsdl" ' +
    'xmlns:trt="http://www.onvif.org/ver10/media/wsdl" xmlns:tptz="http://www.onvif.org/ver20/ptz/wsdl" xmlns:tt="http://www.onvif.org/ver10/schema">' +
    `<s:Header>${header}</s:Header><s:Body>${body}</s:Body></s:Envelope>`
  );
}

/**
 * Turns a reply's bytes into its SOAP Body, or throws the OnvifError that says what is wrong.
 * Pure (no I/O): the fuzz test feeds it thousands of broken replies.
 */
export function parseSoapReply(statusCode: number, text: string): XmlNode {
  const trimmed = text.trim();
  if (!trimmed.startsWith('<')) {
    if (statusCode === 401) throw new OnvifError('authFailed', `HTTP ${statusCode}`);
    throw new OnvifError('notOnvif', `HTTP ${statusCode}, not XML`);
  }
  // SOAP forbids a DTD; refusing it also rules out entity-expansion bombs.
  if (/<!DOCTYPE|<!ENTITY/i.test(trimmed)) throw new OnvifError('badXml', 'DTD in reply');
  const looksSoap = /<(?:[\w.-]+:)?Envelope[\s>]/.test(trimmed);
  if (!looksSoap) {
    if (statusCode === 401) throw new OnvifError('authFailed', `HTTP ${statusCode}`);
    throw new OnvifError('notOnvif', `HTTP ${statusCode}, XML without SOAP envelope`);
  }
  const valid = XMLValidator.validate(trimmed);
  if (valid !== true) throw new OnvifError('badXml', `line ${valid.err.line}: ${valid.err.code}`);
  let document: unknown;
  try {
    document = parser.parse(trimmed);
  } catch (error) {
    throw new OnvifError('badXml', (error as Error).message.slice(0, 200));
  }
  const envelopeNode = child(document, 'Envelope');
  const body = child(envelopeNode, 'Body');
  if (!isNode(body)) {
    if (statusCode === 401) throw new OnvifError('authFailed', `HTTP ${statusCode}`);
    throw new OnvifError('badXml', 'no SOAP Body');
  }
  const fault = child(body, 'Fault');
  if (fault !== undefined) {
    const codes = faultCodes(fault);
    const reason = textOf(child(child(fault, 'Reason'), 'Text')) ?? textOf(child(fault, 'faultstring')) ?? '';
    if (statusCode === 401 || codes.some((code) => /NotAuthorized|FailedAuthentication|InvalidSecurity|Sender.*Auth/i.test(code)) || /not ?authori[sz]ed|authenticat/i.test(reason)) {
      throw new OnvifError('authFailed', `fault ${codes.join('/')} ${reason}`.slice(0, 300));
    }
    throw new OnvifError('soapFault', `fault ${codes.join('/')} ${reason}`.slice(0, 300));
  }
  if (statusCode === 401) throw new OnvifError('authFailed', `HTTP ${statusCode}`);
  if (statusCode >= 400) throw new OnvifError('soapFault', `HTTP ${statusCode} without fault`);
  return body;
}

function faultCodes(fault: unknown): string[] {
  const codes: string[] = [];
  let code = child(fault, 'Code');
  for (let depth = 0; code !== undefined && depth < 5; depth++) {
    const value = textOf(child(code, 'Value'));
    if (value) codes.push(value);
    code = child(code, 'Subcode');
  }
  const old = textOf(child(fault, 'faultcode'));
  if (old) codes.push(old);
  return codes;
}

/** Sends one SOAP request and returns the reply's Body (namespace prefixes removed). */
export function soapRequest(endpoint: string, body: string, auth: SoapAuth | null, options: SoapOptions = DEFAULT_SOAP_OPTIONS): Promise<XmlNode> {
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    return Promise.reject(new OnvifError('badAddress', 'not a URL'));
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return Promise.reject(new OnvifError('badAddress', `protocol ${url.protocol}`));
  const now = options.now ?? Date.now;
  const payload = Buffer.from(envelope(body, auth ? usernameTokenHeader(auth, now()) : ''), 'utf8');
  const transport = url.protocol === 'https:' ? https : http;
  return new Promise<XmlNode>((resolve, reject) => {
    let settled = false;
    const finish = (error: OnvifError | null, value?: XmlNode): void => {
      if (settled) return;
      settled = true;
      clearTimeout(deadline);
      request.destroy();
      if (error) reject(error);
      else resolve(value as XmlNode);
    };
    const request = transport.request(
      url,
      {
        method: 'POST',
        headers: { 'Content-Type': 'application/soap+xml; charset=utf-8', 'Content-Length': payload.length, Connection: 'close' },
        // self-signed certificates are the rule on cameras; the LAN is the trust boundary
        rejectUnauthorized: false,
      },
      (response) => {
        const declared = Number(response.headers['content-length'] ?? NaN);
        if (Number.isFinite(declared) && declared > options.maxReplyBytes) {
          finish(new OnvifError('tooLarge', `Content-Length ${declared}`));
          return;
        }
        const chunks: Buffer[] = [];
        let size = 0;
        response.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > options.maxReplyBytes) {
            finish(new OnvifError('tooLarge', `more than ${options.maxReplyBytes} bytes`));
            return;
          }
          chunks.push(chunk);
        });
        response.on('error', (error) => finish(new OnvifError('unreachable', error.message)));
        response.on('aborted', () => finish(new OnvifError('unreachable', 'reply aborted')));
        response.on('end', () => {
          try {
            finish(null, parseSoapReply(response.statusCode ?? 0, Buffer.concat(chunks).toString('utf8')));
          } catch (error) {
            finish(error instanceof OnvifError ? error : new OnvifError('badXml', String(error)));
          }
        });
      },
    );
    const deadline = setTimeout(() => finish(new OnvifError('timeout', `no complete reply in ${options.timeoutMs} ms`)), options.timeoutMs);
    request.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'ECONNRESET' && settled) return;
      finish(new OnvifError(error.code === 'ENOTFOUND' || error.code === 'EAI_AGAIN' ? 'badAddress' : 'unreachable', error.code ?? error.message));
    });
    request.end(payload);
  });
}

// ---- tolerant readers of parsed XML ----------------------------------------------------------

export function isNode(value: unknown): value is XmlNode {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The first child of that (local) name; arrays give their first element. */
export function child(node: unknown, name: string): unknown {
  if (Array.isArray(node)) node = node[0];
  if (!isNode(node)) return undefined;
  const value = node[name];
  return Array.isArray(value) ? value[0] : value;
}

/** Every child of that name, as an array (a single element or none included). */
export function children(node: unknown, name: string): unknown[] {
  if (Array.isArray(node)) node = node[0];
  if (!isNode(node)) return [];
  const value = node[name];
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}

export function path(node: unknown, ...names: string[]): unknown {
  let current = node;
  for (const name of names) current = child(current, name);
  return current;
}

export function textOf(node: unknown): string | undefined {
  if (typeof node === 'string') return node;
  if (typeof node === 'number' || typeof node === 'boolean') return String(node);
  if (isNode(node) && typeof node['#text'] === 'string') return node['#text'];
  if (isNode(node) && (typeof node['#text'] === 'number' || typeof node['#text'] === 'boolean')) return String(node['#text']);
  return undefined;
}

export function attr(node: unknown, name: string): string | undefined {
  if (Array.isArray(node)) node = node[0];
  if (!isNode(node)) return undefined;
  const value = node[`@${name}`];
  return typeof value === 'string' ? value : undefined;
}

export function numberOf(node: unknown): number | undefined {
  const text = textOf(node);
  if (text === undefined || text.trim() === '') return undefined;
  const value = Number(text);
  return Number.isFinite(value) ? value : undefined;
}

export function numberAttr(node: unknown, name: string): number | undefined {
  const text = attr(node, name);
  if (text === undefined || text.trim() === '') return undefined;
  const value = Number(text);
  return Number.isFinite(value) ? value : undefined;
}

/** Parses XML that is not a SOAP reply (WS-Discovery datagrams): null when malformed. */
export function parseXml(text: string): XmlNode | null {
  if (/<!DOCTYPE|<!ENTITY/i.test(text)) return null;
  if (XMLValidator.validate(text) !== true) return null;
  try {
    const value: unknown = parser.parse(text);
    return isNode(value) ? value : null;
  } catch {
    return null;
  }
}
