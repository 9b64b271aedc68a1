import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/**
 * vitest globalSetup: every test run gets a temporary folder of its own (TMPDIR, inherited by
 * the test workers and every process they start: the console, ffmpeg, Chromium, the RTSP
 * server). After the suite, whatever is left in it is listed with its size, removed, and the
 * run fails: every test removes what it made, even when it fails (issue 19: one CI run had left
 * 57 folders and 597 MB in /tmp).
 */
let suiteTmp: string | null = null;
let previous: string | undefined;

function sizeOf(entry: string): number {
  try {
    const stat = fs.lstatSync(entry);
    if (!stat.isDirectory()) return stat.size;
    return fs.readdirSync(entry).reduce((total, name) => total + sizeOf(path.join(entry, name)), 0);
  } catch {
    return 0;
  }
}

export function setup(): void {
  // vitest runs a global setup once per project too: the first one owns the folder.
  if (process.env.CCC_SUITE_TMP) return;
  previous = process.env.TMPDIR;
  suiteTmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ccc-suite-'));
  process.env.TMPDIR = suiteTmp;
  process.env.CCC_SUITE_TMP = suiteTmp;
}

export function teardown(): void {
  if (!suiteTmp) return;
  const root = suiteTmp;
  suiteTmp = null;
  delete process.env.CCC_SUITE_TMP;
  if (previous === undefined) delete process.env.TMPDIR;
  else process.env.TMPDIR = previous;
  const left = fs.existsSync(root) ? fs.readdirSync(root) : [];
  const lines = left.map((name) => `  ${name} (${Math.round(sizeOf(path.join(root, name)) / 1024)} KB)`);
  fs.rmSync(root, { recursive: true, force: true });
  if (left.length > 0 && process.env.CCC_ALLOW_TEMP_LEFTOVERS !== '1') {
    // vitest reports a teardown error but keeps its exit code: fail the run ourselves.
    process.exitCode = 1;
    throw new Error(`tests left ${left.length} entries in the temporary folder (removed now):\n${lines.join('\n')}`);
  }
}
