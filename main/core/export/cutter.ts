import fs from 'node:fs';
import { FfmpegSupervisor, type SupervisorDeps } from '../ffmpeg/supervisor';
import type { PartPlan } from './plan';
import { segmentFilePath } from '../util/recordingLayout';

export interface CutResult {
  ok: boolean;
  cancelled: boolean;
  stderrTail: string;
}

/** ffmpeg's `-progress` key=value lines: how many µs of the output are written. */
export function parseProgressMicros(text: string): number | null {
  let found: number | null = null;
  for (const line of text.split('\n')) {
    const match = /^out_time_(?:us|ms)=(\d+)$/.exec(line.trim());
    if (match) found = Number(match[1]);
  }
  return found;
}

/**
 * The input URL of one part: ffmpeg's `concat` protocol over `subfile` byte ranges of the recorded
 * segments (no temporary copy of the footage), behind the PAT/PMT when the cut starts inside a file.
 * `|` would end a concat item: the recordings folder must not contain one (checked).
 */
export function concatUrl(part: PartPlan, recordingsRoot: string, psiFile: string | null): string {
  const items: string[] = [];
  if (psiFile) items.push(psiFile);
  for (const piece of part.pieces) {
    const file = segmentFilePath(recordingsRoot, piece.path);
    if (file.includes('|')) throw new Error('a recording path contains "|"');
    items.push(piece.start === 0 && piece.end >= fs.statSync(file).size ? file : `subfile,,start,${piece.start},end,${piece.end},,:${file}`);
  }
  return `concat:${items.join('|')}`;
}

/**
 * Bytes to reserve in front of the media for the `moov` of a clip this long: its sample tables
 * need ~5 bytes per video frame (measured: 900 frames, 4.9 KB); 1300 bytes per second covers
 * 30 fps video plus AAC audio at 16 bytes per sample, with 64 KiB for the rest.
 */
export function moovReserveBytes(durationMs: number): number {
  return Math.ceil((Math.max(0, durationMs) / 1000) * 1300) + 64 * 1024;
}

/**
 * Arguments of the stream copy to MP4 (no re-encoding, moov in front so it plays while loading).
 * With `reserveMoovBytes` the moov is written into space kept in front of the media (one pass);
 * without, ffmpeg's `faststart` moves it there afterwards (a second pass over the whole file).
 */
export function cutArgs(input: string, output: string, reserveMoovBytes: number | null = null, stamp: ClipStamp | null = null): string[] {
  return [
    '-hide_banner', '-nostdin', '-loglevel', 'error', '-y',
    '-f', 'mpegts', '-i', input,
    '-map', '0:v:0', '-map', '0:a?',
    '-c', 'copy',
    ...(stamp ? stampArgs(stamp) : []),
    ...(reserveMoovBytes === null ? ['-movflags', stamp ? '+faststart+use_metadata_tags' : '+faststart'] : ['-moov_size', String(reserveMoovBytes), ...(stamp ? ['-movflags', '+use_metadata_tags'] : [])]),
    '-progress', 'pipe:1', '-nostats',
    '-f', 'mp4', output,
  ];
}

/** The absolute start of a clip: the recorded (index) time of its first frame. */
export interface ClipStamp {
  startUtcMs: number;
}

/** The MP4 tag that carries the exact UTC start (ms); `creation_time` (mvhd) holds whole seconds only. */
export const START_TAG = 'com.commune-console.start_utc';

/**
 * The MP4's own absolute time: `creation_time` (ISO 8601 with ms; MP4's mvhd keeps the second)
 * and a metadata key with the exact UTC start in ms (`use_metadata_tags`: written as an mdta key,
 * read back by ffprobe as a format tag).
 */
export function stampArgs(stamp: ClipStamp): string[] {
  const iso = new Date(Math.floor(stamp.startUtcMs)).toISOString();
  return ['-metadata', `creation_time=${iso}`, '-metadata', `${START_TAG}=${iso}`];
}

/** ffmpeg failed to finish the file although it may exit with 0 (e.g. the reserved moov space was too small). */
export function trailerFailed(stderrTail: string): boolean {
  return /Error writing trailer|reserved_moov_size is too small/.test(stderrTail);
}

/** A path inside an ffmpeg filter argument: `\\` and `:` and `'` escaped. */
function filterPath(file: string): string {
  return file.replace(/\\/g, '/').replace(/([:'])/g, '\\$1');
}

/**
 * Arguments of the captioned copy: re-encoded (H.264), the camera name (from a text file: no
 * escaping of what a person typed) and the local time of every frame drawn at the top left.
 * `startLocalS`: the local wall time of the first frame, in seconds since 1970 (UTC + offset).
 */
export function burnInArgs(input: string, output: string, options: { encoder: string; fontFile: string; nameFile: string; startLocalS: number; startUtcMs?: number }): string[] {
  const font = filterPath(options.fontFile);
  const box = 'fontsize=h/22:fontcolor=white:box=1:boxcolor=black@0.55:boxborderw=6';
  const time = String.raw`%{pts\:gmtime\:${options.startLocalS.toFixed(3)}\:%d/%m/%Y %H\\\:%M\\\:%S}`;
  const filter = [
    'setpts=PTS-STARTPTS',
    `drawtext=fontfile=${font}:textfile=${filterPath(options.nameFile)}:x=12:y=12:${box}`,
    `drawtext=fontfile=${font}:text='${time}':x=12:y=12+h/14:${box}`,
  ].join(',');
  return [
    '-hide_banner', '-nostdin', '-loglevel', 'error', '-y',
    '-f', 'mpegts', '-i', input,
    '-map', '0:v:0', '-map', '0:a?',
    '-vf', filter,
    '-c:v', options.encoder, ...(options.encoder === 'libx264' ? ['-preset', 'veryfast', '-crf', '23'] : []), '-pix_fmt', 'yuv420p',
    '-c:a', 'aac',
    ...(options.startUtcMs !== undefined ? stampArgs({ startUtcMs: options.startUtcMs }) : []),
    '-movflags', options.startUtcMs !== undefined ? '+faststart+use_metadata_tags' : '+faststart',
    '-progress', 'pipe:1', '-nostats',
    '-f', 'mp4', output,
  ];
}

/**
 * Runs one stream copy (one owner per ffmpeg: the supervisor). `onProgress` gets the share of
 * the part written so far (0..1); `signal` cancels (the child is killed and reaped).
 */
export function cutPart(
  deps: SupervisorDeps,
  args: string[],
  durationMs: number,
  onProgress: (share: number) => void,
  signal: AbortSignal,
): Promise<CutResult> {
  if (signal.aborted) return Promise.resolve({ ok: false, cancelled: true, stderrTail: '' });
  return new Promise((resolve) => {
    let buffered = '';
    const supervisor = new FfmpegSupervisor(
      { name: 'export cut', args: () => args, startupTimeoutMs: null, stallTimeoutMs: null, restart: null, stderrTailBytes: 16 * 1024 },
      {
        onStdout(chunk) {
          buffered += chunk.toString('utf8');
          const cut = buffered.lastIndexOf('\n');
          if (cut < 0) return;
          const micros = parseProgressMicros(buffered.slice(0, cut));
          buffered = buffered.slice(cut + 1);
          if (micros !== null && durationMs > 0) onProgress(Math.max(0, Math.min(1, micros / 1000 / durationMs)));
        },
        onEnd(end) {
          signal.removeEventListener('abort', abort);
          const tail = end.stderrTail || end.errorMessage || '';
          resolve({ ok: end.reason === 'exited' && end.code === 0 && !trailerFailed(tail), cancelled: signal.aborted, stderrTail: tail });
        },
      },
      deps,
    );
    const abort = (): void => void supervisor.stop();
    signal.addEventListener('abort', abort);
    supervisor.start();
  });
}
