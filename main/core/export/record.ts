import { PDFDocument, rgb } from 'pdf-lib';
import { notoFaces, type Face } from '../util/pdfFace';
import type { Manifest, ManifestCamera } from './manifest';

/**
 * The handover record ("Biên bản bàn giao dữ liệu camera"), as HTML (printable from any browser)
 * and PDF (pdf-lib with Noto Sans embedded: its Latin and Vietnamese subsets, chosen per
 * character, so every mark prints on a PC with no Vietnamese font).
 */

const GAP_REASONS_VI: Record<string, string> = {
  cameraOffline: 'camera mất kết nối',
  recordingOff: 'không ghi theo lịch',
  diskFull: 'ổ đĩa đầy',
  consoleNotRunning: 'phần mềm không chạy',
  clockJump: 'đồng hồ máy tính nhảy',
  footageMissing: 'tệp ghi hình bị mất',
  error: 'lỗi ghi',
  noRecording: 'không có dữ liệu ghi',
};

export function gapReasonVi(reason: string): string {
  return GAP_REASONS_VI[reason] ?? reason;
}

/**
 * "30/11/2026 07:41:05,300" from a local ISO time (the manifest's own words), to the millisecond
 * as the manifest states it (Vietnamese decimal comma); without ms in the input, to the second.
 */
export function viDateTime(localIsoTime: string): string {
  const match = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}:\d{2}:\d{2})(?:\.(\d{3}))?/.exec(localIsoTime);
  return match ? `${match[3]}/${match[2]}/${match[1]} ${match[4]}${match[5] ? `,${match[5]}` : ''}` : localIsoTime;
}

/** "0,30 s" (a duration in ms, to the hundredth of a second, decimal comma). */
export function viSeconds(ms: number): string {
  return `${(ms / 1000).toFixed(2).replace('.', ',')} s`;
}

/** The lead-in and tail of a camera's clip against the requested range, in words with figures. */
export function leadTailVi(leadInMs: number | null, tailMs: number | null): string {
  const start = leadInMs === null ? 'clip bắt đầu sau thời điểm yêu cầu (không có dữ liệu trước đó)' : leadInMs === 0 ? 'clip bắt đầu đúng thời điểm yêu cầu, tại khung hình khóa' : `clip bắt đầu ${viSeconds(leadInMs)} trước thời điểm yêu cầu, tại khung hình khóa`;
  const end = tailMs === null ? 'kết thúc trước thời điểm yêu cầu (không có dữ liệu sau đó)' : tailMs === 0 ? 'kết thúc đúng thời điểm yêu cầu' : `kết thúc ${viSeconds(tailMs)} sau thời điểm yêu cầu, tại khung hình khóa kế tiếp`;
  return `${start}; ${end}`;
}

/** "Đồng hồ camera nhanh hơn đồng hồ máy tính 3,20 s (đo qua ONVIF lúc …)". */
export function cameraClockVi(clock: NonNullable<ManifestCamera['cameraClock']>): string {
  const when = `${clock.source === 'rtcp' ? 'đo theo giờ NTP trong báo cáo RTCP của camera' : 'đo qua ONVIF'} lúc ${viDateTime(clock.measuredLocal)}`;
  if (clock.offsetMs === 0) return `Đồng hồ camera khớp đồng hồ máy tính (${when})`;
  return `Đồng hồ camera ${clock.offsetMs > 0 ? 'nhanh' : 'chậm'} hơn đồng hồ máy tính ${viSeconds(Math.abs(clock.offsetMs))} (${when}); giờ camera in trên hình lệch với thời điểm ghi ở đây chừng ấy`;
}

export function formatBytes(bytes: number): string {
  if (bytes >= 1024 ** 3) return `${(bytes / 1024 ** 3).toFixed(2).replace('.', ',')} GB`;
  if (bytes >= 1024 ** 2) return `${(bytes / 1024 ** 2).toFixed(1).replace('.', ',')} MB`;
  return `${Math.max(1, Math.round(bytes / 1024))} KB`;
}

/** Bytes with the byte count: "6,3 MB (6 612 345 byte)" (MB = 1024 × 1024 bytes, as the console shows). */
export function formatBytesExact(bytes: number): string {
  return `${formatBytes(bytes)} (${String(bytes).replace(/\B(?=(\d{3})+(?!\d))/g, '.')} byte)`;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);
}

interface RecordText {
  /** The issuing body over the number: the parent body (if any), then the station, in capitals. */
  issuer: string[];
  number: string;
  title: string;
  intro: string[];
  cameraRows: string[][];
  fileRows: string[][];
  gapLines: string[];
  closing: string[];
}

function recordText(manifest: Manifest, manifestSha256: string): RecordText {
  const created = viDateTime(manifest.createdLocal);
  const [date, time] = created.split(' ');
  const [hour, minute] = (time ?? '').split(':');
  const cameraRows = manifest.cameras.map((camera, index) => [
    String(index + 1),
    `${camera.name} (${camera.id})`,
    [camera.village, camera.latitude !== null && camera.longitude !== null ? `${camera.latitude.toFixed(5)}, ${camera.longitude.toFixed(5)}` : null, camera.distanceM !== null ? `cách ${camera.distanceM} m` : null]
      .filter(Boolean)
      .join('; ') || '—',
    (camera.actual ? `${viDateTime(camera.actual.startLocal)} – ${viDateTime(camera.actual.endLocal)} (${leadTailVi(camera.leadInMs, camera.tailMs)})` : 'Không có dữ liệu') +
      (camera.cameraClock ? `. ${cameraClockVi(camera.cameraClock)}` : ''),
  ]);
  const fileRows = manifest.files.map((file, index) => [
    String(index + 1),
    `${file.name}${file.parts > 1 ? ` (phần ${file.part}/${file.parts})` : ''}${file.burnedIn ? ' – bản có chữ, mã hóa lại, không phải bản gốc' : ''}; từ ${viDateTime(file.startLocal)} đến ${viDateTime(file.endLocal)}`,
    formatBytes(file.bytes),
    file.sha256,
  ]);
  const gapLines = manifest.cameras.flatMap((camera) =>
    camera.gaps.map((gap) => `${camera.name}: ${viDateTime(gap.startLocal)} – ${viDateTime(gap.endLocal)} (${gapReasonVi(gap.reason)})`),
  );
  const videoBytes = manifest.files.reduce((sum, file) => sum + file.bytes, 0);
  const issuer = manifest.agency ? [...(manifest.agency.parent ? [manifest.agency.parent] : []), manifest.agency.name] : [manifest.station];
  return {
    issuer: issuer.map((line) => line.toLocaleUpperCase('vi')),
    number: 'Số: ……/BB',
    title: 'BIÊN BẢN BÀN GIAO DỮ LIỆU CAMERA',
    intro: [
      `Hôm nay, lúc ${hour ?? ''} giờ ${minute ?? ''} phút, ngày ${date ?? ''}, tại ${manifest.agency?.name ?? manifest.station}.`,
      `Số hồ sơ / vụ việc: ${manifest.caseNumber || '—'}`,
      `Bên giao (người trích xuất): ${manifest.operator || '—'}`,
      `Bên nhận (cán bộ yêu cầu): ${manifest.officer || '—'}`,
      `Lý do trích xuất: ${manifest.reason || '—'}`,
      `Thời gian yêu cầu: từ ${viDateTime(manifest.requested.startLocal)} đến ${viDateTime(manifest.requested.endLocal)} (giờ Việt Nam; UTC ${manifest.requested.startUtc} – ${manifest.requested.endUtc})`,
      'Các thời điểm ghi đến phần nghìn giây theo đồng hồ máy tính của hệ thống lúc nhận khung hình (gồm cả độ trễ truyền từ camera); video chỉ cắt được tại khung hình khóa nên có thể bắt đầu sớm hơn và kết thúc muộn hơn thời gian yêu cầu, như ghi ở mục 1.',
      ...(manifest.cameras.some((camera) => camera.cameraClock)
        ? ['Độ lệch đồng hồ riêng của camera so với máy tính được đo qua ONVIF hoặc theo giờ NTP trong báo cáo RTCP của camera và ghi ở mục 1; camera không ghi độ lệch là chưa đo được.']
        : []),
      ...(manifest.incident ? [`Khu vực sự việc: ${manifest.incident.latitude.toFixed(5)}, ${manifest.incident.longitude.toFixed(5)}, bán kính ${manifest.incident.radiusM} m`] : []),
    ],
    cameraRows,
    fileRows,
    gapLines,
    closing: [
      `Tổng dung lượng các tệp video: ${formatBytesExact(videoBytes)}, ${manifest.files.length} tệp (không tính biên bản, manifest.json, index.html, SHA256SUMS).`,
      `Dữ liệu được sao chép nguyên gốc từ bản ghi của hệ thống (không mã hóa lại), cắt tại khung hình khóa gần nhất bao trọn thời gian yêu cầu. Mã SHA-256 của tệp manifest.json: ${manifestSha256}`,
      'Cách kiểm tra: mở tệp index.html trên thiết bị lưu trữ bằng trình duyệt và chọn thư mục này, hoặc chạy lệnh "sha256sum -c SHA256SUMS" trong thư mục, hoặc "npm run export:verify -- THƯ_MỤC" (kiểm tra cả chữ ký số).',
      `Phần mềm: ${manifest.console.name} ${manifest.console.version}. Mã trích xuất: ${manifest.exportId}.`,
      ...(manifest.auditHead ? [`Đầu chuỗi nhật ký thao tác (SHA-256) lúc lập biên bản: ${manifest.auditHead}`] : []),
      ...signatureLines(manifest),
      ...readBackLines(manifest),
      'Biên bản được lập thành 02 bản có giá trị như nhau, mỗi bên giữ 01 bản.',
    ],
  };
}

/** The station signature (issue 17 item 5): what a court compares with the key on the stick. */
export function signatureLines(manifest: Manifest): string[] {
  if (!manifest.signature) return ['Tệp manifest.json KHÔNG được ký số (bản trích xuất này không có khóa ký của trạm).'];
  return [
    `Chữ ký số: manifest.json được ký bằng khóa Ed25519 của trạm (tệp ${manifest.signature.signatureFile}); khóa công khai là tệp ${manifest.signature.publicKeyFile}, dấu vân tay (SHA-256 của khóa công khai): ${manifest.signature.publicKeyFingerprint}`,
    'Kiểm tra chữ ký: mở index.html và chọn thư mục (trình duyệt có hỗ trợ Ed25519), hoặc chạy "npm run export:verify -- THƯ_MỤC", hoặc "openssl pkeyutl -verify -pubin -inkey station-key.pem -rawin -in manifest.json -sigfile manifest.sig"; dấu vân tay của khóa phải trùng với dấu vân tay in trên biên bản này.',
  ];
}

/** How the clips were read back after writing (issue 17 item 6), in words. */
export function readBackLines(manifest: Manifest): string[] {
  switch (manifest.readBack?.method) {
    case 'direct':
      return ['Đọc lại để kiểm tra: mọi tệp được đọc lại trực tiếp từ thiết bị lưu trữ (O_DIRECT, không qua bộ nhớ đệm) sau khi ghi, và khớp mã SHA-256.'];
    case 'dropped':
      return ['Đọc lại để kiểm tra: bộ nhớ đệm của từng tệp được xóa trước khi đọc lại từ thiết bị lưu trữ (không dùng được O_DIRECT trên ổ này), và khớp mã SHA-256.'];
    case 'cache':
      return [`Đọc lại để kiểm tra: các tệp được đọc lại sau khi ghi và khớp mã SHA-256, nhưng hệ điều hành có thể trả về từ bộ nhớ đệm thay vì từ thiết bị (${manifest.readBack.note ?? 'không đọc trực tiếp được'}); nên kiểm tra lại trên máy khác bằng SHA256SUMS.`];
    default:
      return [];
  }
}

export function recordHtml(manifest: Manifest, manifestSha256: string): string {
  const text = recordText(manifest, manifestSha256);
  const table = (head: string[], rows: string[][], hashColumn = -1) =>
    `<table><thead><tr>${head.map((cell) => `<th>${escapeHtml(cell)}</th>`).join('')}</tr></thead><tbody>${rows
      .map((row) => `<tr>${row.map((cell, index) => `<td${index === hashColumn ? ' class="hash"' : ''}>${escapeHtml(cell)}</td>`).join('')}</tr>`)
      .join('')}</tbody></table>`;
  return `<!doctype html>
<html lang="vi"><head><meta charset="utf-8"><title>${escapeHtml(text.title)} – ${escapeHtml(manifest.caseNumber)}</title>
<style>
@page { size: A4; margin: 18mm 16mm 20mm; @bottom-center { content: "Trang " counter(page) "/" counter(pages); font-size: 10pt; } }
body { font-family: "Times New Roman", "Noto Serif", serif; font-size: 13pt; color: #000; max-width: 180mm; margin: 0 auto; line-height: 1.4; }
@media screen { body { padding: 12mm 8mm 16mm; } }
.top { display: flex; justify-content: space-between; text-align: center; font-size: 12pt; }
.top div { width: 48%; } .top b { display: block; }
h1 { text-align: center; font-size: 15pt; margin: 18px 0 12px; }
table { border-collapse: collapse; width: 100%; margin: 6px 0 10px; font-size: 11pt; }
th, td { border: 1px solid #000; padding: 3px 5px; vertical-align: top; text-align: left; }
td.hash { font-family: "DejaVu Sans Mono", monospace; font-size: 8pt; word-break: break-all; }
.sign { display: flex; justify-content: space-around; text-align: center; margin-top: 24px; min-height: 40mm; }
.keep { break-inside: avoid; page-break-inside: avoid; }
.top .number { font-weight: normal; margin-top: 4px; }
.sign i { display: block; font-size: 11pt; }
</style></head><body>
<div class="top"><div>${text.issuer.map((line) => `<b>${escapeHtml(line)}</b>`).join('')}<div class="number">${escapeHtml(text.number)}</div></div><div><b>CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM</b><b>Độc lập - Tự do - Hạnh phúc</b></div></div>
<h1>${escapeHtml(text.title)}</h1>
${text.intro.map((line) => `<p>${escapeHtml(line)}</p>`).join('\n')}
<h2 style="font-size:13pt">1. Camera và thời gian</h2>
${table(['STT', 'Camera', 'Vị trí', 'Thời gian có dữ liệu'], text.cameraRows)}
<p><b>Khoảng không có dữ liệu trong thời gian yêu cầu:</b> ${text.gapLines.length === 0 ? 'không có.' : ''}</p>
${text.gapLines.length > 0 ? `<ul>${text.gapLines.map((line) => `<li>${escapeHtml(line)}</li>`).join('')}</ul>` : ''}
<h2 style="font-size:13pt">2. Tệp dữ liệu bàn giao</h2>
${table(['STT', 'Tệp', 'Dung lượng', 'SHA-256'], text.fileRows, 3)}
${text.closing.slice(0, -1).map((line) => `<p>${escapeHtml(line)}</p>`).join('\n')}
<div class="keep"><p>${escapeHtml(text.closing.at(-1) ?? '')}</p>
<div class="sign"><div><b>BÊN GIAO</b><i>(Ký, ghi rõ họ tên)</i></div><div><b>BÊN NHẬN</b><i>(Ký, ghi rõ họ tên)</i></div><div><b>LÃNH ĐẠO ĐƠN VỊ</b><i>(Ký, ghi rõ họ tên)</i></div></div></div>
</body></html>
`;
}

// ---- PDF --------------------------------------------------------------------------------------

const A4: [number, number] = [595.28, 841.89];
const MARGIN = 50;

/** Splits text into lines no wider than `width` (at spaces, or anywhere for a hash). */
function wrap(face: Face, text: string, size: number, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/(\s+)/)) {
    const candidate = line + word;
    if (face.width(candidate, size) <= width || line === '') {
      line = candidate;
    } else {
      lines.push(line.trimEnd());
      line = word.trimStart();
    }
    while (face.width(line, size) > width) {
      let cut = line.length - 1;
      while (cut > 1 && face.width(line.slice(0, cut), size) > width) cut -= 1;
      lines.push(line.slice(0, cut));
      line = line.slice(cut);
    }
  }
  if (line.trim() !== '') lines.push(line.trimEnd());
  return lines;
}

/** The biên bản's PDF as a job of the job worker (main/core/jobWorker.ts). */
export interface RecordPdfInput {
  manifest: Manifest;
  manifestSha256: string;
}

export async function recordPdf(manifest: Manifest, manifestSha256: string): Promise<Buffer> {
  const text = recordText(manifest, manifestSha256);
  const doc = await PDFDocument.create();
  doc.setTitle(`${text.title} – ${manifest.caseNumber}`);
  doc.setProducer(`${manifest.console.name} ${manifest.console.version}`);
  doc.setCreator(manifest.console.name);
  // a fixed date: the same export gives the same bytes
  doc.setCreationDate(new Date(manifest.createdUtc));
  doc.setModificationDate(new Date(manifest.createdUtc));
  const { regular, bold } = await notoFaces(doc);

  let page = doc.addPage(A4);
  let y = A4[1] - MARGIN;
  const contentWidth = A4[0] - 2 * MARGIN;
  const ensure = (height: number): void => {
    if (y - height >= MARGIN) return;
    page = doc.addPage(A4);
    y = A4[1] - MARGIN;
  };
  const paragraph = (line: string, options: { size?: number; face?: Face; center?: boolean; x?: number; width?: number; gap?: number } = {}): void => {
    const size = options.size ?? 10.5;
    const face = options.face ?? regular;
    const width = options.width ?? contentWidth;
    for (const part of wrap(face, line, size, width)) {
      ensure(size * 1.45);
      const x = options.center ? (options.x ?? MARGIN) + (width - face.width(part, size)) / 2 : (options.x ?? MARGIN);
      face.draw(page, part, x, y - size, size);
      y -= size * 1.45;
    }
    y -= options.gap ?? 3;
  };
  const table = (head: string[], rows: string[][], widths: number[], sizes: number[]): void => {
    const drawRow = (cells: string[], face: Face): void => {
      const lines = cells.map((cell, index) => wrap(face, cell, sizes[index] ?? 9, (widths[index] ?? 50) - 6));
      const height = Math.max(...lines.map((cellLines, index) => cellLines.length * (sizes[index] ?? 9) * 1.35)) + 6;
      ensure(height);
      let x = MARGIN;
      cells.forEach((_, index) => {
        const width = widths[index] ?? 50;
        const size = sizes[index] ?? 9;
        page.drawRectangle({ x, y: y - height, width, height, borderColor: rgb(0, 0, 0), borderWidth: 0.6 });
        (lines[index] ?? []).forEach((line, n) => face.draw(page, line, x + 3, y - 3 - size - n * size * 1.35, size));
        x += width;
      });
      y -= height;
    };
    drawRow(head, bold);
    for (const row of rows) drawRow(row, regular);
    y -= 8;
  };

  const half = contentWidth / 2;
  const topY = y;
  text.issuer.forEach((line, index) => paragraph(line, { face: index === text.issuer.length - 1 ? bold : regular, size: 10, center: true, width: half - 10, gap: 0 }));
  paragraph(text.number, { size: 10, center: true, width: half - 10 });
  const afterLeft = y;
  y = topY;
  paragraph('CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM', { face: bold, size: 10, center: true, x: MARGIN + half, width: half, gap: 0 });
  paragraph('Độc lập - Tự do - Hạnh phúc', { face: bold, size: 10, center: true, x: MARGIN + half, width: half });
  y = Math.min(y, afterLeft) - 14;
  paragraph(text.title, { face: bold, size: 14, center: true, gap: 10 });
  for (const line of text.intro) paragraph(line);
  y -= 4;
  paragraph('1. Camera và thời gian', { face: bold, size: 11 });
  table(['STT', 'Camera', 'Vị trí', 'Thời gian có dữ liệu'], text.cameraRows, [30, 150, 145, contentWidth - 325], [9, 9, 9, 9]);
  paragraph(`Khoảng không có dữ liệu trong thời gian yêu cầu: ${text.gapLines.length === 0 ? 'không có.' : ''}`, { face: bold, size: 10 });
  for (const line of text.gapLines) paragraph(`– ${line}`, { size: 9.5, x: MARGIN + 10, width: contentWidth - 10, gap: 0 });
  y -= 6;
  paragraph('2. Tệp dữ liệu bàn giao', { face: bold, size: 11 });
  table(['STT', 'Tệp', 'Dung lượng', 'SHA-256'], text.fileRows, [30, 190, 60, contentWidth - 280], [9, 8.5, 9, 7.5]);
  for (const line of text.closing.slice(0, -1)) paragraph(line, { size: 9.5 });
  // the signature block never stands alone on a page: it goes with the last paragraph
  const last = text.closing.at(-1) ?? '';
  ensure(wrap(regular, last, 9.5, contentWidth).length * 9.5 * 1.45 + 3 + 14 + 120);
  paragraph(last, { size: 9.5 });
  y -= 14;
  const signWidth = contentWidth / 3;
  const signTop = y;
  ['BÊN GIAO', 'BÊN NHẬN', 'LÃNH ĐẠO ĐƠN VỊ'].forEach((who, index) => {
    y = signTop;
    paragraph(who, { face: bold, size: 10.5, center: true, x: MARGIN + index * signWidth, width: signWidth, gap: 0 });
    paragraph('(Ký, ghi rõ họ tên)', { size: 9.5, center: true, x: MARGIN + index * signWidth, width: signWidth });
  });
  const pages = doc.getPages();
  pages.forEach((each, index) => {
    const label = `Trang ${index + 1}/${pages.length}`;
    regular.draw(each, label, (A4[0] - regular.width(label, 9)) / 2, MARGIN / 2, 9);
  });
  return Buffer.from(await doc.save({ useObjectStreams: false }));
}
