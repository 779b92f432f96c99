/**
 * CPU accounting on a shared machine (Linux /proc): how much of the machine the benchmark's own
 * processes used during a run, and how much went to everything else (other people's builds and
 * tests), so a disturbed run can be seen and discounted.
 */
import { readdirSync, readFileSync } from 'node:fs';

const HZ = 100; // USER_HZ on Linux

function busyJiffies(): number {
  const cpu = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  // user nice system idle iowait irq softirq steal ...
  return cpu[0] + cpu[1] + cpu[2] + cpu[5] + cpu[6];
}

function processJiffies(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[11]) + Number(fields[12]); // utime + stime
  } catch {
    return 0;
  }
}

/** Processes of the PostgreSQL cluster that are not client backends (WAL writer, checkpointer...). */
export function postgresAuxiliaryPids(): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmd = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
      if (/^postgres: .*(walwriter|checkpointer|background writer|autovacuum|logical replication|stats)/.test(cmd)) {
        pids.push(Number(entry));
      }
    } catch {
      // gone
    }
  }
  return pids;
}

export interface CpuWindow {
  /** Cores busy on the whole machine, on average. */
  busyCores: number;
  /** Cores used by the benchmark's processes (load generator, server, its PostgreSQL backends). */
  benchCores: number;
  /** Cores used by everything else: should be near 0 for a clean run. */
  otherCores: number;
}

export function startCpuWindow(pids: () => number[]): () => CpuWindow {
  const t0 = process.hrtime.bigint();
  const busy0 = busyJiffies();
  const mine0 = new Map(pids().map((p) => [p, processJiffies(p)]));
  return () => {
    const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
    const busy = (busyJiffies() - busy0) / HZ / seconds;
    let mine = 0;
    for (const [pid, j0] of mine0) mine += Math.max(0, processJiffies(pid) - j0);
    const benchCores = mine / HZ / seconds;
    const round = (x: number) => Math.round(x * 100) / 100;
    return { busyCores: round(busy), benchCores: round(benchCores), otherCores: round(Math.max(0, busy - benchCores)) };
  };
}

/** Waits until the machine is nearly idle (others' work finished), up to `timeoutMs`; false if it never was. */
export async function waitForQuiet(maxBusyCores: number, timeoutMs: number): Promise<boolean> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const b0 = busyJiffies();
    await new Promise((r) => setTimeout(r, 1000));
    const busy = (busyJiffies() - b0) / HZ;
    if (busy <= maxBusyCores) return true;
    if (Date.now() > until) return false;
  }
}
