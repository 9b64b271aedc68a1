import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { TS_PACKET_BYTES } from '../../main/core/media/mpegts';
import { nalUnits, parameterSetsOf, withParameterSets } from '../../main/core/media/parameterSets';
import { withSegmentParameterSets } from '../../main/core/playback/parameterSets';
import { scanSegment, type SegmentScan } from '../../main/core/playback/segmentScan';
import { tsClip } from '../helpers/ffmpeg';

const VIDEO_PID = 0x100;

interface Packet {
  pid: number;
  start: boolean;
  cc: number;
  adaptation: Buffer | null;
  payload: Buffer;
}

function packetsOf(data: Buffer): Packet[] {
  const packets: Packet[] = [];
  for (let offset = 0; offset < data.length; offset += TS_PACKET_BYTES) {
    const packet = data.subarray(offset, offset + TS_PACKET_BYTES);
    expect(packet[0]).toBe(0x47);
    const control = (packet[3]! >> 4) & 0x3;
    const adaptationBytes = (control & 0x2) !== 0 ? 1 + packet[4]! : 0;
    packets.push({
      pid: ((packet[1]! & 0x1f) << 8) | packet[2]!,
      start: (packet[1]! & 0x40) !== 0,
      cc: packet[3]! & 0x0f,
      adaptation: adaptationBytes > 0 ? packet.subarray(4, 4 + adaptationBytes) : null,
      payload: (control & 0x1) !== 0 ? packet.subarray(4 + adaptationBytes) : Buffer.alloc(0),
    });
  }
  return packets;
}

function frameBytes(data: Buffer, scan: SegmentScan, index: number): Buffer {
  return data.subarray(scan.frames[index]!.offset, scan.frames[index + 1]?.offset ?? scan.bytes);
}

/** One full TS packet: PUSI, random access + PCR, PES with a written length, then `payload` (162 bytes). */
function onePacketFrame(payload: Buffer, cc: number): Buffer {
  expect(payload.length).toBe(162);
  const pts = Buffer.from([0x21, 0x00, 0x01, 0x00, 0x01]);
  const pes = Buffer.concat([Buffer.from([0, 0, 1, 0xe0, 0, 170, 0x80, 0x80, 5]), pts, payload]);
  const adaptation = Buffer.from([7, 0x50, 0, 0, 0, 0, 0x7e, 0]);
  return Buffer.concat([Buffer.from([0x47, 0x40 | (VIDEO_PID >> 8), VIDEO_PID & 0xff, 0x30 | cc]), adaptation, pes]);
}

// Built from real ffmpeg output (a clip whose keyframes carry SPS/PPS) and from hand-made packets.
describe('parameter sets for a decoder started on a later keyframe', () => {
  it('finds the SPS and PPS of a recorded keyframe, and none in a frame without them', async () => {
    const data = fs.readFileSync(await tsClip({ width: 160, height: 90, fps: 15, seconds: 3, gopFrames: 15 }));
    const scan = scanSegment(data)!;
    const sets = parameterSetsOf(frameBytes(data, scan, 0), scan.videoPid, scan.codec)!;
    expect(nalUnits('h264', sets).map((unit) => unit.type)).toEqual([7, 8]);
    expect(sets.subarray(0, 5)).toEqual(Buffer.from([0, 0, 0, 1, 0x67]));
    expect(parameterSetsOf(frameBytes(data, scan, 1), scan.videoPid, scan.codec)).toBeNull();
    expect(parameterSetsOf(frameBytes(data, scan, 0), scan.videoPid, 'mpeg2video')).toBeNull();
  });

  it('puts them after the delimiter of a recorded frame: whole packets, its adaptation field kept, continuity counters ending where the frame’s did', async () => {
    const data = fs.readFileSync(await tsClip({ width: 160, height: 90, fps: 15, seconds: 3, gopFrames: 15 }));
    const scan = scanSegment(data)!;
    const sets = parameterSetsOf(frameBytes(data, scan, 0), scan.videoPid, scan.codec)!;
    // a frame of several packets without parameter sets (a P-frame: the packet layout is what matters)
    const index = scan.frames.findIndex((frame, n) => !frame.keyframe && frameBytes(data, scan, n).length >= 3 * TS_PACKET_BYTES);
    const recorded = frameBytes(data, scan, index);
    const rebuilt = withParameterSets(recorded, scan.videoPid, scan.codec, sets)!;
    expect(rebuilt.length % TS_PACKET_BYTES).toBe(0);
    const before = packetsOf(recorded).filter((packet) => packet.pid === scan.videoPid);
    const after = packetsOf(rebuilt).filter((packet) => packet.pid === scan.videoPid);
    expect(after[0]!.start).toBe(true);
    expect(after.slice(1).every((packet) => !packet.start)).toBe(true);
    expect(after[0]!.adaptation).toEqual(before[0]!.adaptation);
    for (let n = 1; n < after.length; n++) expect(after[n]!.cc).toBe((after[n - 1]!.cc + 1) % 16);
    expect(after.at(-1)!.cc).toBe(before.at(-1)!.cc);
    const oldPes = Buffer.concat(before.map((packet) => packet.payload));
    const newPes = Buffer.concat(after.map((packet) => packet.payload));
    const headerBytes = 9 + oldPes[8]!;
    const oldTypes = nalUnits('h264', oldPes.subarray(headerBytes)).map((unit) => unit.type);
    expect(oldTypes[0]).toBe(9);
    expect(nalUnits('h264', newPes.subarray(headerBytes)).map((unit) => unit.type)).toEqual([9, 7, 8, ...oldTypes.slice(1)]);
    expect(newPes.length).toBe(oldPes.length + sets.length);
    // the same bytes around the inserted sets
    const delimiterEnd = headerBytes + nalUnits('h264', oldPes.subarray(headerBytes))[1]!.start;
    // (bytes 4-5: the PES length, 0 or grown by the sets)
    expect(newPes.subarray(6, delimiterEnd)).toEqual(oldPes.subarray(6, delimiterEnd));
    expect(newPes.readUInt16BE(4)).toBe(oldPes.readUInt16BE(4) === 0 ? 0 : oldPes.readUInt16BE(4) + sets.length);
    expect(newPes.subarray(delimiterEnd, delimiterEnd + sets.length)).toEqual(sets);
    expect(newPes.subarray(delimiterEnd + sets.length)).toEqual(oldPes.subarray(delimiterEnd));
  });

  it('leaves a frame with its own SPS alone', async () => {
    const data = fs.readFileSync(await tsClip({ width: 160, height: 90, fps: 15, seconds: 3, gopFrames: 15 }));
    const scan = scanSegment(data)!;
    const sets = parameterSetsOf(frameBytes(data, scan, 0), scan.videoPid, scan.codec)!;
    const second = scan.frames.findIndex((frame, n) => n > 0 && frame.keyframe);
    expect(withParameterSets(frameBytes(data, scan, second), scan.videoPid, scan.codec, sets)).toBeNull();
    // the segment-level helper: a later keyframe that has its own, a non-keyframe, the first keyframe: as recorded
    const read = (start: number, end: number) => data.subarray(start, end);
    for (const index of [0, 1, second]) {
      const bytes = frameBytes(data, scan, index);
      expect(withSegmentParameterSets(scan, index, bytes, read)).toBe(bytes);
    }
  });

  it('a written PES length grows with them; a frame of one full packet becomes two, the last stuffed, the PCR kept', () => {
    const slice = Buffer.concat([Buffer.from([0, 0, 0, 1, 0x09, 0xf0, 0, 0, 0, 1, 0x65, 0x88]), Buffer.alloc(150, 0x5a)]);
    const frame = onePacketFrame(slice, 3);
    const sets = Buffer.from([0, 0, 0, 1, 0x67, 0x42, 0xc0, 0x1e, 0xd9, 0, 0, 0, 1, 0x68, 0xce, 0x3c, 0x80]);
    const rebuilt = withParameterSets(frame, VIDEO_PID, 'h264', sets)!;
    const packets = packetsOf(rebuilt);
    expect(packets.map((packet) => packet.cc)).toEqual([2, 3]);
    expect(packets[0]!.adaptation).toEqual(frame.subarray(4, 12));
    const pes = Buffer.concat(packets.map((packet) => packet.payload));
    expect(pes.readUInt16BE(4)).toBe(170 + sets.length);
    expect(pes.length).toBe(6 + 170 + sets.length);
    expect(nalUnits('h264', pes.subarray(14)).map((unit) => unit.type)).toEqual([9, 7, 8, 5]);
  });

  it('H.265: VPS, SPS and PPS after the delimiter', () => {
    const slice = Buffer.concat([Buffer.from([0, 0, 0, 1, 0x46, 0x01, 0x50, 0, 0, 0, 1, 0x26, 0x01]), Buffer.alloc(149, 0x5a)]);
    const sets = Buffer.from([0, 0, 0, 1, 0x40, 0x01, 0x0c, 0, 0, 0, 1, 0x42, 0x01, 0x01, 0, 0, 0, 1, 0x44, 0x01, 0xc1]);
    const rebuilt = withParameterSets(onePacketFrame(slice, 0), VIDEO_PID, 'hevc', sets)!;
    const pes = Buffer.concat(packetsOf(rebuilt).map((packet) => packet.payload));
    expect(nalUnits('hevc', pes.subarray(14)).map((unit) => unit.type)).toEqual([35, 32, 33, 34, 19]);
    expect(parameterSetsOf(rebuilt, VIDEO_PID, 'hevc')).toEqual(sets);
  });
});
