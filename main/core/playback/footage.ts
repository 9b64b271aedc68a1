import fs from 'node:fs';
import path from 'node:path';
import type { StreamKind } from '../../../common/site';
import type { RecordingIndex } from '../recording/recordingIndex';
import { DAY_FOLDER, OPEN_SEGMENT_NAME, PART_SUFFIX, segmentFilePath, streamFolder } from '../util/recordingLayout';
import { storedIndexOf, type SegmentScanCache, type StoredIndex } from './segmentScan';

/** One piece of recorded footage a tile can decode: a closed segment, or the one being written. */
export interface Footage {
  file: string;
  startMs: number;
  endMs: number;
  /** The segment being written now (its end grows): instant replay reads it. */
  open: boolean;
  /** The keyframe index the recorder stored with the row (a seek reads only from a keyframe); null: scan the file. */
  index: StoredIndex | null;
}

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
      .map((row) => ({ file: segmentFilePath(this.root, row.path), startMs: row.startMs, endMs: row.endMs, open: false, index: storedIndexOf(row) }));
    // the open segment is after the last indexed one: only look for it when the range reaches there
    const lastEndMs = this.index.lastSegment(cameraId, stream)?.endMs ?? 0;
    const open = toMs > lastEndMs ? this.openSegments(cameraId, stream) : [];
    for (const segment of open) {
      if (segment.endMs > fromMs && segment.startMs < toMs && !closed.some((other) => other.startMs === segment.startMs)) closed.push(segment);
    }
    return closed.sort((a, b) => a.startMs - b.startMs);
  }

  /** The footage containing `atMs`, else the first one after it (within `horizonMs`). */
  atOrAfter(cameraId: string, stream: StreamKind, atMs: number, horizonMs: number): Footage | null {
    return this.between(cameraId, stream, atMs, atMs + horizonMs).find((segment) => segment.endMs > atMs) ?? null;
  }

  /**
   * The `.part` segments on disk: the one being written, and the one before it while the recorder
   * closes it (fsync, rename, then its index row: for that moment it is in neither place, and a
   * replay playing in it would lose its footage and jump to the next segment).
   */
  private openSegments(cameraId: string, stream: StreamKind): Footage[] {
    const dir = streamFolder(this.root, cameraId, stream);
    let days: string[];
    try {
      days = fs.readdirSync(dir).filter((name) => DAY_FOLDER.test(name)).sort().slice(-2);
    } catch {
      return [];
    }
    const found: Footage[] = [];
    for (const day of days) {
      let names: string[];
      try {
        names = fs.readdirSync(path.join(dir, day)).filter((name) => name.endsWith(PART_SUFFIX)).sort();
      } catch {
        continue;
      }
      for (const name of names) {
        const match = OPEN_SEGMENT_NAME.exec(name);
        if (!match) continue;
        const file = path.join(dir, day, name);
        // (no row yet, so no stored keyframe index: its whole file is scanned, cached while it does not change)
        const scan = this.scans.get(file);
        if (!scan) continue;
        const startMs = Number(match[1]);
        // (whole ms, as the index's: the contract's times are integers)
        found.push({ file, startMs, endMs: Math.ceil(startMs + scan.frames.at(-1)!.atMs + scan.frameIntervalMs), open: true, index: null });
      }
    }
    return found;
  }
}
