import path from 'node:path';
import fs from 'node:fs';
import { parseArgs } from 'node:util';
import { SYSTEM_ACTOR } from '../../../common/accounts';
import { systemClock } from '../util/clock';
import { createLogger } from '../log/logger';
import { defaultDataDir } from '../paths';
import { openSecurityDb, securityDbPath } from './db';
import { AuditLog, verifyAuditDb } from './auditLog';
import { AccountStore } from './accountStore';

/**
 * The station PC's security tools (docs/security.md):
 *   npm run audit:verify -- --data DIR      walks the audit chain; exit 0 intact, 1 broken, 2 no database
 *   npm run users -- recover --data DIR     prints a one-time code (valid 15 minutes) to reset a
 *                                           forgotten administrator password on the log-in screen
 *   npm run users -- list --data DIR        lists the accounts
 * Whoever runs them needs the data folder (owner-only): that is the proof of being at the station.
 */
const RECOVERY_VALID_MS = 15 * 60_000;

async function main(): Promise<number> {
  const [command, ...rest] = process.argv.slice(2);
  const { values } = parseArgs({ args: rest, options: { data: { type: 'string' } }, strict: true, allowPositionals: false });
  const dataDir = path.resolve(values.data ?? defaultDataDir(process.env));
  if (!fs.existsSync(securityDbPath(dataDir))) {
    console.error(`Không có cơ sở dữ liệu tài khoản/nhật ký trong ${dataDir} (No security database in ${dataDir}).`);
    return 2;
  }
  const log = createLogger({ console: null, file: null });
  if (command === 'verify') {
    const db = openSecurityDb(dataDir, { readonly: true, busyTimeoutMs: 5000 });
    const started = performance.now();
    const report = verifyAuditDb(db);
    const seconds = ((performance.now() - started) / 1000).toFixed(2);
    if (report.ok) {
      console.log(`Nhật ký toàn vẹn: ${report.rows} dòng, kiểm tra trong ${seconds} s. (Audit chain intact: ${report.rows} rows.)`);
      console.log(`Đầu chuỗi (chain head) SHA-256: ${report.headHash}`);
      console.log('So sánh với mã in trên biên bản gần nhất: nếu khác, các dòng sau thời điểm đó đã bị thay đổi hoặc xóa.');
      return 0;
    }
    const problems: Record<string, string> = {
      contentChanged: 'nội dung dòng đã bị sửa (row content edited)',
      rowMissing: 'dòng đã bị xóa (row removed)',
      chainBroken: 'chuỗi băm bị đứt: dòng bị sửa và tính lại mã, hoặc dòng trước bị xóa (chain broken)',
      outOfOrder: 'thứ tự dòng bị đảo (rows reordered)',
    };
    console.log(`NHẬT KÝ BỊ THAY ĐỔI từ dòng số ${report.firstBad!.seq}: ${problems[report.firstBad!.problem] ?? report.firstBad!.problem}.`);
    console.log(`(${report.rows} dòng đầu còn nguyên; đầu chuỗi tới đó: ${report.headHash})`);
    return 1;
  }
  if (command === 'recover') {
    const db = openSecurityDb(dataDir, { busyTimeoutMs: 5000 });
    const accounts = new AccountStore(db, systemClock);
    const audit = new AuditLog(db, { clock: systemClock, log });
    const written = audit.append({ actor: SYSTEM_ACTOR, action: 'recoveryCodeIssued', detail: { by: 'cli', user: process.env.USER ?? process.env.USERNAME ?? null } });
    if (!written.ok) {
      console.error('Không ghi được nhật ký, không cấp mã (the audit trail cannot be written; no code issued).');
      return 1;
    }
    const code = await accounts.issueRecoveryCode(RECOVERY_VALID_MS);
    console.log(`Mã khôi phục một lần (one-time recovery code), dùng trong 15 phút: ${code}`);
    console.log('Trên màn hình đăng nhập, chọn "Quên mật khẩu quản trị", nhập mã này, tên tài khoản quản trị và mật khẩu mới.');
    db.close();
    return 0;
  }
  if (command === 'list') {
    const accounts = new AccountStore(openSecurityDb(dataDir, { readonly: true }), systemClock);
    for (const account of accounts.list()) console.log(`${account.userName}\t${account.role}\t${account.enabled ? 'bật' : 'TẮT'}\t${account.rank} ${account.fullName}`);
    return 0;
  }
  console.error('usage: securityCli verify|recover|list --data DIR');
  return 2;
}

main().then(
  (code) => (process.exitCode = code),
  (error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  },
);
