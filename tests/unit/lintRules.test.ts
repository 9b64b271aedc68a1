import fs from 'node:fs';
import path from 'node:path';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../helpers/paths';

// "Folder = runtime": a wrong import is a lint error, so nobody has to spot it in review.
const eslint = new ESLint({ cwd: repoRoot });

async function ruleErrors(file: string, code: string, ruleId: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: path.join(repoRoot, file) });
  return result?.messages.filter((message) => message.ruleId === ruleId).map((message) => message.message) ?? [];
}

async function restrictedImportErrors(file: string, code: string): Promise<number> {
  const [result] = await eslint.lintText(code, { filePath: path.join(repoRoot, file) });
  return result?.messages.filter((message) => message.ruleId === 'no-restricted-imports').length ?? 0;
}

describe('import boundaries', () => {
  it('forbids Node, Electron and main/ in the renderer', async () => {
    expect(await restrictedImportErrors('renderer/x.ts', "import fs from 'node:fs';\nexport const a = fs;\n")).toBe(1);
    expect(await restrictedImportErrors('renderer/x.ts', "import fs from 'fs';\nexport const a = fs;\n")).toBe(1);
    expect(await restrictedImportErrors('renderer/x.ts', "import { app } from 'electron';\nexport const a = app;\n")).toBe(1);
    expect(await restrictedImportErrors('renderer/x.ts', "import { startCore } from '../main/core/core';\nexport const a = startCore;\n")).toBe(1);
    expect(await restrictedImportErrors('renderer/x.ts', "import { ok } from '../common/result';\nexport const a = ok;\n")).toBe(0);
  });

  it('keeps common/ pure', async () => {
    expect(await restrictedImportErrors('common/x.ts', "import path from 'node:path';\nexport const a = path;\n")).toBe(1);
    expect(await restrictedImportErrors('common/x.ts', "import { app } from 'electron';\nexport const a = app;\n")).toBe(1);
    expect(await restrictedImportErrors('common/x.ts', "import { Wall } from '../renderer/wall/Wall';\nexport const a = Wall;\n")).toBe(1);
    expect(await restrictedImportErrors('common/x.ts', "import { z } from 'zod';\nexport const a = z;\n")).toBe(0);
  });

  it('keeps the preload to electron and common/', async () => {
    expect(await restrictedImportErrors('preload/x.ts', "import fs from 'node:fs';\nexport const a = fs;\n")).toBe(1);
    expect(await restrictedImportErrors('preload/x.ts', "import { contextBridge } from 'electron';\nexport const a = contextBridge;\n")).toBe(0);
  });

  it('keeps UI code out of main/', async () => {
    expect(await restrictedImportErrors('main/x.ts', "import { App } from '../renderer/App';\nexport const a = App;\n")).toBe(1);
  });
});

describe('feature boundaries: a feature imports common/, util/ and services, never another feature', () => {
  it('reports a renderer feature importing another feature or the registry', async () => {
    expect(await restrictedImportErrors('renderer/map/x.ts', "import { exportPage } from '../export/page';\nexport const a = exportPage;\n")).toBe(1);
    expect(await restrictedImportErrors('renderer/playback/x.ts', "import { Wall } from '../wall/Wall';\nexport const a = Wall;\n")).toBe(1);
    expect(await restrictedImportErrors('renderer/ptz/x.ts', "import { FEATURES } from '../features';\nexport const a = FEATURES;\n")).toBe(1);
  });

  it('lets a renderer feature import its own folder, common/, util/, services and shared components', async () => {
    const code = [
      "import { mapPage } from './page';",
      "import { ok } from '../../common/result';",
      "import { formatBytes } from '../util/format';",
      "import { useGlWall } from '../services/useGlWall';",
      "import { Modal } from '../components/Modal';",
      "import type { FeaturePage } from '../featureTypes';",
      'export const a = [mapPage, ok, formatBytes, useGlWall, Modal] as unknown as FeaturePage;',
      '',
    ].join('\n');
    expect(await restrictedImportErrors('renderer/map/x.ts', code)).toBe(0);
  });

  it('reports a core feature importing another feature (regression: ptz/ read the map feature\'s file)', async () => {
    expect(await restrictedImportErrors('main/core/ptz/x.ts', "import { loadBuiltinMap } from '../map/feature';\nexport const a = loadBuiltinMap;\n")).toBe(1);
    expect(await restrictedImportErrors('main/core/export/x.ts', "import { RecordingIndex } from '../recording/recordingIndex';\nexport const a = RecordingIndex;\n")).toBe(0);
  });
});

describe('no import cycles (local/no-import-cycle)', () => {
  it('reports a cycle with its path, and not a lazy import() back', async () => {
    // fixture files on disk inside the renderer (the rule reads what an import reaches from disk)
    const dir = fs.mkdtempSync(path.join(repoRoot, 'renderer', 'lint-fixture-'));
    try {
      fs.writeFileSync(path.join(dir, 'registry.ts'), "import { page } from './page';\nexport const PAGES = [page];\nexport interface Page { id: string }\n");
      fs.writeFileSync(path.join(dir, 'page.ts'), "import type { Page } from './registry';\nexport const page: Page = { id: 'x' };\n");
      fs.writeFileSync(path.join(dir, 'lazy.ts'), "export const load = () => import('./registry');\n");
      const rel = path.relative(repoRoot, dir);
      const cycle = await ruleErrors(`${rel}/page.ts`, fs.readFileSync(path.join(dir, 'page.ts'), 'utf8'), 'local/no-import-cycle');
      expect(cycle).toHaveLength(1);
      expect(cycle[0]).toContain(`${rel}/page.ts → ${rel}/registry.ts → ${rel}/page.ts`);
      // the same pair with the type in a leaf module: no cycle
      fs.writeFileSync(path.join(dir, 'types.ts'), 'export interface Page { id: string }\n');
      const fixed = "import type { Page } from './types';\nexport const page: Page = { id: 'x' };\n";
      fs.writeFileSync(path.join(dir, 'page.ts'), fixed);
      expect(await ruleErrors(`${rel}/page.ts`, fixed, 'local/no-import-cycle')).toEqual([]);
      // registry → lazy page loaded by import(): not a cycle
      fs.writeFileSync(path.join(dir, 'registry.ts'), "import { load } from './lazy';\nexport const PAGES = [load];\n");
      expect(await ruleErrors(`${rel}/registry.ts`, fs.readFileSync(path.join(dir, 'registry.ts'), 'utf8'), 'local/no-import-cycle')).toEqual([]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('finds no cycle in the renderer\'s composition root and registries (regression: pages.ts ↔ every page, TileAddons ↔ addons)', async () => {
    for (const file of ['renderer/features.ts', 'renderer/wall/TileAddons.tsx', 'renderer/store.ts', 'renderer/map/page.ts', 'renderer/ptz/TileAddon.tsx', 'main/core/features.ts']) {
      expect(await ruleErrors(file, fs.readFileSync(path.join(repoRoot, file), 'utf8'), 'local/no-import-cycle'), file).toEqual([]);
    }
  });
});
