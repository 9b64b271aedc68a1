import { TS_PACKET_BYTES, type TsPiece } from './mpegts';
import { nalUnits, parameterSetsOf, rebuildWithParameterSets } from './parameterSets';

/**
 * Every keyframe that leaves the camera stream source carries the stream's parameter sets, once
 * any were seen (issue 20). A camera that opens every access unit with a delimiter and does not
 * repeat its SPS/PPS (H.265: VPS/SPS/PPS) before every keyframe reaches us through ffmpeg's
 * MPEG-TS muxer with none in those keyframes (the muxer adds the SDP's only before a keyframe
 * without a delimiter): nothing could decode a recorded segment that starts there, nor a live
 * view started on one. Here the latest parameter sets seen in the stream are kept, and a keyframe
 * whose access unit has none before its first slice is held until its PES is whole, then rebuilt
 * with them after its delimiter (media/parameterSets.ts). Its extra packets move the continuity
 * counter of every later video packet on, so the stream stays continuous. Sets a camera sends
 * only in a session's first keyframe (dropped by the pull's probe, `+nobuffer`) or only in its
 * SDP never reach the core: docs/recording.md "Parameter sets".
 *
 * Cost for a camera that does send them: each keyframe's head is looked at up to its first
 * slice (usually the first packet), and it passes at once. A held keyframe leaves when its last
 * byte arrives (the pull writes the PES length), or, for a keyframe over 64 KB (length 0), with
 * the next video packet that starts a PES: a demuxer cannot end such a PES sooner either.
 */

/** NAL unit types of a coded slice (VCL) by codec: the parameter sets must come before the first. */
function isSlice(codec: string, type: number): boolean {
  return codec === 'hevc' ? type <= 31 : type >= 1 && type <= 5;
}
const SPS: Record<string, number> = { h264: 7, hevc: 33 };

/** A keyframe held longer than this (bytes) leaves as it is: something is wrong with the stream. */
const MAX_HELD_BYTES = 8 * 1024 * 1024;
/** How much of a keyframe's payload is looked at for its first slice. */
const MAX_HEAD_BYTES = 64 * 1024;

interface HeldKeyframe {
  packets: Buffer[];
  bytes: number;
  /** PES bytes expected (6 + its length field), or null when the length is 0 (unbounded). */
  expectedPesBytes: number | null;
  pesBytes: number;
  /** The PES seen so far, while its first slice has not been found. */
  head: Buffer[];
  headBytes: number;
  /**
   * 'looking' for the first slice; 'hasSets' (an SPS before it: the frame passes at once);
   * 'lacksSets' (rebuilt once whole); 'unknown' (no slice in its first 64 KB: left as it is).
   */
  state: 'looking' | 'hasSets' | 'lacksSets' | 'unknown';
}

export class KeyframeParameterSets {
  private sets: { codec: string; data: Buffer } | null = null;
  private held: HeldKeyframe | null = null;
  /** How far the continuity counter of each video packet is moved on (mod 16). */
  private ccShift = 0;
  /** Keyframes given the kept parameter sets. */
  inserted = 0;
  /** Keyframes that lacked them and could not get any (none seen yet). */
  missing = 0;

  /** A new pull run (a new MPEG-TS stream): the parameter sets are kept, nothing else. */
  reset(): void {
    this.held = null;
    this.ccShift = 0;
  }

  /**
   * The pieces of one parsed chunk (TsStreamParser.parse) as they leave the source: the same
   * packets, except a keyframe without parameter sets, which comes out whole and rebuilt (a piece
   * flagged keyframe that begins with it) once its last packet arrived.
   */
  push(pieces: TsPiece[], videoPid: number | null, codec: string | null): TsPiece[] {
    if (videoPid === null || !codec || SPS[codec] === undefined) return pieces;
    const out: TsPiece[] = [];
    for (const piece of pieces) {
      if (piece.keyframe) {
        this.finish(out, videoPid, codec);
        this.held = { packets: [], bytes: 0, expectedPesBytes: null, pesBytes: 0, head: [], headBytes: 0, state: 'looking' };
      }
      this.take(piece.data, out, videoPid, codec);
    }
    return out;
  }

  private take(data: Buffer, out: TsPiece[], videoPid: number, codec: string): void {
    let passFrom = 0;
    for (let offset = 0; offset + TS_PACKET_BYTES <= data.length; offset += TS_PACKET_BYTES) {
      const pid = ((data[offset + 1]! & 0x1f) << 8) | data[offset + 2]!;
      const held = this.held;
      if (!held) {
        if (pid === videoPid) this.shiftCc(data, offset);
        continue;
      }
      const packet = data.subarray(offset, offset + TS_PACKET_BYTES);
      const unitStart = (data[offset + 1]! & 0x40) !== 0;
      if (pid === videoPid && unitStart && held.pesBytes > 0) {
        // the next frame begins: the held keyframe (length 0) is whole
        this.finish(out, videoPid, codec);
        passFrom = offset;
        this.shiftCc(data, offset);
        continue;
      }
      held.packets.push(packet);
      held.bytes += TS_PACKET_BYTES;
      passFrom = offset + TS_PACKET_BYTES;
      if (pid === videoPid) this.takeVideo(packet, held, codec);
      if (held.state === 'hasSets' || held.state === 'unknown' || held.bytes > MAX_HELD_BYTES) {
        // its first slice came after an SPS (or nothing can be done): it passes as it is
        this.release(out, held, videoPid, codec);
      } else if (held.expectedPesBytes !== null && held.pesBytes >= held.expectedPesBytes) {
        this.finish(out, videoPid, codec);
      }
    }
    if (passFrom < data.length) out.push({ data: data.subarray(passFrom), keyframe: false });
  }

  /** Counts a held keyframe's video packet and looks at its head for the first slice. */
  private takeVideo(packet: Buffer, held: HeldKeyframe, codec: string): void {
    const control = (packet[3]! >> 4) & 0x3;
    if ((control & 0x1) === 0) return;
    const payload = packet.subarray(4 + ((control & 0x2) !== 0 ? 1 + packet[4]! : 0));
    if (held.pesBytes === 0 && payload.length >= 6 && payload[0] === 0 && payload[1] === 0 && payload[2] === 1) {
      const length = payload.readUInt16BE(4);
      held.expectedPesBytes = length === 0 ? null : 6 + length;
    }
    held.pesBytes += payload.length;
    if (held.state !== 'looking') return;
    held.head.push(payload);
    held.headBytes += payload.length;
    const pes = Buffer.concat(held.head);
    if (pes.length < 9) return;
    const es = pes.subarray(9 + pes[8]!);
    const units = nalUnits(codec, es);
    // a slice whose header byte has arrived: everything before it is whole
    const slice = units.findIndex((unit) => unit.header < es.length && isSlice(codec, unit.type));
    if (slice >= 0) held.state = units.slice(0, slice).some((unit) => unit.type === SPS[codec]) ? 'hasSets' : 'lacksSets';
    else if (held.headBytes > MAX_HEAD_BYTES) held.state = 'unknown';
    if (held.state !== 'looking') held.head = [];
  }

  /** The held keyframe is whole (or the stream moved on): out it goes, with parameter sets. */
  private finish(out: TsPiece[], videoPid: number, codec: string): void {
    const held = this.held;
    if (!held) return;
    this.held = null;
    const frame = Buffer.concat(held.packets);
    if (frame.length === 0) return;
    const own = parameterSetsOf(frame, videoPid, codec);
    if (own) {
      this.sets = { codec, data: own };
    } else if (this.sets?.codec === codec) {
      const shiftBefore = this.ccShift;
      for (let offset = 0; offset < frame.length; offset += TS_PACKET_BYTES) this.shiftCcOf(frame, offset, videoPid, shiftBefore);
      const rebuilt = rebuildWithParameterSets(frame, videoPid, codec, this.sets.data, 'start');
      if (rebuilt) {
        this.inserted += 1;
        this.ccShift = (this.ccShift + rebuilt.addedPackets + 16 * 16) % 16;
        out.push({ data: rebuilt.data, keyframe: true });
        return;
      }
      out.push({ data: frame, keyframe: true });
      return;
    } else {
      this.missing += 1;
    }
    for (let offset = 0; offset < frame.length; offset += TS_PACKET_BYTES) this.shiftCcOf(frame, offset, videoPid, this.ccShift);
    out.push({ data: frame, keyframe: true });
  }

  /** A keyframe that carries its own sets (kept for later) leaves as it is, before its end. */
  private release(out: TsPiece[], held: HeldKeyframe, videoPid: number, codec: string): void {
    this.held = null;
    const frame = Buffer.concat(held.packets);
    const own = held.state === 'hasSets' ? parameterSetsOf(frame, videoPid, codec) : null;
    if (own) this.sets = { codec, data: own };
    for (let offset = 0; offset < frame.length; offset += TS_PACKET_BYTES) this.shiftCcOf(frame, offset, videoPid, this.ccShift);
    out.push({ data: frame, keyframe: true });
  }

  private shiftCcOf(data: Buffer, offset: number, videoPid: number, shift: number): void {
    if ((((data[offset + 1]! & 0x1f) << 8) | data[offset + 2]!) !== videoPid || shift === 0) return;
    data[offset + 3] = (data[offset + 3]! & 0xf0) | ((data[offset + 3]! + shift) & 0x0f);
  }

  private shiftCc(data: Buffer, offset: number): void {
    if (this.ccShift === 0) return;
    data[offset + 3] = (data[offset + 3]! & 0xf0) | ((data[offset + 3]! + this.ccShift) & 0x0f);
  }
}
