import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../helpers/paths';

// electron-builder cannot run here (no Electron binary or headers): check its configuration and
// the file list it would pack from the built tree (npm test builds dist/ first).
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

  it('unpacks the map worker, which is started from a file path outside the archive', () => {
    expect(config.asarUnpack).toContain('dist/core/mapWorker.cjs*');
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
