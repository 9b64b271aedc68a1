import fs from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';
import { PNG } from 'pngjs';

/**
 * Debian's Chromium driven by Playwright (`npx playwright install` cannot download here).
 * SwiftShader flags: this machine has no GPU, and Chromium draws WebGL in software.
 */
export function chromiumPath(): string {
  return process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
}

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath(),
    args: [
      '--no-sandbox',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--disable-quic',
      '--use-angle=swiftshader',
      '--enable-unsafe-swiftshader',
    ],
  });
}

export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface RegionStats {
  meanLuma: number;
  /** Standard deviation of luma: a flat grey or black area is near 0. */
  spread: number;
}

export function decodePng(buffer: Buffer): PNG {
  return PNG.sync.read(buffer);
}

function lumaAt(png: PNG, x: number, y: number): number {
  const index = (png.width * y + x) * 4;
  return 0.299 * (png.data[index] ?? 0) + 0.587 * (png.data[index + 1] ?? 0) + 0.114 * (png.data[index + 2] ?? 0);
}

/** Luma statistics inside a box (inset to skip the tile's own overlay bars). */
export function regionStats(png: PNG, box: Box, inset = 0.25): RegionStats {
  const x0 = Math.round(box.x + box.width * inset);
  const x1 = Math.round(box.x + box.width * (1 - inset));
  const y0 = Math.round(box.y + box.height * inset);
  const y1 = Math.round(box.y + box.height * (1 - inset));
  let sum = 0;
  let squares = 0;
  let count = 0;
  for (let y = y0; y < y1; y += 3) {
    for (let x = x0; x < x1; x += 3) {
      const luma = lumaAt(png, x, y);
      sum += luma;
      squares += luma * luma;
      count += 1;
    }
  }
  const mean = sum / Math.max(1, count);
  return { meanLuma: mean, spread: Math.sqrt(Math.max(0, squares / Math.max(1, count) - mean * mean)) };
}

/** Fraction of sampled pixels inside a box whose luma changed by more than `threshold`. */
export function regionChange(a: PNG, b: PNG, box: Box, inset = 0.2, threshold = 10): number {
  let changed = 0;
  let count = 0;
  for (let y = Math.round(box.y + box.height * inset); y < box.y + box.height * (1 - inset); y += 3) {
    for (let x = Math.round(box.x + box.width * inset); x < box.x + box.width * (1 - inset); x += 3) {
      count += 1;
      if (Math.abs(lumaAt(a, x, y) - lumaAt(b, x, y)) > threshold) changed += 1;
    }
  }
  return changed / Math.max(1, count);
}

export async function tileBoxes(page: Page): Promise<{ cameraId: string; state: string; box: Box }[]> {
  const tiles = await page.$$('[data-testid=tile]');
  const result: { cameraId: string; state: string; box: Box }[] = [];
  for (const tile of tiles) {
    const box = await tile.boundingBox();
    if (!box) continue;
    result.push({ cameraId: (await tile.getAttribute('data-camera-id')) ?? '', state: (await tile.getAttribute('data-state')) ?? '', box });
  }
  return result;
}

export async function screenshot(page: Page, file?: string): Promise<PNG> {
  const buffer = await page.screenshot();
  if (file) fs.writeFileSync(file, buffer);
  return decodePng(buffer);
}
