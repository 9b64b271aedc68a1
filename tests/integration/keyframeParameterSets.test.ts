import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readTimecode, timecodeLatencyMs } from '../../common/timecode';
import { startCore, type RunningCore } from '../../main/core/core';
import { nalUnits } from '../../main/core/media/parameterSets';
import { RecordingIndex } from '../../main/core/recording/recordingIndex';
import { scanSegment } from '../../main/core/playback/segmentScan';
import { LiveConsumer } from '../helpers/liveConsumer';
import { RtspTestServer } from '../helpers/rtspServer';
import { tempDir } from '../helpers/paths';
import { burnedTimes, delayMs, ffmpegBuilds, indexTimes } from './encoderFixture';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** NAL unit types of each keyframe's access unit in a recorded segment, in order. */
function keyframeUnits(file: string): number[][] {
  const data = fs.readFileSync(file);
  const scan = scanSegment(data);
  if (!scan?.codec) throw new Error(`${file}: no video`);
  const units: number[][] = [];
  scan.frames.forEach((frame, index) => {
    if (!frame.keyframe) return;
    const end = scan.frames[index + 1]?.offset ?? scan.bytes;
    const pieces: Buffer[] = [];
    for (let offset = frame.offset; offset < end; offset += 188) {
      if ((((data[offset + 1]! & 0x1f) << 8) | data[offset + 2]!) !== scan.videoPid) continue;
      const control = (data[offset + 3]! >> 4) & 0x3;
      if ((control & 0x1) !== 0) pieces.push(data.subarray(offset + 4 + ((control & 0x2) !== 0 ? 1 + data[offset + 4]! : 0), offset + 188));
    }
    const pes = Buffer.concat(pieces);
    units.push(nalUnits(scan.codec!, pes.subarray(9 + pes[8]!)).map((unit) => unit.type));
  });
  return units;
}

/** ffmpeg's own count: keyframes and SPS NAL units in the stream (trace_headers, stream copy). */
function traceCounts(binary: string, file: string): { keyframes: number; sps: number } {
  const result = spawnSync(binary, ['-hide_banner', '-i', file, '-map', '0:v:0', '-c', 'copy', '-bsf:v', 'trace_headers', '-f', 'null', '-'], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  const lines = result.stderr.split('\n').filter((line) => /^\[(trace_headers|AVBSFContext) @/.test(line)); // 4.1 names the filter AVBSFContext
  let keyframes = 0;
  let sps = 0;
  let inPacket = false;
  for (const line of lines) {
    if (/Packet: \d+ bytes/.test(line)) {
      inPacket = true;
      if (/key frame/.test(line)) keyframes += 1;
    } else if (inPacket && /nal_unit_type\s+\d+ = 7$/.test(line.trim())) sps += 1;
  }
  return { keyframes, sps };
}

/** A live view of a camera for 90 frames: how many carried a readable send time, and its latency. */
async function watch(consumer: LiveConsumer, cameraId: string): Promise<{ codes: number; summary: string }> {
  const latenciesMs: number[] = [];
  const viewId = await consumer.openView(cameraId, 'main', 320, 180);
  const stop = consumer.onFrame((header, pixels, atMs) => {
    if (header.viewId !== viewId) return;
    const code = readTimecode(pixels, header.width, header.height);
    if (code >= 0) latenciesMs.push(timecodeLatencyMs(code, atMs));
  });
  await consumer.waitFor(() => (consumer.frames.get(viewId)?.count ?? 0) >= 90, 20_000, `live frames of ${cameraId}`);
  stop();
  await consumer.closeView(viewId);
  latenciesMs.sort((a, b) => a - b);
  const at = (share: number) => latenciesMs[Math.min(latenciesMs.length - 1, Math.floor(latenciesMs.length * share))];
  return { codes: latenciesMs.length, summary: `${latenciesMs.length} of ${consumer.frames.get(viewId)?.count} frames with a send time, median ${at(0.5)} ms, p90 ${at(0.9)} ms` };
}

/** Frames decoded by one build, and its error lines. */
function decodeFrames(binary: string, file: string): { frames: number; errors: string[] } {
  const result = spawnSync(binary, ['-hide_banner', '-loglevel', 'error', '-i', file, '-map', '0:v:0', '-f', 'framemd5', '-'], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  const frames = result.stdout.split('\n').filter((line) => /^\d+,/.test(line)).length;
  const errors = result.stderr.split('\n').filter((line) => line.trim() !== '' && !/non monotonically increasing dts|Last message repeated/.test(line));
  return { frames, errors };
}

// A camera that opens every access unit with a delimiter and repeats its parameter sets in band
// only in every third keyframe (the test camera's x264-once encoder with parameterSets 'every3'),
// through the real core: pull, recorder, live view. ffmpeg's muxer adds nothing before such
// keyframes, so two keyframes in three reached the recorder without them.
describe('every keyframe leaving the camera stream source carries the parameter sets (issue 20)', () => {
  const cleanups: (() => Promise<void> | void)[] = [];
  afterAll(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  });

  it('sets in every third keyframe: recorded segments carry SPS/PPS after the delimiter in every keyframe and decode with both builds; a live view opened late shows pictures', async () => {
    const rtsp = await RtspTestServer.start([{ path: '/every3', kind: 'timecode', width: 640, height: 360, fps: 15, encoder: 'x264-once', parameterSets: 'every3' }]);
    cleanups.push(() => rtsp.close());
    const dir = tempDir('keyframe-sets');
    cleanups.push(() => fs.rmSync(dir, { recursive: true, force: true }));
    const sitePath = path.join(dir, 'site.json');
    const cameras = [{ id: 'every3', name: 'Bộ tham số mỗi 3 khung chính', streams: { main: rtsp.url('/every3') } }];
    fs.writeFileSync(sitePath, JSON.stringify({ schemaVersion: 1, name: 'Bộ tham số', recording: { segmentSeconds: 10, minFreeGb: 0.05 }, cameras }));
    const dataDir = path.join(dir, 'data');
    const core: RunningCore = await startCore({ sitePath, dataDir, port: 0, host: 'browser', language: 'vi', staticDir: null, stderrLevel: null });
    let stopped = false;
    cleanups.push(async () => {
      if (!stopped) await core.stop();
    });
    // a view opened well after the session's first keyframe: it starts on a later one (GOP cache)
    await sleep(12_000);
    const consumer = await LiveConsumer.connect(core.url, core.token);
    const view = await watch(consumer, 'every3');
    await consumer.close();
    await sleep(Math.max(0, 24_000 - 12_000 - 7_000));
    await core.stop();
    stopped = true;
    console.log(`live view, glass to glass: ${view.summary}`);
    expect(view.codes).toBeGreaterThanOrEqual(85);

    const index = new RecordingIndex(path.join(dataDir, 'recordings.sqlite'));
    const segments = index.allSegments().sort((a, b) => a.startMs - b.startMs);
    index.close();
    expect(segments.length).toBeGreaterThanOrEqual(2);
    const builds = await ffmpegBuilds();
    expect(builds.length).toBe(2);
    let keyframes = 0;
    let lacking = 0;
    let seenSets = false;
    for (const segment of segments) {
      const file = path.join(dataDir, 'recordings', ...segment.path.split('/'));
      const units = keyframeUnits(file);
      console.log(`${segment.path}: ${units.filter((types) => types.includes(7)).length}/${units.length} keyframes with SPS; orders ${[...new Set(units.map((types) => `[${types.join(' ')}]`))].join(' ')}`);
      expect(units.length).toBeGreaterThanOrEqual(1);
      keyframes += units.length;
      for (const types of units) {
        // before the camera's first keyframe with them, nothing can be given (at most two keyframes)
        if (!types.includes(7)) {
          expect(seenSets).toBe(false);
          lacking += 1;
          continue;
        }
        seenSets = true;
        // delimiter first, then SPS and PPS, before the first slice
        expect(types[0]).toBe(9);
        expect(types.filter((type) => type === 9)).toHaveLength(1);
        const slice = types.findIndex((type) => type === 5);
        expect(types.indexOf(7)).toBeGreaterThan(0);
        expect(types.indexOf(7)).toBeLessThan(slice);
        expect(types.indexOf(8)).toBeGreaterThan(types.indexOf(7));
        expect(types.indexOf(8)).toBeLessThan(slice);
      }
      // the index time of each frame minus its send time (docs/recording.md "What an index time is")
      const codes = await burnedTimes(builds.at(-1)!.info, file);
      const delays = indexTimes(file, segment.startMs).map((wallMs, at) => delayMs(wallMs, codes[at]!));
      delays.sort((a, b) => a - b);
      console.log(`  index time − send time: min ${delays[0]} median ${delays[Math.floor(delays.length / 2)]} max ${delays.at(-1)} ms`);
      for (const build of builds) {
        const trace = traceCounts(build.info.path, file);
        console.log(`  ${build.label}: trace_headers ${trace.sps} SPS in ${trace.keyframes} keyframes`);
        expect(trace.keyframes).toBe(units.length);
        expect(trace.sps).toBe(units.filter((types) => types.includes(7)).length);
        const decoded = decodeFrames(build.info.path, file);
        console.log(`  ${build.label}: ${decoded.frames} frames decoded, errors: ${decoded.errors.length}`);
        // the GOPs of keyframes recorded before any parameter sets came cannot decode (15 frames each)
        const lackingHere = units.filter((types) => !types.includes(7)).length;
        if (lackingHere === 0) expect(decoded.errors).toEqual([]);
        expect(decoded.frames).toBeGreaterThanOrEqual(Math.floor(((segment.endMs - segment.startMs) / 1000) * 15 * 0.9) - 15 * lackingHere);
      }
    }
    expect(keyframes).toBeGreaterThanOrEqual(20);
    expect(lacking).toBeLessThanOrEqual(2);
  }, 120_000);
});
