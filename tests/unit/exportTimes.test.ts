import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { cutArgs, START_TAG } from '../../main/core/export/cutter';
import { cameraClockOf, localIso, timeRange, utcIso, type Manifest } from '../../main/core/export/manifest';
import { leadTailVi, recordHtml, recordPdf, viDateTime } from '../../main/core/export/record';
import { tempDir } from '../helpers/paths';

const ZONE = 'Asia/Ho_Chi_Minh';
const START = Date.UTC(2026, 11, 5, 2, 10, 37, 300);

function manifestWith(files: number, agency: Manifest['agency'] = { name: 'Công an xã Đông Khê', parent: 'Công an tỉnh Thanh Hóa' }): Manifest {
  const requested = timeRange(START, START + 34_600, ZONE);
  return {
    format: 'commune-console-export/1',
    exportId: 'x1',
    console: { name: 'Giám sát camera', version: '1.0.0' },
    station: 'Đông Khê',
    agency,
    timeZone: ZONE,
    createdUtc: utcIso(START + 3_600_000),
    createdLocal: localIso(START + 3_600_000, ZONE),
    caseNumber: '12/2026',
    officer: 'Nguyễn Văn A',
    reason: 'Tai nạn giao thông',
    operator: 'Trần Thị B',
    requested,
    incident: null,
    maxFileBytes: null,
    cameras: [
      { id: 'dk-01', name: 'Ngã ba QL47', village: 'Thôn 1', latitude: null, longitude: null, distanceM: null, stream: 'main', actual: timeRange(START - 300, START + 35_050, ZONE), leadInMs: 300, tailMs: 450, gaps: [{ ...timeRange(START + 10_001, START + 12_345, ZONE), reason: 'cameraOffline' }], files: [] },
    ],
    files: Array.from({ length: files }, (_, index) => ({ name: `dk-01_Nga-ba_2026-12-05_09-10-37_phan${index + 1}.mp4`, cameraId: 'dk-01', part: index + 1, parts: files, burnedIn: false, bytes: 6_612_345 + index, sha256: 'ab'.repeat(32), ...timeRange(START - 300, START + 35_050, ZONE) })),
  };
}

function pdfPages(pdf: Buffer): string[] {
  const dir = tempDir('record-pdf');
  try {
    const file = path.join(dir, 'r.pdf');
    fs.writeFileSync(file, pdf);
    return execFileSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' }).split('\f').filter((page) => page.trim() !== '');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

describe('exact times in the export record', () => {
  it('manifest times keep the milliseconds (were cut to the second: a stated start up to 999 ms off)', () => {
    expect(utcIso(START)).toBe('2026-12-05T02:10:37.300Z');
    expect(localIso(START, ZONE)).toBe('2026-12-05T09:10:37.300+07:00');
    // a range is never stated narrower than the truth: start rounded down, end up
    const range = timeRange(START + 0.7, START + 999.2, ZONE);
    expect(range.startMs).toBe(START);
    expect(range.endMs).toBe(START + 1000);
    expect(range.startUtc).toBe('2026-12-05T02:10:37.300Z');
    expect(range.endLocal).toBe('2026-12-05T09:10:38.300+07:00');
  });

  it('the biên bản states times to the millisecond and the lead-in and tail as figures', async () => {
    expect(viDateTime('2026-12-05T09:10:37.300+07:00')).toBe('05/12/2026 09:10:37,300');
    expect(leadTailVi(300, 450)).toBe('clip bắt đầu 0,30 s trước thời điểm yêu cầu, tại khung hình khóa; kết thúc 0,45 s sau thời điểm yêu cầu, tại khung hình khóa kế tiếp');
    const manifest = manifestWith(1);
    const html = recordHtml(manifest, 'cd'.repeat(32));
    for (const text of ['05/12/2026 09:10:37,300', '05/12/2026 09:11:11,900', '05/12/2026 09:10:37,000 – 05/12/2026 09:11:12,350', '0,30 s trước thời điểm yêu cầu', '0,45 s sau', '05/12/2026 09:10:47,301 – 05/12/2026 09:10:49,645', '2026-12-05T02:10:37.300Z']) {
      expect(html).toContain(text);
    }
    const pdfText = pdfPages(await recordPdf(manifest, 'cd'.repeat(32))).join('\n');
    for (const text of ['09:10:37,300', '09:11:11,900', '0,30 s trước thời điểm yêu cầu', '09:10:47,301']) expect(pdfText.replace(/\s+/g, ' ')).toContain(text);
  });

  it("states each camera's own clock against the PC's where ONVIF or its RTCP sender reports measured it, and says the others were not measured (issue 20)", async () => {
    const manifest = manifestWith(1);
    const measuredAtMs = START - 600_000;
    manifest.cameras = [
      { ...manifest.cameras[0]!, cameraClock: cameraClockOf({ offsetMs: 3204.4, measuredAtMs }, ZONE) },
      { ...manifest.cameras[0]!, id: 'dk-02', name: 'Chợ Đông Khê', cameraClock: cameraClockOf({ offsetMs: -850, measuredAtMs, source: 'rtcp' }, ZONE) },
      { ...manifest.cameras[0]!, id: 'dk-03', name: 'Trường học', cameraClock: null },
    ];
    expect(manifest.cameras[0]!.cameraClock).toEqual({ offsetMs: 3204, source: 'onvif', measuredUtc: '2026-12-05T02:00:37.300Z', measuredLocal: '2026-12-05T09:00:37.300+07:00' });
    const html = recordHtml(manifest, 'cd'.repeat(32));
    expect(html).toContain('Đồng hồ camera nhanh hơn đồng hồ máy tính 3,20 s (đo qua ONVIF lúc 05/12/2026 09:00:37,300)');
    expect(html).toContain('Đồng hồ camera chậm hơn đồng hồ máy tính 0,85 s (đo theo giờ NTP trong báo cáo RTCP của camera lúc 05/12/2026 09:00:37,300)');
    expect(manifest.cameras[1]!.cameraClock!.source).toBe('rtcp');
    expect(html).toContain('camera không ghi độ lệch là chưa đo được');
    expect(html.match(/Đồng hồ camera (nhanh|chậm)/g)).toHaveLength(2);
    const pdfText = pdfPages(await recordPdf(manifest, 'cd'.repeat(32))).join('\n').replace(/\s+/g, ' ');
    expect(pdfText).toContain('nhanh hơn đồng hồ máy tính 3,20 s');
    // without any measurement the record says nothing about camera clocks
    expect(recordHtml(manifestWith(1), 'cd'.repeat(32))).not.toContain('Đồng hồ camera');
  });

  it('the issuing body is the full name from the site file, over the number; pages say "Trang x/y"', async () => {
    const manifest = manifestWith(2);
    const html = recordHtml(manifest, 'cd'.repeat(32));
    expect(html.indexOf('CÔNG AN XÃ ĐÔNG KHÊ')).toBeGreaterThan(html.indexOf('CÔNG AN TỈNH THANH HÓA'));
    expect(html.indexOf('Số: ……/BB')).toBeGreaterThan(html.indexOf('CÔNG AN XÃ ĐÔNG KHÊ'));
    expect(html).toContain('counter(pages)');
    const pages = pdfPages(await recordPdf(manifest, 'cd'.repeat(32)));
    const first = pages[0]!;
    expect(first.indexOf('CÔNG AN XÃ ĐÔNG KHÊ')).toBeGreaterThanOrEqual(0);
    expect(first.indexOf('Số: ……/BB')).toBeGreaterThan(first.indexOf('CÔNG AN XÃ ĐÔNG KHÊ'));
    pages.forEach((page, index) => expect(page).toContain(`Trang ${index + 1}/${pages.length}`));
    // without an agency in the site file: the station's name, as before
    expect(recordHtml(manifestWith(1, null), 'cd'.repeat(32))).toContain('<b>ĐÔNG KHÊ</b>');
  });

  it('the signature block never stands alone on a page: it goes with the last paragraph (any number of files)', async () => {
    const pageCounts = new Set<number>();
    for (let files = 1; files <= 26; files += 2) {
      const pages = pdfPages(await recordPdf(manifestWith(files), 'cd'.repeat(32)));
      pageCounts.add(pages.length);
      const signPage = pages.findIndex((page) => page.includes('BÊN GIAO'));
      expect(signPage, `${files} files`).toBeGreaterThanOrEqual(0);
      expect(pages[signPage], `${files} files`).toContain('Biên bản được lập thành 02 bản');
      expect(pages[signPage], `${files} files`).toContain('LÃNH ĐẠO ĐƠN VỊ');
    }
    // the walk crossed page breaks
    expect(pageCounts.size).toBeGreaterThan(1);
  });

  it('the record states the total of the video files with what it counts (the export log uses the same sum)', () => {
    const html = recordHtml(manifestWith(2), 'cd'.repeat(32));
    expect(html).toContain('Tổng dung lượng các tệp video: 12,6 MB (13.224.691 byte), 2 tệp (không tính biên bản');
  });

  it('the MP4 carries its absolute start: creation_time and a tag with the exact UTC start in ms', () => {
    for (const args of [cutArgs('in', 'out.mp4', 100_000, { startUtcMs: START }), cutArgs('in', 'out.mp4', null, { startUtcMs: START })]) {
      expect(args).toEqual(expect.arrayContaining(['-metadata', 'creation_time=2026-12-05T02:10:37.300Z', '-metadata', `${START_TAG}=2026-12-05T02:10:37.300Z`]));
      expect(args.filter((arg) => arg === '-movflags')).toHaveLength(1);
      expect(args[args.indexOf('-movflags') + 1]).toContain('use_metadata_tags');
    }
  });
});
