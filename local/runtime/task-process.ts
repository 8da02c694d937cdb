import { type ChildProcess, spawn } from 'node:child_process';

export interface ProcessSpec {
  argv: string[];
  cwd: string;
  env: Record<string, string>;
  onOutput: (chunk: Buffer) => void;
  /** Told of the process while it runs, so it dies with the local cloud (see lifeline.ts). */
  lifeline?: { track(pid: number | undefined): void; untrack(pid: number | undefined): void };
}

export type ExitStatus = { code: number | null; signal: NodeJS.Signals | null };

/** A task's running container, whichever runtime runs it. */
export interface TaskRuntimeProcess {
  readonly running: boolean;
  readonly exit: ExitStatus | undefined;
  readonly exited: Promise<ExitStatus>;
  /** The local process's id, for measuring its CPU and memory (absent for a container). */
  readonly pid?: number | undefined;
  /** Where its ports are reached to tell it listens, when not at the task's address. */
  probeHost?(): Promise<string | undefined>;
  /** SIGTERM, then SIGKILL after the stop timeout. */
  stop(stopTimeoutSeconds: number): Promise<ExitStatus>;
}

/**
 * One task's container as a local process, leading a process group of its
 * own (so what it starts stops with it, and a signal at the local cloud's
 * terminal isn't its). `stop` sends SIGTERM and, after the stop timeout,
 * SIGKILL to the group — as ECS stops a task.
 */
export class TaskProcess implements TaskRuntimeProcess {
  private readonly child: ChildProcess;
  get pid(): number | undefined {
    return this.child.pid;
  }
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;

  constructor(spec: ProcessSpec) {
    const [command, ...args] = spec.argv;
    this.child = spawn(command ?? 'node', args, {
      cwd: spec.cwd,
      env: spec.env,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    const pid = this.child.pid;
    spec.lifeline?.track(pid);
    this.child.stdout?.on('data', spec.onOutput);
    this.child.stderr?.on('data', spec.onOutput);
    this.exited = new Promise((resolve) => {
      this.child.once('exit', (code, signal) => {
        this.exit = { code, signal };
        // What the task started in its group goes with it.
        this.signal('SIGKILL');
        spec.lifeline?.untrack(pid);
        resolve(this.exit);
      });
      this.child.once('error', (err) => {
        spec.onOutput(Buffer.from(`failed to start: ${err.message}\n`));
        this.exit = { code: 127, signal: null };
        resolve(this.exit);
      });
    });
  }

  get running(): boolean {
    return this.exit === undefined;
  }

  async stop(stopTimeoutSeconds: number): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    if (!this.running) return this.exited;
    this.signal('SIGTERM');
    const timer = setTimeout(() => this.signal('SIGKILL'), stopTimeoutSeconds * 1000);
    const result = await this.exited;
    clearTimeout(timer);
    return result;
  }

  /** Signals the task's process group (the process alone when it leads none). */
  private signal(name: NodeJS.Signals): void {
    const pid = this.child.pid;
    if (pid === undefined) return;
    try {
      process.kill(-pid, name);
    } catch {
      this.child.kill(name);
    }
  }
}
