import { setTimeout as sleep } from 'node:timers/promises';
import { GetLogEventsCommand, ResourceNotFoundException } from '@aws-sdk/client-cloudwatch-logs';
import { DescribeTasksCommand, RunTaskCommand, StopTaskCommand, type Task } from '@aws-sdk/client-ecs';
import type { ServiceModel } from '../../manifest/model.js';
import { CommandFailedError } from '../errors.js';
import type { Session } from '../session.js';
import { type LogSource, logSourceOf } from './log-source.js';
import { describeEcsService } from './service-status.js';

export interface OneOffOptions {
  command: string[];
  environment: Record<string, string>;
  /** Aborting stops the task (StopTask); its end is still waited for and reported. */
  signal: AbortSignal;
  onLine(line: string): void;
  onStatus?(status: string): void;
  /** Something the user should know that isn't the task's output. */
  onNotice?(notice: string): void;
  pollMs?: number;
}

export interface OneOffResult {
  taskArn: string;
  /** The container's exit code; absent when it never ran (the reason says why). */
  exitCode?: number;
  stoppedReason?: string;
  stopCode?: string;
}

/** What `stepship run` stamps on its tasks (ListTasks --started-by finds them). */
export const RUN_STARTED_BY = 'stepship-run';

/**
 * A one-off task (a migration) from the service's current task definition,
 * on the service's network, with the command (and variables) overridden:
 * its output streamed from its log stream while it runs, its exit code
 * returned once it has stopped.
 */
export async function runOneOff(
  session: Session,
  model: ServiceModel,
  options: OneOffOptions,
): Promise<OneOffResult> {
  const { ecs } = session.clients;
  const service = await describeEcsService(session, model);
  const source = await logSourceOf(session, model).catch((err: unknown) => {
    options.onNotice?.(`its output is not shown: ${err instanceof Error ? err.message : String(err)}`);
    return undefined;
  });
  const environment = Object.entries(options.environment).map(([name, value]) => ({ name, value }));
  const out = await ecs.send(
    new RunTaskCommand({
      cluster: service.clusterArn,
      taskDefinition: service.taskDefinition,
      count: 1,
      startedBy: RUN_STARTED_BY,
      ...(service.capacityProviderStrategy?.length
        ? { capacityProviderStrategy: service.capacityProviderStrategy }
        : { launchType: service.launchType ?? 'FARGATE' }),
      ...(service.platformVersion ? { platformVersion: service.platformVersion } : {}),
      ...(service.networkConfiguration ? { networkConfiguration: service.networkConfiguration } : {}),
      overrides: {
        containerOverrides: [
          { name: model.name, command: options.command, ...(environment.length ? { environment } : {}) },
        ],
      },
    }),
  );
  const task = out.tasks?.[0];
  if (!task?.taskArn)
    throw new CommandFailedError(
      `ECS started no task: ${out.failures?.map((f) => `${f.arn ?? ''} ${f.reason}: ${f.detail ?? ''}`).join('; ') || 'no reason given'}`,
    );
  const taskArn = task.taskArn;
  const stream = source ? new TaskLogStream(session, source, taskArn) : undefined;
  const stop = () =>
    void ecs
      .send(
        new StopTaskCommand({
          cluster: service.clusterArn,
          task: taskArn,
          reason: 'Interrupted: stepship run',
        }),
      )
      .catch(() => undefined);
  options.signal.addEventListener('abort', stop, { once: true });
  try {
    let last = '';
    let stopped: Task | undefined;
    while (!stopped) {
      const { tasks = [], failures = [] } = await ecs.send(
        new DescribeTasksCommand({ cluster: service.clusterArn, tasks: [taskArn] }),
      );
      if (tasks.length === 0)
        throw new CommandFailedError(
          `ECS no longer knows task ${taskArn} (${failures[0]?.reason ?? 'MISSING'})`,
        );
      const status = tasks[0]?.lastStatus ?? 'UNKNOWN';
      if (status !== last) options.onStatus?.(status);
      last = status;
      if (status === 'STOPPED') stopped = tasks[0];
      await stream?.readNew(options.onLine);
      if (!stopped) await sleep(options.pollMs ?? 1000);
    }
    await stream?.drain(options.onLine, options.pollMs ?? 1000);
    const container = stopped.containers?.find((c) => c.name === model.name) ?? stopped.containers?.[0];
    return {
      taskArn,
      ...(container?.exitCode !== undefined ? { exitCode: container.exitCode } : {}),
      ...(stopped.stoppedReason ? { stoppedReason: stopped.stoppedReason } : {}),
      ...(stopped.stopCode ? { stopCode: stopped.stopCode } : {}),
    };
  } finally {
    options.signal.removeEventListener('abort', stop);
  }
}

/** One task's log stream, read forward from its start as it grows. */
class TaskLogStream {
  private token: string | undefined;
  private readonly name: string;

  constructor(
    private readonly session: Session,
    private readonly source: LogSource,
    taskArn: string,
  ) {
    this.name = `${source.streamPrefix}${taskArn.split('/').pop()}`;
  }

  /** Prints what was written since the last read; answers how many lines. */
  async readNew(onLine: (line: string) => void): Promise<number> {
    let printed = 0;
    for (;;) {
      let page: Awaited<ReturnType<TaskLogStream['page']>>;
      try {
        page = await this.page();
      } catch (err) {
        // The stream appears with the task's first output.
        if (err instanceof ResourceNotFoundException) return printed;
        throw err;
      }
      for (const e of page.events ?? [])
        for (const line of (e.message ?? '').trimEnd().split('\n')) onLine(line);
      printed += page.events?.length ?? 0;
      const same = page.nextForwardToken === this.token;
      this.token = page.nextForwardToken;
      if (same || (page.events ?? []).length === 0) return printed;
    }
  }

  /**
   * After the task stopped: what is left, then once more after a pause,
   * since CloudWatch Logs may take a moment to deliver the last lines.
   */
  async drain(onLine: (line: string) => void, pauseMs: number): Promise<void> {
    await this.readNew(onLine);
    await sleep(pauseMs);
    await this.readNew(onLine);
  }

  private page() {
    return this.session.clients.logs.send(
      new GetLogEventsCommand({
        logGroupName: this.source.group,
        logStreamName: this.name,
        startFromHead: true,
        ...(this.token ? { nextToken: this.token } : {}),
      }),
    );
  }
}
