import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Camera } from '../../common/site';
import { DemoMedia } from '../../main/core/demo/demoMedia';
import { silentLogger } from '../../main/core/log/logger';
import { systemClock } from '../../main/core/util/clock';
import { testFfmpeg } from '../helpers/ffmpeg';
import { tempDir } from '../helpers/paths';

// A tile maximized on the demo waited for its main stream's clip to be made (issue 18: ~3 s on
// a quiet PC, 20 s on a loaded one): the demo makes its main clips ahead, one at a time, at the
// lowest priority, only while no clip is being made for a pull. Real ffmpeg, real files.
describe('demo clips made ahead', () => {
  const dir = tempDir('demo-prefetch');
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
  const camera = (id: string): Camera => ({ id, name: `Camera ${id}`, streams: { main: `demo://${id}/main`, sub: `demo://${id}/sub` } }) as Camera;
  const cameras = ['dk-01', 'dk-02', 'dk-03'].map(camera);

  it('waits for the pulls’ clips, then makes each main clip once, and a pull asking for one being made gets that one', async () => {
    const ffmpeg = await testFfmpeg();
    const media = new DemoMedia(dir, ffmpeg, { clock: systemClock, log: silentLogger }, cameras.map((entry) => entry.id));
    const clipDir = (): string => fs.readdirSync(path.join(dir, 'demo-media')).map((name) => path.join(dir, 'demo-media', name))[0]!;
    // a pull's clip first: the one made ahead waits for it
    const sub = media.clip(cameras[0]!, 'sub');
    media.prefetch(cameras, 'main');
    await sub;
    const mains = (): string[] => fs.readdirSync(clipDir()).filter((name) => name.endsWith('-main.ts'));
    expect(mains()).toEqual([]);
    // the first main clip is now being made ahead: a pull asking for it shares it
    const asked = media.clip(cameras[0]!, 'main');
    expect(media.clip(cameras[0]!, 'main')).toBe(asked);
    const first = await asked;
    expect(path.basename(first)).toBe('dk-01-main.ts');
    // the rest follow by themselves, one at a time
    const deadline = Date.now() + 120_000;
    while (mains().length < 3 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 250));
    expect(mains().sort()).toEqual(['dk-01-main.ts', 'dk-02-main.ts', 'dk-03-main.ts']);
    for (const name of mains()) expect(fs.statSync(path.join(clipDir(), name)).size).toBeGreaterThan(100_000);
    // asked again later: the file, not another run
    const again = await media.clip(cameras[2]!, 'main');
    expect(path.basename(again)).toBe('dk-03-main.ts');
  }, 180_000);
});
