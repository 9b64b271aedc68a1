import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot, tempDir } from '../helpers/paths';

const require = createRequire(import.meta.url);

// The Electron binary and headers cannot be downloaded here: check the configuration with
// electron-builder's own schema, the file list it would pack from the built tree (npm test builds
// dist/ first), and then run the real electron-builder on a stand-in Electron distribution.
interface BuilderConfig {
  productName: string;
  files: string[];
  asarUnpack: string[];
  npmRebuild?: boolean;
  extraMetadata: { main: string };
  win: { target: string };
  nsis: Record<string, unknown>;
  linux: { target: string[] };
}

const config = JSON.parse(fs.readFileSync(path.join(repoRoot, 'build', 'electron-builder.json'), 'utf8')) as BuilderConfig;

function listFiles(dir: string): string[] {
  if (!fs.existsSync(path.join(repoRoot, dir))) return [];
  return fs.readdirSync(path.join(repoRoot, dir), { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => path.relative(repoRoot, path.join(entry.parentPath, entry.name)).split(path.sep).join('/'));
}

/** electron-builder's `files`: "dir/**" includes, "!dir/**" excludes, plain names are files. */
function packedFiles(patterns: string[]): string[] {
  const matches = (pattern: string, file: string) => (pattern.endsWith('/**') ? file.startsWith(pattern.slice(0, -2)) : file === pattern);
  const candidates = new Set<string>();
  for (const pattern of patterns.filter((p) => !p.startsWith('!'))) {
    if (pattern.endsWith('/**')) listFiles(pattern.slice(0, -3)).forEach((file) => candidates.add(file));
    else if (fs.existsSync(path.join(repoRoot, pattern))) candidates.add(pattern);
  }
  return [...candidates].filter((file) => !patterns.some((p) => p.startsWith('!') && matches(p.slice(1), file))).sort();
}

describe('the installer configuration (build/electron-builder.json)', () => {
  it('packs every runtime file: both hosts, the supervisor, preload, renderer, demo site and map data', () => {
    const packed = packedFiles(config.files);
    expect(packed.length, 'dist/ is built before the tests (npm test)').toBeGreaterThan(10);
    for (const file of [
      config.extraMetadata.main,
      'dist/core/cli.cjs',
      'dist/core/supervise.cjs',
      'dist/core/utility.cjs',
      'dist/core/mapWorker.cjs',
      'dist/core/jobWorker.cjs',
      'dist/preload/preload.cjs',
      'dist/renderer/index.html',
      'dist/renderer/app.js',
      'dist/renderer/maplibre-gl-worker.mjs',
      'resources/demo-site.json',
      'resources/map/dong-khe.geojson',
      'resources/export/player.html',
      'package.json',
    ]) {
      expect(packed, file).toContain(file);
    }
  });

  it('packs no test, bench, harness or source-map file, and every lazy page chunk', () => {
    const packed = packedFiles(config.files);
    expect(packed.filter((file) => /(^|\/)(tests?|bench|harness|test-results|sourcemaps)\//.test(file) || /\.test\.[cm]?[jt]s$/.test(file))).toEqual([]);
    const chunks = listFiles('dist/renderer').filter((file) => file.startsWith('dist/renderer/chunks/'));
    expect(packed).toEqual(expect.arrayContaining(chunks));
  });

  it('unpacks the map and job workers, which are started from a file path outside the archive', () => {
    expect(config.asarUnpack).toContain('dist/core/mapWorker.cjs*');
    expect(config.asarUnpack).toContain('dist/core/jobWorker.cjs*');
  });

  it('builds the NSIS installer and the Linux AppImage/deb, in Vietnamese, with native parts usable', () => {
    expect(config.productName).toBe('Giám sát camera');
    expect(config.win.target).toBe('nsis');
    expect(config.nsis).toMatchObject({ createDesktopShortcut: true, createStartMenuShortcut: true, language: '1066' });
    expect(config.linux.target).toEqual(['AppImage', 'deb']);
    // ffmpeg must be executable and better-sqlite3's .node loadable: outside the asar archive
    expect(config.asarUnpack).toEqual(expect.arrayContaining(['node_modules/@ffmpeg-installer/**', 'node_modules/better-sqlite3/**']));
    // better-sqlite3 rebuilt for Electron's ABI when packing
    expect(config.npmRebuild).not.toBe(false);
    // the ffmpeg packed is the one npm installed for the packing platform (never a path to this machine's)
    expect(JSON.stringify(config)).not.toMatch(/\/usr\/bin|linux-x64/);
  });
});

describe('electron-builder itself (the devDependency, 26.17.0)', () => {
  it("accepts the configuration against its own schema, and refuses a misspelt option (the schema is really checked)", async () => {
    process.env.JITI_FS_CACHE = 'false'; // its config loader (jiti) would leave a cache in the system's temporary folder
    const { validateConfiguration } = require('app-builder-lib/out/util/config/config.js') as { validateConfiguration(config: unknown, logger: unknown): Promise<void> };
    const { DebugLogger } = require('builder-util/out/DebugLogger.js') as { DebugLogger: new (enabled: boolean) => unknown };
    await expect(validateConfiguration(structuredClone(config), new DebugLogger(false))).resolves.toBeUndefined();
    await expect(validateConfiguration({ ...structuredClone(config), nsis: { ...config.nsis, oneClik: false } }, new DebugLogger(false))).rejects.toThrow(/nsis/);
  });

  it('packs the app for real (--dir, a stand-in Electron distribution): every runtime file in app.asar, ffmpeg and SQLite outside it, no test file', () => {
    // the stand-in for the Electron zip electron-builder would download: what it copies and renames
    const work = tempDir('electron-builder');
    const electronDist = path.join(work, 'electron-dist');
    fs.mkdirSync(path.join(electronDist, 'resources'), { recursive: true });
    fs.writeFileSync(path.join(electronDist, 'electron'), '#!/bin/sh\nexit 0\n', { mode: 0o755 });
    const electronVersion = (JSON.parse(fs.readFileSync(path.join(repoRoot, 'node_modules', 'electron', 'package.json'), 'utf8')) as { version: string }).version;
    const output = path.join(work, 'release');
    const run = spawnSync(
      process.execPath,
      [
        require.resolve('electron-builder/cli.js'), '--config', 'build/electron-builder.json', '--linux', 'dir',
        `-c.electronDist=${electronDist}`, `-c.electronVersion=${electronVersion}`,
        // rebuilding better-sqlite3 for Electron's ABI needs Electron's headers (not downloadable here)
        '-c.npmRebuild=false', `-c.directories.output=${output}`,
      ],
      // no cache of jiti's (its config loader) in the system's temporary folder
      { cwd: repoRoot, encoding: 'utf8', env: { ...process.env, CI: '1', JITI_FS_CACHE: 'false' }, timeout: 240_000 },
    );
    expect(run.status, `${run.stdout}\n${run.stderr}`).toBe(0);
    const appDir = path.join(output, 'linux-unpacked');
    expect(fs.existsSync(path.join(appDir, 'giam-sat-camera')), 'the executable carries the product name').toBe(true);
    const asar = require('@electron/asar') as { listPackage(archive: string, options?: unknown): string[]; extractFile(archive: string, file: string): Buffer };
    const archive = path.join(appDir, 'resources', 'app.asar');
    const inArchive = asar.listPackage(archive).map((file) => file.replace(/^[\\/]/, '').split(path.sep).join('/'));
    for (const file of ['dist/electron/main.cjs', 'dist/core/utility.cjs', 'dist/core/cli.cjs', 'dist/core/supervise.cjs', 'dist/preload/preload.cjs', 'dist/renderer/index.html', 'dist/renderer/app.js', 'resources/demo-site.json', 'resources/map/dong-khe.geojson', 'resources/export/player.html']) {
      expect(inArchive, file).toContain(file);
    }
    const ours = inArchive.filter((file) => !file.startsWith('node_modules/'));
    expect(ours.filter((file) => /(^|\/)(tests?|bench|harness|test-results|sourcemaps)\//.test(file) || /\.test\.[cm]?[jt]s$/.test(file) || /\.tsx?$/.test(file))).toEqual([]);
    const packedManifest = JSON.parse(asar.extractFile(archive, 'package.json').toString('utf8')) as { main: string; devDependencies?: unknown };
    expect(packedManifest.main).toBe('dist/electron/main.cjs');
    // runtime packages only: none of the build or test tools
    expect(inArchive.some((file) => /^node_modules\/(vitest|playwright-core|esbuild|typescript|electron-builder)\//.test(file))).toBe(false);
    // outside the archive, where they can be executed and loaded: ffmpeg, SQLite's addon, the map worker
    const unpacked = path.join(appDir, 'resources', 'app.asar.unpacked');
    const ffmpeg = fs.readdirSync(path.join(unpacked, 'node_modules', '@ffmpeg-installer'), { recursive: true, withFileTypes: true }).find((entry) => entry.isFile() && /^ffmpeg(\.exe)?$/.test(entry.name));
    expect(ffmpeg, 'the ffmpeg binary').toBeDefined();
    expect(fs.statSync(path.join(ffmpeg!.parentPath, ffmpeg!.name)).mode & 0o111).not.toBe(0);
    expect(fs.existsSync(path.join(unpacked, 'node_modules', 'better-sqlite3', 'build', 'Release', 'better_sqlite3.node'))).toBe(true);
    expect(fs.existsSync(path.join(unpacked, 'dist', 'core', 'mapWorker.cjs'))).toBe(true);
    expect(fs.existsSync(path.join(unpacked, 'dist', 'core', 'jobWorker.cjs'))).toBe(true);
    fs.rmSync(work, { recursive: true, force: true });
  }, 300_000);
});
