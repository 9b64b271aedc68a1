import { describe, expect, it } from 'vitest';
import { decodeArgs, demoClipArgs, evenClamp, filterValue, pullArgs } from '../../main/core/ffmpeg/args';

const ffmpeg4 = { rtspTimeoutOption: 'stimeout', fpsModeOption: 'vsync', h264Encoder: 'libx264' } as const;
const ffmpeg5 = { rtspTimeoutOption: 'timeout', fpsModeOption: 'fps_mode', h264Encoder: 'libx264' } as const;

function optionValue(args: string[], option: string): string | undefined {
  const index = args.indexOf(option);
  return index >= 0 ? args[index + 1] : undefined;
}

describe('ffmpeg argument builders', () => {
  it('pull: stream copy over TCP with the timeout option of the ffmpeg version', () => {
    const old = pullArgs(ffmpeg4, 'rtsp://10.0.0.5/ch1');
    expect(optionValue(old, '-stimeout')).toBe('5000000');
    expect(old).not.toContain('-timeout');
    const current = pullArgs(ffmpeg5, 'rtsp://10.0.0.5/ch1');
    expect(optionValue(current, '-timeout')).toBe('5000000');
    expect(current).not.toContain('-stimeout');
    expect(optionValue(current, '-c')).toBe('copy');
    expect(optionValue(current, '-rtsp_transport')).toBe('tcp');
    expect(optionValue(current, '-muxdelay')).toBe('0');
    // the URL is one argument, never split or interpreted by a shell
    expect(current[current.indexOf('-i') + 1]).toBe('rtsp://10.0.0.5/ch1');
  });

  it("pull: the camera's delimiters are taken out by codec, so ffmpeg's muxer writes its own and the parameter sets before keyframes without them (issue 20)", () => {
    const bsf = (codec?: 'h264' | 'hevc' | null) => optionValue(pullArgs(ffmpeg5, 'rtsp://10.0.0.5/ch1', { audio: false, videoCodec: codec }), '-bsf:v');
    expect(bsf('h264')).toBe('filter_units=remove_types=9');
    expect(bsf('hevc')).toBe('filter_units=remove_types=35');
    // unknown codec: nothing taken out (type 9 is a RASL picture in H.265)
    expect(bsf(null)).toBeUndefined();
    expect(bsf(undefined)).toBeUndefined();
    // the filter applies to the copied video, before the output
    const args = pullArgs(ffmpeg4, 'rtsp://10.0.0.5/ch1', { audio: true, videoCodec: 'h264' });
    expect(args.indexOf('-bsf:v')).toBeGreaterThan(args.indexOf('-c'));
    expect(args.indexOf('-bsf:v')).toBeLessThan(args.indexOf('pipe:1'));
  });

  it('decode: exactly the tile size, aspect kept, raw I420 out', () => {
    const args = decodeArgs(ffmpeg5, 641, 359);
    expect(optionValue(args, '-vf')).toBe('scale=640:358:force_original_aspect_ratio=decrease:flags=bilinear,pad=640:358:-1:-1:black,format=yuv420p');
    expect(optionValue(args, '-fps_mode')).toBe('passthrough');
    expect(optionValue(decodeArgs(ffmpeg4, 64, 64), '-vsync')).toBe('passthrough');
    expect(optionValue(args, '-pix_fmt')).toBe('yuv420p');
    expect(args.at(-1)).toBe('pipe:1');
  });

  it('clamps sizes to even numbers in range', () => {
    expect(evenClamp(5, 16, 3840)).toBe(16);
    expect(evenClamp(99999, 16, 3840)).toBe(3840);
    expect(evenClamp(321.4, 16, 3840)).toBe(320);
  });

  it('escapes file names inside filter arguments', () => {
    expect(filterValue("/tmp/it's:here.txt")).toBe("'/tmp/it'\\\\''s\\:here.txt'");
    expect(filterValue('C:\\Windows\\Fonts\\arial.ttf')).toBe("'C\\:/Windows/Fonts/arial.ttf'");
  });

  it('demo clip: an H.264 test picture with name and clock, keyframes at a fixed interval', () => {
    const args = demoClipArgs(ffmpeg5, {
      outputPath: '/tmp/x.ts', widthPx: 640, heightPx: 360, fps: 15, durationS: 20, gopFrames: 15, bitrateKbps: 400,
      hueDeg: 30, labelFile: '/tmp/label.txt', fontFile: '/fonts/a.ttf', pattern: 'testsrc2',
    });
    expect(optionValue(args, '-i')).toBe('testsrc2=size=640x360:rate=15');
    expect(optionValue(args, '-vf')).toContain("textfile='/tmp/label.txt'");
    expect(optionValue(args, '-vf')).toContain('%{pts\\:hms}');
    expect(optionValue(args, '-x264-params')).toBe('keyint=15:min-keyint=15:scenecut=0');
    expect(() => demoClipArgs({ ...ffmpeg5, h264Encoder: null }, { outputPath: '', widthPx: 2, heightPx: 2, fps: 1, durationS: 1, gopFrames: 1, bitrateKbps: 1, hueDeg: 0, labelFile: null, fontFile: null, pattern: 'testsrc2' })).toThrow();
  });
});
