import path from 'node:path';
import { buildSync } from 'esbuild';
import { cacheDir, repoRoot } from './paths';

let built: string | null = null;

/**
 * The job worker built from the sources under test (the console runs dist/core/jobWorker.cjs,
 * built by scripts/build.mjs; a unit test must not depend on a stale dist/).
 */
export function jobWorkerScript(): string {
  if (built) return built;
  const outfile = path.join(cacheDir, 'job-worker', 'jobWorker.cjs');
  buildSync({
    entryPoints: [path.join(repoRoot, 'main', 'core', 'jobWorker.ts')],
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
