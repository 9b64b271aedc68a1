import { TS_PACKET_BYTES } from './mpegts';
import { packetPid } from './pes';

/**
 * Parameter sets (H.264 SPS/PPS, H.265 VPS/SPS/PPS) in MPEG-TS, at the level of one frame's TS
 * packets: find them in a keyframe's access unit, or put them into one that lacks them (after
 * the access unit delimiter, else first), the frame's packets made again with the same PID,
 * adaptation field (random access, PCR) and valid continuity counters. A camera that does not
 * repeat them in band sends them once (or only in its SDP); a decoder fed a keyframe without them
 * decodes nothing ("non-existing PPS 0 referenced"). Used on the live pull (keyframeSets.ts: every
 * keyframe leaving the camera stream source carries them) and by playback (a recorded keyframe
 * without them gets the segment's first ones).
 */

/** NAL unit types by codec (as segmentScan names it): the parameter sets, the SPS, the delimiter. */
const SETS: Record<string, readonly number[]> = { h264: [7, 8], hevc: [32, 33, 34] };
const SPS: Record<string, number> = { h264: 7, hevc: 33 };
const DELIMITER: Record<string, number> = { h264: 9, hevc: 35 };

interface NalUnit {
  /** Offset of the start code. */
  start: number;
  /** Offset of the NAL header's first byte. */
  header: number;
  /** End (exclusive): the next start code, or the end of the payload. */
  end: number;
  type: number;
}

function nalType(codec: string, data: Uint8Array, header: number): number {
  const byte = data[header] ?? 0;
  return codec === 'hevc' ? (byte >> 1) & 0x3f : byte & 0x1f;
}

/** The NAL units of an Annex B byte stream (3- or 4-byte start codes). */
export function nalUnits(codec: string, data: Uint8Array): NalUnit[] {
  const starts: { start: number; header: number }[] = [];
  for (let index = 0; index + 3 <= data.length; index++) {
    if (data[index] === 0 && data[index + 1] === 0 && data[index + 2] === 1) {
      starts.push({ start: index > 0 && data[index - 1] === 0 ? index - 1 : index, header: index + 3 });
      index += 2;
    }
  }
  return starts.map((unit, index) => ({ ...unit, end: starts[index + 1]?.start ?? data.length, type: nalType(codec, data, unit.header) }));
}

/** One frame's video PES, taken from its TS packets: header, payload, and the packets' details. */
interface FramePes {
  pesHeader: Buffer;
  payload: Buffer;
  /** The adaptation field of the frame's first packet (without its length byte), or null. */
  firstAdaptation: Buffer | null;
  /** Byte 1 of the first packet (TEI, PUSI, priority, PID high bits). */
  firstByte1: number;
  /** Continuity counter of the frame's first and last video packet. */
  firstCc: number;
  lastCc: number;
  /** How many video packets the frame has. */
  videoPackets: number;
  /** Packets of other PIDs inside the frame's range (kept as they are). */
  others: Buffer[];
}

function framePes(packets: Buffer, videoPid: number): FramePes | null {
  const pieces: Buffer[] = [];
  const others: Buffer[] = [];
  let firstAdaptation: Buffer | null = null;
  let firstByte1 = -1;
  let firstCc = 0;
  let lastCc = 0;
  let videoPackets = 0;
  for (let offset = 0; offset + TS_PACKET_BYTES <= packets.length; offset += TS_PACKET_BYTES) {
    const packet = packets.subarray(offset, offset + TS_PACKET_BYTES);
    if (packet[0] !== 0x47) return null;
    if (packetPid(packet) !== videoPid) {
      others.push(packet);
      continue;
    }
    const control = (packet[3]! >> 4) & 0x3;
    const adaptationBytes = (control & 0x2) !== 0 ? 1 + packet[4]! : 0;
    if (firstByte1 < 0) {
      if ((packet[1]! & 0x40) === 0) return null;
      firstByte1 = packet[1]!;
      firstCc = packet[3]! & 0x0f;
      firstAdaptation = adaptationBytes > 0 ? Buffer.from(packet.subarray(5, 4 + adaptationBytes)) : null;
    }
    lastCc = packet[3]! & 0x0f;
    videoPackets += 1;
    if ((control & 0x1) !== 0) pieces.push(packet.subarray(4 + adaptationBytes));
  }
  const pes = Buffer.concat(pieces);
  if (firstByte1 < 0 || pes.length < 9 || pes[0] !== 0 || pes[1] !== 0 || pes[2] !== 1) return null;
  const headerBytes = 9 + pes[8]!;
  if (pes.length < headerBytes) return null;
  return { pesHeader: Buffer.from(pes.subarray(0, headerBytes)), payload: pes.subarray(headerBytes), firstAdaptation, firstByte1, firstCc, lastCc, videoPackets, others };
}

/**
 * The parameter-set NAL units (each with a 4-byte start code) of one frame's TS packets, in their
 * order; null when the frame has none of them or is not H.264/H.265.
 */
export function parameterSetsOf(packets: Buffer, videoPid: number, codec: string | null): Buffer | null {
  const wanted = codec ? SETS[codec] : undefined;
  if (!codec || !wanted) return null;
  const frame = framePes(packets, videoPid);
  if (!frame) return null;
  const found: Buffer[] = [];
  for (const unit of nalUnits(codec, frame.payload)) {
    if (!wanted.includes(unit.type)) continue;
    // trailing zero bytes belong to the next start code
    let end = unit.end;
    while (end > unit.header && frame.payload[end - 1] === 0) end -= 1;
    found.push(Buffer.from([0, 0, 0, 1]), frame.payload.subarray(unit.header, end));
  }
  return found.length > 0 ? Buffer.concat(found) : null;
}

/** MPEG-TS packets of one PES: the first with `adaptation` (random access, PCR), the last stuffed. */
function packetize(pid: number, byte1: number, adaptation: Buffer | null, pes: Buffer, firstCc: number): Buffer[] {
  const packets: Buffer[] = [];
  let done = 0;
  for (let index = 0; done < pes.length || index === 0; index++) {
    const fixed = index === 0 && adaptation ? 1 + adaptation.length : 0;
    const capacity = TS_PACKET_BYTES - 4 - fixed;
    const chunk = Math.min(capacity, pes.length - done);
    const stuffing = capacity - chunk;
    const packet = Buffer.alloc(TS_PACKET_BYTES, 0xff);
    packet[0] = 0x47;
    packet[1] = index === 0 ? byte1 : (pid >> 8) & 0x1f;
    packet[2] = pid & 0xff;
    const withAdaptation = fixed > 0 || stuffing > 0;
    packet[3] = (withAdaptation ? 0x30 : 0x10) | ((firstCc + index) & 0x0f);
    let at = 4;
    if (index === 0 && adaptation) {
      packet[4] = adaptation.length + stuffing;
      adaptation.copy(packet, 5);
      at = 5 + adaptation.length + stuffing;
    } else if (stuffing > 0) {
      packet[4] = stuffing - 1;
      if (stuffing > 1) packet[5] = 0x00; // no flags; the rest stays 0xff
      at = 4 + stuffing;
    }
    pes.copy(packet, at, done, done + chunk);
    done += chunk;
    packets.push(packet);
  }
  return packets;
}

/** A frame rebuilt with parameter sets: its packets, and how many more video packets than before. */
export interface RebuiltFrame {
  data: Buffer;
  /** Video packets added: the continuity counters after the frame move on by this much (mod 16). */
  addedPackets: number;
}

/**
 * The frame's TS packets with `sets` in its access unit (after the delimiter, else first), or
 * null when the frame already holds an SPS or is not a whole H.264/H.265 PES. The PES length is
 * kept when it still fits (else 0: unbounded, allowed for video). `continuity` 'end': the new
 * packets' continuity counters end where the frame's did, so the next frame follows without a
 * gap (playback: the decoder starts at this frame), and packets of other PIDs within the frame's
 * range come first, unchanged; 'start': they start where the frame's did (a live stream: the
 * caller moves every later video packet's counter on by `addedPackets`), and the other PIDs'
 * packets follow the frame, so the data still begins with its first packet.
 */
export function rebuildWithParameterSets(packets: Buffer, videoPid: number, codec: string | null, sets: Buffer, continuity: 'start' | 'end'): RebuiltFrame | null {
  const wanted = codec ? SETS[codec] : undefined;
  if (!codec || !wanted) return null;
  const frame = framePes(packets, videoPid);
  if (!frame) return null;
  const units = nalUnits(codec, frame.payload);
  if (units.some((unit) => unit.type === SPS[codec])) return null;
  const first = units[0];
  const at = first && first.type === DELIMITER[codec] ? first.end : 0;
  const payload = Buffer.concat([frame.payload.subarray(0, at), sets, frame.payload.subarray(at)]);
  const pesHeader = Buffer.from(frame.pesHeader);
  const length = pesHeader.readUInt16BE(4);
  if (length !== 0) {
    const longer = length + sets.length;
    pesHeader.writeUInt16BE(longer <= 0xffff ? longer : 0, 4);
  }
  const pes = Buffer.concat([pesHeader, payload]);
  const count = packetize(videoPid, frame.firstByte1, frame.firstAdaptation, pes, 0).length;
  const firstCc = continuity === 'start' ? frame.firstCc : (frame.lastCc - count + 1 + 16 * 16) & 0x0f;
  const rebuilt = packetize(videoPid, frame.firstByte1, frame.firstAdaptation, pes, firstCc);
  const data = continuity === 'start' ? Buffer.concat([...rebuilt, ...frame.others]) : Buffer.concat([...frame.others, ...rebuilt]);
  return { data, addedPackets: count - frame.videoPackets };
}

/** The frame with `sets` as a decoder started on it needs them (see rebuildWithParameterSets, 'end'). */
export function withParameterSets(packets: Buffer, videoPid: number, codec: string | null, sets: Buffer): Buffer | null {
  return rebuildWithParameterSets(packets, videoPid, codec, sets, 'end')?.data ?? null;
}
