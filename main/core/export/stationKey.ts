import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { writeFileAtomic } from '../util/durableFile';

/**
 * The station's Ed25519 signing key (issue 17 item 5): made at the first start, signs every
 * export's `manifest.json`. The private key is protected like the camera credentials
 * (`ptz/credentials.ts`):
 * - under Electron, when the host unwrapped the credentials data key with `safeStorage` (DPAPI,
 *   libsecret/kwallet), the PKCS#8 private key is encrypted with AES-256-GCM under a key derived
 *   from it (HKDF-SHA256, info "station-signing-key") → `DATA/station-key.enc` (mode 0600); it is
 *   never written in clear;
 * - otherwise (browser mode, or Electron without a keychain) `DATA/station-key.pem`, PKCS#8 PEM,
 *   mode 0600. Limit, as for credentials: anyone who can read the data folder as the console's
 *   user can sign as the station.
 * The public key is `DATA/station-key.pub.pem` (SPKI PEM; public, but owner-only like all of DATA) and is copied onto every stick.
 */
export const PRIVATE_PEM = 'station-key.pem';
export const PRIVATE_ENC = 'station-key.enc';
export const PUBLIC_PEM = 'station-key.pub.pem';

export interface StationKey {
  /** SPKI PEM of the public key (what goes on the stick as `station-key.pem`). */
  publicPem: string;
  /** "SHA256:" + the SHA-256 of the public key's SPKI DER, hex in groups of 4 (printed in the biên bản). */
  fingerprint: string;
  /** Where the private key is kept. */
  protection: 'keychain' | 'keyFile';
  /** Ed25519 signature (64 bytes) of the bytes. */
  sign(data: Buffer): Buffer;
}

/** SHA-256 of the SPKI DER, as `openssl pkey -pubin -in station-key.pem -outform DER | sha256sum` prints it, grouped. */
export function fingerprintOf(publicPem: string): string {
  const der = crypto.createPublicKey(publicPem).export({ type: 'spki', format: 'der' });
  const hex = crypto.createHash('sha256').update(der).digest('hex');
  return `SHA256:${hex.match(/.{4}/g)!.join(' ')}`;
}

/** The plain hex of a fingerprint (what sha256sum prints). */
export function fingerprintHex(fingerprint: string): string {
  return fingerprint.replace(/^SHA256:/, '').replace(/\s+/g, '');
}

function wrappingKey(hostKey: Buffer): Buffer {
  return Buffer.from(crypto.hkdfSync('sha256', hostKey, Buffer.alloc(0), Buffer.from('station-signing-key'), 32));
}

interface SealedKey {
  version: 1;
  iv: string;
  tag: string;
  data: string;
}

function seal(hostKey: Buffer, plain: Buffer): Buffer {
  const iv = crypto.randomBytes(12);
  const cipher = crypto.createCipheriv('aes-256-gcm', wrappingKey(hostKey), iv);
  cipher.setAAD(Buffer.from(PRIVATE_ENC));
  const data = Buffer.concat([cipher.update(plain), cipher.final()]);
  const sealed: SealedKey = { version: 1, iv: iv.toString('base64'), tag: cipher.getAuthTag().toString('base64'), data: data.toString('base64') };
  return Buffer.from(JSON.stringify(sealed));
}

function unseal(hostKey: Buffer, stored: Buffer): Buffer {
  const sealed = JSON.parse(stored.toString('utf8')) as SealedKey;
  if (sealed.version !== 1) throw new Error(`${PRIVATE_ENC}: unknown version`);
  const decipher = crypto.createDecipheriv('aes-256-gcm', wrappingKey(hostKey), Buffer.from(sealed.iv, 'base64'));
  decipher.setAAD(Buffer.from(PRIVATE_ENC));
  decipher.setAuthTag(Buffer.from(sealed.tag, 'base64'));
  return Buffer.concat([decipher.update(Buffer.from(sealed.data, 'base64')), decipher.final()]);
}

/**
 * Loads the station key, making it at the first start. `hostKey`: the credentials data key the
 * Electron host unwrapped with safeStorage (null: browser mode, the 0600 key file).
 * Throws when the key exists but cannot be opened (a sealed key without the keychain that sealed
 * it): a new key would silently change the station's fingerprint, so the caller refuses to sign.
 */
export function loadStationKey(dataDir: string, hostKey: Buffer | null): StationKey {
  fs.mkdirSync(dataDir, { recursive: true });
  const encFile = path.join(dataDir, PRIVATE_ENC);
  const pemFile = path.join(dataDir, PRIVATE_PEM);
  const pubFile = path.join(dataDir, PUBLIC_PEM);
  let privateKey: crypto.KeyObject;
  let protection: StationKey['protection'];
  if (fs.existsSync(encFile)) {
    if (!hostKey) throw new Error(`${PRIVATE_ENC} is sealed by the OS keychain, which is not available in this mode`);
    privateKey = crypto.createPrivateKey({ key: unseal(hostKey, fs.readFileSync(encFile)), format: 'der', type: 'pkcs8' });
    protection = 'keychain';
  } else if (fs.existsSync(pemFile)) {
    privateKey = crypto.createPrivateKey(fs.readFileSync(pemFile, 'utf8'));
    protection = 'keyFile';
    if (hostKey) {
      // the first start under Electron after browser mode: the same key, now sealed (as the
      // credentials key is taken over by the host), and the clear copy removed
      writeFileAtomic(encFile, seal(hostKey, privateKey.export({ type: 'pkcs8', format: 'der' })), { mode: 0o600 });
      fs.rmSync(pemFile);
      protection = 'keychain';
    }
  } else {
    const pair = crypto.generateKeyPairSync('ed25519');
    privateKey = pair.privateKey;
    if (hostKey) {
      writeFileAtomic(encFile, seal(hostKey, privateKey.export({ type: 'pkcs8', format: 'der' })), { mode: 0o600 });
      protection = 'keychain';
    } else {
      writeFileAtomic(pemFile, Buffer.from(privateKey.export({ type: 'pkcs8', format: 'pem' }) as string), { mode: 0o600 });
      protection = 'keyFile';
    }
  }
  if (privateKey.asymmetricKeyType !== 'ed25519') throw new Error('the station key is not an Ed25519 key');
  const publicPem = crypto.createPublicKey(privateKey).export({ type: 'spki', format: 'pem' }) as string;
  if (!fs.existsSync(pubFile) || fs.readFileSync(pubFile, 'utf8') !== publicPem) writeFileAtomic(pubFile, Buffer.from(publicPem), { mode: 0o600 });
  return {
    publicPem,
    fingerprint: fingerprintOf(publicPem),
    protection,
    sign: (data) => crypto.sign(null, data, privateKey),
  };
}

/** Ed25519 check of `signature` over `data` with an SPKI PEM public key; false on any malformed input. */
export function verifySignature(publicPem: string, data: Buffer, signature: Buffer): boolean {
  try {
    const key = crypto.createPublicKey(publicPem);
    if (key.asymmetricKeyType !== 'ed25519') return false;
    return crypto.verify(null, data, key, signature);
  } catch {
    return false;
  }
}
