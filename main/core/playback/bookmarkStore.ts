import { foldVietnamese } from '../../../common/text';
import { randomUUID } from 'node:crypto';
import Database from 'better-sqlite3';
import type { Bookmark } from '../../../common/playbackContract';

/**
 * Bookmarks (incidents) in their own SQLite file, DATA/bookmarks.sqlite: kept apart from the
 * recording index so retention never touches them and playback never writes to the recorder's
 * database. WAL + synchronous=FULL, like the index: a saved bookmark survives a power cut.
 */
const SCHEMA_VERSION = 1;

interface BookmarkRecord {
  id: string;
  camera_ids: string;
  start_ms: number;
  end_ms: number;
  title: string;
  note: string;
  created_at_ms: number;
  created_by: string;
  search_text: string;
}

/** Lower case, without Vietnamese diacritics (đ → d): "Tai nạn" matches "tai nan". */
export function foldForSearch(text: string): string {
  return foldVietnamese(text);
}

function fromRecord(record: BookmarkRecord): Bookmark {
  return {
    id: record.id,
    cameraIds: JSON.parse(record.camera_ids) as string[],
    startMs: record.start_ms,
    endMs: record.end_ms,
    title: record.title,
    note: record.note,
    createdAtMs: record.created_at_ms,
    createdBy: record.created_by,
  };
}

export interface BookmarkQuery {
  query?: string;
  cameraId?: string;
  fromMs?: number;
  toMs?: number;
  limit?: number;
}

export class BookmarkStore {
  private readonly db: Database.Database;

  constructor(file: string) {
    this.db = new Database(file);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = FULL');
    const version = this.db.pragma('user_version', { simple: true }) as number;
    if (version < SCHEMA_VERSION) {
      this.db.exec(`
        CREATE TABLE IF NOT EXISTS bookmarks (
          id TEXT PRIMARY KEY,
          camera_ids TEXT NOT NULL,
          start_ms INTEGER NOT NULL,
          end_ms INTEGER NOT NULL,
          title TEXT NOT NULL,
          note TEXT NOT NULL,
          created_at_ms INTEGER NOT NULL,
          created_by TEXT NOT NULL,
          search_text TEXT NOT NULL
        );
        CREATE INDEX IF NOT EXISTS bookmarks_time ON bookmarks (start_ms, end_ms);
      `);
      this.db.pragma(`user_version = ${SCHEMA_VERSION}`);
    }
  }

  add(input: { cameraIds: string[]; startMs: number; endMs?: number | undefined; title: string; note: string }, createdBy: string, nowMs: number): Bookmark {
    const bookmark: Bookmark = {
      id: randomUUID(),
      cameraIds: [...new Set(input.cameraIds)],
      startMs: input.startMs,
      endMs: input.endMs ?? input.startMs,
      title: input.title,
      note: input.note,
      createdAtMs: nowMs,
      createdBy,
    };
    this.db
      .prepare('INSERT INTO bookmarks (id, camera_ids, start_ms, end_ms, title, note, created_at_ms, created_by, search_text) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)')
      .run(bookmark.id, JSON.stringify(bookmark.cameraIds), bookmark.startMs, bookmark.endMs, bookmark.title, bookmark.note, bookmark.createdAtMs, createdBy, foldForSearch(`${bookmark.title}\n${bookmark.note}`));
    return bookmark;
  }

  update(id: string, changes: { title?: string | undefined; note?: string | undefined }): Bookmark | null {
    const current = this.get(id);
    if (!current) return null;
    const next = { ...current, title: changes.title ?? current.title, note: changes.note ?? current.note };
    this.db.prepare('UPDATE bookmarks SET title = ?, note = ?, search_text = ? WHERE id = ?').run(next.title, next.note, foldForSearch(`${next.title}\n${next.note}`), id);
    return next;
  }

  delete(id: string): boolean {
    return this.db.prepare('DELETE FROM bookmarks WHERE id = ?').run(id).changes > 0;
  }

  get(id: string): Bookmark | null {
    const record = this.db.prepare('SELECT * FROM bookmarks WHERE id = ?').get(id) as BookmarkRecord | undefined;
    return record ? fromRecord(record) : null;
  }

  /** Newest (by start) first; a bookmark overlapping [fromMs, toMs] counts as inside. */
  list(query: BookmarkQuery = {}): Bookmark[] {
    const where: string[] = [];
    const args: (string | number)[] = [];
    if (query.fromMs !== undefined) {
      where.push('end_ms >= ?');
      args.push(query.fromMs);
    }
    if (query.toMs !== undefined) {
      where.push('start_ms <= ?');
      args.push(query.toMs);
    }
    const words = query.query ? foldForSearch(query.query).split(/\s+/).filter(Boolean) : [];
    for (const word of words) {
      where.push("search_text LIKE ? ESCAPE '\\'");
      args.push(`%${word.replace(/[\\%_]/g, (match) => `\\${match}`)}%`);
    }
    const sql = `SELECT * FROM bookmarks ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY start_ms DESC, created_at_ms DESC`;
    let rows = (this.db.prepare(sql).all(...args) as BookmarkRecord[]).map(fromRecord);
    if (query.cameraId !== undefined) rows = rows.filter((bookmark) => bookmark.cameraIds.includes(query.cameraId!));
    return rows.slice(0, query.limit ?? 500);
  }

  close(): void {
    this.db.close();
  }
}
