import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ExportRequestSchema, type ExportRequest } from '../../common/exportContract';
import type { Site } from '../../common/site';
import { START_TAG } from '../../main/core/export/cutter';
import type { ExportEnv } from '../../main/core/export/env';
import { ExportJobRunner } from '../../main/core/export/job';
import type { Manifest } from '../../main/core/export/manifest';
import { leadTailVi, viDateTime } from '../../main/core/export/record';
import { silentLogger } from '../../main/core/log/logger';
import { scanSegment } from '../../main/core/playback/segmentScan';
import { RecordingIndex } from '../../main/core/recording/recordingIndex';
import { systemClock } from '../../main/core/util/clock';
import { outputPath } from '../helpers/paths';
import { TIMECODE_ENCODERS } from '../helpers/rtspServer';
import { canMount, mountStick } from './exportFixture';
import { burnedTimes, delayMs, ENCODER_FPS, encoderRecordings, ffmpegBuilds, indexTimes, segmentFile, type EncoderRecordings } from './encoderFixture';

const FRAME_MS = 1000 / ENCODER_FPS;

// The export of an odd range from the time-stamped cameras, every stated time checked against the frames.
describe.skipIf(!canMount())('exported clips and their record state the times the frames show', () => {
  let recordings: EncoderRecordings;
  let index: RecordingIndex;
  let stick: { dir: string; unmount(): void };
  let manifest: Manifest;
  let folder: string;
  let request: ExportRequest;
  /** The same range cut by each ffmpeg build (the bundled 4.1 and the system's): the times must not depend on it. */
  const byBuild: { label: string; manifest: Manifest; folder: string }[] = [];
  let logBytes = 0;
  /** Per camera: index time − send time (the delivery delay), from its recorded frames. */
  const delay = new Map<string, number>();
  /** Per camera: the longest time between two keyframes (ms): a cut begins at most that much early. */
  const gopMs = new Map<string, number>();

  beforeAll(async () => {
    recordings = await encoderRecordings();
    index = new RecordingIndex(path.join(recordings.dataDir, 'recordings.sqlite'));
    const builds = await ffmpegBuilds();
    const system = builds.at(-1)!.info;
    for (const encoder of TIMECODE_ENCODERS) {
      const segment = recordings.segments.find((candidate) => candidate.cameraId === encoder)!;
      const file = segmentFile(recordings, segment);
      const codes = await burnedTimes(system, file);
      const delays = indexTimes(file, segment.startMs).map((wallMs, n) => delayMs(wallMs, codes[n]!)).sort((a, b) => a - b);
      delay.set(encoder, delays[Math.floor(delays.length / 2)]!);
      const keyframesAt = scanSegment(fs.readFileSync(file))!.frames.filter((frame) => frame.keyframe).map((frame) => frame.atMs);
      gopMs.set(encoder, Math.max(1000, ...keyframesAt.slice(1).map((atMs, n) => atMs - keyframesAt[n]!)));
    }
    // from the latest camera's first frame: the long-GOP camera's recording begins up to a GOP
    // (5 s) after the others', at its first keyframe
    const first = Math.max(...TIMECODE_ENCODERS.map((encoder) => Math.min(...recordings.segments.filter((segment) => segment.cameraId === encoder).map((segment) => segment.startMs))));
    stick = mountStick(60);
    // an odd range across a segment join: +3.731 s to +13.193 s
    request = { cameraIds: [...TIMECODE_ENCODERS], startMs: first + 3731, endMs: first + 13_193, caseNumber: '7/2026', officer: 'Nguyễn Văn Hùng', reason: 'Kiểm tra thời gian', operator: 'Lê Thị Mai', destination: stick.dir };
    const env = (binary: string): ExportEnv => ({
      site: JSON.parse(fs.readFileSync(recordings.sitePath, 'utf8')) as Site,
      index,
      recordingsRoot: path.join(recordings.dataDir, 'recordings'),
      dataDir: recordings.dataDir,
      version: 'test',
      ffmpeg: { binary, clock: systemClock, log: silentLogger },
      clock: systemClock,
      log: silentLogger,
      pin: () => () => undefined,
      burnIn: null,
    });
    for (const build of builds) {
      const asked = build === builds.at(-1) ? request : { ...request, caseNumber: `7-${build.label}/2026` };
      const runner = new ExportJobRunner(env(build.info.path), ExportRequestSchema.parse(asked), { verify: true, removable: true, onStatus: () => undefined });
      const job = await runner.run();
      expect(job.state, build.label).toBe('done');
      const made = { label: build.label, folder: job.folder!, manifest: JSON.parse(fs.readFileSync(path.join(job.folder!, 'manifest.json'), 'utf8')) as Manifest };
      byBuild.push(made);
      if (build === builds.at(-1)) {
        logBytes = runner.logEntry().bytes;
        ({ folder, manifest } = made);
      }
    }
  }, 360_000);
  afterAll(() => {
    // EXPORT_TIMES_OUT=dir keeps the export (biên bản HTML and PDF, manifest, clips) to look at
    if (process.env.EXPORT_TIMES_OUT && folder) fs.cpSync(folder, path.resolve(process.env.EXPORT_TIMES_OUT), { recursive: true });
    stick?.unmount();
    index?.close();
    recordings?.remove();
  });

  /** Send times of every frame of an exported MP4, in presentation order. */
  async function clipCodes(name: string, inFolder = folder): Promise<number[]> {
    return burnedTimes((await ffmpegBuilds()).at(-1)!.info, path.join(inFolder, name));
  }

  it('both builds cut the same frames: the same actual range per camera', () => {
    const [bundled, system] = byBuild;
    for (const camera of system!.manifest.cameras) {
      const other = bundled!.manifest.cameras.find((candidate) => candidate.id === camera.id)!;
      expect(other.actual, camera.id).toEqual(camera.actual);
    }
  });

  it('the requested range is stated to the millisecond, local with offset and UTC', () => {
    expect(manifest.requested.startMs).toBe(request.startMs);
    expect(manifest.requested.endMs).toBe(request.endMs);
    expect(manifest.requested.startUtc).toBe(new Date(request.startMs).toISOString());
    expect(manifest.requested.startLocal).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}\+07:00$/);
    expect(new Date(manifest.requested.endLocal).getTime()).toBe(request.endMs);
  });

  it('each clip’s stated start and end are its first and last frame’s times (within one frame), the lead-in and tail stated — cut by ffmpeg 4.1 and by the system’s', async () => {
    expect(byBuild.map((made) => made.label)).toEqual(['bundled', 'system']);
    for (const { label, manifest, folder } of byBuild) for (const camera of manifest.cameras) {
      const files = manifest.files.filter((file) => file.cameraId === camera.id);
      expect(files.length, camera.id).toBeGreaterThan(0);
      const codes = await clipCodes(files[0]!.name, folder);
      const lastCodes = files.length > 1 ? await clipCodes(files.at(-1)!.name, folder) : codes;
      const d = delay.get(camera.id)!;
      // index time of the first frame = its send time + the delivery delay
      const firstMs = delayMs(camera.actual!.startMs, codes[0]!);
      expect(Math.abs(firstMs - d), `${camera.id} start`).toBeLessThanOrEqual(FRAME_MS);
      // the clip ends where the next keyframe would begin: the last frame's time + one frame
      const lastMs = delayMs(camera.actual!.endMs, lastCodes.at(-1)!);
      expect(Math.abs(lastMs - FRAME_MS - d), `${camera.id} end`).toBeLessThanOrEqual(FRAME_MS);
      // begins at or before what was asked (a keyframe), ends at or after it
      expect(camera.leadInMs, camera.id).toBe(request.startMs - camera.actual!.startMs);
      expect(camera.leadInMs!, camera.id).toBeGreaterThanOrEqual(0);
      expect(camera.leadInMs!, camera.id).toBeLessThan(gopMs.get(camera.id)! + FRAME_MS);
      expect(camera.tailMs, camera.id).toBe(camera.actual!.endMs - request.endMs);
      expect(camera.tailMs!, camera.id).toBeGreaterThanOrEqual(0);
      // per file: the first file starts where the camera's clip does
      expect(files[0]!.startMs).toBe(camera.actual!.startMs);
      expect(files[0]!.startUtc).toBe(new Date(camera.actual!.startMs).toISOString());
      // the file name's time is never later than the first frame
      const stamp = /_(\d{4})-(\d{2})-(\d{2})_(\d{2})-(\d{2})-(\d{2})/.exec(files[0]!.name)!;
      const nameMs = Date.UTC(+stamp[1]!, +stamp[2]! - 1, +stamp[3]!, +stamp[4]! - 7, +stamp[5]!, +stamp[6]!);
      expect(nameMs).toBeLessThanOrEqual(camera.actual!.startMs);
      expect(camera.actual!.startMs - nameMs).toBeLessThan(1000);
      console.log(`${label} ${camera.id}: clip begins ${camera.leadInMs} ms before the requested start, ends ${camera.tailMs} ms after the requested end; delivery delay ${d} ms`);
    }
  }, 120_000);

  it('the export log and the biên bản state the same size: the video files written (was the recorded bytes planned)', () => {
    const total = manifest.files.reduce((sum, file) => sum + file.bytes, 0);
    const onStick = manifest.files.reduce((sum, file) => sum + fs.statSync(path.join(folder, file.name)).size, 0);
    expect(total).toBe(onStick);
    expect(logBytes).toBe(total);
    const html = fs.readFileSync(path.join(folder, fs.readdirSync(folder).find((name) => name.endsWith('.html') && name !== 'index.html')!), 'utf8');
    expect(html).toContain(`${String(total).replace(/\B(?=(\d{3})+(?!\d))/g, '.')} byte)`);
  });

  it('the MP4 carries its absolute start: creation_time and the exact UTC start in ms (both builds)', () => {
    for (const { manifest, folder } of byBuild) for (const camera of manifest.cameras) {
      const file = manifest.files.find((candidate) => candidate.cameraId === camera.id)!;
      const tags = (JSON.parse(execFileSync('ffprobe', ['-v', 'error', '-show_entries', 'format_tags', '-of', 'json', path.join(folder, file.name)], { encoding: 'utf8' })) as { format: { tags: Record<string, string> } }).format.tags;
      expect(tags[START_TAG]).toBe(file.startUtc);
      expect(tags.creation_time?.slice(0, 19)).toBe(file.startUtc.slice(0, 19));
    }
  });

  it('the biên bản (HTML and PDF) states the same times to the millisecond with the lead-in as a figure', () => {
    const html = fs.readFileSync(path.join(folder, fs.readdirSync(folder).find((name) => name.endsWith('.html') && name !== 'index.html')!), 'utf8');
    const pdfName = fs.readdirSync(folder).find((name) => name.endsWith('.pdf'))!;
    const pdfText = execFileSync('pdftotext', [path.join(folder, pdfName), '-'], { encoding: 'utf8' }).replace(/\s+/g, ' ');
    expect(html).toContain(viDateTime(manifest.requested.startLocal));
    expect(html).toContain(viDateTime(manifest.requested.endLocal));
    expect(pdfText).toContain(viDateTime(manifest.requested.startLocal));
    for (const camera of manifest.cameras) {
      const stated = `${viDateTime(camera.actual!.startLocal)} – ${viDateTime(camera.actual!.endLocal)} (${leadTailVi(camera.leadInMs, camera.tailMs)})`;
      expect(html).toContain(stated);
      expect(pdfText).toContain(leadTailVi(camera.leadInMs, camera.tailMs).slice(0, 40));
    }
    // a picture of the record for a person to look at
    execFileSync('pdftoppm', ['-png', '-r', '80', '-f', '1', '-l', '1', path.join(folder, pdfName), outputPath('export', 'bien-ban-times')]);
  });
});
