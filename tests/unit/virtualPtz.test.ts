import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { paintVehicle, renderView, SCENE_HEIGHT, SCENE_WIDTH, vehicleBox, VirtualPtzCameras, VirtualPtzHead, viewWindow } from '../../main/core/demo/virtualPtz';
import { VirtualPtzDriver } from '../../main/core/ptz/virtualDriver';
import { ManualClock } from '../../main/core/util/clock';
import { silentLogger } from '../../main/core/log/logger';
import type { Camera } from '../../common/site';

const folders: string[] = [];
afterEach(() => {
  for (const folder of folders.splice(0)) fs.rmSync(folder, { recursive: true, force: true });
});

/** A scene whose luma is the column (÷ 15) and chroma the row: where the view looks can be read back. */
function gradientScene(): Buffer {
  const scene = Buffer.alloc((SCENE_WIDTH * SCENE_HEIGHT * 3) / 2);
  for (let y = 0; y < SCENE_HEIGHT; y++) for (let x = 0; x < SCENE_WIDTH; x++) scene[y * SCENE_WIDTH + x] = Math.floor(x / 15);
  return scene;
}

const demoPtz: Camera = { id: 'dk-01', name: 'QL47', ptz: true, streams: { main: 'demo://main', sub: 'demo://sub' } } as Camera;
const demoFixed: Camera = { id: 'dk-02', name: 'QL47 2', ptz: false, streams: { main: 'demo://main', sub: 'demo://sub' } } as Camera;

describe('the demo virtual PTZ head (regression: the demo PTZ cameras said "cannot be controlled")', () => {
  it('pans at its speed while moving, stops where it was told to stop, and clamps at the ends', () => {
    const clock = new ManualClock();
    const head = new VirtualPtzHead(clock);
    head.move({ pan: 1, tilt: 0, zoom: 0 });
    clock.advance(2000);
    expect(head.position().pan).toBeCloseTo(0.5, 5);
    expect(head.moving()).toBe(true);
    head.stop();
    clock.advance(5000);
    expect(head.position().pan).toBeCloseTo(0.5, 5);
    expect(head.moving()).toBe(false);
    head.move({ pan: 1, tilt: -1, zoom: 1 });
    clock.advance(60000);
    expect(head.position()).toEqual({ pan: 1, tilt: -1, zoom: 1 });
  });

  it('goes to a target and arrives', () => {
    const clock = new ManualClock();
    const head = new VirtualPtzHead(clock);
    head.goto({ pan: -0.5, tilt: 0.2, zoom: 0.4 });
    clock.advance(300);
    expect(head.moving()).toBe(true);
    clock.advance(3000);
    expect(head.position()).toEqual({ pan: -0.5, tilt: 0.2, zoom: 0.4 });
    expect(head.moving()).toBe(false);
  });

  it('shows another part of the scene when panned, and a narrower one when zoomed', () => {
    const scene = gradientScene();
    const meanLuma = (frame: Buffer, width: number, height: number): number => {
      let sum = 0;
      for (let index = 0; index < width * height; index++) sum += frame[index] ?? 0;
      return sum / (width * height);
    };
    const left = renderView(scene, { pan: -1, tilt: 0, zoom: 0 }, 64, 36);
    const right = renderView(scene, { pan: 1, tilt: 0, zoom: 0 }, 64, 36);
    expect(meanLuma(right, 64, 36)).toBeGreaterThan(meanLuma(left, 64, 36) + 100);
    expect(viewWindow({ pan: 0, tilt: 0, zoom: 1 }, 16 / 9).width).toBeLessThan(viewWindow({ pan: 0, tilt: 0, zoom: 0 }, 16 / 9).width / 5);
  });

  it('a vehicle drives across the road, so a still head still shows movement, where the head looks', () => {
    const scene = gradientScene();
    const still = { pan: 0, tilt: 0, zoom: 0 };
    const changed = (a: Buffer, b: Buffer): number => a.reduce((count, value, index) => count + (value !== b[index] ? 1 : 0), 0);
    // the vehicle in the middle of the scene: the time it takes to get there from its start
    const atCentre = ((SCENE_WIDTH / 2 - vehicleBox(0).x) / 500) * 1000;
    const first = renderView(scene, still, 320, 180);
    const second = Buffer.from(first);
    paintVehicle(first, still, 320, 180, atCentre);
    paintVehicle(second, still, 320, 180, atCentre + 500);
    expect(changed(first, second)).toBeGreaterThan(320 * 180 * 0.01);
    // looking up at the sky, away from the road: nothing painted
    const sky = { pan: 0, tilt: 1, zoom: 1 };
    const clean = renderView(scene, sky, 320, 180);
    const painted = Buffer.from(clean);
    paintVehicle(painted, sky, 320, 180, atCentre);
    expect(changed(clean, painted)).toBe(0);
  });
});

describe('VirtualPtzDriver: the demo PTZ camera behind the same driver interface as ONVIF', () => {
  it('exists for the demo PTZ cameras only, moves, keeps presets in the data folder and goes to them', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ccc-virtual-ptz-'));
    folders.push(dataDir);
    const clock = new ManualClock();
    const cameras = new VirtualPtzCameras([demoPtz, demoFixed], dataDir, null, { clock, log: silentLogger });
    expect(cameras.has('dk-01')).toBe(true);
    expect(cameras.has('dk-02')).toBe(false);
    const driver = new VirtualPtzDriver(cameras, 'dk-01');
    expect(driver.axes).toEqual({ pan: true, tilt: true, zoom: true, presets: true, home: true });
    expect((await driver.presets()).map((preset) => preset.name)).toContain('Toàn cảnh');

    await driver.continuousMove({ pan: 0.5, tilt: 0, zoom: 0 });
    clock.advance(1000);
    await driver.stop();
    const moved = await driver.status();
    expect(moved.pan).toBeGreaterThan(0.1);
    expect(moved.moving).toBe(false);

    const token = await driver.setPreset('Cổng chợ', null);
    await driver.gotoHome();
    clock.advance(5000);
    expect((await driver.status()).pan).toBe(0);
    await driver.gotoPreset(token);
    clock.advance(5000);
    expect((await driver.status()).pan).toBeCloseTo(moved.pan ?? 0, 5);

    // kept across a restart of the console
    const again = new VirtualPtzCameras([demoPtz], dataDir, null, { clock, log: silentLogger });
    expect(again.presets('dk-01').find((preset) => preset.token === token)?.name).toBe('Cổng chợ');
    await driver.removePreset(token);
    expect((await driver.presets()).some((preset) => preset.token === token)).toBe(false);
    await expect(driver.gotoPreset('no-such')).rejects.toThrow();
  });
});
