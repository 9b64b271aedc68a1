import { useEffect, useMemo, useRef, useState, type PointerEvent, type WheelEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { Bookmark, Timeline as TimelineData, TimeRange } from '../../common/playbackContract';
import { formatDateTime } from '../../common/time';
import { timelineTicks, TIMELINE_SPANS_MS } from './timeMath';
import { rowLabels } from './rowLabels';

/** Characters of a row label in the label column (180 px at 12 px). */
const ROW_LABEL_CHARS = 23;

interface Props {
  rows: { cameraId: string; name: string }[];
  data: TimelineData | null;
  fromMs: number;
  toMs: number;
  timeZone: string;
  skippedGap: TimeRange | null;
  positionAt(nowMs: number): number | null;
  onSeek(atMs: number): void;
  /** While dragging: a preview seek (throttled by the page). */
  onScrub(atMs: number): void;
  onWindow(fromMs: number, toMs: number): void;
  onBookmark(bookmark: Bookmark): void;
  /** The range marked with Shift + drag (what "Trích xuất đoạn này" exports), or null. */
  marked: TimeRange | null;
  onMark(range: TimeRange | null): void;
}

/** A marked range shorter than this is a slip of the hand, not a range. */
const MIN_MARK_MS = 1000;

/** Ranges where at least one camera has footage (the wall row). */
export function unionRanges(lists: readonly (readonly TimeRange[])[]): TimeRange[] {
  const all = lists.flat().map((range) => ({ ...range })).sort((a, b) => a.startMs - b.startMs);
  const merged: TimeRange[] = [];
  for (const range of all) {
    const last = merged.at(-1);
    if (last && range.startMs <= last.endMs + 1500) last.endMs = Math.max(last.endMs, range.endMs);
    else merged.push(range);
  }
  return merged;
}

/**
 * The timeline: a row for the whole wall and one per camera, recorded ranges, gaps coloured by
 * reason, bookmarks, the clock's cursor. Wheel zooms around the pointer (a week down to 10 s),
 * dragging scrubs with a preview, a click goes there, Shift + drag marks a range (for export).
 */
export function Timeline({ rows, data, fromMs, toMs, timeZone, skippedGap, positionAt, onSeek, onScrub, onWindow, onBookmark, marked, onMark }: Props) {
  const { t } = useTranslation();
  const tracksRef = useRef<HTMLDivElement>(null);
  const cursorRef = useRef<HTMLDivElement>(null);
  const cursorLabelRef = useRef<HTMLSpanElement>(null);
  const [drag, setDrag] = useState<number | null>(null);
  const rowNames = rows.map((row) => row.name).join('\n');
  const labels = useMemo(() => rowLabels(rowNames.split('\n'), ROW_LABEL_CHARS), [rowNames]);
  const [marking, setMarking] = useState<{ anchorMs: number; atMs: number } | null>(null);
  const span = toMs - fromMs;
  const percent = (ms: number) => `${(((Math.max(fromMs, Math.min(toMs, ms)) - fromMs) / span) * 100).toFixed(3)}%`;
  const widthPercent = (range: TimeRange) => `${(((Math.min(toMs, range.endMs) - Math.max(fromMs, range.startMs)) / span) * 100).toFixed(3)}%`;
  const visible = (range: TimeRange) => range.endMs > fromMs && range.startMs < toMs;
  const ticks = useMemo(() => timelineTicks(fromMs, toMs, timeZone, 8), [fromMs, toMs, timeZone]);
  const cameraData = (cameraId: string) => data?.cameras.find((camera) => camera.cameraId === cameraId);
  const wallRanges = useMemo(() => unionRanges(data?.cameras.map((camera) => camera.ranges) ?? []), [data]);

  // the cursor follows the clock smoothly (moved locally between the core's state messages)
  useEffect(() => {
    let frame = 0;
    const move = (): void => {
      frame = requestAnimationFrame(move);
      const atMs = drag ?? positionAt(Date.now());
      const cursor = cursorRef.current;
      if (!cursor) return;
      if (atMs === null || atMs < fromMs || atMs > toMs) {
        cursor.style.display = 'none';
        return;
      }
      cursor.style.display = '';
      cursor.style.left = `${((atMs - fromMs) / span) * 100}%`;
      if (cursorLabelRef.current) cursorLabelRef.current.textContent = formatDateTime(atMs, timeZone);
    };
    move();
    return () => cancelAnimationFrame(frame);
  }, [drag, positionAt, fromMs, toMs, span, timeZone]);

  const timeAt = (clientX: number): number => {
    const bounds = tracksRef.current!.getBoundingClientRect();
    const fraction = Math.max(0, Math.min(1, (clientX - bounds.left) / bounds.width));
    return Math.round(fromMs + fraction * span);
  };

  function onPointerDown(event: PointerEvent): void {
    if (event.button !== 0) return;
    event.currentTarget.setPointerCapture(event.pointerId);
    const atMs = timeAt(event.clientX);
    if (event.shiftKey) {
      setMarking({ anchorMs: atMs, atMs });
      return;
    }
    setDrag(atMs);
    onScrub(atMs);
  }

  function onPointerMove(event: PointerEvent): void {
    if (marking) {
      setMarking({ ...marking, atMs: timeAt(event.clientX) });
      return;
    }
    if (drag === null) return;
    const atMs = timeAt(event.clientX);
    setDrag(atMs);
    onScrub(atMs);
  }

  function onPointerUp(event: PointerEvent): void {
    if (marking) {
      const atMs = timeAt(event.clientX);
      setMarking(null);
      const range = { startMs: Math.min(marking.anchorMs, atMs), endMs: Math.max(marking.anchorMs, atMs) };
      if (range.endMs - range.startMs >= MIN_MARK_MS) onMark(range);
      return;
    }
    if (drag === null) return;
    const atMs = timeAt(event.clientX);
    setDrag(null);
    onSeek(atMs);
  }

  const shownMark = marking ? { startMs: Math.min(marking.anchorMs, marking.atMs), endMs: Math.max(marking.anchorMs, marking.atMs) } : marked;

  function zoom(zoomIn: boolean, aroundMs: number): void {
    const index = TIMELINE_SPANS_MS.findIndex((candidate) => candidate <= span + 1);
    const current = index === -1 ? TIMELINE_SPANS_MS.length - 1 : index;
    const next = TIMELINE_SPANS_MS[Math.max(0, Math.min(TIMELINE_SPANS_MS.length - 1, current + (zoomIn ? 1 : -1)))]!;
    const fraction = (aroundMs - fromMs) / span;
    const nextFrom = aroundMs - fraction * next;
    onWindow(Math.round(nextFrom), Math.round(nextFrom + next));
  }

  function onWheel(event: WheelEvent): void {
    if (event.shiftKey) {
      const shift = (span * Math.sign(event.deltaY || event.deltaX)) / 4;
      onWindow(fromMs + shift, toMs + shift);
      return;
    }
    zoom(event.deltaY < 0, timeAt(event.clientX));
  }

  const bookmarksFor = (cameraId: string | null) => (data?.bookmarks ?? []).filter((bookmark) => (cameraId === null || bookmark.cameraIds.includes(cameraId)) && visible({ startMs: bookmark.startMs, endMs: Math.max(bookmark.endMs, bookmark.startMs + 1) }));

  const renderBookmarks = (cameraId: string | null) =>
    bookmarksFor(cameraId).map((bookmark) => (
      <button
        type="button"
        key={bookmark.id}
        className={`pb-bookmark${bookmark.endMs > bookmark.startMs ? ' pb-bookmark-range' : ''}`}
        style={{ left: percent(bookmark.startMs), width: bookmark.endMs > bookmark.startMs ? widthPercent({ startMs: bookmark.startMs, endMs: bookmark.endMs }) : undefined }}
        title={`${bookmark.title} — ${formatDateTime(bookmark.startMs, timeZone)}`}
        data-testid="pb-bookmark-mark"
        onPointerDown={(event) => event.stopPropagation()}
        onClick={() => onBookmark(bookmark)}
      />
    ));

  return (
    <div className="pb-timeline" data-testid="pb-timeline">
      <div className="pb-timeline-tools">
        <button type="button" className="tool" title={t('playback.zoomOut')} onClick={() => zoom(false, fromMs + span / 2)} data-testid="pb-zoom-out">
          −
        </button>
        <button type="button" className="tool" title={t('playback.zoomIn')} onClick={() => zoom(true, positionAt(Date.now()) ?? fromMs + span / 2)} data-testid="pb-zoom-in">
          +
        </button>
        <span className="pb-timeline-span">
          {formatDateTime(fromMs, timeZone)} — {formatDateTime(toMs, timeZone)}
        </span>
        {marked ? (
          <span className="pb-mark-info" data-testid="pb-mark-info">
            {t('playback.marked', { from: formatDateTime(marked.startMs, timeZone), to: formatDateTime(marked.endMs, timeZone) })}
            <button type="button" className="tool" onClick={() => onMark(null)} title={t('playback.clearMark')} aria-label={t('playback.clearMark')} data-testid="pb-mark-clear">
              ×
            </button>
          </span>
        ) : (
          <span className="pb-mark-hint muted">{t('playback.markHint')}</span>
        )}
        <span className="pb-legend">
          <i className="pb-swatch pb-range" /> {t('playback.recorded')}
          {(['cameraOffline', 'recordingOff', 'diskFull', 'consoleNotRunning'] as const).map((reason) => (
            <span key={reason} className="pb-legend-item">
              <i className={`pb-swatch pb-gap-${reason}`} /> {t(`playback.gapReasons.${reason}`)}
            </span>
          ))}
          <span className="pb-legend-item">
            <i className="pb-swatch pb-swatch-bookmark" /> {t('playback.bookmarks')}
          </span>
        </span>
      </div>
      <div className="pb-timeline-body">
        <div className="pb-labels">
          <div className="pb-ruler-label" />
          <div className="pb-row-label pb-row-label-wall">{t('playback.wallRow')}</div>
          {rows.map((row, index) => (
            <div key={row.cameraId} className="pb-row-label" title={row.name}>
              {labels[index]}
            </div>
          ))}
        </div>
        <div className="pb-tracks" ref={tracksRef} onPointerDown={onPointerDown} onPointerMove={onPointerMove} onPointerUp={onPointerUp} onWheel={onWheel} data-testid="pb-tracks">
          <div className="pb-ruler">
            {ticks.map((tick) => (
              <span key={tick.atMs} className="pb-tick" style={{ left: percent(tick.atMs) }}>
                {tick.label}
              </span>
            ))}
          </div>
          <div className="pb-row pb-row-wall" data-testid="pb-row-wall">
            {wallRanges.filter(visible).map((range) => (
              <div key={range.startMs} className="pb-range" style={{ left: percent(range.startMs), width: widthPercent(range) }} />
            ))}
            {skippedGap && visible(skippedGap) && <div className="pb-skipped" style={{ left: percent(skippedGap.startMs), width: widthPercent(skippedGap) }} data-testid="pb-skipped" />}
            {renderBookmarks(null)}
          </div>
          {rows.map((row) => {
            const camera = cameraData(row.cameraId);
            return (
              <div key={row.cameraId} className="pb-row" data-testid="pb-row" data-camera-id={row.cameraId}>
                {camera?.ranges.filter(visible).map((range) => (
                  <div key={range.startMs} className="pb-range" style={{ left: percent(range.startMs), width: widthPercent(range) }} data-testid="pb-range" />
                ))}
                {camera?.gaps.filter(visible).map((gap) => (
                  <div
                    key={`${gap.startMs}-${gap.reason}`}
                    className={`pb-gap pb-gap-${gap.reason}`}
                    style={{ left: percent(gap.startMs), width: widthPercent(gap) }}
                    title={`${t(`playback.gapReasons.${gap.reason}`)}: ${formatDateTime(gap.startMs, timeZone)} → ${formatDateTime(gap.endMs, timeZone)}`}
                    data-testid="pb-gap"
                    data-reason={gap.reason}
                  />
                ))}
                {renderBookmarks(row.cameraId)}
              </div>
            );
          })}
          {shownMark && visible(shownMark) && <div className="pb-marked" style={{ left: percent(shownMark.startMs), width: widthPercent(shownMark) }} data-testid="pb-marked" />}
          <div className="pb-cursor" ref={cursorRef}>
            <span className="pb-cursor-label" ref={cursorLabelRef} />
          </div>
        </div>
      </div>
    </div>
  );
}
