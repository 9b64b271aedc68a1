import { zoneOffsetMs } from '../../../common/time';

/**
 * "2026-11-30T07:41:05.300+07:00": a local time a reader and a program both understand, to the
 * millisecond (a court compares it with the frames; cut to the second it was up to 999 ms off).
 */
export function localIso(ms: number, timeZone: string): string {
  const whole = Math.round(ms);
  const offsetMs = zoneOffsetMs(timeZone, whole);
  const local = new Date(whole + offsetMs).toISOString().replace(/Z$/, '');
  const sign = offsetMs < 0 ? '-' : '+';
  const minutes = Math.abs(offsetMs) / 60000;
  return `${local}${sign}${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
}

/** "2026-11-30T00:41:05.300Z" (ISO 8601, UTC, milliseconds). */
export function utcIso(ms: number): string {
  return new Date(Math.round(ms)).toISOString();
}

/** A time range as the manifest states it: UTC and local ISO 8601 with milliseconds, and the epoch ms. */
export interface TimeRange {
  startUtc: string;
  endUtc: string;
  startLocal: string;
  endLocal: string;
  /** The same instants in ms since 1970 (UTC), for programs. */
  startMs: number;
  endMs: number;
}

export function timeRange(startMs: number, endMs: number, timeZone: string): TimeRange {
  const start = Math.floor(startMs);
  const end = Math.ceil(endMs);
  return { startUtc: utcIso(start), endUtc: utcIso(end), startLocal: localIso(start, timeZone), endLocal: localIso(end, timeZone), startMs: start, endMs: end };
}

export interface ManifestFile extends TimeRange {
  name: string;
  cameraId: string;
  /** 1-based part number within its continuous run, and how many parts the run has. */
  part: number;
  parts: number;
  /** The captioned copy (re-encoded, name and time drawn on it), not the original footage. */
  burnedIn: boolean;
  bytes: number;
  sha256: string;
  /**
   * Where every second came from (issue 17): the recorded segments the clip was cut from, each
   * with its SHA-256 (computed while it was recorded, checked again before cutting) and its
   * position in the camera stream's chain. Absent in exports made before this existed.
   */
  sources?: ManifestSource[];
}

export interface ManifestSource extends TimeRange {
  /** The segment's path in the recordings folder (camera/stream/day/file). */
  file: string;
  cameraId: string;
  stream: string;
  bytes: number;
  /** null: recorded before hashing existed (cannot be proven). */
  sha256: string | null;
  chainSeq: number | null;
  prevHash: string | null;
  rowHash: string | null;
  /** Completed after a crash by the recovery pass; recoveredRange `0-N/M`: bytes kept of found. */
  recovered: boolean;
  recoveredRange: string | null;
}

export interface ManifestCamera {
  id: string;
  name: string;
  village: string | null;
  latitude: number | null;
  longitude: number | null;
  distanceM: number | null;
  stream: string;
  /**
   * What was exported: from the first file's first frame (a keyframe, at or before the requested
   * start) to the last file's end (the keyframe at or after the requested end, where the cut
   * stops); null without footage. Times are index times (docs/recording.md).
   */
  actual: TimeRange | null;
  /** How far the clip begins before the requested start (the keyframe lead-in), ms; null: starts later (a gap) or no footage. */
  leadInMs: number | null;
  /** How far the clip ends after the requested end (up to the next keyframe), ms; null: ends earlier (a gap) or no footage. */
  tailMs: number | null;
  gaps: (TimeRange & { reason: string })[];
  files: string[];
  /**
   * The camera's own clock against the PC's (issue 20): camera minus PC in ms (positive: the
   * camera runs ahead), measured at `measuredUtc` over ONVIF (GetSystemDateAndTime: the clock the
   * camera burns into its picture) or from the NTP time of its RTCP sender reports (`source`).
   * Index times are the PC's; a time burnt into the picture by the camera differs by about this
   * much. Null or absent: not measured since the console started.
   */
  cameraClock?: { offsetMs: number; source: 'onvif' | 'rtcp'; measuredUtc: string; measuredLocal: string } | null;
}

/** The manifest's camera clock from a measurement (null: none). */
export function cameraClockOf(measured: { offsetMs: number; measuredAtMs: number; source?: 'onvif' | 'rtcp' } | null, timeZone: string): ManifestCamera['cameraClock'] {
  return measured ? { offsetMs: Math.round(measured.offsetMs), source: measured.source ?? 'onvif', measuredUtc: utcIso(measured.measuredAtMs), measuredLocal: localIso(measured.measuredAtMs, timeZone) } : null;
}

export interface Manifest {
  format: 'commune-console-export/1';
  exportId: string;
  console: { name: string; version: string };
  station: string;
  /** The issuing body as the site file names it (printed over the record's number); null: not set. */
  agency: { name: string; parent: string | null } | null;
  timeZone: string;
  createdUtc: string;
  createdLocal: string;
  caseNumber: string;
  officer: string;
  reason: string;
  operator: string;
  /** SHA-256 head of the audit chain when the export was made (issue 15): anchors the audit log on paper. */
  auditHead?: string;
  /**
   * The station's signature over this file's bytes (issue 17 item 5): Ed25519, the raw 64-byte
   * signature in `manifest.sig`, the public key (SPKI PEM) in `station-key.pem` beside it. The
   * fingerprint is the SHA-256 of the key's SPKI DER, printed in the biên bản.
   */
  signature?: ManifestSignature;
  /** How the clips were read back from the target after writing (issue 17 item 6). */
  readBack?: ManifestReadBack;
  requested: TimeRange;
  incident: { latitude: number; longitude: number; radiusM: number } | null;
  /** FAT32 and the like: files were split into parts below this size. */
  maxFileBytes: number | null;
  cameras: ManifestCamera[];
  files: ManifestFile[];
}

export const SIGNATURE_FILE = 'manifest.sig';
export const PUBLIC_KEY_FILE = 'station-key.pem';

export interface ManifestSignature {
  algorithm: 'Ed25519';
  signatureFile: typeof SIGNATURE_FILE;
  publicKeyFile: typeof PUBLIC_KEY_FILE;
  /** "SHA256:abcd ef01 …" of the SPKI DER. */
  publicKeyFingerprint: string;
}

export interface ManifestReadBack {
  /** `direct`: O_DIRECT from the device; `dropped`: the file's cached pages dropped, then read; `cache`: may come from the page cache. */
  method: 'direct' | 'dropped' | 'cache';
  note: string | null;
}

/** `sha256sum -c` format: hash, two spaces, name (names are plain ASCII, see safeName). */
export function sha256sums(entries: readonly { name: string; sha256: string }[]): string {
  return entries.map((entry) => `${entry.sha256}  ${entry.name}\n`).join('');
}
