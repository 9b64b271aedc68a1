import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { KeyframeParameterSets } from '../../main/core/media/keyframeSets';
import { TS_PACKET_BYTES, TsChunker, TsStreamParser, type TsPiece } from '../../main/core/media/mpegts';
import { nalUnits, parameterSetsOf, withParameterSets } from '../../main/core/media/parameterSets';
import { forEachVideoFrame } from '../../main/core/media/tsFrames';
import { scanSegment } from '../../main/core/playback/segmentScan';
import { h264Clip, testFfmpeg } from '../helpers/ffmpeg';
import { tempDir } from '../helpers/paths';

/** The clip (access unit delimiters, SPS/PPS in every keyframe) as a pull writes it, optionally with a bitstream filter. */
async function pullTs(clip: string, dir: string, name: string, bsf: string[]): Promise<Buffer> {
  const ffmpeg = await testFfmpeg();
  const file = path.join(dir, name);
  const result = spawnSync(ffmpeg.path, ['-hide_banner', '-loglevel', 'error', '-y', '-i', clip, '-map', '0:v:0', '-c', 'copy', ...bsf, '-f', 'mpegts', '-muxdelay', '0', '-muxpreload', '0', '-omit_video_pes_length', '0', file]);
  expect(result.status, String(result.stderr)).toBe(0);
  return fs.readFileSync(file);
}

/** What a camera that sends its parameter sets once gives: only the first keyframe carries them. */
function onlyFirstKeyframe(withSets: Buffer, withoutSets: Buffer): Buffer {
  const withScan = scanSegment(withSets)!;
  const scan = scanSegment(withoutSets)!;
  const first = scan.frames.findIndex((frame) => frame.keyframe);
  const end = scan.frames[first + 1]!.offset;
  const firstWith = withScan.frames.findIndex((frame) => frame.keyframe);
  const sets = parameterSetsOf(withSets.subarray(withScan.frames[firstWith]!.offset, withScan.frames[firstWith + 1]!.offset), withScan.videoPid, 'h264')!;
  const rebuilt = withParameterSets(withoutSets.subarray(scan.frames[first]!.offset, end), scan.videoPid, 'h264', sets)!;
  return Buffer.concat([withoutSets.subarray(0, scan.frames[first]!.offset), rebuilt, withoutSets.subarray(end)]);
}

/** The stream through the source's chain (chunker, parser, parameter sets) in chunks of the given sizes. */
function throughSource(data: Buffer, chunkBytes: number[], keeper = new KeyframeParameterSets()): { out: Buffer; pieces: TsPiece[]; keeper: KeyframeParameterSets } {
  const chunker = new TsChunker();
  const parser = new TsStreamParser();
  const pieces: TsPiece[] = [];
  for (let offset = 0, index = 0; offset < data.length; index++) {
    const size = chunkBytes[index % chunkBytes.length]!;
    for (const aligned of chunker.pushParts(data.subarray(offset, offset + size))) {
      // the source copies nothing; the keeper may change the bytes it is handed (continuity counters)
      pieces.push(...keeper.push(parser.parse(Buffer.from(aligned)), parser.videoPid, parser.videoCodec));
    }
    offset += size;
  }
  return { out: Buffer.concat(pieces.map((piece) => Buffer.from(piece.data))), pieces, keeper };
}

/** NAL unit types of every keyframe's access unit. */
function keyframeUnits(data: Buffer): number[][] {
  const scan = scanSegment(data)!;
  return scan.frames.flatMap((frame, index) => {
    if (!frame.keyframe) return [];
    const end = scan.frames[index + 1]?.offset ?? scan.bytes;
    const payload: Buffer[] = [];
    for (let offset = frame.offset; offset < end; offset += TS_PACKET_BYTES) {
      if ((((data[offset + 1]! & 0x1f) << 8) | data[offset + 2]!) !== scan.videoPid) continue;
      const control = (data[offset + 3]! >> 4) & 0x3;
      if ((control & 0x1) !== 0) payload.push(data.subarray(offset + 4 + ((control & 0x2) !== 0 ? 1 + data[offset + 4]! : 0), offset + TS_PACKET_BYTES));
    }
    const pes = Buffer.concat(payload);
    return [nalUnits('h264', pes.subarray(9 + pes[8]!)).map((unit) => unit.type)];
  });
}

/** The PES length field of every keyframe. */
function keyframeLengths(data: Buffer): number[] {
  const scan = scanSegment(data)!;
  return scan.frames
    .filter((frame) => frame.keyframe)
    .map((frame) => {
      const offset = frame.offset;
      const payload = offset + 4 + (((data[offset + 3]! >> 4) & 0x2) !== 0 ? 1 + data[offset + 4]! : 0);
      return data.readUInt16BE(payload + 4);
    });
}

/** Continuity counter breaks of one PID. */
function continuityBreaks(data: Buffer, pid: number): number {
  let last = -1;
  let breaks = 0;
  for (let offset = 0; offset + TS_PACKET_BYTES <= data.length; offset += TS_PACKET_BYTES) {
    if ((((data[offset + 1]! & 0x1f) << 8) | data[offset + 2]!) !== pid) continue;
    const cc = data[offset + 3]! & 0x0f;
    if (last >= 0 && cc !== ((last + 1) & 0x0f)) breaks += 1;
    last = cc;
  }
  return breaks;
}

/** PAT + PMT and the stream from its last keyframe on, and how many frames that is. */
function fromLastKeyframe(data: Buffer): { data: Buffer; frames: number } {
  const scan = scanSegment(data)!;
  const last = scan.frames.map((frame) => frame.keyframe).lastIndexOf(true);
  return { data: Buffer.concat([data.subarray(0, scan.frames[0]!.offset), data.subarray(scan.frames[last]!.offset)]), frames: scan.frames.length - last };
}

async function decodedFrames(data: Buffer, dir: string): Promise<{ frames: number; errors: string }> {
  const ffmpeg = await testFfmpeg();
  const file = path.join(dir, `decode-${Math.random().toString(36).slice(2)}.ts`);
  fs.writeFileSync(file, data);
  const result = spawnSync(ffmpeg.path, ['-hide_banner', '-loglevel', 'error', '-i', file, '-map', '0:v:0', '-f', 'framemd5', '-'], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  return { frames: result.stdout.split('\n').filter((line) => /^\d+,/.test(line)).length, errors: result.stderr.trim() };
}

// Real ffmpeg output (x264 with access unit delimiters), cut into chunks as a pipe delivers them.
describe('the camera stream source gives every keyframe the parameter sets (issue 20)', () => {
  it.each([
    { width: 320, height: 180, pesLength: 'written' },
    // keyframes over 64 KB: the pull writes PES length 0, a held keyframe ends at the next frame
    { width: 1920, height: 1080, pesLength: 0 },
  ])('a camera that sends them once ($width x $height, PES length $pesLength): every later keyframe gets them after its delimiter, continuity counters unbroken, every frame decodes', async ({ width, height, pesLength }) => {
    const dir = tempDir('keyframe-sets');
    try {
      const clip = await h264Clip({ width, height, fps: 15, seconds: 4, gopFrames: 15 });
      const withSets = await pullTs(clip, dir, 'with.ts', []);
      const once = onlyFirstKeyframe(withSets, await pullTs(clip, dir, 'without.ts', ['-bsf:v', 'filter_units=remove_types=7|8']));
      const before = keyframeUnits(once);
      expect(before.length).toBe(4);
      expect(before.slice(1).every((types) => !types.includes(7))).toBe(true);
      // a decoder started on a later keyframe (a late live view, a recorded segment) decodes nothing
      expect((await decodedFrames(fromLastKeyframe(once).data, dir)).frames).toBe(0);
      const videoPid = scanSegment(once)!.videoPid;
      expect(keyframeLengths(once).slice(1).every((length) => (length === 0) === (pesLength === 0))).toBe(true);

      for (const chunks of [[65536], [188 * 7 + 5, 1000, 31], [4096, 188]]) {
        const { out, pieces, keeper } = throughSource(Buffer.from(once), chunks);
        const after = keyframeUnits(out);
        expect(after.length).toBe(4);
        for (const types of after) expect(types.slice(0, 3)).toEqual([9, 7, 8]);
        expect(keeper.inserted).toBe(3);
        expect(continuityBreaks(out, videoPid)).toBe(0);
        // every keyframe begins a piece flagged as one (the recorder and the GOP cache cut there)
        const flagged = pieces.filter((piece) => piece.keyframe);
        expect(flagged.length).toBe(4);
        for (const piece of flagged) {
          let first = -1;
          forEachVideoFrame(piece.data, videoPid, (offset, _pts, keyframe) => {
            if (first < 0) first = keyframe ? offset : -2;
          });
          expect(first).toBe(0);
        }
        const decoded = await decodedFrames(out, dir);
        expect(decoded.errors).toBe('');
        expect(decoded.frames).toBe(60);
        // a decoder started on the last keyframe (a late live view, a recorded segment) decodes too
        const late = fromLastKeyframe(out);
        expect((await decodedFrames(late.data, dir)).frames).toBe(late.frames);
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a camera that sends them with every keyframe passes byte for byte; with none seen yet a keyframe passes as it is', async () => {
    const dir = tempDir('keyframe-sets');
    try {
      const clip = await h264Clip({ width: 320, height: 180, fps: 15, seconds: 4, gopFrames: 15 });
      const withSets = await pullTs(clip, dir, 'with.ts', []);
      const { out, keeper } = throughSource(Buffer.from(withSets), [188 * 3 + 1, 700]);
      expect(out.equals(withSets)).toBe(true);
      expect(keeper.inserted).toBe(0);

      const none = await pullTs(clip, dir, 'without.ts', ['-bsf:v', 'filter_units=remove_types=7|8']);
      const passed = throughSource(Buffer.from(none), [65536]);
      expect(passed.out.equals(none)).toBe(true);
      expect(passed.keeper.missing).toBe(4);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
