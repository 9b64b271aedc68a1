import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { SavedViewSchema, type SavedView } from '../../../common/contract';
import type { Logger } from '../log/logger';

const FileSchema = z.object({ version: z.literal(1), views: z.array(SavedViewSchema) });

/**
 * Named views (layout + camera per tile + tours), kept in DATA/views.json so every window and
 * browser tab of the station shares them. Written whole, to a temporary file first, then renamed:
 * a crash never leaves a half-written file. A damaged file is set aside, not fatal.
 */
export class SavedViews {
  private readonly file: string;
  private views: SavedView[];

  constructor(
    dataDir: string,
    private readonly log: Logger,
  ) {
    this.file = path.join(dataDir, 'views.json');
    this.views = this.read();
  }

  list(): SavedView[] {
    return [...this.views].sort((a, b) => a.name.localeCompare(b.name, 'vi'));
  }

  save(view: SavedView): void {
    this.views = [...this.views.filter((existing) => existing.name !== view.name), view];
    this.write();
  }

  delete(name: string): boolean {
    const before = this.views.length;
    this.views = this.views.filter((view) => view.name !== name);
    if (this.views.length === before) return false;
    this.write();
    return true;
  }

  private read(): SavedView[] {
    let text: string;
    try {
      text = fs.readFileSync(this.file, 'utf8');
    } catch {
      return [];
    }
    try {
      return FileSchema.parse(JSON.parse(text)).views;
    } catch (error) {
      const aside = `${this.file}.damaged-${Date.now()}`;
      fs.renameSync(this.file, aside);
      this.log.warn('saved views file damaged: set aside', { aside, error });
      return [];
    }
  }

  private write(): void {
    const temporary = `${this.file}.${process.pid}.tmp`;
    fs.writeFileSync(temporary, `${JSON.stringify({ version: 1, views: this.views }, null, 2)}\n`);
    fs.renameSync(temporary, this.file);
  }
}
