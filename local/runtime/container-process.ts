import { spawn } from 'node:child_process';
import { DOCKER, docker } from '../docker/docker-cli.js';
import type { ExitStatus, TaskRuntimeProcess } from './task-process.js';

export interface ContainerSpec {
  name: string;
  image: string;
  env: Record<string, string>;
  entryPoint?: string[];
  command?: string[];
  stopTimeoutSeconds: number;
  /** `docker run` options that place it on the local cloud's network (see TaskNetwork.containerOptions). */
  networkArgs: string[];
  /** Its address on that network, where this machine reaches its ports directly. */
  addressOf: (containerId: string) => Promise<string | undefined>;
  onOutput: (chunk: Buffer) => void;
}

/**
 * One task's container in a Docker engine, in a network namespace of its own
 * on the local cloud's bridge network (as a Fargate task has its own), its
 * ports published on the task's loopback address. `docker stop` gives
 * SIGTERM, then SIGKILL after the stop timeout, as ECS does.
 */
export class ContainerProcess implements TaskRuntimeProcess {
  exit: ExitStatus | undefined;
  readonly exited: Promise<ExitStatus>;
  private readonly started: Promise<string>;
  private address: string | undefined;

  constructor(private readonly spec: ContainerSpec) {
    const args = [
      'run',
      '--detach',
      ...spec.networkArgs,
      '--name',
      spec.name,
      '--label',
      'stepship.local-cloud=task',
      '--stop-timeout',
      String(spec.stopTimeoutSeconds),
    ];
    for (const [key, value] of Object.entries(spec.env)) args.push('--env', `${key}=${value}`);
    if (spec.entryPoint?.length) args.push('--entrypoint', spec.entryPoint[0] ?? '');
    args.push(spec.image, ...(spec.entryPoint?.slice(1) ?? []), ...(spec.command ?? []));
    this.started = docker(args, { timeoutMs: 120_000 });
    this.exited = this.started.then(
      async (id) => {
        const logs = spawn(DOCKER, ['logs', '--follow', id], { stdio: ['ignore', 'pipe', 'pipe'] });
        // Logs are best effort: a client that can't follow them must not end the process.
        logs.on('error', (err) =>
          spec.onOutput(Buffer.from(`cannot follow the container's logs: ${err.message}\n`)),
        );
        logs.stdout.on('data', spec.onOutput);
        logs.stderr.on('data', spec.onOutput);
        const code = Number(await docker(['wait', id], { timeoutMs: 24 * 3600 * 1000 }).catch(() => '137'));
        logs.kill();
        await docker(['rm', '--force', id]).catch(() => undefined);
        this.exit = { code, signal: code === 137 ? 'SIGKILL' : null };
        return this.exit;
      },
      (err: Error) => {
        spec.onOutput(Buffer.from(`failed to start the container: ${err.message}\n`));
        this.exit = { code: 125, signal: null };
        return this.exit;
      },
    );
  }

  /** Where to check that the app listens: behind a published port, Docker's proxy accepts before the app does. */
  async probeHost(): Promise<string | undefined> {
    if (this.address) return this.address;
    const id = await this.started.catch(() => undefined);
    this.address = id ? await this.spec.addressOf(id) : undefined;
    return this.address;
  }

  get running(): boolean {
    return this.exit === undefined;
  }

  async stop(stopTimeoutSeconds: number): Promise<ExitStatus> {
    if (!this.running) return this.exited;
    const id = await this.started.catch(() => undefined);
    if (id)
      await docker(['stop', '--time', String(stopTimeoutSeconds), id], {
        timeoutMs: (stopTimeoutSeconds + 30) * 1000,
      }).catch(() => undefined);
    return this.exited;
  }
}
