import { zoneOffsetMs } from '../recording/recordingService';

/** "2026-11-30T07:41:05+07:00": a local time a reader and a program both understand. */
export function localIso(ms: number, timeZone: string): string {
  const offsetMs = zoneOffsetMs(timeZone, ms);
  const local = new Date(ms + offsetMs).toISOString().replace(/\.\d{3}Z$/, '');
  const sign = offsetMs < 0 ? '-' : '+';
  const minutes = Math.abs(offsetMs) / 60000;
  return `${local}${sign}${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
}

export function utcIso(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export interface TimeRange {
  startUtc: string;
  endUtc: string;
  startLocal: string;
  endLocal: string;
}

export function timeRange(startMs: number, endMs: number, timeZone: string): TimeRange {
  return { startUtc: utcIso(startMs), endUtc: utcIso(endMs), startLocal: localIso(startMs, timeZone), endLocal: localIso(endMs, timeZone) };
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
}

export interface ManifestCamera {
  id: string;
  name: string;
  village: string | null;
  latitude: number | null;
  longitude: number | null;
  distanceM: number | null;
  stream: string;
  /** What was found: from the first file's start to the last file's end, null without footage. */
  actual: TimeRange | null;
  gaps: (TimeRange & { reason: string })[];
  files: string[];
}

export interface Manifest {
  format: 'commune-console-export/1';
  exportId: string;
  console: { name: string; version: string };
  station: string;
  timeZone: string;
  createdUtc: string;
  createdLocal: string;
  caseNumber: string;
  officer: string;
  reason: string;
  operator: string;
  /** SHA-256 head of the audit chain when the export was made (issue 15): anchors the audit log on paper. */
  auditHead?: string;
  requested: TimeRange;
  incident: { latitude: number; longitude: number; radiusM: number } | null;
  /** FAT32 and the like: files were split into parts below this size. */
  maxFileBytes: number | null;
  cameras: ManifestCamera[];
  files: ManifestFile[];
}

/** `sha256sum -c` format: hash, two spaces, name (names are plain ASCII, see safeName). */
export function sha256sums(entries: readonly { name: string; sha256: string }[]): string {
  return entries.map((entry) => `${entry.sha256}  ${entry.name}\n`).join('');
}
