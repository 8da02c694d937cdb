import { parseArn, scopeOfArn } from '../../core/arns.js';
import type { Scope } from '../../core/scope.js';
import type { Ecs } from './provider.js';

/** AWS gives a Fargate Spot task two minutes between the warning (SIGTERM) and SIGKILL. */
export const SPOT_WARNING_SECONDS = 120;

export class NotInterruptibleError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NotInterruptibleError';
  }
}

/**
 * Interrupts a running Fargate Spot task, as AWS reclaiming the capacity
 * would: a local-only control (AWS has no API for it), for tests and demos.
 * Resolves once the task is STOPPED. The warning may be shortened so a test
 * need not wait two minutes.
 */
export async function interruptSpotTask(
  ecs: Ecs,
  fallback: Scope,
  taskArn: string,
  warningSeconds = SPOT_WARNING_SECONDS,
): Promise<void> {
  const parsed = parseArn(taskArn);
  const task = parsed ? ecs.stores.of(scopeOfArn(parsed, fallback)).tasks.get(taskArn) : undefined;
  if (!task) throw new NotInterruptibleError(`No task ${taskArn}`);
  if (task.capacityProviderName !== 'FARGATE_SPOT')
    throw new NotInterruptibleError(
      `Task ${taskArn} runs on ${task.capacityProviderName ?? 'FARGATE (no capacity provider)'}, not FARGATE_SPOT: only Spot tasks are interrupted`,
    );
  if (task.desiredStatus !== 'RUNNING')
    throw new NotInterruptibleError(`Task ${taskArn} is already stopping`);
  await ecs.scheduler.interruptSpot(task, warningSeconds);
}
