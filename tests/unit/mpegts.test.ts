import fs from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { GopCache, TS_PACKET_BYTES, TsChunker, TsStreamParser } from '../../main/core/media/mpegts';
import { runFfmpegOnce } from '../../main/core/ffmpeg/supervisor';
import { deps, testFfmpeg, tsClip } from '../helpers/ffmpeg';
import { tempDir } from '../helpers/paths';

// Built from real ffmpeg output: a 3 s clip at 15 fps with a keyframe every 15 frames.
describe('MPEG-TS fan-out helpers', () => {
  it('finds the video PID, the codec and every keyframe', async () => {
    const data = fs.readFileSync(await tsClip({ width: 160, height: 90, fps: 15, seconds: 3, gopFrames: 15 }));
    const chunker = new TsChunker();
    const parser = new TsStreamParser();
    const pieces = [];
    // feed in odd-sized chunks, as a pipe would
    for (let offset = 0; offset < data.length; offset += 1000) {
      const aligned = chunker.push(data.subarray(offset, offset + 1000));
      if (aligned) pieces.push(...parser.parse(aligned));
    }
    expect(parser.videoCodec).toBe('h264');
    expect(parser.videoPid).not.toBeNull();
    expect(parser.keyframes).toBe(3);
    expect(pieces.filter((piece) => piece.keyframe)).toHaveLength(3);
    for (const piece of pieces) expect(piece.data.length % TS_PACKET_BYTES).toBe(0);
    expect(chunker.discardedBytes).toBe(0);
  });

  it('re-synchronises after garbage', () => {
    const chunker = new TsChunker();
    const packet = Buffer.alloc(TS_PACKET_BYTES, 0xff);
    packet[0] = 0x47;
    const garbage = Buffer.from('not a transport stream at all');
    const aligned = chunker.push(Buffer.concat([garbage, packet, packet, packet]));
    expect(aligned?.length).toBe(3 * TS_PACKET_BYTES);
    expect(chunker.discardedBytes).toBe(garbage.length);
  });

  it('gives a late joiner PAT, PMT and the packets since the last keyframe, which ffmpeg decodes at once', async () => {
    const ffmpeg = await testFfmpeg();
    const data = fs.readFileSync(await tsClip({ width: 160, height: 90, fps: 15, seconds: 3, gopFrames: 15 }));
    const chunker = new TsChunker();
    const parser = new TsStreamParser();
    const cache = new GopCache(8 * 1024 * 1024);
    // stop in the middle of the third GOP (about frame 37 of 45)
    const cut = Math.floor(data.length * 0.82) - (Math.floor(data.length * 0.82) % TS_PACKET_BYTES);
    for (const piece of parser.parse(chunker.push(data.subarray(0, cut))!)) cache.add(piece);
    const snapshot = Buffer.concat(cache.snapshot(parser.psi()));
    expect(cache.ready).toBe(true);
    expect(snapshot.length).toBeLessThan(cut / 2);
    expect(snapshot.readUInt8(0)).toBe(0x47);
    // decode the snapshot alone, as a decoder that joined late would
    const path = join(tempDir('gop'), 'snapshot.ts');
    fs.writeFileSync(path, snapshot);
    const frames = await runFfmpegOnce({ binary: ffmpeg.path, ...deps }, 'decode snapshot', ['-hide_banner', '-loglevel', 'error', '-i', path, '-f', 'rawvideo', '-pix_fmt', 'gray', 'pipe:1']);
    expect(frames.code).toBe(0);
    const frameCount = frames.stdout.length / (160 * 90);
    expect(frameCount).toBeGreaterThanOrEqual(3);
    expect(frameCount).toBeLessThanOrEqual(15);
  });

  it('empties itself rather than grow past its bound', () => {
    const cache = new GopCache(1000);
    cache.add({ data: Buffer.alloc(600), keyframe: true });
    expect(cache.ready).toBe(true);
    cache.add({ data: Buffer.alloc(600), keyframe: false });
    expect(cache.ready).toBe(false);
    expect(cache.bytes).toBe(0);
    expect(cache.overflows).toBe(1);
    cache.add({ data: Buffer.alloc(100), keyframe: false });
    expect(cache.snapshot([])).toEqual([]);
  });
});
