import { readFileSync } from 'node:fs';

/** Linux counts process CPU time in USER_HZ ticks, 100 a second on every architecture Node runs on. */
const TICKS_PER_SECOND = 100;

interface CpuSample {
  ticks: number;
  at: number;
}

/**
 * A local task process's CPU and memory, read from /proc as `ps` does: CPU
 * as the share of one core used since the previous reading, memory as the
 * resident set. Undefined where /proc has no such process (it ended, or the
 * task runs in a container).
 */
export class ProcessMeter {
  private readonly previous = new Map<number, CpuSample>();

  /** Cores used (1 = one whole core) since the last call for this pid; undefined on the first. */
  cpuCores(pid: number): number | undefined {
    const ticks = cpuTicks(pid);
    if (ticks === undefined) {
      this.previous.delete(pid);
      return undefined;
    }
    const now = Date.now();
    const before = this.previous.get(pid);
    this.previous.set(pid, { ticks, at: now });
    if (!before || now <= before.at) return undefined;
    return (ticks - before.ticks) / TICKS_PER_SECOND / ((now - before.at) / 1000);
  }

  /** Resident memory in MiB. */
  memoryMiB(pid: number): number | undefined {
    try {
      const match = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
      return match ? Number(match[1]) / 1024 : undefined;
    } catch {
      return undefined;
    }
  }
}

function cpuTicks(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces and parentheses: count fields after its closing one.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[11]) + Number(fields[12]); // utime + stime (fields 14 and 15)
  } catch {
    return undefined;
  }
}
