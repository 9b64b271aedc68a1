import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';

/**
 * Where the ffmpeg binary comes from, in this fixed order (the first that exists wins):
 *   1. the configured path (--ffmpeg or settings)
 *   2. the FFMPEG_PATH environment variable
 *   3. the optional npm package ffmpeg-static, when its install downloaded a binary
 *   4. the npm package @ffmpeg-installer/ffmpeg (binary shipped inside the package; ffmpeg 4.1 on Linux)
 *   5. `ffmpeg` on PATH (Debian's ffmpeg 5.1 on the test machines)
 */
export type FfmpegSource = 'config' | 'env' | 'ffmpeg-static' | '@ffmpeg-installer' | 'path';

export interface ResolvedFfmpeg {
  path: string;
  source: FfmpegSource;
}

export interface ResolveOptions {
  configuredPath?: string | null;
  env?: NodeJS.ProcessEnv;
  /** Package lookup, injectable for tests. Returns the path a package reports, or null. */
  packagePath?: (name: 'ffmpeg-static' | '@ffmpeg-installer/ffmpeg') => string | null;
}

function isExecutable(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

const localRequire = createRequire(__filename);

function defaultPackagePath(name: 'ffmpeg-static' | '@ffmpeg-installer/ffmpeg'): string | null {
  try {
    const exported: unknown = localRequire(name);
    if (typeof exported === 'string') return exported;
    if (exported && typeof exported === 'object' && 'path' in exported && typeof exported.path === 'string') return exported.path;
  } catch {
    // not installed (ffmpeg-static is optional and often absent)
  }
  return null;
}

function findOnPath(env: NodeJS.ProcessEnv): string | null {
  const names = process.platform === 'win32' ? ['ffmpeg.exe'] : ['ffmpeg'];
  for (const dir of (env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    for (const name of names) {
      const candidate = path.join(dir, name);
      if (isExecutable(candidate)) return candidate;
    }
  }
  return null;
}

/** Every candidate in order, with whether it exists (logged at start so support can see why). */
export function listFfmpegCandidates(options: ResolveOptions = {}): { source: FfmpegSource; path: string | null; usable: boolean }[] {
  const env = options.env ?? process.env;
  const packagePath = options.packagePath ?? defaultPackagePath;
  const candidates: { source: FfmpegSource; path: string | null }[] = [
    { source: 'config', path: options.configuredPath ?? null },
    { source: 'env', path: env.FFMPEG_PATH ?? null },
    { source: 'ffmpeg-static', path: packagePath('ffmpeg-static') },
    { source: '@ffmpeg-installer', path: packagePath('@ffmpeg-installer/ffmpeg') },
    { source: 'path', path: findOnPath(env) },
  ];
  return candidates.map((candidate) => ({ ...candidate, usable: candidate.path !== null && isExecutable(candidate.path) }));
}

export function resolveFfmpeg(options: ResolveOptions = {}): ResolvedFfmpeg | null {
  for (const candidate of listFfmpegCandidates(options)) {
    if (candidate.usable && candidate.path) return { path: candidate.path, source: candidate.source };
  }
  return null;
}
