import fs from 'node:fs';
import path from 'node:path';
import { rgb, type PDFDocument, type PDFFont, type PDFPage } from 'pdf-lib';
import fontkit from '@pdf-lib/fontkit';
import { appRoot } from '../paths';

/**
 * Text in our PDFs (the biên bản, the audit report): Noto Sans, embedded as subsets, drawn by the
 * one shared face so every document writes Vietnamese the same way.
 */

function fontFile(name: string): Buffer {
  const candidates = [path.join(appRoot(), 'node_modules', '@fontsource', 'noto-sans', 'files', name)];
  try {
    candidates.push(path.join(path.dirname(require.resolve('@fontsource/noto-sans/package.json')), 'files', name));
  } catch {
    // not resolvable from a bundle: the app root above
  }
  for (const candidate of candidates) if (fs.existsSync(candidate)) return fs.readFileSync(candidate);
  throw new Error(`font not found: ${name}`);
}

/** A face made of Noto Sans' Latin and Vietnamese subsets: each character drawn by the one that has it. */
export class Face {
  private readonly latinSet: Set<number>;
  constructor(
    private readonly latin: PDFFont,
    private readonly vietnamese: PDFFont,
  ) {
    this.latinSet = new Set(latin.getCharacterSet());
  }

  runs(text: string): { text: string; font: PDFFont }[] {
    const runs: { text: string; font: PDFFont }[] = [];
    for (const char of text.normalize('NFC')) {
      const font = this.latinSet.has(char.codePointAt(0) ?? 0) ? this.latin : this.vietnamese;
      const last = runs.at(-1);
      if (last && last.font === font) last.text += char;
      else runs.push({ text: char, font });
    }
    return runs;
  }

  width(text: string, size: number): number {
    return this.runs(text).reduce((sum, run) => sum + run.font.widthOfTextAtSize(run.text, size), 0);
  }

  /** The text cut with an ellipsis so it is no wider than `width`. */
  fit(text: string, size: number, width: number): string {
    if (this.width(text, size) <= width) return text;
    let cut = text.length;
    while (cut > 1 && this.width(`${text.slice(0, cut)}…`, size) > width) cut -= 1;
    return `${text.slice(0, cut)}…`;
  }

  draw(page: PDFPage, text: string, x: number, y: number, size: number): void {
    let cursor = x;
    for (const run of this.runs(text)) {
      page.drawText(run.text, { x: cursor, y, size, font: run.font, color: rgb(0, 0, 0) });
      cursor += run.font.widthOfTextAtSize(run.text, size);
    }
  }
}

/** Registers fontkit on the document and embeds the regular and bold faces. */
export async function notoFaces(doc: PDFDocument): Promise<{ regular: Face; bold: Face }> {
  doc.registerFontkit(fontkit);
  const embed = (name: string) => doc.embedFont(fontFile(name), { subset: true });
  return {
    regular: new Face(await embed('noto-sans-latin-400-normal.woff'), await embed('noto-sans-vietnamese-400-normal.woff')),
    bold: new Face(await embed('noto-sans-latin-700-normal.woff'), await embed('noto-sans-vietnamese-700-normal.woff')),
  };
}
