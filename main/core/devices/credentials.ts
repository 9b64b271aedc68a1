import crypto from 'node:crypto';
import fs from 'node:fs';
import { writeFileAtomic } from '../util/durableFile';
import { hostOf } from '../util/urls';
import type { Credentials } from '../onvif/soap';
import path from 'node:path';

/**
 * Camera credentials, encrypted at rest (AES-256-GCM) in DATA/credentials.json; the site file
 * holds only a `credentialsRef`. The data key is 32 random bytes:
 * - wrapped by the OS keychain when a `KeyWrapper` is given (Electron `safeStorage`: DPAPI on
 *   Windows, libsecret/kwallet on Linux) → DATA/credentials.key.wrapped;
 * - otherwise (browser mode, or Electron without a keychain) in DATA/credentials.key with mode
 *   0600. Limit: anyone who can read the data folder as the console's user can decrypt; it keeps
 *   passwords out of the site file, logs, backups of the site file and casual eyes, no more.
 */
export type { Credentials };

export interface KeyWrapper {
  encrypt(plain: Buffer): Buffer;
  decrypt(wrapped: Buffer): Buffer;
}

interface StoredEntry {
  iv: string;
  tag: string;
  data: string;
}

interface StoreFile {
  version: 1;
  entries: Record<string, StoredEntry>;
}

export class CredentialStore {
  private readonly file: string;
  private key: Buffer | null = null;

  constructor(
    private readonly dataDir: string,
    private readonly wrapper: KeyWrapper | null = null,
    /**
     * The data key itself, already unwrapped by the host: Electron's main process unwraps
     * DATA/credentials.key.wrapped with safeStorage (see hostCredentialsKey) and hands the key
     * to the core in its start message; it is never written in clear.
     */
    providedKey: Buffer | null = null,
  ) {
    this.file = path.join(dataDir, 'credentials.json');
    if (providedKey && providedKey.length !== 32) throw new Error('the credentials key must be 32 bytes');
    this.key = providedKey;
    this.keyFromHost = providedKey !== null;
  }

  private readonly keyFromHost: boolean;

  /** Where the key lives (for docs and the devices page). */
  get protection(): 'keychain' | 'keyFile' {
    return this.wrapper || this.keyFromHost ? 'keychain' : 'keyFile';
  }

  private dataKey(): Buffer {
    if (this.key) return this.key;
    fs.mkdirSync(this.dataDir, { recursive: true });
    const plainFile = path.join(this.dataDir, 'credentials.key');
    const wrappedFile = path.join(this.dataDir, 'credentials.key.wrapped');
    if (this.wrapper) {
      if (fs.existsSync(wrappedFile)) this.key = this.wrapper.decrypt(fs.readFileSync(wrappedFile));
      else {
        this.key = crypto.randomBytes(32);
        writePrivate(wrappedFile, this.wrapper.encrypt(this.key));
      }
    } else if (fs.existsSync(plainFile)) {
      const key = fs.readFileSync(plainFile);
      if (key.length !== 32) throw new Error('credentials.key is damaged');
      this.key = key;
    } else {
      this.key = crypto.randomBytes(32);
      writePrivate(plainFile, this.key);
    }
    return this.key;
  }

  private read(): StoreFile {
    try {
      const parsed = JSON.parse(fs.readFileSync(this.file, 'utf8')) as StoreFile;
      if (parsed.version === 1 && parsed.entries && typeof parsed.entries === 'object') return parsed;
    } catch {
      // none yet, or unreadable: start a new one
    }
    return { version: 1, entries: {} };
  }

  put(ref: string, credentials: Credentials): void {
    const iv = crypto.randomBytes(12);
    const cipher = crypto.createCipheriv('aes-256-gcm', this.dataKey(), iv);
    cipher.setAAD(Buffer.from(ref, 'utf8'));
    const data = Buffer.concat([cipher.update(JSON.stringify(credentials), 'utf8'), cipher.final()]);
    const store = this.read();
    store.entries[ref] = { iv: iv.toString('base64'), tag: cipher.getAuthTag().toString('base64'), data: data.toString('base64') };
    writePrivate(this.file, Buffer.from(JSON.stringify(store, null, 2)));
  }

  get(ref: string): Credentials | null {
    const entry = this.read().entries[ref];
    if (!entry) return null;
    try {
      const decipher = crypto.createDecipheriv('aes-256-gcm', this.dataKey(), Buffer.from(entry.iv, 'base64'));
      decipher.setAAD(Buffer.from(ref, 'utf8'));
      decipher.setAuthTag(Buffer.from(entry.tag, 'base64'));
      const plain = Buffer.concat([decipher.update(Buffer.from(entry.data, 'base64')), decipher.final()]).toString('utf8');
      const value = JSON.parse(plain) as Credentials;
      return typeof value.username === 'string' && typeof value.password === 'string' ? value : null;
    } catch {
      return null;
    }
  }

  has(ref: string): boolean {
    return ref in this.read().entries;
  }
}

function writePrivate(file: string, data: Buffer): void {
  writeFileAtomic(file, data, { mode: 0o600 });
}

/** rtsp://host/path + credentials → rtsp://user:pass@host/path (in memory only, for the pull). */
export function withCredentials(url: string, credentials: Credentials | null): string {
  if (!credentials || !credentials.username) return url;
  try {
    const parsed = new URL(url);
    parsed.username = encodeURIComponent(credentials.username);
    parsed.password = encodeURIComponent(credentials.password);
    return parsed.toString();
  } catch {
    return url;
  }
}

/** Credentials typed into a URL are taken out of it (they go to the store, not the site file). */
export function splitCredentials(url: string): { url: string; credentials: Credentials | null } {
  try {
    const parsed = new URL(url);
    if (!parsed.username) return { url, credentials: null };
    const credentials = { username: decodeURIComponent(parsed.username), password: decodeURIComponent(parsed.password) };
    parsed.username = '';
    parsed.password = '';
    return { url: parsed.toString(), credentials };
  } catch {
    return { url, credentials: null };
  }
}

export { hostOf };
