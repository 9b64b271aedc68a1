import path from 'node:path';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../helpers/paths';

// "Folder = runtime": a wrong import is a lint error, so nobody has to spot it in review.
const eslint = new ESLint({ cwd: repoRoot });

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
