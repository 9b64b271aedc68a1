import fs from 'node:fs';
import path from 'node:path';
import { redact } from './redact';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
const LEVEL_ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export interface Logger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
  child(scope: string): Logger;
}

export interface LogSink {
  write(line: string): void;
}

interface LoggerOptions {
  scope?: string;
  level?: LogLevel;
  /** Minimum level of the human-readable copy (default: same as `level`). */
  consoleLevel?: LogLevel;
  /** Human-readable copy (stderr by default; null for silence). */
  console?: LogSink | null;
  /** JSON lines file sink. */
  file?: LogSink | null;
}

/** A logger whose every line passes through redact(): no credential or token is ever written. */
export function createLogger(options: LoggerOptions = {}): Logger {
  const minimum = LEVEL_ORDER[options.level ?? 'info'];
  const consoleMinimum = LEVEL_ORDER[options.consoleLevel ?? options.level ?? 'info'];
  const consoleSink = options.console === undefined ? { write: (line: string) => process.stderr.write(line) } : options.console;
  const fileSink = options.file ?? null;

  function make(scope: string): Logger {
    function emit(level: LogLevel, message: string, fields?: Record<string, unknown>): void {
      if (LEVEL_ORDER[level] < minimum) return;
      const time = new Date().toISOString();
      const fieldText = fields ? redact(safeJson(fields)) : '';
      const text = redact(message);
      if (LEVEL_ORDER[level] >= consoleMinimum) consoleSink?.write(`${time} ${level.toUpperCase().padEnd(5)} [${scope}] ${text}${fieldText ? ` ${fieldText}` : ''}\n`);
      fileSink?.write(`${redact(safeJson({ time, level, scope, message: text, ...(fields ?? {}) }))}\n`);
    }
    return {
      debug: (message, fields) => emit('debug', message, fields),
      info: (message, fields) => emit('info', message, fields),
      warn: (message, fields) => emit('warn', message, fields),
      error: (message, fields) => emit('error', message, fields),
      child: (child) => make(scope ? `${scope}/${child}` : child),
    };
  }
  return make(options.scope ?? 'core');
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value, (_key, item: unknown) => (item instanceof Error ? { name: item.name, message: item.message } : item));
  } catch {
    return '"[unserialisable]"';
  }
}

const MAX_LOG_BYTES = 10 * 1024 * 1024;
const KEPT_LOG_FILES = 5;

/** Appends to logs/console.log under the data folder, rotating at start when it grew past 10 MB. */
export function openLogFile(logDir: string): LogSink & { close(): void } {
  fs.mkdirSync(logDir, { recursive: true });
  const file = path.join(logDir, 'console.log');
  try {
    if (fs.statSync(file).size > MAX_LOG_BYTES) {
      for (let index = KEPT_LOG_FILES - 1; index >= 1; index--) {
        const from = index === 1 ? file : `${file}.${index - 1}`;
        if (fs.existsSync(from)) fs.renameSync(from, `${file}.${index}`);
      }
    }
  } catch {
    // no file yet
  }
  const stream = fs.createWriteStream(file, { flags: 'a' });
  stream.on('error', () => undefined);
  return { write: (line) => void stream.write(line), close: () => stream.end() };
}

/** A logger that drops everything (tests that do not look at logs). */
export const silentLogger: Logger = createLogger({ console: null, file: null });
