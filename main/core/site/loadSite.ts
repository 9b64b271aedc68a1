import fs from 'node:fs';
import type { Site } from '../../../common/site';
import { parseSiteText, type SiteIssue } from './parseSite';

export class SiteFileError extends Error {
  constructor(
    readonly file: string,
    readonly issues: SiteIssue[],
  ) {
    super(`site file ${file} has ${issues.length} problem(s)`);
    this.name = 'SiteFileError';
  }
}

/** Reads and validates a site file; throws SiteFileError naming every problem. Never half-loads. */
export function loadSiteFile(file: string): Site {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    throw new SiteFileError(file, [{ line: 0, column: 0, path: '', key: 'fileMissing', params: { detail: (error as NodeJS.ErrnoException).code ?? String(error) } }]);
  }
  const result = parseSiteText(text.replace(/^\uFEFF/, ''));
  if (!result.ok) throw new SiteFileError(file, result.issues);
  return result.site;
}
