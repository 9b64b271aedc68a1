// npm test: runs vitest (every project, or the files and flags given after `--`) and closes with
// one plain line that any CI reads: `N passed, N failed` (`, N skipped` when any), counted from
// vitest's JSON report. vitest's own summary stays above it for people.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const reportDir = fs.mkdtempSync(path.join(os.tmpdir(), 'console-vitest-'));
const reportFile = path.join(reportDir, 'report.json');
const vitest = path.join(root, 'node_modules', 'vitest', 'vitest.mjs');
const args = [vitest, 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${reportFile}`, ...process.argv.slice(2)];

const child = spawn(process.execPath, args, { cwd: root, stdio: 'inherit' });
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => {
  const exitCode = code ?? (signal ? 1 : 0);
  let line;
  try {
    const report = JSON.parse(fs.readFileSync(reportFile, 'utf8'));
    const skipped = (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0);
    // A file that failed to load counts no test but fails the run: count it as one failure.
    const brokenSuites = (report.testResults ?? []).filter((file) => file.status === 'failed' && (file.assertionResults ?? []).length === 0).length;
    // A run that failed with every test passing: the suite's own checks after the tests
    // (tests/helpers/tempLeakCheck.ts: files left in the temporary folder) count as one failure.
    const failed = (report.numFailedTests ?? 0) + brokenSuites || (exitCode !== 0 ? 1 : 0);
    line = `${report.numPassedTests ?? 0} passed, ${failed} failed${skipped > 0 ? `, ${skipped} skipped` : ''}`;
  } catch {
    line = `0 passed, 1 failed`;
  }
  fs.rmSync(reportDir, { recursive: true, force: true });
  process.stdout.write(`\n${line}\n`);
  process.exit(exitCode);
});
