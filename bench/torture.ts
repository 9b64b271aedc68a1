/**
 * npm run torture:record -- [minutes] [cameras] — the recording torture run (issue 19): random
 * faults (kill -9 of the core, a disk filled to 0 by another program then freed, a segment file
 * deleted / truncated / renamed, a camera dropping) while 4+ cameras record; an invariant check
 * after every step. Prints the figures (docs/benchmarks.md). Needs root (tmpfs).
 */
import { formatFigures, runTorture } from '../tests/helpers/torture';

const minutes = Number(process.argv[2] ?? 10);
const cameras = Number(process.argv[3] ?? 4);

void (async () => {
  const started = Date.now();
  const figures = await runTorture({ minutes, cameras });
  console.log(`\nrecording torture: ${cameras} cameras, ${((Date.now() - started) / 60000).toFixed(1)} min`);
  console.log(formatFigures(figures));
  process.exit(figures.violations.length === 0 ? 0 : 1);
})();
