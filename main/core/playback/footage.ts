import fs from 'node:fs';
import path from 'node:path';
import type { StreamKind } from '../../../common/site';
import type { RecordingIndex } from '../recording/recordingIndex';
import { PART_SUFFIX } from '../recording/segmentFile';
import type { SegmentScanCache } from './segmentScan';

/** One piece of recorded footage a tile can decode: a closed segment, or the one being written. */
export interface Footage {
  file: string;
  startMs: number;
  endMs: number;
  /** The segment being written now (its end grows): instant replay reads it. */
  open: boolean;
}

const OPEN_NAME = /_(\d{10,16})\.ts\.part$/;

/**
 * Where a camera's footage is: the recording index (closed segments) plus the open `.part`
 * segment the recorder is writing (its start is in its name, its end is its last frame), so
 * instant replay can show the last 30 s although they are not indexed yet.
 */
export class FootageFinder {
  constructor(
    private readonly index: Pick<RecordingIndex, 'segments' | 'lastSegment'>,
    private readonly root: string,
    private readonly scans: SegmentScanCache,
  ) {}

  between(cameraId: string, stream: StreamKind, fromMs: number, toMs: number): Footage[] {
    const closed: Footage[] = this.index
      .segments(cameraId, stream, fromMs, toMs)
      .map((row) => ({ file: path.join(this.root, ...row.path.split('/')), startMs: row.startMs, endMs: row.endMs, open: false }));
    // the open segment is after the last indexed one: only look for it when the range reaches there
    const lastEndMs = this.index.lastSegment(cameraId, stream)?.endMs ?? 0;
    const open = toMs > lastEndMs ? this.openSegment(cameraId, stream) : null;
    if (open && open.endMs > fromMs && open.startMs < toMs && !closed.some((segment) => segment.startMs === open.startMs)) closed.push(open);
    return closed.sort((a, b) => a.startMs - b.startMs);
  }

  /** The footage containing `atMs`, else the first one after it (within `horizonMs`). */
  atOrAfter(cameraId: string, stream: StreamKind, atMs: number, horizonMs: number): Footage | null {
    return this.between(cameraId, stream, atMs, atMs + horizonMs).find((segment) => segment.endMs > atMs) ?? null;
  }

  private openSegment(cameraId: string, stream: StreamKind): Footage | null {
    const dir = path.join(this.root, cameraId, stream);
    let days: string[];
    try {
      days = fs.readdirSync(dir).filter((name) => /^\d{4}-\d{2}-\d{2}$/.test(name)).sort().slice(-2).reverse();
    } catch {
      return null;
    }
    for (const day of days) {
      let names: string[];
      try {
        names = fs.readdirSync(path.join(dir, day)).filter((name) => name.endsWith(PART_SUFFIX)).sort();
      } catch {
        continue;
      }
      const name = names.at(-1);
      const match = name ? OPEN_NAME.exec(name) : null;
      if (!name || !match) continue;
      const file = path.join(dir, day, name);
      const scan = this.scans.get(file);
      if (!scan) return null;
      const startMs = Number(match[1]);
      return { file, startMs, endMs: startMs + scan.frames.at(-1)!.atMs + scan.frameIntervalMs, open: true };
    }
    return null;
  }
}
