import type { FfmpegInfo } from './probe';

/**
 * Pure builders of ffmpeg argument lists. User input never reaches ffmpeg raw: URLs are checked
 * against the site schema first, sizes are integers clamped here, file paths are ours.
 */
type Caps = Pick<FfmpegInfo, 'rtspTimeoutOption' | 'fpsModeOption' | 'h264Encoder'>;

/** RTSP socket I/O timeout handed to ffmpeg; the supervisor's own stall check is shorter. */
const RTSP_SOCKET_TIMEOUT_US = 5_000_000;

/**
 * MPEG-TS on stdout, flushed per packet, no mux delay (else ~0.7 s of buffering), and with the
 * PES length of video packets written: a reader then knows a frame is complete when its last
 * byte arrives, instead of when the next frame starts (one frame of latency less).
 */
const TS_TO_STDOUT = ['-f', 'mpegts', '-muxdelay', '0', '-muxpreload', '0', '-omit_video_pes_length', '0', '-flush_packets', '1', 'pipe:1'];

/**
 * One pull of one camera stream: stream copy, no decoding. Its output feeds every consumer.
 * `-copyinkf`: packets before the first keyframe are copied too (ffmpeg drops them by default).
 * The camera is then seen sending at once, whatever its GOP: a camera with 10+ s between
 * keyframes is neither killed by the start-up timeout nor called unreachable, and a view can say
 * it waits for a keyframe. Decoders still start on a keyframe (the GOP cache and LiveDecoder).
 *
 * `videoCodec` (the camera's, from its SDP: media/rtspClient.ts `describeStream`): the camera's
 * access unit delimiters are taken out, so that ffmpeg's MPEG-TS muxer writes its own delimiter
 * and, before every keyframe without an SPS, the parameter sets it holds (from the SDP's
 * sprop-parameter-sets or its probe of the first keyframe). The muxer adds them only when a
 * packet does not begin with a delimiter: a camera that sends delimiters and its sets only once
 * (or only in the SDP) was otherwise recorded with no parameter sets at all, unplayable (issue
 * 20). The delimiter's NAL type differs by codec (H.264 9, H.265 35; in H.265, 9 is a RASL
 * picture), so without a known codec nothing is taken out.
 */
export function pullArgs(caps: Caps, url: string, options: { audio: boolean; videoCodec?: 'h264' | 'hevc' | null } = { audio: false }): string[] {
  const delimiter = options.videoCodec === 'h264' ? 9 : options.videoCodec === 'hevc' ? 35 : null;
  return [
    '-hide_banner', '-nostats', '-loglevel', 'info', '-nostdin',
    '-rtsp_transport', 'tcp',
    `-${caps.rtspTimeoutOption}`, String(RTSP_SOCKET_TIMEOUT_US),
    '-fflags', '+nobuffer', '-flags', 'low_delay',
    '-probesize', '1000000', '-analyzeduration', '1000000',
    '-i', url,
    // the camera's audio is copied too when asked (kept in recordings); the source drops it
    // again if MPEG-TS refuses its codec (G.711)
    '-map', '0:v:0', ...(options.audio ? ['-map', '0:a:0?'] : ['-an']), '-sn', '-dn', '-c', 'copy', '-copyinkf',
    ...(delimiter === null ? [] : ['-bsf:v', `filter_units=remove_types=${delimiter}`]),
    ...TS_TO_STDOUT,
  ];
}

/** The demo camera: a generated clip looped in real time, presented exactly like a pull. */
export function demoPullArgs(source: string | { input: string; durationS?: number }): string[] {
  const { input, durationS } = typeof source === 'string' ? { input: source, durationS: undefined } : source;
  return [
    '-hide_banner', '-nostats', '-loglevel', 'info', '-nostdin',
    '-re', '-stream_loop', '-1',
    '-i', input,
    '-map', '0:v:0', '-an', '-c', 'copy',
    // the demo's dropping camera: the pull ends by itself when its outage starts
    ...(durationS === undefined ? [] : ['-t', durationS.toFixed(1)]),
    ...TS_TO_STDOUT,
  ];
}

export function evenClamp(value: number, min: number, max: number): number {
  const clamped = Math.max(min, Math.min(max, Math.round(value)));
  return clamped - (clamped % 2);
}

/**
 * One decoder for one view: MPEG-TS on stdin → frames scaled to exactly width x height (aspect
 * kept, centred on black) → raw I420 on stdout. Single-threaded: a tile is small and frame
 * threading would add a frame of latency per thread.
 * No `-fflags +nobuffer` here: it makes ffmpeg throw away the packets its probe read, and the
 * probe reads the keyframe the decoder was started on (the GOP cache's), so the first picture
 * waited for the NEXT keyframe (a whole GOP; 12 s on a camera with 12 s GOPs).
 */
export function decodeArgs(caps: Caps, widthPx: number, heightPx: number, options: { cached: boolean } = { cached: false }): string[] {
  const width = evenClamp(widthPx, 16, 3840);
  const height = evenClamp(heightPx, 16, 2160);
  const filter = [
    `scale=${width}:${height}:force_original_aspect_ratio=decrease:flags=bilinear`,
    `pad=${width}:${height}:-1:-1:black`,
    'format=yuv420p',
  ].join(',');
  return [
    '-hide_banner', '-nostats', '-loglevel', 'error',
    // Every PES from the pull is one whole frame (its length is written): no parser needed, and
    // none waiting for the next frame to end this one. Measured: 204 → 70 ms glass to glass.
    '-fflags', '+noparse+nofillin',
    '-flags', 'low_delay',
    // Started on a GOP from the cache, the first packet is a whole keyframe: probe nothing more
    // (first picture about 100 ms instead of waiting for 64 KB of live packets). Started before
    // any keyframe came, the probe must wait for enough of the stream to learn its size.
    ...(options.cached ? ['-probesize', '32', '-analyzeduration', '0'] : ['-probesize', '65536', '-analyzeduration', '200000']),
    '-threads', '1',
    '-f', 'mpegts', '-i', 'pipe:0',
    '-map', '0:v:0', '-an', '-sn', '-dn',
    '-filter_threads', '1',
    '-vf', filter,
    ...(caps.fpsModeOption === 'fps_mode' ? ['-fps_mode', 'passthrough'] : ['-vsync', 'passthrough']),
    // each frame leaves at once (else its tail waits in ffmpeg's 32 KB output buffer for the next)
    '-flush_packets', '1',
    '-f', 'rawvideo', '-pix_fmt', 'yuv420p', 'pipe:1',
  ];
}

/** Escapes a value for use inside an ffmpeg filter argument (single-quoted). */
export function filterValue(value: string): string {
  const normalised = value.replace(/\\/g, '/');
  return `'${normalised.replace(/'/g, "'\\\\''").replace(/:/g, '\\:')}'`;
}

export interface DemoClipSpec {
  outputPath: string;
  widthPx: number;
  heightPx: number;
  fps: number;
  durationS: number;
  gopFrames: number;
  bitrateKbps: number;
  hueDeg: number;
  /** Text files (UTF-8) with the camera name and the stream label; null when drawtext is missing. */
  labelFile: string | null;
  fontFile: string | null;
  pattern: 'testsrc2' | 'smptehdbars' | 'mandelbrot';
}

/** Generates one demo clip: a moving test picture with the camera's name and a running clock. */
export function demoClipArgs(caps: Caps, spec: DemoClipSpec): string[] {
  if (!caps.h264Encoder) throw new Error('no H.264 encoder in this ffmpeg');
  const size = `${spec.widthPx}x${spec.heightPx}`;
  const source =
    spec.pattern === 'mandelbrot'
      ? `mandelbrot=size=${size}:rate=${spec.fps}`
      : spec.pattern === 'smptehdbars'
        ? `smptehdbars=size=${spec.widthPx * 2}x${spec.heightPx}:rate=${spec.fps}`
        : `testsrc2=size=${size}:rate=${spec.fps}`;
  // Colour bars stand still, and a hue turn keeps their brightness: pan across bars twice the
  // picture's width (a 10 s sweep there and back) so the picture visibly moves in grey too.
  const filters =
    spec.pattern === 'smptehdbars'
      ? [`crop=w=${spec.widthPx}:h=${spec.heightPx}:x='(iw-ow)*(0.5-0.5*cos(2*PI*t/10))':y=0`, `hue=H=2*PI*t/10+${((spec.hueDeg * Math.PI) / 180).toFixed(3)}`]
      : [`hue=h=${Math.round(spec.hueDeg)}`];
  if (spec.labelFile && spec.fontFile) {
    const fontSize = Math.max(12, Math.round(spec.heightPx / 16));
    const common = `fontfile=${filterValue(spec.fontFile)}:fontcolor=white:box=1:boxcolor=black@0.6:boxborderw=${Math.round(fontSize / 3)}`;
    // Like a camera's on-screen display: name bottom-left (raised clear of the console's own
    // status line), running clock top-right below the console's title bar (at the bottom right
    // the tile's footer and its replay button hid half of it).
    filters.push(`drawtext=${common}:textfile=${filterValue(spec.labelFile)}:fontsize=${fontSize}:x=${fontSize}:y=h-th-${Math.round(fontSize * 2.2)}`);
    filters.push(`drawtext=${common}:text='%{pts\\:hms}':fontsize=${fontSize}:x=w-tw-${fontSize}:y=${Math.round(fontSize * 2)}`);
  }
  const encoder =
    caps.h264Encoder === 'libx264'
      ? ['-c:v', 'libx264', '-preset', 'veryfast', '-tune', 'zerolatency', '-profile:v', 'main', '-x264-params', `keyint=${spec.gopFrames}:min-keyint=${spec.gopFrames}:scenecut=0`]
      : ['-c:v', 'libopenh264', '-g', String(spec.gopFrames)];
  return [
    '-hide_banner', '-nostats', '-loglevel', 'error', '-nostdin', '-y',
    '-f', 'lavfi', '-i', source,
    '-t', String(spec.durationS),
    '-vf', filters.join(','),
    ...encoder,
    '-b:v', `${spec.bitrateKbps}k`, '-maxrate', `${spec.bitrateKbps}k`, '-bufsize', `${spec.bitrateKbps * 2}k`,
    '-pix_fmt', 'yuv420p', '-an',
    '-f', 'mpegts', spec.outputPath,
  ];
}
