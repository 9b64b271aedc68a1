import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { AUDIT_ACTIONS } from '../../common/authContract';
import { translate } from '../../common/i18n';
import { actionVi, auditCsv, auditPdf } from '../../main/core/security/auditReport';

// The audit page, its CSV and its PDF showed action codes ("ptzPresetGoto") to an inspector who reads Vietnamese.
describe('audit action names', () => {
  it('every audit action has its own words in Vietnamese and English, never the code', () => {
    for (const action of AUDIT_ACTIONS) {
      const vi = translate('vi', `auth.audit.actions.${action}`);
      const en = translate('en', `auth.audit.actions.${action}`);
      expect(vi, action).not.toBe(`auth.audit.actions.${action}`);
      expect(en, action).not.toBe(`auth.audit.actions.${action}`);
      expect(vi, action).not.toBe(action);
      expect(actionVi(action)).toBe(vi);
    }
    const names = AUDIT_ACTIONS.map((action) => translate('vi', `auth.audit.actions.${action}`));
    expect(new Set(names).size).toBe(names.length);
  });

  it('the CSV for an inspector names the action in Vietnamese beside its code; an unknown code stays as it is', () => {
    const row = { seq: 7, atMs: Date.UTC(2026, 11, 5, 1, 2, 3), actor: 'quan', action: 'ptzPresetGoto', cameraId: 'dk-01', detail: '{}', prevHash: 'a', contentHash: 'b', rowHash: 'c' };
    const text = auditCsv([row, { ...row, seq: 8, action: 'futureAction' }], 'Asia/Ho_Chi_Minh').toString('utf8');
    const lines = text.split('\r\n');
    expect(lines[1]).toContain('Tới điểm đặt trước,ptzPresetGoto');
    expect(lines[1]).toContain('08:02:03');
    expect(lines[1]).toContain('05/12/2026');
    expect(lines[2]).toContain('futureAction,futureAction');
  });

  it('the PDF for an inspector: Vietnamese text as text (Noto Sans subsets), the chain check, every row over as many A4 pages as it takes, long details cut with an ellipsis', async () => {
    const base = Date.UTC(2026, 11, 5, 1, 0, 0);
    const rows = Array.from({ length: 90 }, (_, index) => ({
      seq: index + 1,
      atMs: base + index * 61_000,
      actor: index % 2 ? 'trucban' : 'quantri',
      action: index % 3 ? 'liveView' : 'ptzPresetGoto',
      cameraId: `dk-${String((index % 31) + 1).padStart(2, '0')}`,
      detail: index === 5 ? `{"note":"${'Đường liên thôn Khê Hạ '.repeat(12)}"}` : '{}',
      prevHash: 'a',
      contentHash: 'b',
      rowHash: 'c',
    }));
    const pdf = await auditPdf(rows, {
      station: 'Công an xã Đông Khê',
      timeZone: 'Asia/Ho_Chi_Minh',
      createdMs: base + 6 * 3600_000,
      createdBy: 'Đại úy Nguyễn Văn Quản',
      filter: 'actor=trucban',
      headHash: 'f'.repeat(64),
      verified: { ok: false, rows: 90, firstBadSeq: 17 },
    });
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'audit-pdf-'));
    try {
      const file = path.join(dir, 'NhatKy.pdf');
      fs.writeFileSync(file, pdf);
      const info = execFileSync('pdfinfo', [file], { encoding: 'utf8' });
      expect(info).toMatch(/Title:\s+Nhật ký thao tác hệ thống camera/);
      expect(info).toMatch(/Page size:\s+841\.89 x 595\.28/); // A4 landscape
      const pages = execFileSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' }).split('\f').filter((page) => page.trim() !== '');
      expect(pages.length).toBeGreaterThanOrEqual(2);
      const text = pages.join('\n');
      expect(text).toContain('CÔNG AN XÃ ĐÔNG KHÊ');
      expect(text).toContain('NHẬT KÝ THAO TÁC HỆ THỐNG CAMERA');
      expect(text).toContain('bởi Đại úy Nguyễn Văn Quản');
      expect(text).toContain('SAI từ dòng số 17');
      expect(text).toContain('Tới điểm đặt trước');
      expect(text).not.toContain('ptzPresetGoto');
      for (const row of rows) expect(text).toMatch(new RegExp(`^\\s*${row.seq}\\s`, 'm'));
      expect(text).toMatch(/Đường liên thôn Khê Hạ[^\n]*…/);
      expect(pages.at(-1)).toContain('CÁN BỘ KIỂM TRA');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
