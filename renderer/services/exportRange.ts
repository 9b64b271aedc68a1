import type { CameraSummary } from '../../common/contract';
import type { Bookmark } from '../../common/playbackContract';

/**
 * What the export page is opened with from elsewhere (playback, a bookmark, a point on the map),
 * and the pure rules that choose its cameras and time range. No DOM, no store: unit-tested in
 * tests/unit/exportEntry.test.ts. The hand-over itself is `openExport` (exportDraft.ts).
 */

const MINUTE_MS = 60_000;
/** A moment (a bookmark without an end, the playback clock) is exported a minute either side. */
export const MOMENT_MARGIN_MS = MINUTE_MS;
/** The playback timeline's visible window is taken as the range only up to this span. */
export const MAX_WINDOW_MS = 30 * MINUTE_MS;
/** Radius of an incident picked on the map, before the clerk changes it. */
export const DEFAULT_INCIDENT_RADIUS_M = 500;

export interface TimeRangeMs {
  startMs: number;
  endMs: number;
}

/** Where a draft came from: said on the export page so the clerk knows what was filled in. */
export type DraftOrigin = { kind: 'playback'; rule: PlaybackRangeRule } | { kind: 'bookmark'; title: string } | { kind: 'map' };

export interface ExportDraft extends TimeRangeMs {
  origin: DraftOrigin;
  /** The cameras to tick (replaced by the cameras near `point` when `point.selectNearby`). */
  cameraIds: string[];
  /** Put in "Lý do trích xuất" only when the clerk has not typed one. */
  reason?: string;
  /** The incident point: `use` ticks the incident block, `selectNearby` asks the core for the cameras within the radius. */
  point?: { latitude: number; longitude: number; radiusM?: number; use: boolean; selectNearby: boolean };
}

/** The export page's own default: from 15 to 5 minutes ago (the last minutes may still be in an open segment). */
export function defaultExportRange(nowMs: number): TimeRangeMs {
  return { startMs: nowMs - 15 * MINUTE_MS, endMs: nowMs - 5 * MINUTE_MS };
}

export function momentRange(atMs: number): TimeRangeMs {
  return { startMs: atMs - MOMENT_MARGIN_MS, endMs: atMs + MOMENT_MARGIN_MS };
}

/** A bookmark's range, or a minute either side of a bookmarked moment. */
export function bookmarkRange(bookmark: Pick<Bookmark, 'startMs' | 'endMs'>): TimeRangeMs {
  return bookmark.endMs > bookmark.startMs ? { startMs: bookmark.startMs, endMs: bookmark.endMs } : momentRange(bookmark.startMs);
}

/** Export the bookmark: its cameras and range, its title as the reason, its first camera's position as the point. */
export function draftFromBookmark(bookmark: Bookmark, cameras: readonly CameraSummary[]): ExportDraft {
  const first = cameras.find((camera) => camera.id === bookmark.cameraIds[0]);
  const located = first?.latitude != null && first.longitude != null;
  return {
    origin: { kind: 'bookmark', title: bookmark.title },
    cameraIds: [...bookmark.cameraIds],
    ...bookmarkRange(bookmark),
    reason: bookmark.title,
    ...(located ? { point: { latitude: first.latitude!, longitude: first.longitude!, use: false, selectNearby: false } } : {}),
  };
}

export type PlaybackRangeRule = 'marked' | 'window' | 'moment';

/**
 * "Trích xuất đoạn này" on the playback page: the range marked on the timeline (Shift + drag)
 * when there is one; else what the officer has zoomed to: the visible window when it spans 30
 * minutes or less, else a minute either side of the clock (the centre of the window when there
 * is no clock yet). Whole seconds outward (the typed times have seconds), and never past now.
 */
export function playbackExportRange(
  view: { fromMs: number; toMs: number },
  positionMs: number | null,
  nowMs: number,
  marked: TimeRangeMs | null = null,
): TimeRangeMs & { rule: PlaybackRangeRule } {
  const span = view.toMs - view.fromMs;
  const rule: PlaybackRangeRule = marked && marked.endMs > marked.startMs ? 'marked' : span > 0 && span <= MAX_WINDOW_MS ? 'window' : 'moment';
  const range = rule === 'marked' ? marked! : rule === 'window' ? { startMs: view.fromMs, endMs: view.toMs } : momentRange(positionMs ?? view.fromMs + span / 2);
  let startMs = Math.floor(range.startMs / 1000) * 1000;
  const endMs = Math.min(Math.ceil(range.endMs / 1000) * 1000, nowMs);
  if (endMs <= startMs) startMs = endMs - MOMENT_MARGIN_MS;
  return { startMs, endMs, rule };
}
