import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

/**
 * Passwords: scrypt (memory-hard, in Node itself: no native add-on to build) with a random salt
 * per user. The parameters are stored with each hash so they can be raised later without
 * locking anyone out. N = 2^15, r = 8 needs 32 MiB and about 0.1 s a try on the station PC.
 */
export interface KdfParams {
  N: number;
  r: number;
  p: number;
  keyLength: number;
}

export const DEFAULT_KDF: KdfParams = { N: 1 << 15, r: 8, p: 1, keyLength: 32 };

export interface PasswordHash {
  /** "scrypt$N$r$p$keyLength" */
  kdf: string;
  salt: Buffer;
  hash: Buffer;
}

function derive(password: string, salt: Buffer, params: KdfParams): Promise<Buffer> {
  const options: ScryptOptions = { N: params.N, r: params.r, p: params.p, maxmem: 128 * params.N * params.r * 2 + 1024 * 1024 };
  return new Promise((resolve, reject) => {
    scrypt(password.normalize('NFC'), salt, params.keyLength, options, (error, key) => (error ? reject(error) : resolve(key)));
  });
}

export function formatKdf(params: KdfParams): string {
  return `scrypt$${params.N}$${params.r}$${params.p}$${params.keyLength}`;
}

export function parseKdf(text: string): KdfParams | null {
  const match = /^scrypt\$(\d+)\$(\d+)\$(\d+)\$(\d+)$/.exec(text);
  if (!match) return null;
  const [N, r, p, keyLength] = match.slice(1).map(Number) as [number, number, number, number];
  if (N < 2 || (N & (N - 1)) !== 0 || N > 1 << 20 || r < 1 || r > 32 || p < 1 || p > 16 || keyLength < 16 || keyLength > 64) return null;
  return { N, r, p, keyLength };
}

export async function hashPassword(password: string, params: KdfParams = DEFAULT_KDF): Promise<PasswordHash> {
  const salt = randomBytes(16);
  return { kdf: formatKdf(params), salt, hash: await derive(password, salt, params) };
}

/** Constant-time comparison of the derived key (the derivation itself does not depend on the stored hash). */
export async function verifyPassword(password: string, stored: PasswordHash): Promise<boolean> {
  const params = parseKdf(stored.kdf);
  if (!params) return false;
  const candidate = await derive(password, stored.salt, params);
  return candidate.length === stored.hash.length && timingSafeEqual(candidate, stored.hash);
}

/** A throw-away hash to compare against for an unknown user name, so its answer takes as long. */
let dummy: Promise<PasswordHash> | null = null;
export function dummyHash(params: KdfParams = DEFAULT_KDF): Promise<PasswordHash> {
  dummy ??= hashPassword(randomBytes(16).toString('hex'), params);
  return dummy;
}
