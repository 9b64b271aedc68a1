import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ffmpegWarning, parseMajorVersion, resolveFfmpeg } from '../../main/core/ffmpeg/resolve';

// process.execPath is a real executable file: it stands for any candidate binary here; the
// versions are injected (no ffmpeg 6 on this machine).
const exe = process.execPath;
const packages = (name: string) => (name === '@ffmpeg-installer/ffmpeg' ? exe : null);
const pathEnv = { PATH: path.dirname(exe) };

describe('ffmpeg resolver: version 6 or newer preferred', () => {
  it('prefers a system ffmpeg of version 6 or newer over the bundled 4.1', () => {
    const resolved = resolveFfmpeg({ env: pathEnv, packagePath: packages, majorVersionOf: () => 6 });
    // PATH lookup finds "ffmpeg" only; with node's folder on PATH there is none unless installed there
    if (resolved?.source === 'path') expect(resolved.path.endsWith('ffmpeg')).toBe(true);
    const viaStatic = resolveFfmpeg({ env: {}, packagePath: (name) => (name === 'ffmpeg-static' || name === '@ffmpeg-installer/ffmpeg' ? exe : null), majorVersionOf: () => 7 });
    expect(viaStatic?.source).toBe('ffmpeg-static');
  });

  it('keeps the configured ffmpeg whatever its version, and the fixed order when nothing is ≥ 6', () => {
    expect(resolveFfmpeg({ configuredPath: exe, env: {}, packagePath: packages, majorVersionOf: () => 4 })?.source).toBe('config');
    expect(resolveFfmpeg({ env: { FFMPEG_PATH: exe }, packagePath: packages, majorVersionOf: () => 4 })?.source).toBe('env');
    expect(resolveFfmpeg({ env: {}, packagePath: packages, majorVersionOf: () => 5 })?.source).toBe('@ffmpeg-installer');
  });

  it('reads the major version and warns only for the old bundled build', () => {
    expect(parseMajorVersion('ffmpeg version 6.1.1-3ubuntu5 Copyright (c) 2000-2023')).toBe(6);
    expect(parseMajorVersion('ffmpeg version n7.0 Copyright')).toBe(7);
    expect(parseMajorVersion('ffmpeg version 4.1 Copyright')).toBe(4);
    expect(parseMajorVersion('ffmpeg version N-112345-gabc')).toBeNull();
    expect(ffmpegWarning('@ffmpeg-installer', '4.1')).toBe('oldBundled');
    expect(ffmpegWarning('path', '5.1.6-0+deb12u1')).toBeNull();
    expect(ffmpegWarning('@ffmpeg-installer', '6.0')).toBeNull();
  });
});
