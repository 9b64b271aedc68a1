/**
 * Pure parsers of ffmpeg's own output. Tests feed them real output captured from ffmpeg 4.1
 * (@ffmpeg-installer) and ffmpeg 5.1 (Debian).
 */

export interface FfmpegVersion {
  /** e.g. "5.1.9-0+deb12u1" or "N-47683-g0e8eb07980-static" (git builds carry no release number). */
  version: string;
  libavformatMajor: number | null;
}

export function parseVersionOutput(text: string): FfmpegVersion | null {
  const first = /^ffmpeg version (\S+)/m.exec(text);
  if (!first?.[1]) return null;
  const lavf = /^\s*libavformat\s+(\d+)\.\s*\d+\.\s*\d+/m.exec(text);
  return { version: first[1], libavformatMajor: lavf?.[1] ? Number(lavf[1]) : null };
}

/**
 * The RTSP socket timeout option: ffmpeg <= 4.x calls it -stimeout (there -timeout means "listen
 * as a server"!); ffmpeg >= 5 calls it -timeout and rejects -stimeout. Read from `-h demuxer=rtsp`.
 */
export function parseRtspTimeoutOption(rtspHelp: string): 'stimeout' | 'timeout' | null {
  if (/^\s*-stimeout\s/m.test(rtspHelp)) return 'stimeout';
  if (/^\s*-timeout\s+<int64>/m.test(rtspHelp) || /^\s*-timeout\s.*socket/m.test(rtspHelp)) return 'timeout';
  return null;
}

/** `-fps_mode` replaced `-vsync` in ffmpeg 5.1; read from `-h long`. */
export function parseHasFpsMode(longHelp: string): boolean {
  return /^\s*-fps_mode\b/m.test(longHelp);
}

export function parseHasFilter(filtersList: string, name: string): boolean {
  return new RegExp(`^\\s*[.A-Z|]{2,3}\\s+${name}\\s`, 'm').test(filtersList);
}

export function parseHasEncoder(encodersList: string, name: string): boolean {
  return new RegExp(`^\\s*V[.A-Z]{5}\\s+${name}\\s`, 'm').test(encodersList);
}

export interface InputVideoInfo {
  codec: string;
  widthPx: number;
  heightPx: number;
  fps: number | null;
}

/**
 * Reads the first video stream of the *input* from ffmpeg's stderr banner:
 *   "    Stream #0:0: Video: h264 (Constrained Baseline), yuv420p(progressive), 320x180, 15 fps, ..."
 * Lines after "Output #0" describe what ffmpeg writes and are ignored.
 */
export class InputInfoParser {
  private inInput = false;
  private done = false;

  /** Feeds one stderr line; returns the video info once, when found. */
  pushLine(line: string): InputVideoInfo | null {
    if (this.done) return null;
    if (/^Input #\d+/.test(line)) {
      this.inInput = true;
      return null;
    }
    if (/^Output #\d+/.test(line)) {
      this.inInput = false;
      return null;
    }
    if (!this.inInput) return null;
    const match = /Stream #\d+:\d+.*?: Video: (\w+)(.*)$/.exec(line);
    if (!match?.[1]) return null;
    const size = /,\s*(\d{2,5})x(\d{2,5})\b/.exec(match[2] ?? '');
    if (!size) return null;
    const fps = /,\s*([\d.]+) fps\b/.exec(match[2] ?? '');
    this.done = true;
    return { codec: match[1], widthPx: Number(size[1]), heightPx: Number(size[2]), fps: fps?.[1] ? Number(fps[1]) : null };
  }
}

/** Why a pull ended, as a code the UI can say in Vietnamese. */
export type PullProblem = 'unreachable' | 'authFailed' | 'notFound' | 'noData' | 'badStream' | 'ended';

/** What ffmpeg prints when the network, not the camera, is the trouble. */
export const NETWORK_FAILURE = /Connection refused|Connection timed out|No route to host|Network is unreachable|Name or service not known|Temporary failure in name resolution|Operation timed out|Connection reset/i;

export function classifyPullFailure(stderrTail: string, reason: 'exited' | 'startupTimeout' | 'stalled' | 'spawnError' | 'stopped', gotData: boolean): PullProblem {
  if (/401 Unauthorized|authorization failed/i.test(stderrTail)) return 'authFailed';
  if (/40[34] (Not Found|Forbidden)|454 Session Not Found|Server returned 404/i.test(stderrTail)) return 'notFound';
  if (NETWORK_FAILURE.test(stderrTail)) return 'unreachable';
  if (reason === 'startupTimeout' || reason === 'stalled') return 'noData';
  if (/Invalid data found|could not find codec parameters|Unsupported codec|no frame!|non-existing PPS/i.test(stderrTail)) return 'badStream';
  return gotData ? 'ended' : 'unreachable';
}

/** What a decoder's error output says about the stream it was given (null: nothing useful). */
export function classifyDecodeError(line: string): 'badStream' | 'unsupportedCodec' | null {
  if (/Decoder \(codec \w+\) not found|Unsupported codec|unknown codec/i.test(line)) return 'unsupportedCodec';
  if (/Invalid data found|error while decoding|non-existing PPS|no frame!|decode_slice_header error|Invalid NAL unit|missing picture|corrupt/i.test(line)) return 'badStream';
  return null;
}
