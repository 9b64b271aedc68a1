import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DEFAULT_STEPS, formatFigures, runTorture } from '../helpers/torture';
import { outputPath } from '../helpers/paths';

const canMount = process.getuid?.() === 0 && fs.existsSync('/proc/filesystems') && fs.readFileSync('/proc/filesystems', 'utf8').includes('tmpfs');

// The short CI version of `npm run torture:record`: each fault once, in order, 4 cameras, the
// invariant checker after every step (tests/helpers/torture.ts).
describe('recording torture (CI version)', () => {
  it.skipIf(!canMount)('survives kill -9 (also on a full disk, restarting on it), a disk filled to 0 by another program, tampered files, a camera drop and hostile map imports with no invariant violation', async () => {
    const figures = await runTorture({ minutes: 0, cameras: 4, sequence: DEFAULT_STEPS, seed: 19, warmUpMs: 12_000, log: () => undefined });
    const text = formatFigures(figures);
    fs.writeFileSync(outputPath('recording', 'torture-ci.txt'), `${text}\n`);
    console.log(text);
    expect(figures.violations).toEqual([]);
    expect(Math.max(...figures.killLossMs)).toBeLessThanOrEqual(500);
    expect(Math.max(...figures.resumeMs)).toBeLessThanOrEqual(10_000);
  }, 300_000);
});
