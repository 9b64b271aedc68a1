import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runConsoleExpectingExit } from '../helpers/consoleProcess';
import { tempDir } from '../helpers/paths';

// The console does not start half-configured: a wrong site file stops it with a message that
// names the field and the line, in Vietnamese unless asked otherwise.
describe('starting with a wrong site file', () => {
  const dir = tempDir('cli');
  const site = path.join(dir, 'site.json');
  fs.writeFileSync(
    site,
    ['{', '  "schemaVersion": 1,', '  "name": "Đông Khê",', '  "cameras": [', '    { "id": "cam-1", "name": "Cổng chợ",', '      "streams": { "main": "http://10.0.0.5/video" } }', '  ]', '}'].join('\n'),
  );

  it('refuses to start and says where the problem is, in Vietnamese', async () => {
    const result = await runConsoleExpectingExit(['--site', site, '--data', path.join(dir, 'data')]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('có lỗi nên phần mềm chưa khởi động');
    expect(result.stderr).toContain('Dòng 6');
    expect(result.stderr).toContain('cameras[0].streams.main');
    expect(result.stdout).not.toMatch(/token=/);
  });

  it('says it in English with --lang en', async () => {
    const result = await runConsoleExpectingExit(['--site', site, '--data', path.join(dir, 'data'), '--lang', 'en']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('Line 6');
  });

  it('names a site file that does not exist', async () => {
    const result = await runConsoleExpectingExit(['--site', path.join(dir, 'missing.json'), '--data', path.join(dir, 'data')]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('Không đọc được tệp: ENOENT');
  });

  it('refuses unknown options with the usage line', async () => {
    const result = await runConsoleExpectingExit(['--sight', site]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('Cách dùng: npm start --');
  });
});
