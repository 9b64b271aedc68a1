import fs from 'node:fs';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import type { ExportJob, ExportLogEntry } from '../../../common/exportContract';
import { DEFAULT_TIME_ZONE } from '../../../common/site';
import { formatFileStamp } from '../../../common/time';
import type { SegmentRow } from '../recording/recordingIndex';
import { zoneOffsetMs } from '../../../common/time';
import { checkChain, checkSegment, type FootageFinding } from '../recording/verify';
import { burnInArgs, concatUrl, cutArgs, cutPart, moovReserveBytes } from './cutter';
import { fsyncDir, isFaststart, sha256, sha256File, TEMP_SUFFIX, writeDurable } from './durable';
import { flushWhileWritten, fsyncFileAsync } from '../util/durableFile';
import { maxFileBytesOf } from './drives';
import { distanceM } from './geo';
import { cameraClockOf, localIso, sha256sums, timeRange, utcIso, type Manifest, type ManifestCamera, type ManifestFile, type ManifestSource } from './manifest';
import { PUBLIC_KEY_FILE, SIGNATURE_FILE, type ManifestReadBack } from './manifest';
import { sha256FromMedium, weakestMethod, type ReadBackMethod } from './mediumRead';
import { destinationAllowed } from './destinationPolicy';
import type { StationKey } from './stationKey';
import type { PartPlan } from './plan';
import { recordHtml, recordPdf, type RecordPdfInput } from './record';
import { inWorkerOrHere } from '../util/workerJobs';
import { plainText, safeName } from './safeName';
import { ExportFailure, failureOf, type CameraSelection, type ExportEnv, type ParsedRequest } from './env';
import { planExportAsync, SPARE_BYTES } from './selection';
import { playerHtml } from './player';

const PROGRESS_PERIOD_MS = 250;

interface PlannedFile {
  name: string;
  part: PartPlan;
  cameraId: string;
  partNumber: number;
  parts: number;
}

/**
 * One export to one target folder: cut (ffmpeg stream copy, MP4 with faststart) into a folder
 * named `….dang-ghi`, each file under a temporary name, fsynced, renamed; every file read back
 * from the target and hashed; the manifest, SHA256SUMS, the record (HTML, PDF) and the player;
 * the folder renamed to its final name only when everything checked. On any fault the folder is
 * removed (or, if the stick is gone, never got its final name) and the job can simply be run again.
 */
export class ExportJobRunner {
  readonly id = randomUUID();
  private readonly abort = new AbortController();
  readonly status: ExportJob;
  private lastEmitMs = 0;
  private startedMono = 0;
  private targetDevice: number | null = null;
  private tempFolder: string | null = null;
  manifestSha256: string | null = null;
  private writtenFiles: ManifestFile[] = [];
  /** Source segments found altered before cutting (the export was refused; the feature audits them). */
  altered: FootageFinding[] = [];
  /** Index rows of the source segments, by path (for the manifest's provenance). */
  private sources = new Map<string, SegmentRow>();
  /** How the read-back read each file (issue 17 item 6), for the manifest, the record and the audit row. */
  private readBackMethods: ReadBackMethod[] = [];
  private readBackNote: string | null = null;
  /** Each clip's SHA-256 as ffmpeg wrote it (read from the page cache before the fsync): what the read-back must find on the medium. */
  private readonly writtenSha = new Map<string, string>();

  /** The read-back of this job: the weakest method any file was read with. */
  readBack(): ManifestReadBack | null {
    return this.readBackMethods.length > 0 ? { method: weakestMethod(this.readBackMethods), note: this.readBackNote } : null;
  }

  /** SHA-256 of a file as the target holds it (O_DIRECT, else its cached pages dropped), noted. */
  private async readBackHash(file: string, onBytes?: (bytes: number) => void): Promise<string> {
    const result = await sha256FromMedium(file, onBytes, this.abort.signal, { forbidDirect: this.env.readBackFromCache === true });
    if (result.method !== 'direct' && this.readBackNote === null) {
      this.readBackNote = result.note;
      this.env.log.warn('export: read-back not from the medium alone', { method: result.method, note: result.note });
    }
    this.readBackMethods.push(result.method);
    return result.sha256;
  }

  /** Each copied file's SHA-256 (read back), for the audit trail. */
  fileHashes(): { name: string; sha256: string }[] {
    return this.writtenFiles.filter((file) => file.sha256).map((file) => ({ name: file.name, sha256: file.sha256 }));
  }
  private copyBytes = 0;
  /** Bytes of the video files on the medium (the biên bản's and the log's total; documents not counted). */
  private writtenBytes = 0;

  constructor(
    private readonly env: ExportEnv,
    readonly request: ParsedRequest,
    private readonly options: { verify: boolean; onStatus: (status: ExportJob) => void; removable: boolean },
  ) {
    const now = env.clock.now();
    this.status = {
      jobId: this.id,
      state: 'preparing',
      cameraIds: request.cameraIds,
      startMs: request.startMs,
      endMs: request.endMs,
      caseNumber: plainText(request.caseNumber, 100),
      destination: request.destination,
      folder: null,
      removable: options.removable,
      totalBytes: 0,
      doneBytes: 0,
      bytesPerSecond: 0,
      remainingMs: null,
      currentFile: null,
      files: 0,
      split: false,
      error: null,
      errorDetail: null,
      startedAtMs: now,
      finishedAtMs: null,
    };
  }

  cancel(): void {
    this.abort.abort();
  }

  get finished(): boolean {
    return this.status.finishedAtMs !== null;
  }

  private update(change: Partial<ExportJob>, force = false): void {
    Object.assign(this.status, change);
    const now = this.env.clock.monotonic();
    const elapsedS = (now - this.startedMono) / 1000;
    if (elapsedS > 0.5 && this.status.doneBytes > 0) {
      this.status.bytesPerSecond = Math.round(this.status.doneBytes / elapsedS);
      this.status.remainingMs = Math.round(((this.status.totalBytes - this.status.doneBytes) / this.status.bytesPerSecond) * 1000);
    }
    if (force || now - this.lastEmitMs >= PROGRESS_PERIOD_MS) {
      this.lastEmitMs = now;
      this.options.onStatus({ ...this.status });
    }
  }

  private checkCancelled(): void {
    if (this.abort.signal.aborted) throw new ExportFailure('cancelled', 'cancelled by the user');
  }

  /** The stick is still the one we started on (a pulled stick leaves the bare mount point). */
  private checkTarget(): void {
    let device: number;
    try {
      device = fs.statSync(this.request.destination).dev;
    } catch (error) {
      throw failureOf(error);
    }
    if (this.targetDevice !== null && device !== this.targetDevice) throw new ExportFailure('targetGone', 'the target drive changed');
    if (this.tempFolder && !fs.existsSync(this.tempFolder)) throw new ExportFailure('targetGone', 'the export folder vanished');
  }

  async run(): Promise<ExportJob> {
    this.startedMono = this.env.clock.monotonic();
    let release: (() => void) | null = null;
    try {
      const { destination } = this.request;
      if (!path.isAbsolute(destination)) throw new ExportFailure('badDestination', 'not an absolute path');
      let stat: fs.Stats;
      try {
        stat = fs.statSync(destination);
      } catch (error) {
        throw new ExportFailure('badDestination', (error as Error).message);
      }
      if (!stat.isDirectory()) throw new ExportFailure('badDestination', 'not a folder');
      // only to a removable drive, or a folder the administrator listed (issue 17 item 8)
      if (!destinationAllowed(destination, this.options.removable, this.env.site.export?.allowedFolders)) {
        throw new ExportFailure('destinationNotAllowed', `${destination} is not a removable drive nor in export.allowedFolders`);
      }
      this.targetDevice = stat.dev;
      try {
        fs.accessSync(destination, fs.constants.W_OK);
      } catch (error) {
        throw failureOf(error, 'readOnly');
      }
      if (!this.env.ffmpeg) throw new ExportFailure('ffmpegMissing', 'no ffmpeg');
      if (this.request.burnIn && !this.env.burnIn) throw new ExportFailure('burnInUnavailable', 'no H.264 encoder, drawtext or font');
      let stationKey: StationKey | null = null;
      try {
        stationKey = this.env.stationKey?.() ?? null;
      } catch (error) {
        throw new ExportFailure('signingKey', (error as Error).message);
      }
      const maxFileBytes = this.request.maxFileBytes ?? maxFileBytesOf(destination);
      // pinned before the first await: retention cannot take a file between the plan and the cut
      release = this.env.pin(
        this.request.cameraIds.flatMap((cameraId) => (['main', 'sub'] as const).flatMap((stream) => this.env.index.segments(cameraId, stream, this.request.startMs, this.request.endMs).map((segment) => segment.path))),
      );
      const selections = await planExportAsync(this.env, this.request, maxFileBytes);
      const copyBytes = selections.reduce((sum, selection) => sum + selection.plan.bytes, 0);
      if (copyBytes === 0) throw new ExportFailure('noFootage', 'no recorded segment in the range');
      // provenance (issue 17): every source segment re-hashed against its row before any cut
      await this.checkSources(selections);
      this.copyBytes = copyBytes;
      const stats = fs.statfsSync(destination);
      const freeBytes = stats.bavail * stats.bsize;
      if (copyBytes + SPARE_BYTES > freeBytes) throw new ExportFailure('notEnoughSpace', `${copyBytes} bytes needed, ${freeBytes} free`);

      const files = this.nameFiles(selections);
      const createdMs = this.env.clock.now();
      const timeZone = this.env.site.timeZone ?? DEFAULT_TIME_ZONE;
      const folderName = this.uniqueFolder(destination, `TrichXuat_${formatFileStamp(createdMs, timeZone)}_${safeName(this.request.caseNumber, 'khong-so-ho-so', 40)}`);
      this.tempFolder = path.join(destination, `${folderName}.dang-ghi`);
      fs.rmSync(this.tempFolder, { recursive: true, force: true });
      try {
        fs.mkdirSync(this.tempFolder);
      } catch (error) {
        throw failureOf(error);
      }
      const passes = 1 + (this.request.burnIn ? 1 : 0) + (this.options.verify ? 1 : 0);
      this.update({ state: 'copying', totalBytes: copyBytes * passes, split: files.some((file) => file.parts > 1), folder: path.join(destination, folderName) }, true);

      // 1. the clips
      const written: ManifestFile[] = [];
      let copiedBefore = 0;
      const psiDir = fs.mkdtempSync(path.join(this.env.dataDir, 'export-'));
      try {
        for (const file of files) {
          this.checkCancelled();
          this.checkTarget();
          this.update({ currentFile: file.name }, true);
          const bytes = await this.cutFile(file, file.name, psiDir, maxFileBytes, null, (share) => this.update({ doneBytes: copiedBefore + Math.round(share * file.part.bytes) }));
          copiedBefore += file.part.bytes;
          written.push({ name: file.name, cameraId: file.cameraId, part: file.partNumber, parts: file.parts, burnedIn: false, bytes, sha256: '', ...timeRange(file.part.startMs, file.part.endMs, timeZone), sources: this.sourcesOf(file.part, timeZone) });
          if (this.request.burnIn) {
            const name = file.name.replace(/\.mp4$/, '_co-chu.mp4');
            this.update({ currentFile: name }, true);
            const burned = await this.cutFile(file, name, psiDir, maxFileBytes, timeZone, (share) => this.update({ doneBytes: copiedBefore + Math.round(share * file.part.bytes) }));
            copiedBefore += file.part.bytes;
            written.push({ name, cameraId: file.cameraId, part: file.partNumber, parts: file.parts, burnedIn: true, bytes: burned, sha256: '', ...timeRange(file.part.startMs, file.part.endMs, timeZone), sources: this.sourcesOf(file.part, timeZone) });
          }
          this.update({ doneBytes: copiedBefore, files: written.length });
        }
      } finally {
        fs.rmSync(psiDir, { recursive: true, force: true });
      }

      // 2. read every clip back from the target
      this.update({ state: 'verifying' }, true);
      let verified = copiedBefore;
      for (const file of written) {
        this.checkCancelled();
        this.checkTarget();
        this.update({ currentFile: file.name }, true);
        const target = path.join(this.tempFolder, file.name);
        if (!this.options.verify) {
          // bench only: the cut alone, without the read-back (the manifest then carries no hash)
          file.sha256 = 'not-checked';
          continue;
        }
        try {
          file.sha256 = await this.readBackHash(target, (bytes) => this.options.verify && this.update({ doneBytes: Math.min(this.status.totalBytes, (verified += (bytes * copyBytes) / Math.max(1, totalOf(written)))) }));
        } catch (error) {
          throw failureOf(error, 'verifyFailed');
        }
        const writtenSha = this.writtenSha.get(file.name);
        if (writtenSha !== undefined && writtenSha !== file.sha256) throw new ExportFailure('verifyFailed', `${file.name}: the medium holds other bytes than were written`);
        if (!isFaststart(target)) throw new ExportFailure('verifyFailed', `${file.name}: moov not in front`);
      }

      // 3. the manifest, the record, the player, SHA256SUMS: written, then read back and compared
      this.writtenBytes = totalOf(written);
      this.writtenFiles = written;
      const manifest = this.manifest(selections, written, createdMs, timeZone, maxFileBytes);
      if (stationKey) manifest.signature = { algorithm: 'Ed25519', signatureFile: SIGNATURE_FILE, publicKeyFile: PUBLIC_KEY_FILE, publicKeyFingerprint: stationKey.fingerprint };
      const readBack = this.readBack();
      if (readBack) manifest.readBack = readBack;
      const manifestText = `${JSON.stringify(manifest, null, 2)}\n`;
      this.manifestSha256 = sha256(manifestText);
      const documents: { name: string; data: Buffer }[] = [{ name: 'manifest.json', data: Buffer.from(manifestText) }];
      const signature = stationKey ? stationKey.sign(Buffer.from(manifestText)) : null;
      if (stationKey && signature) {
        documents.push({ name: SIGNATURE_FILE, data: signature });
        documents.push({ name: PUBLIC_KEY_FILE, data: Buffer.from(stationKey.publicPem) });
      }
      documents.push({ name: 'bien-ban-ban-giao.html', data: Buffer.from(recordHtml(manifest, this.manifestSha256)) });
      documents.push({ name: 'bien-ban-ban-giao.pdf', data: await inWorkerOrHere<RecordPdfInput>(this.env.jobs, 'recordPdf', { manifest, manifestSha256: this.manifestSha256 }, (input) => recordPdf(input.manifest, input.manifestSha256)) });
      const otherFiles = documents.map((document) => ({ name: document.name, sha256: sha256(document.data) }));
      documents.push({ name: 'index.html', data: Buffer.from(playerHtml(manifest, otherFiles, stationKey && signature ? { manifestText, signature: signature.toString('base64'), publicKeyPem: stationKey.publicPem } : null)) });
      documents.push({ name: 'SHA256SUMS', data: Buffer.from(sha256sums([...written, ...documents.map((document) => ({ name: document.name, sha256: sha256(document.data) }))])) });
      for (const document of documents) {
        this.checkCancelled();
        this.checkTarget();
        const target = path.join(this.tempFolder, document.name);
        try {
          writeDurable(target, document.data);
        } catch (error) {
          throw failureOf(error);
        }
        let readBackSha: string;
        try {
          readBackSha = await this.readBackHash(target);
        } catch (error) {
          throw failureOf(error, 'verifyFailed');
        }
        if (readBackSha !== sha256(document.data)) throw new ExportFailure('verifyFailed', `${document.name} differs after writing`);
      }

      // 4. the final name, only now
      this.checkCancelled();
      this.checkTarget();
      const finalFolder = path.join(destination, folderName);
      try {
        fs.renameSync(this.tempFolder, finalFolder);
        fsyncDir(destination);
      } catch (error) {
        throw failureOf(error);
      }
      this.tempFolder = null;
      this.update({ state: 'done', doneBytes: this.status.totalBytes, remainingMs: 0, currentFile: null, folder: finalFolder, finishedAtMs: this.env.clock.now() }, true);
    } catch (error) {
      const failure = this.abort.signal.aborted ? new ExportFailure('cancelled', 'cancelled by the user') : failureOf(error);
      this.cleanUp();
      this.env.log.warn('export failed', { code: failure.code, detail: failure.message });
      this.update(
        { state: failure.code === 'cancelled' ? 'cancelled' : 'failed', error: failure.code, errorDetail: failure.message.slice(0, 500), currentFile: null, remainingMs: null, finishedAtMs: this.env.clock.now() },
        true,
      );
    } finally {
      release?.();
    }
    return { ...this.status };
  }

  /**
   * Re-hashes every segment the plan reads and checks it against its index row, and the rows
   * against their chain: a file changed since it was recorded (or a row edited) refuses the
   * export, naming the camera and the time range in Vietnamese (errorDetail).
   */
  private async checkSources(selections: readonly CameraSelection[]): Promise<void> {
    const timeZone = this.env.site.timeZone ?? DEFAULT_TIME_ZONE;
    for (const selection of selections) {
      const used = new Set(selection.plan.runs.flat().flatMap((part) => part.pieces.map((piece) => piece.path)));
      const rows = this.env.index.segments(selection.cameraId, selection.stream, this.request.startMs, this.request.endMs).filter((row) => used.has(row.path));
      const findings = checkChain(this.env.index, selection.cameraId, selection.stream, rows, false);
      for (const row of rows) {
        this.checkCancelled();
        this.sources.set(row.path, row);
        const finding = await checkSegment(this.env.recordingsRoot, row);
        if (finding) findings.push(finding);
      }
      if (findings.length === 0) continue;
      this.altered.push(...findings);
      const name = selection.camera?.name ?? selection.cameraId;
      const ranges = findings
        .slice(0, 3)
        .map((finding) => `${finding.startMs === null ? '…' : localIso(finding.startMs, timeZone).slice(0, 19).replace('T', ' ')} – ${finding.endMs === null ? '…' : localIso(finding.endMs, timeZone).slice(11, 19)}`)
        .join('; ');
      throw new ExportFailure(
        'footageAltered',
        `Camera "${name}" (${selection.cameraId}): dữ liệu ghi ${ranges} không còn khớp với mã SHA-256 lúc ghi (${findings.length} đoạn). Không trích xuất. Báo cán bộ kỹ thuật và chạy kiểm tra toàn vẹn ở trang Lưu trữ.`,
      );
    }
  }

  /** The source segments of one clip, with their hash and chain position (manifest.json). */
  private sourcesOf(part: PartPlan, timeZone: string): ManifestSource[] {
    const seen = new Set<string>();
    const out: ManifestSource[] = [];
    for (const piece of part.pieces) {
      if (seen.has(piece.path)) continue;
      seen.add(piece.path);
      const row = this.sources.get(piece.path) ?? this.env.index.segmentByPath(piece.path);
      if (!row) continue;
      out.push({
        file: piece.path,
        cameraId: row.cameraId,
        stream: row.stream,
        ...timeRange(row.startMs, row.endMs, timeZone),
        bytes: row.bytes,
        sha256: row.sha256,
        chainSeq: row.chainSeq,
        prevHash: row.prevHash,
        rowHash: row.rowHash,
        recovered: row.recovered,
        recoveredRange: row.recoveredRange,
      });
    }
    return out;
  }

  /** Removes the unfinished folder, but only while it is still on the drive we started on. */
  private cleanUp(): void {
    const folder = this.tempFolder;
    if (!folder) return;
    try {
      if (fs.statSync(this.request.destination).dev !== this.targetDevice) return;
      fs.rmSync(folder, { recursive: true, force: true });
      fsyncDir(this.request.destination);
    } catch (error) {
      this.env.log.warn('could not remove the unfinished export folder', { error });
    }
  }

  private uniqueFolder(destination: string, base: string): string {
    let name = base;
    for (let n = 2; fs.existsSync(path.join(destination, name)); n++) name = `${base}_${n}`;
    return name;
  }

  private nameFiles(selections: CameraSelection[]): PlannedFile[] {
    const timeZone = this.env.site.timeZone ?? DEFAULT_TIME_ZONE;
    const files: PlannedFile[] = [];
    for (const selection of selections) {
      const cameraName = safeName(selection.camera?.name ?? '', 'camera', 40);
      for (const run of selection.plan.runs) {
        run.forEach((part, index) => {
          const stem = `${selection.cameraId}_${cameraName}_${formatFileStamp(run[0]!.startMs, timeZone)}`;
          files.push({ name: run.length > 1 ? `${stem}_phan${index + 1}.mp4` : `${stem}.mp4`, part, cameraId: selection.cameraId, partNumber: index + 1, parts: run.length });
        });
      }
    }
    return files;
  }

  /** One MP4 of a planned file: the stream copy, or (with `burnInZone`) the captioned copy. */
  private async cutFile(file: PlannedFile, name: string, psiDir: string, maxFileBytes: number | null, burnInZone: string | null, onShare: (share: number) => void): Promise<number> {
    const folder = this.tempFolder!;
    const target = path.join(folder, name);
    const temporary = target + TEMP_SUFFIX;
    let psiFile: string | null = null;
    if (file.part.psi && file.part.psi.length > 0) {
      psiFile = path.join(psiDir, `${files(psiDir)}.ts`);
      fs.writeFileSync(psiFile, file.part.psi);
    }
    const input = concatUrl(file.part, this.env.recordingsRoot, psiFile);
    const durationMs = file.part.endMs - file.part.startMs;
    const stamp = { startUtcMs: file.part.startMs };
    let args = cutArgs(input, temporary, (this.env.moovReserveBytes ?? moovReserveBytes)(durationMs), stamp);
    if (burnInZone !== null && this.env.burnIn) {
      const nameFile = path.join(psiDir, `${files(psiDir)}.txt`);
      const camera = this.env.site.cameras.find((candidate) => candidate.id === file.cameraId);
      fs.writeFileSync(nameFile, plainText(camera?.name ?? file.cameraId, 120));
      const startLocalS = (file.part.startMs + zoneOffsetMs(burnInZone, file.part.startMs)) / 1000;
      args = burnInArgs(input, temporary, { ...this.env.burnIn, nameFile, startLocalS, ...stamp });
    }
    // the clip goes to the stick while ffmpeg writes it (a slow stick's write overlaps the cut)
    const cut = async (cutArguments: string[]): Promise<Awaited<ReturnType<typeof cutPart>>> => {
      const writeback = flushWhileWritten(temporary);
      try {
        return await cutPart(this.env.ffmpeg!, cutArguments, durationMs, onShare, this.abort.signal);
      } finally {
        await writeback.stop();
      }
    };
    let result = await cut(args);
    this.checkCancelled();
    if (!result.ok && /reserved_moov_size is too small/.test(result.stderrTail)) {
      // more samples than the estimate: the moov is moved to the front afterwards instead
      this.env.log.info('export: reserved moov space too small, cutting again with faststart', { name });
      fs.rmSync(temporary, { force: true });
      result = await cut(cutArgs(input, temporary, null, stamp));
      this.checkCancelled();
    }
    if (!result.ok) {
      // the stick's own error beats ffmpeg's words for it
      this.checkTarget();
      try {
        const stats = fs.statfsSync(this.request.destination);
        if (stats.bavail * stats.bsize < 1024 * 1024) throw new ExportFailure('notEnoughSpace', result.stderrTail.slice(-300));
      } catch (error) {
        if (error instanceof ExportFailure) throw error;
      }
      if (/No space left/i.test(result.stderrTail)) throw new ExportFailure('notEnoughSpace', result.stderrTail.slice(-300));
      if (/Read-only/i.test(result.stderrTail)) throw new ExportFailure('readOnly', result.stderrTail.slice(-300));
      throw new ExportFailure('cutFailed', result.stderrTail.slice(-300));
    }
    let bytes: number;
    if (this.options.verify) {
      // what was written, while it is still in memory: the read-back from the medium is compared with it
      try {
        this.writtenSha.set(name, await sha256File(temporary, undefined, this.abort.signal));
      } catch (error) {
        throw failureOf(error);
      }
    }
    try {
      // in the thread pool: a slow stick's last seconds do not stop live video
      await fsyncFileAsync(temporary);
      bytes = fs.statSync(temporary).size;
      if (maxFileBytes !== null && bytes > maxFileBytes) throw new ExportFailure('writeFailed', `${name} is ${bytes} bytes, over the ${maxFileBytes} limit`);
      fs.renameSync(temporary, target);
      fsyncDir(folder);
    } catch (error) {
      throw failureOf(error);
    }
    return bytes;
  }

  private manifest(selections: CameraSelection[], written: ManifestFile[], createdMs: number, timeZone: string, maxFileBytes: number | null): Manifest {
    const request = this.request;
    const cameras: ManifestCamera[] = selections.map((selection) => {
      const parts = selection.plan.runs.flat();
      const camera = selection.camera;
      return {
        id: selection.cameraId,
        name: camera ? plainText(camera.name, 120) : `${selection.cameraId} (đã xóa khỏi cấu hình)`,
        village: camera?.village ?? null,
        latitude: camera?.latitude ?? null,
        longitude: camera?.longitude ?? null,
        distanceM:
          request.incident && camera?.latitude !== undefined && camera.longitude !== undefined
            ? Math.round(distanceM(request.incident, { latitude: camera.latitude, longitude: camera.longitude }))
            : null,
        stream: selection.stream,
        actual: parts.length > 0 ? timeRange(parts[0]!.startMs, parts.at(-1)!.endMs, timeZone) : null,
        leadInMs: parts.length > 0 && parts[0]!.startMs <= request.startMs ? Math.ceil(request.startMs - parts[0]!.startMs) : null,
        tailMs: parts.length > 0 && parts.at(-1)!.endMs >= request.endMs ? Math.ceil(parts.at(-1)!.endMs - request.endMs) : null,
        gaps: selection.plan.gaps.map((gap) => ({ ...timeRange(gap.startMs, gap.endMs, timeZone), reason: gap.reason })),
        files: written.filter((file) => file.cameraId === selection.cameraId).map((file) => file.name),
        cameraClock: cameraClockOf(this.env.cameraClock?.(selection.cameraId) ?? null, timeZone),
      };
    });
    return {
      format: 'commune-console-export/1',
      exportId: this.id,
      console: { name: 'Giám sát camera', version: this.env.version },
      station: plainText(this.env.site.name, 200),
      agency: this.env.site.agency ? { name: plainText(this.env.site.agency.name, 200), parent: this.env.site.agency.parent ? plainText(this.env.site.agency.parent, 200) : null } : null,
      timeZone,
      createdUtc: utcIso(createdMs),
      createdLocal: localIso(createdMs, timeZone),
      caseNumber: plainText(request.caseNumber, 100),
      officer: plainText(request.officer, 120),
      reason: plainText(request.reason, 500),
      operator: plainText(request.operator, 120),
      ...(this.env.auditHead ? { auditHead: this.env.auditHead() } : {}),
      requested: timeRange(request.startMs, request.endMs, timeZone),
      incident: request.incident,
      maxFileBytes,
      cameras,
      files: written,
    };
  }

  logEntry(): ExportLogEntry {
    return {
      jobId: this.id,
      atMs: this.status.startedAtMs,
      operator: plainText(this.request.operator, 120),
      officer: plainText(this.request.officer, 120),
      caseNumber: plainText(this.request.caseNumber, 100),
      reason: plainText(this.request.reason, 500),
      cameraIds: this.request.cameraIds,
      startMs: this.request.startMs,
      endMs: this.request.endMs,
      destination: this.request.destination,
      folder: this.status.state === 'done' ? this.status.folder : null,
      state: this.status.state,
      error: this.status.error,
      // the video files written (as the biên bản and the player state them), not the recorded bytes planned
      bytes: this.status.state === 'done' ? this.writtenBytes : 0,
      files: this.status.files,
      manifestSha256: this.status.state === 'done' ? this.manifestSha256 : null,
    };
  }
}

function totalOf(files: readonly ManifestFile[]): number {
  return files.reduce((sum, file) => sum + file.bytes, 0);
}

function files(dir: string): number {
  return fs.readdirSync(dir).length;
}
