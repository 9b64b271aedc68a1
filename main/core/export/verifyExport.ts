import fs from 'node:fs';
import path from 'node:path';
import { sha256FromMedium } from './mediumRead';
import { PUBLIC_KEY_FILE, SIGNATURE_FILE, type Manifest } from './manifest';
import { fingerprintHex, fingerprintOf, verifySignature } from './stationKey';

/**
 * `npm run export:verify -- DIR` (issue 17 item 5): what a person checks on another PC, in one
 * pass. Every line of SHA256SUMS (every file re-hashed, read from the medium where the OS lets
 * it), no file besides them, the hashes manifest.json states agree with SHA256SUMS, and the
 * Ed25519 signature of manifest.json with station-key.pem and the fingerprint the manifest (and
 * the biên bản, and optionally `--fingerprint`) names.
 */
export type VerifyLine =
  | { kind: 'fileOk' | 'fileChanged' | 'fileMissing' | 'fileExtra' | 'badName' | 'manifestMismatch' | 'manifestNotListed'; name: string }
  | { kind: 'badSumsLine'; line: number }
  | { kind: 'noSums' | 'unsigned' | 'signatureOk' | 'signatureBad' | 'keyMismatch' | 'fingerprintMatches' }
  | { kind: 'manifestUnreadable'; error: string }
  | { kind: 'fingerprint'; fingerprint: string }
  | { kind: 'fingerprintDiffers'; expected: string };

export interface VerifyReport {
  ok: boolean;
  lines: VerifyLine[];
  problems: number;
  files: number;
  fingerprint: string | null;
}

const GOOD: ReadonlySet<VerifyLine['kind']> = new Set(['fileOk', 'signatureOk', 'fingerprint', 'fingerprintMatches']);

/** A name SHA256SUMS may carry: a plain file of this folder (the export's names are plain ASCII). */
function plainName(name: string): boolean {
  return name.length > 0 && name.length <= 255 && !/[/\\\0]/.test(name) && name !== '.' && name !== '..';
}

export async function verifyExportFolder(dir: string, options: { fingerprint?: string } = {}): Promise<VerifyReport> {
  const lines: VerifyLine[] = [];
  const listed = new Map<string, string>();
  const sumsFile = path.join(dir, 'SHA256SUMS');
  if (!fs.existsSync(sumsFile)) lines.push({ kind: 'noSums' });
  else {
    fs.readFileSync(sumsFile, 'utf8')
      .split('\n')
      .forEach((text, index) => {
        if (text === '') return;
        const match = /^([0-9a-f]{64}) [ *](.+)$/.exec(text);
        if (!match) return lines.push({ kind: 'badSumsLine', line: index + 1 });
        if (!plainName(match[2]!)) return lines.push({ kind: 'badName', name: match[2]! });
        listed.set(match[2]!, match[1]!);
      });
  }
  const actual = new Map<string, string>();
  for (const [name, expected] of listed) {
    const file = path.join(dir, name);
    if (!fs.existsSync(file)) {
      lines.push({ kind: 'fileMissing', name });
      continue;
    }
    const { sha256 } = await sha256FromMedium(file);
    actual.set(name, sha256);
    lines.push({ kind: sha256 === expected ? 'fileOk' : 'fileChanged', name });
  }
  for (const name of fs.readdirSync(dir).sort()) {
    if (name !== 'SHA256SUMS' && !listed.has(name)) lines.push({ kind: 'fileExtra', name });
  }

  let manifest: Manifest | null = null;
  const manifestFile = path.join(dir, 'manifest.json');
  let manifestBytes: Buffer | null = null;
  try {
    manifestBytes = fs.readFileSync(manifestFile);
    manifest = JSON.parse(manifestBytes.toString('utf8')) as Manifest;
  } catch (error) {
    lines.push({ kind: 'manifestUnreadable', error: (error as Error).message.slice(0, 200) });
  }
  for (const file of manifest?.files ?? []) {
    if (!listed.has(file.name)) lines.push({ kind: 'manifestNotListed', name: file.name });
    else if (listed.get(file.name) !== file.sha256) lines.push({ kind: 'manifestMismatch', name: file.name });
  }

  let fingerprint: string | null = null;
  const signatureFile = path.join(dir, SIGNATURE_FILE);
  const keyFile = path.join(dir, PUBLIC_KEY_FILE);
  if (!fs.existsSync(signatureFile) || !fs.existsSync(keyFile)) lines.push({ kind: 'unsigned' });
  else if (manifestBytes) {
    const publicPem = fs.readFileSync(keyFile, 'utf8');
    try {
      fingerprint = fingerprintOf(publicPem);
    } catch {
      fingerprint = null;
    }
    lines.push({ kind: verifySignature(publicPem, manifestBytes, fs.readFileSync(signatureFile)) ? 'signatureOk' : 'signatureBad' });
    const named = manifest?.signature?.publicKeyFingerprint;
    if (fingerprint && named && fingerprintHex(named) !== fingerprintHex(fingerprint)) lines.push({ kind: 'keyMismatch' });
    if (fingerprint) lines.push({ kind: 'fingerprint', fingerprint });
    if (options.fingerprint) {
      const matches = fingerprint !== null && fingerprintHex(options.fingerprint).toLowerCase() === fingerprintHex(fingerprint);
      lines.push(matches ? { kind: 'fingerprintMatches' } : { kind: 'fingerprintDiffers', expected: options.fingerprint });
    }
  }
  const problems = lines.filter((line) => !GOOD.has(line.kind)).length;
  return { ok: problems === 0, lines, problems, files: actual.size, fingerprint };
}
