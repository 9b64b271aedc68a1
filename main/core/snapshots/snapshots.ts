import fs from 'node:fs';
import path from 'node:path';
import type { Snapshot } from '../../../common/contract';
import type { StreamKind } from '../../../common/site';
import { fail, ok, type Result } from '../../../common/result';
import { formatFileStamp } from '../../../common/time';
import type { Clock } from '../util/clock';
import type { Logger } from '../log/logger';
import type { FfmpegInfo } from '../ffmpeg/probe';
import { runFfmpegOnce, type ProcessRegistry } from '../ffmpeg/supervisor';
import type { LiveService } from '../media/liveService';

/** A snapshot file name we made: camera id, time stamp, .png; nothing else is ever served. */
export const SNAPSHOT_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}_\d{4}-\d{2}-\d{2}_\d{2}-\d{2}-\d{2}(?:-\d+)?\.png$/;

/**
 * Snapshots: the newest picture of a camera stream at its own resolution, as a PNG named by
 * camera and time (site time zone) in DATA/snapshots. Decoded from the stream's GOP cache, so it
 * costs no extra camera session.
 */
export class SnapshotService {
  readonly folder: string;

  constructor(
    dataDir: string,
    private readonly live: LiveService,
    private readonly ffmpeg: FfmpegInfo | null,
    private readonly timeZone: string,
    private readonly deps: { clock: Clock; log: Logger; registry?: ProcessRegistry },
  ) {
    this.folder = path.join(dataDir, 'snapshots');
  }

  async take(cameraId: string, stream: StreamKind): Promise<Result<Snapshot>> {
    if (!this.ffmpeg) return fail('unavailable', 'ffmpeg missing');
    const source = await this.live.keyframeData(cameraId, stream, 6000);
    if (!source.ok) return source;
    const takenAtMs = this.deps.clock.now();
    fs.mkdirSync(this.folder, { recursive: true });
    let fileName = `${cameraId}_${formatFileStamp(takenAtMs, this.timeZone)}.png`;
    for (let index = 2; fs.existsSync(path.join(this.folder, fileName)); index++) fileName = `${cameraId}_${formatFileStamp(takenAtMs, this.timeZone)}-${index}.png`;
    const target = path.join(this.folder, fileName);
    const temporary = `${target}.${process.pid}.tmp.png`;
    // Decode the whole GOP, keep overwriting one image: the last write is the newest frame.
    const result = await runFfmpegOnce(
      { binary: this.ffmpeg.path, ...this.deps },
      `snapshot ${cameraId}/${source.value.stream}`,
      ['-hide_banner', '-loglevel', 'error', '-f', 'mpegts', '-i', 'pipe:0', '-map', '0:v:0', '-an', '-update', '1', '-f', 'image2', '-y', temporary],
      { input: source.value.data, timeoutMs: 15000 },
    );
    if (result.code !== 0 || !fs.existsSync(temporary)) {
      fs.rmSync(temporary, { force: true });
      this.deps.log.warn('snapshot failed', { cameraId, stderr: result.stderrTail.slice(-300) });
      return fail('unavailable', 'snapshot could not be decoded');
    }
    fs.renameSync(temporary, target);
    const bytes = fs.statSync(target).size;
    this.deps.log.info('snapshot saved', { cameraId, fileName, bytes });
    return ok({ fileName, cameraId, takenAtMs, bytes });
  }

  /** Full path of a snapshot by name, or null for anything that is not one of ours. */
  pathOf(fileName: string): string | null {
    if (!SNAPSHOT_NAME_PATTERN.test(fileName)) return null;
    const file = path.join(this.folder, fileName);
    return fs.existsSync(file) ? file : null;
  }
}
