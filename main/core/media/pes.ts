import { TS_PACKET_BYTES } from './mpegts';

/**
 * Presentation time stamps from MPEG-TS packets: the 33-bit, 90 kHz PTS in the PES header that
 * starts in a packet with payload_unit_start set. Used to time recorded segments exactly (the
 * PC clock gives a segment's start, the stream's own clock its length); the frame walk over a
 * recorded segment that uses them is tsFrames.ts.
 */
export const PTS_HZ = 90000;
/** The PTS wraps at 2^33 ticks (about every 26.5 hours). */
export const PTS_WRAP = 2 ** 33;

/** PTS of the PES that starts in this packet, or null. */
export function packetPts(packet: Uint8Array, offset = 0): number | null {
  if (packet[offset] !== 0x47) return null;
  const b1 = packet[offset + 1] ?? 0;
  if ((b1 & 0x40) === 0) return null;
  const adaptation = ((packet[offset + 3] ?? 0) >> 4) & 0x3;
  if ((adaptation & 0x1) === 0) return null;
  const payload = offset + 4 + ((adaptation & 0x2) !== 0 ? 1 + (packet[offset + 4] ?? 0) : 0);
  if (payload + 14 > offset + TS_PACKET_BYTES) return null;
  if (packet[payload] !== 0 || packet[payload + 1] !== 0 || packet[payload + 2] !== 1) return null;
  const flags = packet[payload + 7] ?? 0;
  if ((flags & 0x80) === 0) return null;
  const p = payload + 9;
  const b0 = packet[p] ?? 0;
  return (
    ((b0 >> 1) & 0x07) * 2 ** 30 +
    ((packet[p + 1] ?? 0) << 22) +
    (((packet[p + 2] ?? 0) >> 1) << 15) +
    ((packet[p + 3] ?? 0) << 7) +
    ((packet[p + 4] ?? 0) >> 1)
  );
}

export function packetPid(packet: Uint8Array, offset = 0): number {
  return (((packet[offset + 1] ?? 0) & 0x1f) << 8) | (packet[offset + 2] ?? 0);
}

/** b - a in 90 kHz ticks, across the 33-bit wrap (about every 26.5 hours). */
export function ptsDelta(a: number, b: number): number {
  const delta = (b - a + PTS_WRAP) % PTS_WRAP;
  return delta > PTS_WRAP / 2 ? delta - PTS_WRAP : delta;
}
