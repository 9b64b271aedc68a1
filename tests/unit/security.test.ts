import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { userNameProblem } from '../../common/accounts';
import { translate } from '../../common/i18n';
import { ManualClock } from '../../main/core/util/clock';
import { silentLogger } from '../../main/core/log/logger';
import { hashPassword, verifyPassword, parseKdf, type KdfParams } from '../../main/core/security/kdf';
import { openSecurityDb } from '../../main/core/security/db';
import { AuditLog, verifyAuditDb, verifyAuditDbInBatches } from '../../main/core/security/auditLog';
import { AccountError, AccountStore } from '../../main/core/security/accountStore';
import { canonicalJson, contentHashOf, GENESIS_HASH } from '../../main/core/security/auditChain';
import { SessionManager, sessionIdHash } from '../../main/core/security/sessions';
import { sqliteSessionStore } from '../../main/core/security/sessionStore';
import { tempDir } from '../helpers/paths';

/** Small scrypt parameters for speed; the same code path as the default ones. */
const FAST: KdfParams = { N: 1 << 10, r: 8, p: 1, keyLength: 32 };

describe('password KDF (scrypt, salt per user)', () => {
  it('accepts the right password, refuses a wrong one, and salts every hash', async () => {
    const a = await hashPassword('mật khẩu đúng', FAST);
    const b = await hashPassword('mật khẩu đúng', FAST);
    expect(a.salt.equals(b.salt)).toBe(false);
    expect(a.hash.equals(b.hash)).toBe(false);
    expect(await verifyPassword('mật khẩu đúng', a)).toBe(true);
    expect(await verifyPassword('mật khẩu sai', a)).toBe(false);
    expect(await verifyPassword('', a)).toBe(false);
  });

  it('compares NFC-normalised passwords (a Vietnamese keyboard may send decomposed accents)', async () => {
    const stored = await hashPassword('Đông Khê', FAST);
    expect(await verifyPassword('Đông Khê'.normalize('NFD'), stored)).toBe(true);
  });

  it('refuses stored parameters it does not understand instead of guessing', async () => {
    const stored = await hashPassword('abcdefgh', FAST);
    expect(parseKdf('scrypt$1000$8$1$32')).toBeNull(); // N not a power of two
    expect(await verifyPassword('abcdefgh', { ...stored, kdf: 'md5' })).toBe(false);
    expect(parseKdf(stored.kdf)).toEqual(FAST);
  });
});

describe('user names', () => {
  it('refuses control and bidirectional-override characters', () => {
    expect(userNameProblem('nimda\u202e')).toBe('invisibleCharacter');
    expect(userNameProblem('\u202enimda')).toBe('invisibleCharacter');
    expect(userNameProblem('an\u200bh')).toBe('invisibleCharacter');
    expect(userNameProblem('an\nh')).toBe('invisibleCharacter');
    expect(userNameProblem('nguyễn.văn-an_2')).toBeNull();
    expect(userNameProblem('an h')).toBe('badCharacter');
    expect(userNameProblem('')).toBe('empty');
  });
});

describe('accounts and the audit chain in DATA/security.sqlite', () => {
  let dir: string;
  let clock: ManualClock;
  beforeEach(() => {
    dir = tempDir('security-');
    clock = new ManualClock(Date.UTC(2026, 11, 5, 2, 0, 0));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('creates the file owner-only and keeps accounts across a reopen', async () => {
    const db = openSecurityDb(dir);
    const accounts = new AccountStore(db, clock, FAST);
    await accounts.create({ userName: 'Trucban', fullName: 'Lê Thị Trực', rank: 'Thượng úy', role: 'dutyOfficer', password: 'ca-truc-dem' });
    await expect(accounts.create({ userName: 'trucban', fullName: 'X', rank: '', role: 'clerk', password: '12345678' })).rejects.toThrow(AccountError);
    await expect(accounts.create({ userName: 'evil\u202e', fullName: 'X', rank: '', role: 'clerk', password: '12345678' })).rejects.toMatchObject({ problem: { field: 'userName', problem: 'invisibleCharacter' } });
    db.close();
    if (process.platform !== 'win32') expect(fs.statSync(path.join(dir, 'security.sqlite')).mode & 0o777).toBe(0o600);
    const again = new AccountStore(openSecurityDb(dir), clock, FAST);
    expect((await again.authenticate('TRUCBAN', 'ca-truc-dem')).account?.fullName).toBe('Lê Thị Trực');
    expect((await again.authenticate('trucban', 'wrong-password')).reason).toBe('wrongCredentials');
    expect((await again.authenticate('nobody', 'ca-truc-dem')).reason).toBe('wrongCredentials');
    again.update('trucban', { enabled: false });
    expect((await again.authenticate('trucban', 'ca-truc-dem')).reason).toBe('disabled');
  });

  it('a recovery code works once and not after it expires', async () => {
    const accounts = new AccountStore(openSecurityDb(dir), clock, FAST);
    const code = await accounts.issueRecoveryCode(60_000);
    expect(await accounts.redeemRecoveryCode('WRONGCODE123')).toBe(false);
    expect(await accounts.redeemRecoveryCode(code.toLowerCase())).toBe(true);
    expect(await accounts.redeemRecoveryCode(code)).toBe(false);
    const late = await accounts.issueRecoveryCode(60_000);
    clock.advance(61_000);
    expect(await accounts.redeemRecoveryCode(late)).toBe(false);
  });

  function writeRows(count: number): AuditLog {
    const audit = new AuditLog(openSecurityDb(dir), { clock, log: silentLogger });
    for (let index = 0; index < count; index += 1) {
      clock.advance(1000);
      const written = audit.append({ actor: index % 2 ? 'trucban' : 'system', action: 'liveView', cameraId: `cam-${index}`, detail: { index, note: 'Ngã ba QL47' } });
      expect(written.ok).toBe(true);
    }
    return audit;
  }

  function sqlite(sql: string): void {
    execFileSync('sqlite3', [path.join(dir, 'security.sqlite'), sql]);
  }

  it('chains every row to the one before and reports the head', () => {
    const audit = writeRows(5);
    const rows = audit.query({}).reverse();
    expect(rows[0]!.prevHash).toBe(GENESIS_HASH);
    for (let index = 1; index < rows.length; index += 1) expect(rows[index]!.prevHash).toBe(rows[index - 1]!.rowHash);
    expect(audit.verify()).toEqual({ ok: true, rows: 5, headHash: rows[4]!.rowHash, firstBad: null });
    expect(audit.headHash()).toBe(rows[4]!.rowHash);
    expect(audit.query({ actor: 'trucban' }).map((row) => row.seq)).toEqual([4, 2]);
    expect(canonicalJson({ b: 1, a: [{ d: 2, c: 3 }] })).toBe('{"a":[{"c":3,"d":2}],"b":1}');
  });

  it('verify names a row edited with the sqlite3 tool', () => {
    writeRows(6).verify();
    sqlite("UPDATE audit SET actor = 'quantri' WHERE seq = 4");
    expect(verifyAuditDb(openSecurityDb(dir)).firstBad).toEqual({ seq: 4, problem: 'contentChanged' });
  });

  it('verify names a row edited with its content hash recomputed (the chain breaks there)', () => {
    writeRows(6);
    const db = openSecurityDb(dir);
    const audit = new AuditLog(db, { clock, log: silentLogger });
    const row = audit.query({}).find((candidate) => candidate.seq === 3)!;
    const forged = { ...row, actor: 'quantri' };
    db.prepare('UPDATE audit SET actor = ?, content_hash = ? WHERE seq = 3').run('quantri', contentHashOf(forged));
    expect(verifyAuditDb(db).firstBad).toEqual({ seq: 3, problem: 'chainBroken' });
  });

  it('npm run audit:verify names the first bad row and exits 1 (0 while intact)', () => {
    writeRows(4);
    const run = () => {
      try {
        return { code: 0, out: execFileSync(process.execPath, ['scripts/run-ts.mjs', 'main/core/security/securityCli.ts', 'verify', '--data', dir], { encoding: 'utf8' }) };
      } catch (error) {
        const failed = error as { status: number; stdout: string };
        return { code: failed.status, out: failed.stdout };
      }
    };
    const intact = run();
    expect(intact.code).toBe(0);
    expect(intact.out).toContain('Nhật ký toàn vẹn: 4 dòng');
    sqlite("UPDATE audit SET detail = '{}' WHERE seq = 2");
    const broken = run();
    expect(broken.code).toBe(1);
    expect(broken.out).toContain('từ dòng số 2');
  }, 60000);

  it('verify names the first removed row', () => {
    writeRows(6);
    sqlite('DELETE FROM audit WHERE seq = 3');
    expect(verifyAuditDb(openSecurityDb(dir))).toMatchObject({ ok: false, rows: 2, firstBad: { seq: 3, problem: 'rowMissing' } });
  });

  it('verify names the first of two swapped rows', () => {
    writeRows(6);
    // swap everything but the sequence number between rows 2 and 5
    sqlite(`UPDATE audit SET at_ms = (SELECT at_ms FROM audit WHERE seq = 5), actor = (SELECT actor FROM audit WHERE seq = 5), camera_id = (SELECT camera_id FROM audit WHERE seq = 5), detail = (SELECT detail FROM audit WHERE seq = 5), prev_hash = (SELECT prev_hash FROM audit WHERE seq = 5), content_hash = (SELECT content_hash FROM audit WHERE seq = 5), row_hash = (SELECT row_hash FROM audit WHERE seq = 5) WHERE seq = 2`);
    expect(verifyAuditDb(openSecurityDb(dir)).firstBad).toEqual({ seq: 2, problem: 'contentChanged' });
  });

  it('the batched walk (the audit page, in a running core) reports exactly what the one-pass walk does, and lets the event loop run between batches', async () => {
    const audit = writeRows(23);
    const db = openSecurityDb(dir);
    const batched = (rows: number) => verifyAuditDbInBatches(db, rows);
    expect(await batched(5)).toEqual(verifyAuditDb(db));
    expect(await batched(23)).toEqual(verifyAuditDb(db)); // a last batch exactly full
    let ticks = 0;
    const ticker = setInterval(() => (ticks += 1), 0);
    await new Promise((resolve) => setTimeout(resolve, 5));
    const before = ticks;
    const walked = await (async () => {
      const report = verifyAuditDbInBatches(db, 1);
      // rows appended while the walk runs are walked too
      audit.append({ actor: 'trucban', action: 'snapshot', cameraId: 'cam-1' });
      return report;
    })();
    clearInterval(ticker);
    expect(walked).toMatchObject({ ok: true, rows: 24 });
    expect(ticks).toBeGreaterThan(before); // timers ran while it walked 24 one-row batches
    for (const [sql, firstBad] of [
      ["UPDATE audit SET actor = 'quantri' WHERE seq = 17", { seq: 17, problem: 'contentChanged' }],
      ['DELETE FROM audit WHERE seq = 9', { seq: 9, problem: 'rowMissing' }],
    ] as const) {
      sqlite(sql);
      expect((await batched(4)).firstBad).toEqual(firstBad);
      expect(await batched(4)).toEqual(verifyAuditDb(db));
    }
    db.close();
  });

  it('refuses to write (and says so) while another process holds the database locked', async () => {
    const audit = writeRows(1);
    const { spawn } = await import('node:child_process');
    const holder = spawn('sqlite3', [path.join(dir, 'security.sqlite')], { stdio: ['pipe', 'pipe', 'pipe'] });
    try {
      holder.stdin.write('BEGIN IMMEDIATE; SELECT 1;\n');
      await new Promise<void>((resolve) => holder.stdout.once('data', () => resolve()));
      const refused = audit.append({ actor: 'trucban', action: 'snapshot', cameraId: 'cam-1' });
      expect(refused).toMatchObject({ ok: false, error: { code: 'auditUnavailable' } });
      expect(refused.ok ? '' : refused.error.message).toMatch(/SQLITE_BUSY/);
    } finally {
      holder.stdin.end('ROLLBACK;\n');
      await new Promise((resolve) => holder.once('exit', resolve));
    }
    expect(audit.append({ actor: 'trucban', action: 'snapshot', cameraId: 'cam-1' }).ok).toBe(true);
    expect(audit.verify()).toMatchObject({ ok: true, rows: 2 });
  });
});

describe('the audit database on a full disk (issue 15: the action that cannot be audited is refused)', () => {
  const isRoot = process.getuid?.() === 0;
  let dir: string;
  beforeEach(() => {
    dir = tempDir('audit-full-');
    if (isRoot) execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=2m', 'tmpfs', dir]);
  });
  afterEach(() => {
    if (isRoot) execFileSync('umount', ['-l', dir]);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it.skipIf(!isRoot)('refuses each row with auditUnavailable (SQLITE_FULL) while the disk is full, loses no written row, and writes again when space returns', () => {
    const clock = new ManualClock(Date.UTC(2026, 11, 5, 2, 0, 0));
    const audit = new AuditLog(openSecurityDb(dir), { clock, log: silentLogger });
    const row = (index: number) => ({ actor: 'trucban', action: 'snapshot', cameraId: 'dk-01', detail: { index, note: 'Ảnh chụp ngã ba QL47 '.repeat(40) } });
    expect(audit.append(row(0)).ok).toBe(true);
    // another program fills the disk to the last byte
    const filler = path.join(dir, 'filler.bin');
    const fd = fs.openSync(filler, 'w');
    try {
      const block = Buffer.alloc(64 * 1024, 1);
      for (;;) fs.writeSync(fd, block);
    } catch (error) {
      expect((error as { code?: string }).code).toBe('ENOSPC');
    }
    try {
      for (;;) fs.writeSync(fd, Buffer.alloc(512, 1));
    } catch {
      // not even a sector left
    }
    fs.closeSync(fd);
    // the WAL may still have room for a few rows; then every row is refused, none half-written
    let written = 1;
    let refused: ReturnType<AuditLog['append']> | null = null;
    for (let index = 1; index < 500 && !refused; index += 1) {
      clock.advance(1000);
      const result = audit.append(row(index));
      if (result.ok) written += 1;
      else refused = result;
    }
    expect(refused, 'a full disk refuses audit rows').not.toBeNull();
    expect(refused).toMatchObject({ ok: false, error: { code: 'auditUnavailable' } });
    expect(refused && !refused.ok ? refused.error.message : '').toMatch(/SQLITE_FULL|SQLITE_IOERR/);
    expect(translate('vi', 'errors.auditUnavailable')).toContain('ổ đĩa đầy');
    expect(audit.append(row(999)).ok).toBe(false); // still full: still refused
    expect(audit.verify()).toMatchObject({ ok: true, rows: written });
    // space returns: the next action is audited, and the chain has no hole
    fs.rmSync(filler);
    clock.advance(1000);
    expect(audit.append(row(1000)).ok).toBe(true);
    expect(audit.verify()).toMatchObject({ ok: true, rows: written + 1 });
  });
});

describe('sessions outlive a restart of the core (DATA/security.sqlite, table sessions)', () => {
  let dir: string;
  let clock: ManualClock;
  beforeEach(() => {
    dir = tempDir('sessions-');
    clock = new ManualClock(Date.UTC(2026, 11, 5, 2, 0, 0));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  const user = { userName: 'trucban', fullName: 'Lê Thị Trực', rank: 'Thượng úy', role: 'dutyOfficer' as const };
  const options = { idleLockMs: 600_000, maxAgeMs: 14 * 3600_000 };

  /** One "run" of the core: the database opened and a manager on it; stop() is the kill. */
  function run() {
    const db = openSecurityDb(dir);
    const manager = new SessionManager(clock, options, sqliteSessionStore(db, clock.now()));
    return { manager, stop: () => { manager.stop(); db.close(); } };
  }

  it('wakes a session by its cookie after a restart, keeps a lock, stores no session id, and forgets ended, expired and disabled ones', () => {
    const first = run();
    const kept = first.manager.create(user, 'http');
    const locked = first.manager.create(user, 'http');
    first.manager.lock(locked.id, 'button');
    const ended = first.manager.create(user, 'http');
    first.manager.end(ended.id, 'logout');
    const other = first.manager.create({ ...user, userName: 'dieukhien' }, 'http');
    first.stop();

    // the file alone signs nobody in: no session id in it, only hashes
    const raw = fs.readFileSync(path.join(dir, 'security.sqlite')).toString('latin1') + (fs.existsSync(path.join(dir, 'security.sqlite-wal')) ? fs.readFileSync(path.join(dir, 'security.sqlite-wal')).toString('latin1') : '');
    for (const session of [kept, locked, other]) {
      expect(raw).not.toContain(session.id);
      expect(raw).toContain(sessionIdHash(session.id));
    }

    const second = run();
    const resumed: string[] = [];
    second.manager.onChange((change) => change.type === 'resumed' && resumed.push(change.session.user.userName));
    expect(second.manager.get(kept.id)).toMatchObject({ user, state: 'active', createdMs: kept.createdMs, expiresAtMs: kept.expiresAtMs });
    expect(second.manager.get(locked.id)?.state).toBe('locked');
    expect(second.manager.get(ended.id)).toBeNull();
    expect(second.manager.get('a-made-up-cookie')).toBeNull();
    expect(resumed).toEqual(['trucban', 'trucban']);
    // an account disabled while its session sleeps: the stored row goes too
    second.manager.endUser('DieuKhien');
    second.stop();

    const third = run();
    expect(third.manager.get(other.id)).toBeNull();
    expect(third.manager.get(kept.id)?.user.userName).toBe('trucban');
    third.stop();

    // 14 h later the sessions have expired: gone at start-up, not woken
    clock.advance(options.maxAgeMs + 1000);
    const fourth = run();
    expect(fourth.manager.get(kept.id)).toBeNull();
    fourth.stop();
    const db = openSecurityDb(dir);
    expect(db.prepare('SELECT COUNT(*) AS n FROM sessions').get()).toEqual({ n: 0 });
    db.close();
  });

  it('drops a stored row whose fields were tampered with (an unknown role) instead of signing it in', () => {
    const first = run();
    const session = first.manager.create(user, 'http');
    first.stop();
    execFileSync('sqlite3', [path.join(dir, 'security.sqlite'), `UPDATE sessions SET user = json_set(user, '$.role', 'superuser')`]);
    const second = run();
    expect(second.manager.get(session.id)).toBeNull();
    second.stop();
  });
});
