export type ActivityKind = 'task-start' | 'health-check' | 'draining' | 'task-stop';

interface Interval {
  kind: ActivityKind;
  start: number;
  end: number;
}

/**
 * What the local cloud itself spent time on (starting tasks, initial health
 * checks, draining, stopping), by its own clock. The benchmark subtracts the
 * union of these intervals from a deployment's duration to get the
 * orchestration overhead.
 */
export class ActivityLog {
  private readonly intervals: Interval[] = [];

  /** At most `capacity` intervals are kept, the oldest going first: enough for any deployment measured. */
  constructor(private readonly capacity = 10_000) {}

  record(kind: ActivityKind, start: number, end = Date.now()): void {
    if (end <= start) return;
    this.intervals.push({ kind, start, end });
    if (this.intervals.length > this.capacity)
      this.intervals.splice(0, this.intervals.length - this.capacity);
  }

  /** Milliseconds within [from, to] covered by at least one interval (overlaps counted once). */
  busyWithin(from: number, to: number, kinds?: ActivityKind[]): number {
    const clipped = this.intervals
      .filter((i) => (!kinds || kinds.includes(i.kind)) && i.end > from && i.start < to)
      .map((i) => [Math.max(i.start, from), Math.min(i.end, to)] as const)
      .sort((a, b) => a[0] - b[0]);
    let total = 0;
    let cursor = from;
    for (const [start, end] of clipped) {
      if (end <= cursor) continue;
      total += end - Math.max(start, cursor);
      cursor = end;
    }
    return total;
  }
}
