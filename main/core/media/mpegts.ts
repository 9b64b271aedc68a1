/**
 * Just enough MPEG-TS to fan one camera pull out to many consumers: 188-byte packet alignment,
 * PAT/PMT to find the video PID and codec, and the random-access indicator that ffmpeg's muxer
 * sets on the first packet of every keyframe. A consumer that joins late gets the PAT, the PMT
 * and everything since the last keyframe, so it can decode at once.
 */
export const TS_PACKET_BYTES = 188;
const SYNC_BYTE = 0x47;

export const VIDEO_STREAM_TYPES: Record<number, string> = {
  0x01: 'mpeg1video',
  0x02: 'mpeg2video',
  0x10: 'mpeg4',
  0x1b: 'h264',
  0x24: 'hevc',
};

/**
 * Re-cuts arbitrary chunks into whole packets, re-synchronising on garbage. Chunks from a pipe
 * rarely end on a packet boundary; the few bytes left over are joined to the next chunk's head
 * without copying the chunk itself (a copy per chunk was a visible share of the core's CPU).
 */
export class TsChunker {
  private remainder: Buffer = Buffer.alloc(0);
  /** Bytes thrown away while looking for the sync byte (garbage input). */
  discardedBytes = 0;

  /** Whole packets of `chunk` (with the previous remainder), as one or two buffers. */
  pushParts(chunk: Buffer): Buffer[] {
    const parts: Buffer[] = [];
    let data = chunk;
    if (this.remainder.length > 0) {
      const missing = TS_PACKET_BYTES - this.remainder.length;
      if (data.length < missing) {
        this.remainder = Buffer.concat([this.remainder, data]);
        return parts;
      }
      const joined = Buffer.concat([this.remainder, data.subarray(0, missing)]);
      this.remainder = Buffer.alloc(0);
      if (joined[0] === SYNC_BYTE && (data.length === missing || data[missing] === SYNC_BYTE)) {
        parts.push(joined);
        data = data.subarray(missing);
      } else {
        // lost sync across the boundary: search again from the remainder's second byte
        data = Buffer.concat([joined.subarray(1), data.subarray(missing)]);
        this.discardedBytes += 1;
      }
    }
    let start = 0;
    while (start < data.length && !(data[start] === SYNC_BYTE && (start + TS_PACKET_BYTES >= data.length || data[start + TS_PACKET_BYTES] === SYNC_BYTE))) {
      start += 1;
    }
    this.discardedBytes += start;
    const whole = start + Math.floor((data.length - start) / TS_PACKET_BYTES) * TS_PACKET_BYTES;
    if (whole > start) parts.push(data.subarray(start, whole));
    if (whole < data.length) this.remainder = Buffer.from(data.subarray(whole));
    return parts;
  }

  /** The same as one buffer (tests and tools). */
  push(chunk: Buffer): Buffer | null {
    const parts = this.pushParts(chunk);
    if (parts.length === 0) return null;
    return parts.length === 1 ? parts[0]! : Buffer.concat(parts);
  }
}

export interface TsPiece {
  data: Buffer;
  /** The piece starts with the first packet of a video keyframe. */
  keyframe: boolean;
}

export class TsStreamParser {
  pmtPid: number | null = null;
  videoPid: number | null = null;
  videoCodec: string | null = null;
  /** Latest PAT and PMT packets, prepended for late joiners. */
  private patPacket: Buffer | null = null;
  private pmtPacket: Buffer | null = null;
  keyframes = 0;

  psi(): Buffer[] {
    return this.patPacket && this.pmtPacket ? [this.patPacket, this.pmtPacket] : [];
  }

  /** Splits whole packets into pieces so that every keyframe starts a piece. */
  parse(aligned: Buffer): TsPiece[] {
    const pieces: TsPiece[] = [];
    let pieceStart = 0;
    let pieceIsKey = false;
    for (let offset = 0; offset + TS_PACKET_BYTES <= aligned.length; offset += TS_PACKET_BYTES) {
      const b1 = aligned[offset + 1] ?? 0;
      const pid = ((b1 & 0x1f) << 8) | (aligned[offset + 2] ?? 0);
      const unitStart = (b1 & 0x40) !== 0;
      const adaptation = ((aligned[offset + 3] ?? 0) >> 4) & 0x3;
      const hasAdaptation = (adaptation & 0x2) !== 0;
      const adaptationLength = hasAdaptation ? (aligned[offset + 4] ?? 0) : 0;
      const payloadOffset = offset + 4 + (hasAdaptation ? 1 + adaptationLength : 0);

      // no per-packet slice: a pull delivers about a thousand packets a second
      if (pid === 0 && unitStart) {
        this.readPat(aligned.subarray(offset, offset + TS_PACKET_BYTES), payloadOffset - offset);
      } else if (pid === this.pmtPid && unitStart) {
        this.readPmt(aligned.subarray(offset, offset + TS_PACKET_BYTES), payloadOffset - offset);
      } else if (pid === this.videoPid && unitStart && hasAdaptation && adaptationLength > 0) {
        const randomAccess = ((aligned[offset + 5] ?? 0) & 0x40) !== 0;
        if (randomAccess) {
          this.keyframes += 1;
          if (offset > pieceStart) pieces.push({ data: aligned.subarray(pieceStart, offset), keyframe: pieceIsKey });
          pieceStart = offset;
          pieceIsKey = true;
        }
      }
    }
    if (aligned.length > pieceStart) pieces.push({ data: aligned.subarray(pieceStart), keyframe: pieceIsKey });
    return pieces;
  }

  private readPat(packet: Buffer, payloadOffset: number): void {
    const section = payloadOffset + 1 + (packet[payloadOffset] ?? 0);
    if (packet[section] !== 0x00) return;
    const sectionLength = (((packet[section + 1] ?? 0) & 0x0f) << 8) | (packet[section + 2] ?? 0);
    const end = Math.min(section + 3 + sectionLength - 4, TS_PACKET_BYTES);
    for (let entry = section + 8; entry + 4 <= end; entry += 4) {
      const program = ((packet[entry] ?? 0) << 8) | (packet[entry + 1] ?? 0);
      const pid = (((packet[entry + 2] ?? 0) & 0x1f) << 8) | (packet[entry + 3] ?? 0);
      if (program !== 0) {
        this.pmtPid = pid;
        this.patPacket = Buffer.from(packet);
        return;
      }
    }
  }

  private readPmt(packet: Buffer, payloadOffset: number): void {
    const section = payloadOffset + 1 + (packet[payloadOffset] ?? 0);
    if (packet[section] !== 0x02) return;
    const sectionLength = (((packet[section + 1] ?? 0) & 0x0f) << 8) | (packet[section + 2] ?? 0);
    const end = Math.min(section + 3 + sectionLength - 4, TS_PACKET_BYTES);
    const programInfoLength = (((packet[section + 10] ?? 0) & 0x0f) << 8) | (packet[section + 11] ?? 0);
    for (let entry = section + 12 + programInfoLength; entry + 5 <= end; ) {
      const streamType = packet[entry] ?? 0;
      const pid = (((packet[entry + 1] ?? 0) & 0x1f) << 8) | (packet[entry + 2] ?? 0);
      const infoLength = (((packet[entry + 3] ?? 0) & 0x0f) << 8) | (packet[entry + 4] ?? 0);
      const codec = VIDEO_STREAM_TYPES[streamType];
      if (codec) {
        this.videoPid = pid;
        this.videoCodec = codec;
        this.pmtPacket = Buffer.from(packet);
        return;
      }
      entry += 5 + infoLength;
    }
  }
}

/**
 * The packets since the last keyframe, kept in memory per camera stream so a new viewer starts
 * with a picture at once instead of waiting up to a whole GOP. Bounded: a stream whose keyframes
 * never come (or are too far apart) empties the cache rather than growing it.
 */
export class GopCache {
  private pieces: Buffer[] = [];
  private size = 0;
  private hasKeyframe = false;
  overflows = 0;

  constructor(private readonly maxBytes: number) {}

  get bytes(): number {
    return this.size;
  }

  get ready(): boolean {
    return this.hasKeyframe;
  }

  add(piece: TsPiece): void {
    if (piece.keyframe) {
      this.pieces = [piece.data];
      this.size = piece.data.length;
      this.hasKeyframe = true;
    } else if (this.hasKeyframe) {
      this.pieces.push(piece.data);
      this.size += piece.data.length;
    }
    if (this.size > this.maxBytes) {
      this.overflows += 1;
      this.clear();
    }
  }

  clear(): void {
    this.pieces = [];
    this.size = 0;
    this.hasKeyframe = false;
  }

  /** PSI + packets since the last keyframe; empty when no keyframe is cached. */
  snapshot(psi: Buffer[]): Buffer[] {
    return this.hasKeyframe ? [...psi, ...this.pieces] : [];
  }
}
