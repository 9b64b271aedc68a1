import { describe, expect, it } from 'vitest';
import { auditDetailText } from '../../common/auditDetail';

const ZONE = 'Asia/Ho_Chi_Minh';
// 2026-12-05 08:15:30.250 +07:00
const AT = Date.UTC(2026, 11, 5, 1, 15, 30, 250);

describe('an audit row’s detail as a person reads it (audit page, audit PDF)', () => {
  it('names fields in Vietnamese, times in the site zone, sizes, yes/no; empty detail says nothing', () => {
    const detail = JSON.stringify({ reason: 'idle', client: '127.0.0.1', startMs: AT, endMs: AT + 60_000, bytes: 6_612_345, ok: true, restartedByHost: false });
    expect(auditDetailText(detail, 'vi', ZONE)).toBe('Lý do: không thao tác; Máy: 127.0.0.1; Từ lúc: 05/12/2026 08:15:30; Đến lúc: 05/12/2026 08:16:30; Dung lượng: 6,3 MB; Kết quả: có; Được khởi động lại tự động: không');
    expect(auditDetailText(detail, 'en', ZONE)).toBe('Reason: idle; Client: 127.0.0.1; From: 05/12/2026 08:15:30; To: 05/12/2026 08:16:30; Size: 6.3 MB; Result: yes; Restarted automatically: no');
    expect(auditDetailText('{}', 'vi', ZONE)).toBe('');
    // nulls are left out, not printed as "null"
    expect(auditDetailText(JSON.stringify({ error: null, folder: 'Vu-viec-7' }), 'vi', ZONE)).toBe('Thư mục: Vu-viec-7');
  });

  it('an export row: hashes cut, the file-hash map counted, lists shortened, nested objects in brackets', () => {
    const hash = 'ab'.repeat(32);
    const detail = JSON.stringify({
      jobId: 'j1',
      manifestSha256: hash,
      fileSha256: { 'a.mp4': hash, 'b.mp4': hash, 'c.mp4': hash },
      cameraIds: ['dk-01', 'dk-02', 'dk-03', 'dk-04', 'dk-05', 'dk-06', 'dk-07', 'dk-08'],
      firstBad: { seq: 12, problem: 'rowMissing' },
    });
    expect(auditDetailText(detail, 'vi', ZONE)).toBe(
      `Mã lần trích xuất: j1; SHA-256 manifest: ${'ab'.repeat(8)}…; SHA-256 các tệp: 3 tệp; Camera: dk-01, dk-02, dk-03, dk-04, dk-05, dk-06 … và 2 mục nữa; Dòng sai đầu tiên: (Dòng: 12, Vấn đề: rowMissing)`,
    );
  });

  it('coded values by name: roles, streams, reasons; unknown codes and free text as they are', () => {
    expect(auditDetailText(JSON.stringify({ role: 'clerk', stream: 'sub', reason: 'wrongCredentials' }), 'vi', ZONE)).toBe('Vai trò: Văn thư – trích xuất; Luồng: luồng phụ; Lý do: sai tên hoặc mật khẩu');
    expect(auditDetailText(JSON.stringify({ role: 'clerk', stream: 'sub', reason: 'idle' }), 'en', ZONE)).toBe('Role: Clerk (export); Stream: sub stream; Reason: idle');
    // a hold's reason is typed by a person: shown as typed, even a word that is also a code elsewhere
    expect(auditDetailText(JSON.stringify({ reason: 'Vụ 7/2026', stream: 'third' }), 'vi', ZONE)).toBe('Lý do: Vụ 7/2026; Luồng: third');
  });

  it('a key it does not know shows as it is; a duration in ms is a number, not a date; text that is not a JSON object is kept', () => {
    expect(auditDetailText(JSON.stringify({ newThing: 'x', waitMs: 2500 }), 'vi', ZONE)).toBe('newThing: x; waitMs: 2.500');
    expect(auditDetailText('not json', 'vi', ZONE)).toBe('not json');
    expect(auditDetailText('[1,2]', 'vi', ZONE)).toBe('[1,2]');
    expect(auditDetailText(JSON.stringify({ path: 'x'.repeat(200) }), 'vi', ZONE)).toBe(`Tệp: ${'x'.repeat(120)}…`);
  });
});
