import path from 'node:path';
import { buildSync } from 'esbuild';
import { silentLogger } from '../../main/core/log/logger';
import { systemClock, type Clock } from '../../main/core/util/clock';
import { DEFAULT_TILE_WORKER_OPTIONS, TileWorkerHost, type TileWorkerOptions } from '../../main/core/map/tileWorkerHost';
import { cacheDir, repoRoot } from './paths';

let built: string | null = null;

/**
 * The map worker built from the sources under test (the console runs dist/core/mapWorker.cjs,
 * built by scripts/build.mjs; a unit test must not depend on a stale dist/).
 */
export function mapWorkerScript(): string {
  if (built) return built;
  const outfile = path.join(cacheDir, 'map-worker', 'mapWorker.cjs');
  buildSync({
    entryPoints: [path.join(repoRoot, 'main', 'core', 'map', 'tileWorker.ts')],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    external: ['better-sqlite3'],
    logLevel: 'warning',
    absWorkingDir: repoRoot,
  });
  built = outfile;
  return outfile;
}

export function testTileHost(options: Partial<TileWorkerOptions> = {}, clock: Clock = systemClock): TileWorkerHost {
  return new TileWorkerHost({ log: silentLogger, clock }, { ...DEFAULT_TILE_WORKER_OPTIONS, script: mapWorkerScript(), ...options });
}
