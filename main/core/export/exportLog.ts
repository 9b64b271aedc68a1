import fs from 'node:fs';
import path from 'node:path';
import { ExportLogEntrySchema, type ExportLogEntry } from '../../../common/exportContract';

/**
 * Every export, who, what, when and where to, one JSON line each in DATA/exports.jsonl. Appended
 * and fsynced at the end of each job (done, failed or cancelled); read newest first. A line a
 * crash cut short is skipped, never fatal.
 */
export class ExportLog {
  readonly file: string;

  constructor(dataDir: string) {
    this.file = path.join(dataDir, 'exports.jsonl');
  }

  append(entry: ExportLogEntry): void {
    fs.mkdirSync(path.dirname(this.file), { recursive: true });
    const fd = fs.openSync(this.file, 'a+');
    try {
      // a line a crash cut short must not swallow this one
      const size = fs.fstatSync(fd).size;
      const last = Buffer.alloc(1);
      const startsClean = size === 0 || (fs.readSync(fd, last, 0, 1, size - 1) === 1 && last[0] === 0x0a);
      fs.writeSync(fd, `${startsClean ? '' : '\n'}${JSON.stringify(entry)}\n`);
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
  }

  list(limit: number): ExportLogEntry[] {
    let text: string;
    try {
      text = fs.readFileSync(this.file, 'utf8');
    } catch {
      return [];
    }
    const entries: ExportLogEntry[] = [];
    const lines = text.split('\n');
    for (let n = lines.length - 1; n >= 0 && entries.length < limit; n--) {
      const line = lines[n]?.trim();
      if (!line) continue;
      try {
        const parsed = ExportLogEntrySchema.safeParse(JSON.parse(line));
        if (parsed.success) entries.push(parsed.data);
      } catch {
        // a line cut by a crash
      }
    }
    return entries;
  }
}
