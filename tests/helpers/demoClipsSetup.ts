import fs from 'node:fs';
import path from 'node:path';
import type { Site } from '../../common/site';
import { DemoMedia } from '../../main/core/demo/demoMedia';
import { probeFfmpeg } from '../../main/core/ffmpeg/probe';
import { silentLogger } from '../../main/core/log/logger';
import { systemClock } from '../../main/core/util/clock';
import { cacheDir, repoRoot } from './paths';

/**
 * vitest globalSetup, for the e2e project only: every clip of the demo site (31 cameras, sub and
 * main stream) made once, before the first e2e file, into test-results/cache/demo-media, which
 * tests/helpers/consoleUnderTest.ts seeds every demo console from. Made by the console's own
 * DemoMedia, two at a time: ~20 s for the sub streams and ~55 s for the main ones on this
 * machine, idle. Without it the first demo console made the sub clips while its test waited and
 * the main clips in the background at nice 19, competing with the tests that followed (a tile
 * maximized on the demo waited up to minutes for its main clip in CI). The making itself stays
 * tested by tests/integration/demoPrefetch.test.ts.
 */
export async function setup(project: { name: string }): Promise<void> {
  if (project.name !== 'e2e') return;
  const site = JSON.parse(fs.readFileSync(path.join(repoRoot, 'resources', 'demo-site.json'), 'utf8')) as Site;
  const ffmpeg = await probeFfmpeg({ clock: systemClock, log: silentLogger });
  const media = new DemoMedia(cacheDir, ffmpeg, { clock: systemClock, log: silentLogger }, site.cameras.map((camera) => camera.id), 2);
  const started = Date.now();
  for (const stream of ['sub', 'main'] as const) {
    await Promise.all(site.cameras.filter((camera) => camera.streams[stream]).map((camera) => media.clip(camera, stream)));
  }
  console.log(`demo clips ready in ${path.join(cacheDir, 'demo-media')} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
}
