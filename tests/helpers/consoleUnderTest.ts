import fs from 'node:fs';
import path from 'node:path';
import { _electron, type Browser, type ElectronApplication, type Page } from 'playwright-core';
import { launchBrowser } from './browser';
import { startConsoleProcess, type ConsoleProcess } from './consoleProcess';
import { repoRoot } from './paths';

/**
 * The console as the end-to-end tests see it: a page showing the UI. By default browser mode
 * (the built core + Debian Chromium). With CONSOLE_E2E_HOST=electron, and where an Electron
 * binary is installed, the same tests drive the Electron app instead (not possible on the
 * development machine, whose network cannot fetch Electron).
 */
export interface ConsoleUnderTest {
  host: 'browser' | 'electron';
  page: Page;
  /** Browser mode only: the console process (its printed address, output). */
  process: ConsoleProcess | null;
  close(): Promise<void>;
}

function electronBinary(): string | null {
  try {
    const dir = path.join(repoRoot, 'node_modules', 'electron');
    const executable = path.join(dir, 'dist', fs.readFileSync(path.join(dir, 'path.txt'), 'utf8').trim());
    return fs.existsSync(executable) ? executable : null;
  } catch {
    return null;
  }
}

export async function openConsole(args: string[], viewport = { width: 1600, height: 900 }): Promise<ConsoleUnderTest> {
  const electron = process.env.CONSOLE_E2E_HOST === 'electron' ? electronBinary() : null;
  if (process.env.CONSOLE_E2E_HOST === 'electron' && !electron) throw new Error('CONSOLE_E2E_HOST=electron but no Electron binary is installed');
  if (electron) {
    const app: ElectronApplication = await _electron.launch({ executablePath: electron, args: [repoRoot, ...args], cwd: repoRoot });
    const page = await app.firstWindow();
    await page.setViewportSize(viewport);
    return { host: 'electron', page, process: null, close: () => app.close() };
  }
  const consoleProcess = await startConsoleProcess(args);
  const browser: Browser = await launchBrowser();
  const context = await browser.newContext({ viewport });
  const page = await context.newPage();
  await page.goto(consoleProcess.url);
  return {
    host: 'browser',
    page,
    process: consoleProcess,
    close: async () => {
      await browser.close();
      await consoleProcess.stop();
    },
  };
}
