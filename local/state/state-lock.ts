import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';

/** Who holds a state directory's durable state. */
export interface StateClaim {
  /** This cloud keeps its state in the directory (else another running cloud does, and this one keeps it in memory). */
  readonly durable: boolean;
  /** The holder before this one died without letting go (a crash, a SIGKILL): what it had running was interrupted. */
  readonly takenOverFromDeadHolder: boolean;
  /** The pid of the running cloud that holds it, when this one doesn't. */
  readonly heldBy?: number;
  release(): void;
}

/**
 * One local cloud at a time keeps a state directory's durable state (its
 * DynamoDB, images, parameters, secrets): the first to start claims it with
 * a lock file naming its pid. Another started on the same directory while
 * that one runs keeps its state in memory. A lock whose process is gone is
 * taken over.
 */
export function claimStateDir(stateDir: string): StateClaim {
  mkdirSync(stateDir, { recursive: true });
  const path = join(stateDir, 'local-cloud.lock');
  const inMemory = (heldBy: number): StateClaim => ({
    durable: false,
    takenOverFromDeadHolder: false,
    heldBy,
    release: () => undefined,
  });
  // Another cloud in this very process holds it (the lock file can't tell this process's clouds apart).
  if (claimedHere.has(path)) return inMemory(process.pid);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(path, 'wx', 0o600);
      writeSync(fd, JSON.stringify({ pid: process.pid }));
      closeSync(fd);
      claimedHere.add(path);
      return {
        durable: true,
        takenOverFromDeadHolder: attempt > 0,
        release: () => {
          claimedHere.delete(path);
          if (holderOf(path) === process.pid) rmSync(path, { force: true });
        },
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const holder = holderOf(path);
    if (holder !== undefined && holder !== process.pid && isAlive(holder)) return inMemory(holder);
    // The holder is gone (or the file is unreadable): take it over.
    rmSync(path, { force: true });
  }
  return inMemory(0);
}

const claimedHere = new Set<string>();

function holderOf(path: string): number | undefined {
  try {
    const pid = (JSON.parse(readFileSync(path, 'utf8')) as { pid?: unknown }).pid;
    return typeof pid === 'number' ? pid : undefined;
  } catch {
    return undefined;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
