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

const madeTempDirs = new Set<string>();

/** A fresh temporary folder, removed after the test file (tests/helpers/tempCleanup.ts), passed or failed. */
export function tempDir(prefix: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `ccc-${prefix}-`));
  madeTempDirs.add(dir);
  return dir;
}

export function removeTempDirs(): void {
  for (const dir of madeTempDirs) fs.rmSync(dir, { recursive: true, force: true, maxRetries: 3, retryDelay: 100 });
  madeTempDirs.clear();
}
