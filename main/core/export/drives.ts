import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { Drive } from '../../../common/exportContract';

/** FAT32 holds no file of 4 GiB or more. */
export const FAT32_MAX_FILE_BYTES = 4 * 1024 ** 3 - 1;
const MSDOS_SUPER_MAGIC = 0x4d44;

/** Largest file a folder's filesystem holds, from statfs (FAT: 4 GiB - 1), null when unlimited. */
export function maxFileBytesOf(dir: string): number | null {
  try {
    return fs.statfsSync(dir).type === MSDOS_SUPER_MAGIC ? FAT32_MAX_FILE_BYTES : null;
  } catch {
    return null;
  }
}

/** /proc/mounts escapes space, tab, newline and backslash as octal. */
export function unescapeMount(text: string): string {
  return text.replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(parseInt(octal, 8)));
}

export interface MountEntry {
  device: string;
  mountPoint: string;
  filesystem: string;
  readOnly: boolean;
}

export function parseMounts(text: string): MountEntry[] {
  return text
    .split('\n')
    .map((line) => line.trim().split(/\s+/))
    .filter((fields) => fields.length >= 4)
    .map(([device, mountPoint, filesystem, options]) => ({
      device: unescapeMount(device ?? ''),
      mountPoint: unescapeMount(mountPoint ?? ''),
      filesystem: filesystem ?? '',
      readOnly: (options ?? '').split(',').includes('ro'),
    }));
}

/** sdb1 → sdb, mmcblk0p1 → mmcblk0, nvme0n1p2 → nvme0n1. */
export function blockDeviceOf(device: string): string | null {
  const name = path.basename(device);
  const match = /^(sd[a-z]+|vd[a-z]+|mmcblk\d+|nvme\d+n\d+)/.exec(name);
  return match?.[1] ?? null;
}

function isRemovableBlock(block: string): boolean {
  try {
    if (fs.readFileSync(`/sys/block/${block}/removable`, 'utf8').trim() === '1') return true;
  } catch {
    return false;
  }
  try {
    // USB disks that call themselves fixed (many USB hard drives and some sticks)
    return fs.realpathSync(`/sys/block/${block}`).includes('/usb');
  } catch {
    return false;
  }
}

function labels(): Map<string, string> {
  const found = new Map<string, string>();
  try {
    for (const name of fs.readdirSync('/dev/disk/by-label')) {
      found.set(fs.realpathSync(path.join('/dev/disk/by-label', name)), unescapeMount(name.replace(/\\x([0-9a-f]{2})/gi, (_, hex: string) => `\\${parseInt(hex, 16).toString(8).padStart(3, '0')}`)));
    }
  } catch {
    // no labels (containers, Windows)
  }
  return found;
}

function describe(entry: MountEntry, removable: boolean, label: string): Drive | null {
  try {
    const stats = fs.statfsSync(entry.mountPoint);
    return {
      mountPoint: entry.mountPoint,
      label,
      filesystem: entry.filesystem,
      totalBytes: stats.blocks * stats.bsize,
      freeBytes: stats.bavail * stats.bsize,
      removable,
      readOnly: entry.readOnly,
      maxFileBytes: stats.type === MSDOS_SUPER_MAGIC || entry.filesystem === 'vfat' || entry.filesystem === 'msdos' ? FAT32_MAX_FILE_BYTES : null,
    };
  } catch {
    return null;
  }
}

/**
 * Removable drives on Linux: mounted block devices whose disk says removable (or hangs off USB),
 * with label, filesystem and space. `extraMountPoints` (CONSOLE_EXPORT_EXTRA_DRIVES, for tests
 * and odd readers) are listed as removable too.
 */
export function listLinuxDrives(extraMountPoints: readonly string[] = []): Drive[] {
  let mounts: MountEntry[];
  try {
    mounts = parseMounts(fs.readFileSync('/proc/mounts', 'utf8'));
  } catch {
    return [];
  }
  const byLabel = labels();
  const drives: Drive[] = [];
  const seen = new Set<string>();
  for (const entry of mounts) {
    if (seen.has(entry.mountPoint)) continue;
    const extra = extraMountPoints.includes(entry.mountPoint);
    const block = entry.device.startsWith('/dev/') ? blockDeviceOf(entry.device) : null;
    if (!extra && (!block || !isRemovableBlock(block))) continue;
    let real = entry.device;
    try {
      real = fs.realpathSync(entry.device);
    } catch {
      // tmpfs and the like
    }
    const drive = describe(entry, true, byLabel.get(real) ?? path.basename(entry.mountPoint));
    if (drive) {
      drives.push(drive);
      seen.add(entry.mountPoint);
    }
  }
  return drives;
}

/**
 * Windows: the logical disks that are removable (DriveType 2) or sit on a USB disk (USB hard
 * drives and some sticks call themselves fixed), as JSON, from PowerShell's CIM (Windows 7 with
 * PowerShell 3 and later). Fixed text: nothing a user typed goes into it.
 */
export const WINDOWS_DRIVES_SCRIPT = [
  '$ErrorActionPreference = "SilentlyContinue";',
  '$usb = @(Get-CimInstance Win32_DiskDrive -Filter "InterfaceType=\'USB\'" | ForEach-Object { Get-CimAssociatedInstance -InputObject $_ -ResultClassName Win32_DiskPartition } | ForEach-Object { Get-CimAssociatedInstance -InputObject $_ -ResultClassName Win32_LogicalDisk } | ForEach-Object { $_.DeviceID });',
  '@(Get-CimInstance Win32_LogicalDisk | Where-Object { $_.DriveType -eq 2 -or $usb -contains $_.DeviceID } | Select-Object DeviceID,VolumeName,FileSystem,Size,FreeSpace,Access) | ConvertTo-Json -Compress',
].join(' ');

interface WindowsDisk {
  DeviceID?: unknown;
  VolumeName?: unknown;
  FileSystem?: unknown;
  Size?: unknown;
  FreeSpace?: unknown;
  Access?: unknown;
}

/**
 * Drives from WINDOWS_DRIVES_SCRIPT's JSON (one object or an array; a reader with no card has no
 * size and is left out). `Access` 1 is "readable" only: a write-protected stick.
 */
export function parseWindowsDrives(json: string): Drive[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(json.trim() || '[]');
  } catch {
    return [];
  }
  const disks = (Array.isArray(parsed) ? parsed : [parsed]) as WindowsDisk[];
  const drives: Drive[] = [];
  for (const disk of disks) {
    if (!disk || typeof disk !== 'object') continue;
    const id = typeof disk.DeviceID === 'string' ? disk.DeviceID : '';
    if (!/^[A-Z]:$/i.test(id)) continue;
    const totalBytes = Number(disk.Size);
    const freeBytes = Number(disk.FreeSpace);
    if (!Number.isFinite(totalBytes) || totalBytes <= 0 || disk.Size === null) continue;
    const filesystem = typeof disk.FileSystem === 'string' ? disk.FileSystem.toLowerCase() : '';
    const label = typeof disk.VolumeName === 'string' && disk.VolumeName.trim() ? `${disk.VolumeName.trim()} (${id.toUpperCase()})` : id.toUpperCase();
    drives.push({
      mountPoint: `${id.toUpperCase()}\\`,
      label,
      filesystem,
      totalBytes,
      freeBytes: Number.isFinite(freeBytes) ? freeBytes : 0,
      removable: true,
      readOnly: disk.Access === 1,
      maxFileBytes: filesystem === 'fat32' || filesystem === 'fat' ? FAT32_MAX_FILE_BYTES : null,
    });
  }
  return drives;
}

function powershell(script: string, timeoutMs: number): Promise<{ ok: boolean; stdout: string; message: string }> {
  return new Promise((resolve) => {
    execFile('powershell.exe', ['-NoProfile', '-NonInteractive', '-ExecutionPolicy', 'Bypass', '-Command', script], { timeout: timeoutMs, windowsHide: true }, (error, stdout, stderr) => {
      resolve({ ok: !error, stdout: String(stdout), message: error ? String(stderr || error.message).slice(0, 300) : '' });
    });
  });
}

/**
 * Removable drives of this PC: Linux from /proc/mounts and /sys; Windows from PowerShell's CIM
 * (not run on this project's Linux CI: only its parser is tested); elsewhere none (the clerk
 * types a folder).
 */
export async function listRemovableDrives(extraMountPoints: readonly string[] = []): Promise<Drive[]> {
  if (process.platform === 'linux') return listLinuxDrives(extraMountPoints);
  if (process.platform === 'win32') {
    const result = await powershell(WINDOWS_DRIVES_SCRIPT, 15_000);
    return result.ok ? parseWindowsDrives(result.stdout) : [];
  }
  return [];
}

/** Windows' "Eject" of Explorer for a drive letter (`E:\\` → `E:`), or null for anything else. */
export function windowsEjectScript(mountPoint: string): string | null {
  const match = /^([A-Z]):\\?$/i.exec(mountPoint);
  if (!match) return null;
  return `(New-Object -ComObject Shell.Application).NameSpace(17).ParseName('${match[1]!.toUpperCase()}:').InvokeVerb('Eject')`;
}

/** Flushes and unmounts a listed drive so it can be pulled out safely. */
export async function ejectDrive(mountPoint: string): Promise<{ ok: boolean; message: string }> {
  if (process.platform === 'win32') {
    const script = windowsEjectScript(mountPoint);
    if (!script) return { ok: false, message: 'not a drive letter' };
    await powershell(script, 20_000);
    // Explorer's verb says nothing: the drive is gone from the list when it worked
    const still = (await listRemovableDrives()).some((drive) => drive.mountPoint === mountPoint);
    return { ok: !still, message: still ? 'the drive is still in use' : '' };
  }
  return new Promise((resolve) => {
    execFile('sync', [], () => {
      execFile('umount', [mountPoint], { timeout: 20_000 }, (error, _stdout, stderr) => {
        resolve({ ok: !error, message: error ? String(stderr || error.message).slice(0, 300) : '' });
      });
    });
  });
}
