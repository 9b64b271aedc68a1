import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';

/**
 * Where the ffmpeg binary comes from. A configured one (--ffmpeg, settings, FFMPEG_PATH) always
 * wins; otherwise a system or ffmpeg-static build of version 6 or newer is preferred (it parses
 * untrusted camera streams: the newest fixes matter), and only then this fixed order:
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
  /** Major version of a binary (`ffmpeg -version`), injectable for tests; null when unknown. */
  majorVersionOf?: (file: string) => number | null;
}

/** The version from which an automatically found ffmpeg is preferred over the fixed order. */
export const PREFERRED_FFMPEG_MAJOR = 6;

/** Major version of `ffmpeg -version`'s first line ("ffmpeg version 6.1.1-…", "n6.0", "4.1"). */
export function parseMajorVersion(firstLine: string): number | null {
  const match = /^ffmpeg version n?(\d+)\./.exec(firstLine.trim());
  return match ? Number(match[1]) : null;
}

function defaultMajorVersionOf(file: string): number | null {
  try {
    const output = execFileSync(file, ['-hide_banner', '-version'], { timeout: 5000, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    return parseMajorVersion(output.split('\n')[0] ?? '');
  } catch {
    return null;
  }
}

/**
 * Warning to show (Devices page, diagnostics, start-up log) for the ffmpeg in use: the old build
 * of @ffmpeg-installer (4.1) is the only one found. Null when none is due.
 */
export function ffmpegWarning(source: string, version: string): 'oldBundled' | null {
  const major = parseMajorVersion(`ffmpeg version ${version}`);
  return source === '@ffmpeg-installer' && major !== null && major < 5 ? 'oldBundled' : null;
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
  const candidates = listFfmpegCandidates(options);
  const configured = candidates.find((candidate) => (candidate.source === 'config' || candidate.source === 'env') && candidate.usable);
  if (configured?.path) return { path: configured.path, source: configured.source };
  const majorVersionOf = options.majorVersionOf ?? defaultMajorVersionOf;
  for (const candidate of candidates) {
    if ((candidate.source === 'path' || candidate.source === 'ffmpeg-static') && candidate.usable && candidate.path && (majorVersionOf(candidate.path) ?? 0) >= PREFERRED_FFMPEG_MAJOR) {
      return { path: candidate.path, source: candidate.source };
    }
  }
  for (const candidate of candidates) {
    if (candidate.usable && candidate.path) return { path: candidate.path, source: candidate.source };
  }
  return null;
}
