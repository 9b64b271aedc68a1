import { PDFDocument, rgb } from 'pdf-lib';
import { notoFaces, type Face } from '../util/pdfFace';
import type { AuditRow } from './auditChain';
import { authVi } from '../../../common/i18n/auth';
import { auditDetailText } from '../../../common/auditDetail';

/**
 * The audit page's exports for an inspector: CSV (UTF-8 with BOM, so Excel shows Vietnamese)
 * and a PDF in Vietnamese (pdf-lib with Noto Sans' Latin and Vietnamese subsets, as the biên bản).
 */

export function actionVi(action: string): string {
  const names: Record<string, string> = authVi.audit.actions;
  return names[action] ?? action;
}

function localTime(ms: number, timeZone: string): string {
  return new Intl.DateTimeFormat('vi-VN', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false }).format(new Date(ms));
}

function csvCell(value: string): string {
  // a leading = + - @ would be a formula in a spreadsheet: quote it as text
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\n\r;]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

export function auditCsv(rows: readonly AuditRow[], timeZone: string): Buffer {
  const lines = [['STT', 'Thời gian', 'UTC', 'Người thực hiện', 'Hành động', 'Mã hành động', 'Camera', 'Chi tiết', 'SHA-256 dòng'].join(',')];
  for (const row of rows) {
    lines.push([String(row.seq), localTime(row.atMs, timeZone), new Date(row.atMs).toISOString(), row.actor, actionVi(row.action), row.action, row.cameraId ?? '', row.detail, row.rowHash].map(csvCell).join(','));
  }
  return Buffer.from(`\ufeff${lines.join('\r\n')}\r\n`, 'utf8');
}

export interface AuditPdfInfo {
  station: string;
  timeZone: string;
  createdMs: number;
  createdBy: string;
  filter: string;
  headHash: string;
  verified: { ok: boolean; rows: number; firstBadSeq: number | null };
}

/** The audit report's PDF as a job of the job worker (main/core/jobWorker.ts). */
export interface AuditPdfInput {
  rows: AuditRow[];
  info: AuditPdfInfo;
}

export async function auditPdf(rows: readonly AuditRow[], info: AuditPdfInfo): Promise<Buffer> {
  const doc = await PDFDocument.create();
  doc.setTitle('Nhật ký thao tác hệ thống camera');
  doc.setCreationDate(new Date(info.createdMs));
  const { regular, bold } = await notoFaces(doc);
  const size: [number, number] = [841.89, 595.28]; // A4 landscape
  const margin = 36;
  let page = doc.addPage(size);
  let y = size[1] - margin;
  const line = (text: string, face = regular, fontSize = 10): void => {
    if (y - fontSize * 1.5 < margin) {
      page = doc.addPage(size);
      y = size[1] - margin;
    }
    face.draw(page, face.fit(text, fontSize, size[0] - 2 * margin), margin, y - fontSize, fontSize);
    y -= fontSize * 1.5;
  };
  line(info.station.toUpperCase(), bold, 11);
  line('NHẬT KÝ THAO TÁC HỆ THỐNG CAMERA', bold, 14);
  line(`Lập lúc ${localTime(info.createdMs, info.timeZone)} bởi ${info.createdBy}. Bộ lọc: ${info.filter || 'không'}. Số dòng: ${rows.length}.`);
  line(`Kiểm tra chuỗi băm: ${info.verified.ok ? `toàn vẹn (${info.verified.rows} dòng)` : `SAI từ dòng số ${info.verified.firstBadSeq ?? '?'}`}. Đầu chuỗi (SHA-256): ${info.headHash}`);
  y -= 6;
  const columns: [string, number][] = [['STT', 40], ['Thời gian', 110], ['Người thực hiện', 95], ['Hành động', 120], ['Camera', 80], ['Chi tiết', 325]];
  const row = (cells: string[], face: Face, fontSize: number): void => {
    if (y - fontSize * 1.6 < margin) {
      page = doc.addPage(size);
      y = size[1] - margin;
    }
    let x = margin;
    cells.forEach((cell, index) => {
      const width = columns[index]![1];
      face.draw(page, face.fit(cell, fontSize, width - 4), x, y - fontSize, fontSize);
      x += width;
    });
    page.drawLine({ start: { x: margin, y: y - fontSize * 1.45 }, end: { x: size[0] - margin, y: y - fontSize * 1.45 }, thickness: 0.3, color: rgb(0.6, 0.6, 0.6) });
    y -= fontSize * 1.6;
  };
  row(columns.map(([name]) => name), bold, 8.5);
  for (const entry of rows) row([String(entry.seq), localTime(entry.atMs, info.timeZone), entry.actor, actionVi(entry.action), entry.cameraId ?? '', auditDetailText(entry.detail, 'vi', info.timeZone)], regular, 8);
  y -= 20;
  line('NGƯỜI LẬP (Ký, ghi rõ họ tên)                                          CÁN BỘ KIỂM TRA (Ký, ghi rõ họ tên)', bold, 10);
  return Buffer.from(await doc.save({ useObjectStreams: false }));
}
