import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * What `stepship start` tells the other commands while it serves, in the
 * app's state folder: where its local cloud answers. Removed when it stops;
 * a file left by a process that died is ignored (its pid is gone).
 */
export interface CloudDiscovery {
  pid: number;
  endpoint: string;
  loadBalancerUrl: string;
  consoleUrl: string;
  region: string;
  accountId: string;
  /** Strict mode: the other commands sign with the cloud's kept credentials (`credentials.json` beside this file). */
  strict?: boolean;
  startedAt: string;
}

export const DISCOVERY_FILE = 'cloud.json';

export function discoveryPath(stateDir: string): string {
  return join(stateDir, DISCOVERY_FILE);
}

export function writeDiscovery(stateDir: string, cloud: CloudDiscovery): string {
  const path = discoveryPath(stateDir);
  writeFileSync(path, `${JSON.stringify(cloud, null, 2)}\n`, { mode: 0o600 });
  return path;
}

/** Removes the file if it is still this process's (another `start` may have replaced it). */
export function removeDiscovery(stateDir: string, pid = process.pid): void {
  if (readDiscovery(stateDir)?.pid === pid) rmSync(discoveryPath(stateDir), { force: true });
}

/** The file's contents, if it holds what `start` writes; anything else counts as no file. */
export function readDiscovery(stateDir: string): CloudDiscovery | undefined {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(discoveryPath(stateDir), 'utf8'));
  } catch {
    return undefined;
  }
  if (typeof raw !== 'object' || raw === null) return undefined;
  const d = raw as Record<string, unknown>;
  const strings = ['endpoint', 'loadBalancerUrl', 'consoleUrl', 'region', 'accountId', 'startedAt'];
  if (!Number.isInteger(d.pid) || !strings.every((k) => typeof d[k] === 'string')) return undefined;
  return d as unknown as CloudDiscovery;
}

/** The discovery file of a `start` that is still running. */
export function liveDiscovery(stateDir: string): CloudDiscovery | undefined {
  const found = readDiscovery(stateDir);
  return found && isAlive(found.pid) ? found : undefined;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists, but belongs to another user.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
