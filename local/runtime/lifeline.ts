import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DOCKER, docker } from '../docker/docker-cli.js';

const REAPER = fileURLToPath(new URL('./reaper.mjs', import.meta.url));
/** Every container and network of one local cloud carries its owner id under this label. */
export const OWNER_LABEL = 'stepship.local-cloud.owner';
/** And the pid of the process that started it, so a later start can tell a dead owner's leftovers. */
export const PID_LABEL = 'stepship.local-cloud.pid';

interface RunFile {
  cloudPid: number;
  owner: string;
  /** Task processes, each the leader of its own process group. */
  tasks: number[];
}

/**
 * What ties a local cloud's tasks to its life: a run file in the state
 * directory naming its task processes, and a detached reaper (reaper.mjs)
 * that ends them, and removes the cloud's containers and networks, when the
 * cloud dies without stopping them. A cloud that stops cleanly stands the
 * reaper down. At start, what a dead earlier cloud of the same state
 * directory left (when its reaper died too) is ended first.
 */
export class Lifeline {
  /** The id this cloud's containers and networks are labelled with. */
  readonly owner = `${process.pid}-${randomBytes(4).toString('hex')}`;
  private readonly runFile: string;
  private readonly tasks = new Set<number>();
  private reaper: ChildProcess | undefined;
  private closed = false;

  private constructor(
    runDir: string,
    private readonly withDocker: boolean,
  ) {
    this.runFile = join(runDir, `cloud-${this.owner}.json`);
  }

  static async start(options: { stateDir: string; docker: boolean }): Promise<Lifeline> {
    const runDir = join(options.stateDir, 'run');
    mkdirSync(runDir, { recursive: true });
    reapDeadRuns(runDir);
    if (options.docker) await removeOrphanedContainers();
    const lifeline = new Lifeline(runDir, options.docker);
    lifeline.save();
    lifeline.startReaper();
    return lifeline;
  }

  /** `docker run` labels that name this cloud as the container's owner. */
  get containerLabels(): string[] {
    return ['--label', `${OWNER_LABEL}=${this.owner}`, '--label', `${PID_LABEL}=${process.pid}`];
  }

  /** The variables a task process watches its parent with (see task-preload.mjs). */
  get taskEnvironment(): Record<string, string> {
    return { STEPSHIP_LOCAL_CLOUD_PID: String(process.pid) };
  }

  track(pid: number | undefined): void {
    if (pid === undefined) return;
    this.tasks.add(pid);
    this.save();
  }

  untrack(pid: number | undefined): void {
    if (pid === undefined || !this.tasks.delete(pid)) return;
    this.save();
  }

  /** The cloud stopped what it started: the reaper stands down, and the run file goes. */
  close(): void {
    this.closed = true;
    const reaper = this.reaper;
    this.reaper = undefined;
    if (reaper?.stdin?.writable) reaper.stdin.end('stand-down\n');
    rmSync(this.runFile, { force: true });
  }

  private save(): void {
    // After close (or once the state directory is gone) there is nothing left to keep track for:
    // a task exiting late must not make its exit handler throw and end the process.
    if (this.closed) return;
    const run: RunFile = { cloudPid: process.pid, owner: this.owner, tasks: [...this.tasks] };
    try {
      writeFileSync(this.runFile, JSON.stringify(run));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
  }

  private startReaper(): void {
    const config = {
      cloudPid: process.pid,
      owner: this.owner,
      runFile: this.runFile,
      docker: this.withDocker ? DOCKER : null,
    };
    const reaper = spawn(process.execPath, [REAPER, JSON.stringify(config)], {
      detached: true,
      stdio: ['pipe', 'ignore', 'ignore'],
      env: { PATH: process.env.PATH ?? '' },
    });
    // Neither the reaper nor its pipe may keep the cloud's process alive.
    reaper.on('error', () => undefined);
    reaper.stdin?.on('error', () => undefined);
    (reaper.stdin as unknown as { unref?: () => void } | null)?.unref?.();
    reaper.unref();
    this.reaper = reaper;
  }
}

/** Ends the task processes of earlier clouds of this state directory that died and whose reaper did not finish. */
function reapDeadRuns(runDir: string): void {
  for (const name of readdirSync(runDir)) {
    if (!/^cloud-.+\.json$/.test(name)) continue;
    const file = join(runDir, name);
    const run = readRun(file);
    if (!run || isAlive(run.cloudPid)) continue;
    for (const pid of run.tasks) if (isTaskOf(pid, run.cloudPid)) killGroup(pid);
    rmSync(file, { force: true });
  }
}

function readRun(file: string): RunFile | undefined {
  try {
    const run = JSON.parse(readFileSync(file, 'utf8')) as Partial<RunFile>;
    if (typeof run.cloudPid !== 'number' || !Array.isArray(run.tasks)) return undefined;
    return { cloudPid: run.cloudPid, owner: String(run.owner), tasks: run.tasks.filter(Number.isInteger) };
  } catch {
    return undefined;
  }
}

/**
 * Whether `pid` is still a task of the cloud that was `cloudPid`: its
 * environment names that cloud (so a pid the system has since handed to
 * another process is left alone). Without /proc, nothing is killed.
 */
function isTaskOf(pid: number, cloudPid: number): boolean {
  try {
    const environ = readFileSync(`/proc/${pid}/environ`, 'latin1').split('\0');
    return environ.includes(`STEPSHIP_LOCAL_CLOUD_PID=${cloudPid}`);
  } catch {
    return false;
  }
}

function killGroup(pid: number): void {
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone already
    }
  }
}

/** Containers and networks whose owning local cloud is dead (any state directory: Docker is machine-wide). */
async function removeOrphanedContainers(): Promise<void> {
  const orphans = async (kind: 'container' | 'network'): Promise<string[]> => {
    const list =
      kind === 'container'
        ? ['ps', '--all', '--filter', `label=${PID_LABEL}`, '--format', `{{.ID}} {{.Label "${PID_LABEL}"}}`]
        : [
            'network',
            'ls',
            '--filter',
            `label=${PID_LABEL}`,
            '--format',
            `{{.ID}} {{.Label "${PID_LABEL}"}}`,
          ];
    const lines = (await docker(list).catch(() => '')).split('\n').filter(Boolean);
    return lines
      .map((line) => line.split(' '))
      .filter(([, pid]) => !isAlive(Number(pid)))
      .map(([id]) => id ?? '')
      .filter(Boolean);
  };
  const containers = await orphans('container');
  if (containers.length > 0) await docker(['rm', '--force', ...containers]).catch(() => undefined);
  for (const network of await orphans('network'))
    await docker(['network', 'rm', network]).catch(() => undefined);
}

function isAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
