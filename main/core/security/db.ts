import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';

/**
 * The security database, DATA/security.sqlite: accounts and the audit trail in one file, so a
 * user change and its audit row commit together. Owner-only (0600 in a 0700 folder on Linux).
 * WAL + synchronous=FULL: every commit is fsynced before the call returns.
 */
export const SECURITY_DB_FILE = 'security.sqlite';

export function securityDbPath(dataDir: string): string {
  return path.join(dataDir, SECURITY_DB_FILE);
}

/** 1: users, recovery codes, audit; 2: sessions (their id hashes; they outlive a core restart). */
const SCHEMA_VERSION = 2;

export function openSecurityDb(dataDir: string, options: { busyTimeoutMs?: number; readonly?: boolean } = {}): Database.Database {
  const file = securityDbPath(dataDir);
  if (!options.readonly) {
    fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    if (!fs.existsSync(file)) fs.closeSync(fs.openSync(file, 'a', 0o600));
    if (process.platform !== 'win32') fs.chmodSync(file, 0o600);
  }
  const db = new Database(file, { readonly: options.readonly ?? false, fileMustExist: options.readonly ?? false });
  db.pragma(`busy_timeout = ${options.busyTimeoutMs ?? 250}`);
  if (options.readonly) return db;
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  const version = db.pragma('user_version', { simple: true }) as number;
  if (version < SCHEMA_VERSION) {
    db.exec(`
      CREATE TABLE IF NOT EXISTS users (
        user_key TEXT PRIMARY KEY,
        user_name TEXT NOT NULL,
        full_name TEXT NOT NULL,
        rank TEXT NOT NULL,
        role TEXT NOT NULL,
        enabled INTEGER NOT NULL,
        kdf TEXT NOT NULL,
        salt BLOB NOT NULL,
        hash BLOB NOT NULL,
        created_ms INTEGER NOT NULL,
        changed_ms INTEGER NOT NULL
      );
      CREATE TABLE IF NOT EXISTS recovery_codes (
        id INTEGER PRIMARY KEY,
        kdf TEXT NOT NULL,
        salt BLOB NOT NULL,
        hash BLOB NOT NULL,
        expires_ms INTEGER NOT NULL,
        used INTEGER NOT NULL DEFAULT 0
      );
      CREATE TABLE IF NOT EXISTS audit (
        seq INTEGER PRIMARY KEY,
        at_ms INTEGER NOT NULL,
        actor TEXT NOT NULL,
        action TEXT NOT NULL,
        camera_id TEXT,
        detail TEXT NOT NULL,
        prev_hash TEXT NOT NULL,
        content_hash TEXT NOT NULL,
        row_hash TEXT NOT NULL
      );
      CREATE INDEX IF NOT EXISTS audit_at ON audit(at_ms);
      CREATE TABLE IF NOT EXISTS sessions (
        id_hash TEXT PRIMARY KEY,
        user_key TEXT NOT NULL,
        user TEXT NOT NULL,
        state TEXT NOT NULL,
        transport TEXT NOT NULL,
        created_ms INTEGER NOT NULL,
        expires_ms INTEGER NOT NULL
      );
    `);
    db.pragma(`user_version = ${SCHEMA_VERSION}`);
  }
  return db;
}
