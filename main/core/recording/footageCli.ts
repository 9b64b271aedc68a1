import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { SYSTEM_ACTOR } from '../../../common/accounts';
import { formatDateTime } from '../../../common/time';
import { systemClock } from '../util/clock';
import { createLogger } from '../log/logger';
import { defaultDataDir } from '../paths';
import { openSecurityDb, securityDbPath } from '../security/db';
import { AuditLog } from '../security/auditLog';
import { RecordingIndex } from './recordingIndex';
import { verificationAuditDetail, verifyFootage, type FootageFinding, type FootageReport } from './verify';

/**
 * npm run footage:verify -- --data DIR [--camera ID] [--from TIME --to TIME] [--json]
 * Re-hashes the footage against the index and its chain (docs/recording.md, "Verification").
 * Runs at low CPU priority (nice 10). The result is audited (footageVerified) when the audit
 * database is there. Exit 0: everything checked matches; 1: findings; 2: no recording index.
 * TIME: an ISO date-time (2026-12-05T08:00:00+07:00) or milliseconds since 1970.
 * An entry point like core.ts: it wires the recording index to the audit writer.
 */
const REASONS: Record<string, string> = {
  hashMismatch: 'nội dung bị thay đổi (mã SHA-256 khác lúc ghi)',
  sizeChanged: 'kích thước tệp khác lúc ghi',
  fileGone: 'tệp đã mất',
  rowsRemoved: 'đoạn ghi bị xóa khỏi chuỗi',
  headRemoved: 'đoạn ghi cuối cùng bị xóa',
  rowChanged: 'dòng chỉ mục bị sửa',
  linkBroken: 'chuỗi băm bị đứt',
  notIndexed: 'tệp lạ, không do máy này ghi',
};

function parseTime(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  const ms = /^\d+$/.test(value) ? Number(value) : Date.parse(value);
  if (!Number.isFinite(ms)) throw new Error(`--${name}: thời điểm không hợp lệ "${value}" (invalid time)`);
  return ms;
}

function describe(finding: FootageFinding, timeZone: string): string {
  const from = finding.startMs === null ? '…' : formatDateTime(finding.startMs, timeZone);
  const to = finding.endMs === null ? '…' : formatDateTime(finding.endMs, timeZone);
  const where = `${finding.cameraId}${finding.stream ? `/${finding.stream}` : ''} ${from} → ${to}`;
  return `  [${finding.kind}] ${where}: ${REASONS[finding.reason] ?? finding.reason}${finding.path ? ` (${finding.path})` : ''}${finding.chainSeq !== null ? ` #${finding.chainSeq}` : ''}`;
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    args: process.argv.slice(2),
    options: { data: { type: 'string' }, camera: { type: 'string' }, from: { type: 'string' }, to: { type: 'string' }, json: { type: 'boolean' }, 'time-zone': { type: 'string' } },
    strict: true,
    allowPositionals: false,
  });
  const dataDir = path.resolve(values.data ?? defaultDataDir(process.env));
  const indexFile = path.join(dataDir, 'recordings.sqlite');
  if (!fs.existsSync(indexFile)) {
    console.error(`Không có chỉ mục ghi hình trong ${dataDir} (no recording index in ${dataDir}).`);
    return 2;
  }
  try {
    os.setPriority(10);
  } catch {
    // not allowed: runs at normal priority
  }
  const timeZone = values['time-zone'] ?? 'Asia/Ho_Chi_Minh';
  const options = { cameraId: values.camera, fromMs: parseTime(values.from, 'from'), toMs: parseTime(values.to, 'to') };
  const index = new RecordingIndex(indexFile);
  let report: FootageReport;
  try {
    report = await verifyFootage(index, path.join(dataDir, 'recordings'), options);
  } finally {
    index.close();
  }
  if (fs.existsSync(securityDbPath(dataDir))) {
    const db = openSecurityDb(dataDir, { busyTimeoutMs: 5000 });
    const written = new AuditLog(db, { clock: systemClock, log: createLogger({ console: null, file: null }) }).append({
      actor: SYSTEM_ACTOR,
      action: 'footageVerified',
      cameraId: options.cameraId ?? null,
      detail: verificationAuditDetail(report, { by: 'cli', fromMs: options.fromMs ?? null, toMs: options.toMs ?? null }),
    });
    db.close();
    if (!written.ok) console.error('Không ghi được nhật ký (the audit row could not be written).');
  }
  if (values.json) {
    console.log(JSON.stringify(report));
  } else {
    const seconds = ((report.finishedMs - report.startedMs) / 1000).toFixed(1);
    console.log(`Đã kiểm tra ${report.checkedSegments} đoạn ghi, ${(report.checkedBytes / 1e6).toFixed(1)} MB trong ${seconds} s. (${report.checkedSegments} segments checked.)`);
    if (report.unhashedSegments > 0) console.log(`${report.unhashedSegments} đoạn ghi trước khi có mã băm: không thể chứng minh nội dung (recorded before hashing: unproven).`);
    if (report.ok) console.log('Toàn vẹn: mọi đoạn ghi khớp với mã lúc ghi và chuỗi liền mạch. (Intact.)');
    else {
      console.log(`PHÁT HIỆN ${report.findings.length} VẤN ĐỀ (${report.findings.length} findings):`);
      for (const finding of report.findings) console.log(describe(finding, timeZone));
    }
  }
  return report.ok ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error((error as Error).message);
    process.exit(2);
  },
);
