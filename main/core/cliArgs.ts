import path from 'node:path';
import { parseArgs } from 'node:util';
import { DEFAULT_LANGUAGE, isLanguage, type Language } from '../../common/i18n';
import { defaultDataDir } from './paths';
import type { LogLevel } from './log/logger';

/** Command-line options shared by both hosts: --site, --data, --port, --lang, --ffmpeg, --log-level, --idle-lock, --demo-trouble. */
export interface CliOptions {
  site: string | null;
  data: string;
  port: number;
  language: Language;
  ffmpeg: string | null;
  logLevel: LogLevel;
  /** --idle-lock SECONDS: lock the screen after this long without input (0: never); null: the default. */
  idleLockSeconds: number | null;
  /** --demo-trouble on|off: the demo's dropping camera and wrong password (demo/trouble.ts); null: the default (on, demo only). */
  demoTrouble: boolean | null;
}

export function parseCliArgs(argv: string[], env: NodeJS.ProcessEnv = process.env): CliOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      site: { type: 'string' },
      data: { type: 'string' },
      port: { type: 'string' },
      lang: { type: 'string' },
      ffmpeg: { type: 'string' },
      'log-level': { type: 'string' },
      'idle-lock': { type: 'string' },
      'demo-trouble': { type: 'string' },
    },
    strict: true,
    allowPositionals: false,
  });
  const port = values.port === undefined ? 0 : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port ${values.port}`);
  const language = values.lang ?? env.CONSOLE_LANG ?? DEFAULT_LANGUAGE;
  if (!isLanguage(language)) throw new Error(`--lang ${language}`);
  const logLevel = values['log-level'] ?? 'info';
  if (!['debug', 'info', 'warn', 'error'].includes(logLevel)) throw new Error(`--log-level ${logLevel}`);
  // seconds without input before the screen locks (issue 15); 0: never; default 600
  const idleLockSeconds = values['idle-lock'] === undefined ? null : Number(values['idle-lock']);
  if (idleLockSeconds !== null && (!Number.isInteger(idleLockSeconds) || idleLockSeconds < 0 || idleLockSeconds > 86400)) throw new Error(`--idle-lock ${values['idle-lock']}`);
  const troubleText = values['demo-trouble'];
  if (troubleText !== undefined && troubleText !== 'on' && troubleText !== 'off') throw new Error(`--demo-trouble ${troubleText}`);
  return {
    idleLockSeconds,
    demoTrouble: troubleText === undefined ? null : troubleText === 'on',
    site: values.site ? path.resolve(values.site) : null,
    data: path.resolve(values.data ?? defaultDataDir(env)),
    port,
    language,
    ffmpeg: values.ffmpeg ?? null,
    logLevel: logLevel as LogLevel,
  };
}


const KNOWN_OPTIONS = ['--site', '--data', '--port', '--lang', '--ffmpeg', '--log-level', '--idle-lock', '--demo-trouble'];

/** Keeps only our own options from an argv that also carries Chromium's switches (Electron). */
export function pickOwnOptions(argv: readonly string[]): string[] {
  const picked: string[] = [];
  for (let index = 0; index < argv.length; index++) {
    const arg = argv[index] ?? '';
    if (KNOWN_OPTIONS.includes(arg) && index + 1 < argv.length) {
      picked.push(arg, argv[index + 1] ?? '');
      index += 1;
    } else if (KNOWN_OPTIONS.some((option) => arg.startsWith(`${option}=`))) {
      picked.push(arg);
    }
  }
  return picked;
}
