import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { isLanguage, translate, type Language } from '../../../common/i18n';
import { verifyExportFolder } from './verifyExport';

/**
 * `npm run export:verify -- DIR [--fingerprint "SHA256:…"] [--lang vi|en]`: checks an export
 * folder (SHA256SUMS, every file, the manifest's hashes, the station signature) and prints a
 * report. Exit 0: intact and signed; 1: something differs; 2: usage or no such folder.
 */
async function main(): Promise<number> {
  const { values, positionals } = parseArgs({ args: process.argv.slice(2), options: { fingerprint: { type: 'string' }, lang: { type: 'string' } }, strict: true, allowPositionals: true });
  const language: Language = isLanguage(values.lang) ? values.lang : 'vi';
  const t = (key: string, vars: Record<string, string | number> = {}) => translate(language, `exportClip.verifyCli.${key}`, vars);
  if (positionals.length !== 1) {
    console.error(t('usage'));
    return 2;
  }
  const dir = path.resolve(positionals[0]!);
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) {
    console.error(t('noFolder', { dir }));
    return 2;
  }
  console.log(t('heading', { dir }));
  const report = await verifyExportFolder(dir, { fingerprint: values.fingerprint });
  for (const line of report.lines) {
    const { kind, ...vars } = line;
    console.log(t(kind, vars as Record<string, string | number>));
  }
  console.log(report.ok ? t('verdictOk', { files: report.files }) : t('verdictBad', { problems: report.problems }));
  return report.ok ? 0 : 1;
}

main().then(
  (code) => (process.exitCode = code),
  (error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  },
);
