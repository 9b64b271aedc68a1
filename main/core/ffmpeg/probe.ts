import type { Clock } from '../util/clock';
import type { Logger } from '../log/logger';
import { resolveFfmpeg, listFfmpegCandidates, type ResolveOptions, type FfmpegSource } from './resolve';
import { parseHasEncoder, parseHasFilter, parseHasFpsMode, parseRtspTimeoutOption, parseVersionOutput } from './probeParse';
import { runFfmpegOnce, type ProcessRegistry } from './supervisor';

/** What the console knows about its ffmpeg, probed once at start. */
export interface FfmpegInfo {
  path: string;
  source: FfmpegSource;
  version: string;
  libavformatMajor: number | null;
  rtspTimeoutOption: 'stimeout' | 'timeout';
  fpsModeOption: 'fps_mode' | 'vsync';
  hasDrawtext: boolean;
  h264Encoder: 'libx264' | 'libopenh264' | null;
}

export class FfmpegMissingError extends Error {
  constructor() {
    super('ffmpeg not found');
    this.name = 'FfmpegMissingError';
  }
}

export async function probeFfmpeg(
  deps: { clock: Clock; log: Logger; registry?: ProcessRegistry },
  resolveOptions: ResolveOptions = {},
): Promise<FfmpegInfo> {
  const resolved = resolveFfmpeg(resolveOptions);
  if (!resolved) {
    deps.log.error('ffmpeg not found', { candidates: listFfmpegCandidates(resolveOptions) });
    throw new FfmpegMissingError();
  }
  const run = (name: string, args: string[]) =>
    runFfmpegOnce({ binary: resolved.path, clock: deps.clock, log: deps.log, registry: deps.registry }, name, args, { timeoutMs: 15000 });

  const [versionRun, rtspRun, longRun, filtersRun, encodersRun] = await Promise.all([
    run('probe version', ['-hide_banner', '-version']),
    run('probe rtsp', ['-hide_banner', '-h', 'demuxer=rtsp']),
    run('probe options', ['-hide_banner', '-h', 'long']),
    run('probe filters', ['-hide_banner', '-filters']),
    run('probe encoders', ['-hide_banner', '-encoders']),
  ]);
  const version = parseVersionOutput(versionRun.stdout.toString('utf8'));
  if (!version) throw new Error(`not an ffmpeg binary: ${resolved.path}`);
  const encoders = encodersRun.stdout.toString('utf8');
  const info: FfmpegInfo = {
    path: resolved.path,
    source: resolved.source,
    version: version.version,
    libavformatMajor: version.libavformatMajor,
    rtspTimeoutOption: parseRtspTimeoutOption(rtspRun.stdout.toString('utf8')) ?? ((version.libavformatMajor ?? 59) >= 59 ? 'timeout' : 'stimeout'),
    fpsModeOption: parseHasFpsMode(longRun.stdout.toString('utf8')) ? 'fps_mode' : 'vsync',
    hasDrawtext: parseHasFilter(filtersRun.stdout.toString('utf8'), 'drawtext'),
    h264Encoder: parseHasEncoder(encoders, 'libx264') ? 'libx264' : parseHasEncoder(encoders, 'libopenh264') ? 'libopenh264' : null,
  };
  deps.log.info('using ffmpeg', { ...info });
  return info;
}
