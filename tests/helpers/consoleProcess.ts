import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import readline from 'node:readline';
import { repoRoot } from './paths';

export interface ConsoleProcess {
  url: string;
  baseUrl: string;
  token: string;
  port: number;
  child: ChildProcess;
  output: () => string;
  stop(): Promise<number | null>;
}

/**
 * Starts the console's core (the built dist/core/cli.cjs), or with `entry: 'supervise.cjs'`
 * exactly as `npm run serve` does (the core under its supervisor), and waits for the line with
 * the address to open.
 */
export async function startConsoleProcess(args: string[], env: NodeJS.ProcessEnv = {}, nodeArgs: string[] = [], entry: 'cli.cjs' | 'supervise.cjs' = 'cli.cjs'): Promise<ConsoleProcess> {
  const child = spawn(process.execPath, [...nodeArgs, path.join(repoRoot, 'dist', 'core', entry), ...args], {
    cwd: repoRoot,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stderr?.on('data', (chunk: Buffer) => (output = (output + chunk.toString()).slice(-20000)));
  const lines = readline.createInterface({ input: child.stdout! });
  lines.on('line', (line) => (output = (output + `${line}\n`).slice(-20000)));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`console did not print its address:\n${output}`)), 30000);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`console exited (${code}):\n${output}`));
    });
    lines.on('line', (line) => {
      if (/^http:\/\/127\.0\.0\.1:\d+\/\?token=\S+$/.test(line)) {
        clearTimeout(timer);
        resolve(line);
      }
    });
  });
  const parsed = new URL(url);
  return {
    url,
    baseUrl: `${parsed.protocol}//${parsed.host}`,
    token: parsed.searchParams.get('token') ?? '',
    port: Number(parsed.port),
    child,
    output: () => output,
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve(child.exitCode);
        child.once('exit', (code) => resolve(code));
        child.kill('SIGTERM');
        setTimeout(() => child.kill('SIGKILL'), 8000).unref();
      }),
  };
}

/** Runs the console expecting it to refuse to start; returns its exit code and output. */
export function runConsoleExpectingExit(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [path.join(repoRoot, 'dist', 'core', 'cli.cjs'), ...args], { cwd: repoRoot, env: { ...process.env, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 30000);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}
