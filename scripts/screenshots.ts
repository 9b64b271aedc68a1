/**
 * npm run screenshots — every page of the console on the built-in demo site, at 1366x768 and
 * 1920x1080, in Vietnamese (and the wall in English), into test-results/screenshots/: what a
 * newcomer sees, to be looked at after a change to the screens (issue 18). Signed in as the demo
 * administrator. Not a test: nothing is asserted; it fails only if a page does not open.
 *
 * Usage: npm run screenshots [-- --out DIR]
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { openConsole } from '../tests/helpers/consoleUnderTest';
import { repoRoot, tempDir } from '../tests/helpers/paths';

const outArg = process.argv.indexOf('--out');
const out = outArg > 0 ? path.resolve(process.argv[outArg + 1]!) : path.join(repoRoot, 'test-results', 'screenshots');
const SIZES = [
  { width: 1366, height: 768 },
  { width: 1920, height: 1080 },
];

async function settle(page: Page, ms = 1500): Promise<void> {
  await page.waitForLoadState('networkidle').catch(() => undefined);
  await page.waitForTimeout(ms);
}

async function main(): Promise<void> {
  fs.mkdirSync(out, { recursive: true });
  const app = await openConsole(['--data', path.join(tempDir('screenshots'), 'data'), '--port', '0']);
  const { page } = app;
  const shot = async (name: string, size: { width: number; height: number }): Promise<void> => {
    const file = path.join(out, `${name}-${size.width}.png`);
    await page.screenshot({ path: file });
    console.log(file);
  };
  try {
    // the wall first: nine pictures (demo clips are made on the first run)
    await page.waitForFunction(() => document.querySelectorAll('[data-testid=tile][data-picture=yes]').length >= 9, undefined, { timeout: 300_000, polling: 500 });
    for (const size of SIZES) {
      await page.setViewportSize(size);
      await page.click('[data-page="wall"]');
      await settle(page, 2500);
      await shot('wall', size);
      // statistics on every tile
      const stats = page.locator('.topbar button.tool', { hasText: /Thông số|Figures/ });
      if (await stats.count()) {
        await stats.click();
        await settle(page, 2000);
        await shot('wall-stats', size);
        await stats.click();
      }
      // a tile maximized (double-click), then Escape
      await page.dblclick('[data-testid=tile][data-index="0"]');
      await settle(page, 3500);
      await shot('wall-maximized', size);
      await page.keyboard.press('Escape');
      for (const pageId of ['map', 'playback', 'exports', 'devices', 'audit', 'storage']) {
        await page.click(`[data-page="${pageId}"]`);
        await settle(page, pageId === 'map' || pageId === 'playback' ? 4000 : 1500);
        await shot(pageId, size);
      }
      await page.click('[data-page="wall"]');
    }
    // English
    await page.setViewportSize(SIZES[0]!);
    await page.click('button:text-is("EN")');
    await settle(page, 2000);
    await shot('wall-en', SIZES[0]!);
    await page.click('[data-page="exports"]');
    await settle(page);
    await shot('exports-en', SIZES[0]!);
    await page.click('button:text-is("VI")');
  } finally {
    await app.close();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
