import crypto from 'node:crypto';
import dgram from 'node:dgram';
import { parseProbeMatches, type ProbeMatch } from './onvifParse';
import { parseXml } from './soap';

/**
 * WS-Discovery (ONVIF Core §7.3): a Probe for NetworkVideoTransmitter, sent to the multicast
 * group 239.255.255.250:3702 and, when given, to unicast addresses (a device on another subnet,
 * or the tests' simulator on loopback); ProbeMatches are collected for `waitMs`.
 */
export const WS_DISCOVERY_GROUP = '239.255.255.250';
export const WS_DISCOVERY_PORT = 3702;
const MAX_DATAGRAM_BYTES = 64 * 1024;
const MAX_DEVICES = 256;

export interface DiscoveredDevice extends ProbeMatch {
  /** Where the reply came from. */
  fromAddress: string;
}

export function probeMessage(messageId: string): string {
  return (
    '<?xml version="1.0" encoding="UTF-8"?>' +
    '<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" xmlns:a="http://schemas.xmlsoap.org/ws/2004/08/addressing" ' +
    'xmlns:d="http://schemas.xmlsoap.org/ws/2005/04/discovery" xmlns:dn="http://www.onvif.org/ver10/network/wsdl">' +
    `<s:Header><a:MessageID>uuid:${messageId}</a:MessageID><a:To>urn:schemas-xmlsoap-org:ws:2005:04:discovery</a:To>` +
    '<a:Action>http://schemas.xmlsoap.org/ws/2005/04/discovery/Probe</a:Action></s:Header>' +
    '<s:Body><d:Probe><d:Types>dn:NetworkVideoTransmitter</d:Types></d:Probe></s:Body></s:Envelope>'
  );
}

export interface ScanOptions {
  waitMs: number;
  /** Send to the multicast group (the product); tests turn it off. */
  multicast: boolean;
  /** Extra unicast targets, "host" or "host:port" (port 3702 by default). */
  targets: string[];
}

export function parseTarget(target: string): { host: string; port: number } | null {
  const match = /^\[?([0-9A-Za-z.:-]+?)\]?(?::(\d{1,5}))?$/.exec(target.trim());
  if (!match?.[1]) return null;
  const port = match[2] ? Number(match[2]) : WS_DISCOVERY_PORT;
  if (port < 1 || port > 65535) return null;
  return { host: match[1], port };
}

/** Probes and gathers the devices that answered, one entry per endpoint. */
export function scanDevices(options: ScanOptions): Promise<DiscoveredDevice[]> {
  return new Promise((resolve) => {
    const messageId = crypto.randomUUID();
    const found = new Map<string, DiscoveredDevice>();
    const socket = dgram.createSocket({ type: 'udp4', reuseAddr: true });
    let finished = false;
    const finish = (): void => {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      try {
        socket.close();
      } catch {
        // already closed
      }
      resolve([...found.values()]);
    };
    const timer = setTimeout(finish, options.waitMs);
    socket.on('error', finish);
    socket.on('message', (message, remote) => {
      if (message.length > MAX_DATAGRAM_BYTES || found.size >= MAX_DEVICES) return;
      const document = parseXml(message.toString('utf8'));
      if (!document) return;
      for (const match of parseProbeMatches(document)) {
        const key = match.endpoint || match.xaddrs[0] || remote.address;
        if (!found.has(key)) found.set(key, { ...match, fromAddress: remote.address });
      }
    });
    socket.bind(0, () => {
      const payload = Buffer.from(probeMessage(messageId), 'utf8');
      const send = (host: string, port: number): void => socket.send(payload, port, host, () => undefined);
      if (options.multicast) {
        try {
          socket.setMulticastTTL(2);
        } catch {
          // no multicast route (sandbox): unicast targets still work
        }
        send(WS_DISCOVERY_GROUP, WS_DISCOVERY_PORT);
      }
      for (const target of options.targets) {
        const parsed = parseTarget(target);
        if (parsed) send(parsed.host, parsed.port);
      }
    });
  });
}
