import { fileURLToPath } from 'node:url';
import type { LocalCloudOptions } from '../../local/cloud.js';
import { type JsonLineProcess, spawnJsonLogger } from './child-process.js';

const SCRIPT = fileURLToPath(new URL('./run-local-cloud.ts', import.meta.url));

export interface CloudChild {
  process: JsonLineProcess;
  pid: number;
  endpointUrl: string;
  loadBalancerUrl: string;
  region: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
  /** Whether it keeps its state in its state directory. */
  durableState: boolean;
  /** What it found interrupted at start (LocalCloud.recovered). */
  recovered: { failed: string[]; released: string[] };
  /** The provisioned stacks' outputs, `<stack>.<output>` → value (with `provision`). */
  outputs: Record<string, string>;
  /** Whether the process is still running. */
  alive(): boolean;
  /** SIGTERM, and the exit. */
  stop(): Promise<void>;
}

/** Starts a local cloud in a child process (see run-local-cloud.ts) and waits until it serves. */
export async function startCloudChild(
  options: LocalCloudOptions & { provision?: string },
  timeoutMs = 60_000,
): Promise<CloudChild> {
  const child = spawnJsonLogger(['--import', 'tsx', SCRIPT, JSON.stringify(options)], process.env);
  let exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  void child.exited.then((e) => {
    exit = e;
  });
  const ready = await child
    .waitForLine((l) => l.event === 'ready', timeoutMs)
    .catch((err: unknown) => {
      child.child.kill('SIGKILL');
      throw err;
    });
  return {
    process: child,
    pid: Number(ready.pid),
    endpointUrl: String(ready.endpointUrl),
    loadBalancerUrl: String(ready.loadBalancerUrl),
    region: String(ready.region),
    credentials: ready.credentials as CloudChild['credentials'],
    durableState: ready.durableState === true,
    recovered: ready.recovered as CloudChild['recovered'],
    outputs: ready.outputs as Record<string, string>,
    alive: () => exit === undefined,
    async stop() {
      if (exit === undefined) child.child.kill('SIGTERM');
      await child.exited;
    },
  };
}
