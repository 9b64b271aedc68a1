/**
 * The player page on the stick (resources/export/player.html) with the manifest inside (issue 14:
 * out of the job's module).
 */
import fs from 'node:fs';
import path from 'node:path';
import { resourcesDir } from '../paths';
import type { Manifest } from './manifest';

/** The player page with the manifest (and the other files' hashes) inside: a page from a file cannot fetch. */
export function playerHtml(manifest: Manifest, otherFiles: { name: string; sha256: string }[], signed: { manifestText: string; signature: string; publicKeyPem: string } | null = null): string {
  const template = fs.readFileSync(path.join(resourcesDir(), 'export', 'player.html'), 'utf8');
  const data = JSON.stringify({ manifest, otherFiles, signed }).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
  return template.replace('/*__MANIFEST__*/', () => data);
}
