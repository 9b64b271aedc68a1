import type Database from 'better-sqlite3';
import { normalizeUserName } from '../../../common/accounts';
import { ROLES } from '../../../common/permissions';
import type { SessionStore, SessionUser, StoredSession } from './sessions';

interface SessionRow {
  id_hash: string;
  user: string;
  state: string;
  transport: string;
  created_ms: number;
  expires_ms: number;
}

/** A stored row is read back only when every field is what the manager wrote (else it is dropped). */
function toStored(row: SessionRow): StoredSession | null {
  let user: SessionUser;
  try {
    user = JSON.parse(row.user) as SessionUser;
  } catch {
    return null;
  }
  const fieldsOk = typeof user?.userName === 'string' && typeof user.fullName === 'string' && typeof user.rank === 'string' && Object.hasOwn(ROLES, user.role);
  if (!fieldsOk || (row.state !== 'active' && row.state !== 'locked') || (row.transport !== 'http' && row.transport !== 'ipc')) return null;
  return { idHash: row.id_hash, user, state: row.state, transport: row.transport, createdMs: row.created_ms, expiresAtMs: row.expires_ms };
}

/** The `sessions` table of DATA/security.sqlite (owner: the session manager, through this). */
export function sqliteSessionStore(db: Database.Database, nowMs: number): SessionStore {
  // sessions past their age are of no use to anyone: gone at start-up
  db.prepare('DELETE FROM sessions WHERE expires_ms <= ?').run(nowMs);
  const upsert = db.prepare('INSERT INTO sessions (id_hash, user_key, user, state, transport, created_ms, expires_ms) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT(id_hash) DO UPDATE SET state = excluded.state, user = excluded.user');
  const remove = db.prepare('DELETE FROM sessions WHERE id_hash = ?');
  const removeUser = db.prepare('DELETE FROM sessions WHERE user_key = ?');
  const find = db.prepare('SELECT * FROM sessions WHERE id_hash = ?');
  return {
    save: (row) => upsert.run(row.idHash, normalizeUserName(row.user.userName), JSON.stringify(row.user), row.state, row.transport, row.createdMs, row.expiresAtMs),
    remove: (idHash) => remove.run(idHash),
    removeUser: (userKey) => removeUser.run(userKey),
    find: (idHash) => {
      const row = find.get(idHash) as SessionRow | undefined;
      if (!row) return null;
      const stored = toStored(row);
      if (!stored) remove.run(idHash);
      return stored;
    },
  };
}
