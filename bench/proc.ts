import fs from 'node:fs';
import os from 'node:os';

/**
 * CPU and memory of process trees from /proc (Linux): utime+stime of a root process and every
 * descendant, so "the console" counts its ffmpeg children and "the browser" all its processes.
 */
const TICKS_PER_SECOND = 100; // USER_HZ on Linux

interface ProcStat {
  pid: number;
  ppid: number;
  cpuTicks: number;
  rssBytes: number;
  command: string;
}

function readStat(pid: number): ProcStat | null {
  try {
    const text = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const close = text.lastIndexOf(')');
    const command = text.slice(text.indexOf('(') + 1, close);
    const fields = text.slice(close + 2).split(' ');
    // fields[0] is field 3 (state): ppid is field 4, utime 14, stime 15, rss 24
    return {
      pid,
      ppid: Number(fields[1]),
      cpuTicks: Number(fields[11]) + Number(fields[12]),
      rssBytes: Number(fields[21]) * 4096,
      command,
    };
  } catch {
    return null;
  }
}

export function allProcesses(): ProcStat[] {
  return fs
    .readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .map((name) => readStat(Number(name)))
    .filter((stat): stat is ProcStat => stat !== null);
}

export function tree(rootPid: number, processes = allProcesses()): ProcStat[] {
  const byParent = new Map<number, ProcStat[]>();
  for (const stat of processes) byParent.set(stat.ppid, [...(byParent.get(stat.ppid) ?? []), stat]);
  const result: ProcStat[] = [];
  const root = processes.find((stat) => stat.pid === rootPid);
  if (!root) return result;
  const queue = [root];
  while (queue.length > 0) {
    const next = queue.shift()!;
    result.push(next);
    queue.push(...(byParent.get(next.pid) ?? []));
  }
  return result;
}

export interface TreeSample {
  atMs: number;
  ticks: Map<number, number>;
  rssBytes: number;
  count: number;
}

export function sampleTree(rootPid: number, filter: (stat: ProcStat) => boolean = () => true): TreeSample {
  const members = tree(rootPid).filter(filter);
  return {
    atMs: Date.now(),
    ticks: new Map(members.map((stat) => [stat.pid, stat.cpuTicks])),
    rssBytes: members.reduce((sum, stat) => sum + stat.rssBytes, 0),
    count: members.length,
  };
}

/** Cores used between two samples (1.0 = one core busy), counting processes present in both. */
export function coresBetween(a: TreeSample, b: TreeSample): number {
  let ticks = 0;
  for (const [pid, after] of b.ticks) {
    const before = a.ticks.get(pid);
    if (before !== undefined) ticks += after - before;
  }
  return ticks / TICKS_PER_SECOND / ((b.atMs - a.atMs) / 1000);
}

export function machine(): string {
  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  return `${os.cpus().length} × ${cpu}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, ${os.type()} ${os.release()}`;
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[middle] ?? 0) : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
}
