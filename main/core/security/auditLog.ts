import type Database from 'better-sqlite3';
import { fail, ok, type Result } from '../../../common/result';
import type { Clock } from '../util/clock';
import type { Logger } from '../log/logger';
import { canonicalJson, chainRow, ChainVerifier, GENESIS_HASH, type AuditRow, type VerifyReport } from './auditChain';

/** What the audit records (docs/security.md has the list with their details). */
export type AuditAction = string;

export interface AuditEvent {
  /** A user name, or `system` for the core's own actions. */
  actor: string;
  action: AuditAction;
  cameraId?: string | null;
  detail?: Record<string, unknown>;
}

export interface AuditQuery {
  actor?: string;
  cameraId?: string;
  action?: string;
  fromMs?: number;
  toMs?: number;
  limit?: number;
  /** Rows with seq below this (paging backwards, newest first). */
  beforeSeq?: number;
}

/**
 * The one writer of the audit trail (one per core; features get it as a service, see
 * features.ts). `append` commits one row, fsynced, inside an IMMEDIATE transaction that reads
 * the head first, so a second writer (the recovery CLI) cannot fork the chain. When the row
 * cannot be written (database locked, disk full) append returns a failure: the caller refuses
 * the action it was about to do. Recording never calls it on its path (it reports deletions
 * after the fact with `appendOrLog`).
 */
export class AuditLog {
  private readonly insert: Database.Statement;
  private readonly head: Database.Statement;
  private readonly appendTransaction: (event: AuditEvent) => AuditRow;
  private readonly listeners = new Set<(row: AuditRow) => void>();

  constructor(
    private readonly db: Database.Database,
    private readonly deps: { clock: Clock; log: Logger },
  ) {
    this.insert = db.prepare(
      'INSERT INTO audit (seq, at_ms, actor, action, camera_id, detail, prev_hash, content_hash, row_hash) VALUES (@seq, @atMs, @actor, @action, @cameraId, @detail, @prevHash, @contentHash, @rowHash)',
    );
    this.head = db.prepare('SELECT seq, row_hash AS rowHash FROM audit ORDER BY seq DESC LIMIT 1');
    const transaction = db.transaction((event: AuditEvent): AuditRow => {
        const last = this.head.get() as { seq: number; rowHash: string } | undefined;
        const row = chainRow(
          {
            seq: (last?.seq ?? 0) + 1,
            atMs: this.deps.clock.now(),
            actor: event.actor,
            action: event.action,
            cameraId: event.cameraId ?? null,
            detail: canonicalJson(event.detail ?? {}),
          },
          last?.rowHash ?? GENESIS_HASH,
        );
        this.insert.run(row);
        return row;
      });
    this.appendTransaction = (event) => transaction.immediate(event);
  }

  append(event: AuditEvent): Result<AuditRow> {
    let row: AuditRow;
    try {
      row = this.appendTransaction(event);
    } catch (error) {
      this.deps.log.error('audit row not written', { action: event.action, actor: event.actor, error });
      const code = (error as { code?: string }).code ?? 'unknown';
      return fail('auditUnavailable', `audit row not written: ${code}`);
    }
    for (const listener of this.listeners) listener(row);
    return ok(row);
  }

  /** For what already happened and must not be undone (footage deleted, core stopped): log when the row cannot be written. */
  appendOrLog(event: AuditEvent): void {
    const written = this.append(event);
    if (!written.ok) this.deps.log.error('audit event lost (action already done)', { ...event });
  }

  onAppend(listener: (row: AuditRow) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  headHash(): string {
    const last = this.head.get() as { rowHash: string } | undefined;
    return last?.rowHash ?? GENESIS_HASH;
  }

  query(query: AuditQuery): AuditRow[] {
    const where: string[] = [];
    const params: Record<string, unknown> = {};
    const add = (clause: string, key: string, value: unknown): void => {
      where.push(clause);
      params[key] = value;
    };
    if (query.actor) add('actor = @actor', 'actor', query.actor);
    if (query.cameraId) add('camera_id = @cameraId', 'cameraId', query.cameraId);
    if (query.action) add('action = @action', 'action', query.action);
    if (query.fromMs !== undefined) add('at_ms >= @fromMs', 'fromMs', query.fromMs);
    if (query.toMs !== undefined) add('at_ms < @toMs', 'toMs', query.toMs);
    if (query.beforeSeq !== undefined) add('seq < @beforeSeq', 'beforeSeq', query.beforeSeq);
    const sql = `SELECT ${ROW_COLUMNS} FROM audit ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY seq DESC LIMIT ${Math.min(query.limit ?? 500, 10000)}`;
    return this.db.prepare(sql).all(params) as AuditRow[];
  }

  /** The newest row whose action is one of `actions` (null: none). */
  lastOf(actions: readonly string[]): AuditRow | null {
    if (actions.length === 0) return null;
    const marks = actions.map(() => '?').join(', ');
    return (this.db.prepare(`SELECT ${ROW_COLUMNS} FROM audit WHERE action IN (${marks}) ORDER BY seq DESC LIMIT 1`).get(...actions) as AuditRow | undefined) ?? null;
  }

  distinctActors(): string[] {
    return (this.db.prepare('SELECT DISTINCT actor FROM audit ORDER BY actor').all() as { actor: string }[]).map((row) => row.actor);
  }

  verify(): VerifyReport {
    return verifyAuditDb(this.db);
  }

  /**
   * The same walk in batches, giving the event loop back between them: the audit page's button
   * in a running core (a long trail must not freeze the wall, nor look like a hung core to the
   * host's hang watch). Rows appended meanwhile are walked too.
   */
  verifyInBatches(batchRows = 20_000): Promise<VerifyReport> {
    return verifyAuditDbInBatches(this.db, batchRows);
  }
}

export const ROW_COLUMNS = 'seq, at_ms AS atMs, actor, action, camera_id AS cameraId, detail, prev_hash AS prevHash, content_hash AS contentHash, row_hash AS rowHash';

type RawAuditRow = [number, number, string, string, string | null, string, string, string, string, number];

/** verifyAuditDb in batches of `batchRows` by rowid, yielding to the event loop between batches. */
export async function verifyAuditDbInBatches(db: Database.Database, batchRows: number): Promise<VerifyReport> {
  const verifier = new ChainVerifier();
  const batch = db.prepare('SELECT seq, at_ms, actor, action, camera_id, detail, prev_hash, content_hash, row_hash, rowid FROM audit WHERE rowid > ? ORDER BY rowid LIMIT ?').raw(true);
  let after = 0;
  for (;;) {
    const rows = batch.all(after, batchRows) as RawAuditRow[];
    for (const [seq, atMs, actor, action, cameraId, detail, prevHash, contentHash, rowHash] of rows) {
      if (!verifier.push({ seq, atMs, actor, action, cameraId, detail, prevHash, contentHash, rowHash })) return verifier.report();
    }
    if (rows.length < batchRows) return verifier.report();
    after = rows[rows.length - 1]![9];
    await new Promise((resolve) => setImmediate(resolve));
  }
}

/** Walks the whole chain in storage order (streams raw rows; no object per row). */
export function verifyAuditDb(db: Database.Database): VerifyReport {
  const verifier = new ChainVerifier();
  const rows = db.prepare('SELECT seq, at_ms, actor, action, camera_id, detail, prev_hash, content_hash, row_hash FROM audit ORDER BY rowid').raw(true).iterate() as IterableIterator<[number, number, string, string, string | null, string, string, string, string]>;
  for (const [seq, atMs, actor, action, cameraId, detail, prevHash, contentHash, rowHash] of rows) {
    if (!verifier.push({ seq, atMs, actor, action, cameraId, detail, prevHash, contentHash, rowHash })) {
      rows.return?.();
      break;
    }
  }
  return verifier.report();
}
