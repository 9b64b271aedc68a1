import { createHash, type Hash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Clock } from '../util/clock';
import { PART_SUFFIX } from '../util/recordingLayout';

/** Counts of fsync calls and the time spent in them (the benchmark prints these). */
export class DurabilityStats {
  fsyncs = 0;
  fsyncMs = 0;
  bytesWritten = 0;

  time<T>(clock: Clock, work: () => T): T {
    const started = clock.monotonic();
    try {
      return work();
    } finally {
      this.fsyncs += 1;
      this.fsyncMs += clock.monotonic() - started;
    }
  }

  /** Times an fsync run in libuv's thread pool (the event loop, and live video, go on). */
  async timeAsync(clock: Clock, work: () => Promise<void>): Promise<void> {
    const started = clock.monotonic();
    try {
      await work();
    } finally {
      this.fsyncs += 1;
      this.fsyncMs += clock.monotonic() - started;
    }
  }
}

function fdatasync(fd: number): Promise<void> {
  return new Promise((resolve, reject) => fs.fdatasync(fd, (error) => (error ? reject(error) : resolve())));
}

function fsync(fd: number): Promise<void> {
  return new Promise((resolve, reject) => fs.fsync(fd, (error) => (error ? reject(error) : resolve())));
}

export { PART_SUFFIX };

/** Packets are gathered and written in blocks of this size (or every few hundred ms). */
const WRITE_BLOCK_BYTES = 64 * 1024;

/** fsync a directory, so a file created or renamed in it survives a power cut. */
export function fsyncDirectory(dir: string, stats: DurabilityStats, clock: Clock): void {
  let fd: number | null = null;
  try {
    fd = fs.openSync(dir, 'r');
    const handle = fd;
    stats.time(clock, () => fs.fsyncSync(handle));
  } catch {
    // Windows cannot open a directory for fsync; NTFS journals the rename itself.
  } finally {
    if (fd !== null) fs.closeSync(fd);
  }
}

/**
 * One segment being written: `NAME.ts.part` while open, flushed to disk every few seconds so a
 * power cut loses only those seconds; on close: fsync the file, rename to `NAME.ts`, fsync the
 * directory. Only then may the index row be inserted.
 */
export class SegmentFile {
  readonly finalPath: string;
  readonly partPath: string;
  private fd: number | null;
  /** Bytes on disk (written, not necessarily flushed). */
  bytes = 0;
  /** SHA-256 of exactly the bytes written so far, fed as they go to disk (no second read). */
  private readonly hash: Hash | null;
  /** The file's SHA-256, set by finish(). */
  sha256: string | null = null;
  private pending: Buffer[] = [];
  private pendingBytes = 0;

  constructor(
    finalPath: string,
    private readonly stats: DurabilityStats,
    private readonly clock: Clock,
    options: { hash?: boolean } = {},
  ) {
    this.hash = options.hash === false ? null : createHash('sha256');
    this.finalPath = finalPath;
    this.partPath = finalPath + PART_SUFFIX;
    const dir = path.dirname(finalPath);
    const created = !fs.existsSync(dir);
    fs.mkdirSync(dir, { recursive: true });
    this.fd = fs.openSync(this.partPath, 'wx');
    // a new day's folder must itself survive a power cut
    if (created) fsyncDirectory(path.dirname(dir), stats, clock);
    fsyncDirectory(dir, stats, clock);
  }

  get open(): boolean {
    return this.fd !== null;
  }

  /**
   * Queues `data`, writing a block once enough has gathered: a few system calls a second instead
   * of one per packet burst. Throws (ENOSPC, EIO) from the block write; what was not written stays
   * queued for drain().
   */
  write(data: Buffer): void {
    if (this.fd === null) throw new Error('segment closed');
    this.pending.push(data);
    this.pendingBytes += data.length;
    if (this.pendingBytes >= WRITE_BLOCK_BYTES) this.drain();
  }

  /** Writes everything queued. On failure the unwritten rest stays queued and the error is thrown. */
  drain(): void {
    if (this.fd === null || this.pendingBytes === 0) return;
    const data = this.pending.length === 1 ? this.pending[0]! : Buffer.concat(this.pending, this.pendingBytes);
    this.pending = [];
    this.pendingBytes = 0;
    let offset = 0;
    try {
      while (offset < data.length) {
        const written = fs.writeSync(this.fd, data, offset, data.length - offset);
        this.hash?.update(data.subarray(offset, offset + written));
        offset += written;
        this.bytes += written;
        this.stats.bytesWritten += written;
      }
    } catch (error) {
      const rest = data.subarray(offset);
      this.pending = [rest];
      this.pendingBytes = rest.length;
      throw error;
    }
  }

  /** Pushes written data to the disk (the periodic flush), off the event loop. */
  async flush(): Promise<void> {
    const fd = this.fd;
    if (fd === null) return;
    try {
      this.drain();
    } catch {
      // reported by the recorder's next write
    }
    this.flushing += 1;
    try {
      await this.stats.timeAsync(this.clock, () => fdatasync(fd));
    } catch {
      // the next write or the close reports the problem
    } finally {
      this.flushing -= 1;
    }
  }

  private flushing = 0;

  /**
   * Stops writing, then in order: fsync, close, rename to the final name, fsync the directory.
   * Resolves once the segment is durable; only then may its index row be inserted.
   */
  /** True when the disk refused the last writes and the file was cut to what it holds. */
  cut = false;

  async finish(): Promise<void> {
    const fd = this.fd;
    if (fd === null) return;
    try {
      this.drain();
    } catch {
      // the disk is full: keep what is on disk, up to its last whole packet
      this.pending = [];
      this.pendingBytes = 0;
      const whole = this.bytes - (this.bytes % 188);
      fs.ftruncateSync(fd, whole);
      this.bytes = whole;
      this.cut = true;
    }
    this.fd = null;
    try {
      await this.stats.timeAsync(this.clock, () => fsync(fd));
    } finally {
      while (this.flushing > 0) await new Promise((resolve) => setImmediate(resolve));
      fs.closeSync(fd);
    }
    if (this.hash) {
      // cut to its last whole packet (a full disk): the rare case where the file is read back
      this.sha256 = this.cut ? createHash('sha256').update(fs.readFileSync(this.partPath)).digest('hex') : this.hash.digest('hex');
    }
    fs.renameSync(this.partPath, this.finalPath);
    fsyncDirectory(path.dirname(this.finalPath), this.stats, this.clock);
  }

  /** Drops a segment that holds nothing worth keeping. */
  discard(): void {
    this.pending = [];
    this.pendingBytes = 0;
    if (this.fd !== null) fs.closeSync(this.fd);
    this.fd = null;
    fs.rmSync(this.partPath, { force: true });
  }
}
