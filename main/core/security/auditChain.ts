import { createHash } from 'node:crypto';

/**
 * The audit trail's hash chain (docs/security.md). Each row carries
 *   content_hash = SHA-256(canonical content: seq, time, actor, action, camera, detail)
 *   prev_hash    = the previous row's row_hash (64 zeros for the first row)
 *   row_hash     = SHA-256(prev_hash ":" content_hash)
 * so changing, removing or reordering any row breaks every row_hash after it. The last
 * row_hash is the chain head, printed on each biên bản.
 */
export const GENESIS_HASH = '0'.repeat(64);

export interface AuditContent {
  seq: number;
  atMs: number;
  actor: string;
  action: string;
  cameraId: string | null;
  /** Canonical JSON (keys sorted), as stored. */
  detail: string;
}

export interface AuditRow extends AuditContent {
  prevHash: string;
  contentHash: string;
  rowHash: string;
}

function sha256(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** JSON with object keys sorted at every level: one byte string per value. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value ?? null);
  if (Array.isArray(value)) return `[${value.map((item) => canonicalJson(item)).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, item]) => item !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${canonicalJson(item)}`).join(',')}}`;
}

export function contentHashOf(content: AuditContent): string {
  // an array of primitives: JSON.stringify is already canonical (same bytes as canonicalJson)
  return sha256(JSON.stringify([content.seq, content.atMs, content.actor, content.action, content.cameraId, content.detail]));
}

export function rowHashOf(prevHash: string, contentHash: string): string {
  return sha256(`${prevHash}:${contentHash}`);
}

export function chainRow(content: AuditContent, prevHash: string): AuditRow {
  const contentHash = contentHashOf(content);
  return { ...content, prevHash, contentHash, rowHash: rowHashOf(prevHash, contentHash) };
}

export type ChainProblem = 'contentChanged' | 'rowMissing' | 'chainBroken' | 'outOfOrder';

export interface VerifyReport {
  ok: boolean;
  rows: number;
  /** The last good row's hash (the chain head when ok). */
  headHash: string;
  firstBad: { seq: number; problem: ChainProblem } | null;
}

/**
 * Walks rows in storage order (rowid). Stops at the first bad row: a row whose content no longer
 * matches its hash (edited), a gap in the sequence (removed), a sequence going back (swapped), or
 * a row whose prev_hash is not the row before it (removed or re-chained).
 */
export class ChainVerifier {
  private expectedSeq = 1;
  private prevHash = GENESIS_HASH;
  private count = 0;
  private bad: VerifyReport['firstBad'] = null;

  /** Returns false once a bad row was found (the caller may stop reading). */
  push(row: AuditRow): boolean {
    if (this.bad) return false;
    const problem = this.check(row);
    if (problem) {
      this.bad = { seq: problem === 'rowMissing' ? this.expectedSeq : row.seq, problem };
      return false;
    }
    this.prevHash = row.rowHash;
    this.expectedSeq = row.seq + 1;
    this.count += 1;
    return true;
  }

  private check(row: AuditRow): ChainProblem | null {
    if (row.seq < this.expectedSeq) return 'outOfOrder';
    if (contentHashOf(row) !== row.contentHash) return 'contentChanged';
    if (row.seq > this.expectedSeq) return 'rowMissing';
    if (row.prevHash !== this.prevHash || rowHashOf(row.prevHash, row.contentHash) !== row.rowHash) return 'chainBroken';
    return null;
  }

  report(): VerifyReport {
    return { ok: this.bad === null, rows: this.count, headHash: this.prevHash, firstBad: this.bad };
  }
}
