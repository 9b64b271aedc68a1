import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** The repository root, found from here whether run by vitest or bundled (benchmarks). */
function findRepoRoot(): string {
  for (let dir = __dirname; dir !== path.dirname(dir); dir = path.dirname(dir)) {
    try {
      const pkg = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')) as { name?: string };
      if (pkg.name === 'commune-console') return dir;
    } catch {
      // keep looking upwards
    }
  }
  return process.cwd();
}

export const repoRoot = findRepoRoot();
/** Screenshots and other things a person should look at after a run. */
export const testOutputDir = path.join(repoRoot, 'test-results');
/** Generated clips, reused between runs (no binary test data is committed). */
export const cacheDir = path.join(testOutputDir, 'cache');

export function outputPath(...parts: string[]): string {
  const file = path.join(testOutputDir, ...parts);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  return file;
}

export function tempDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `ccc-${prefix}-`));
}
