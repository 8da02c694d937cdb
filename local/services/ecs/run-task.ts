import type { ContainerOverride, Failure, RunTaskRequest } from '@aws-sdk/client-ecs';
import { AwsError } from '../../http/aws-error.js';
import { placeTask } from './placement.js';
import type { ContainerInstance, EcsStore, Task, TaskDefinition } from './store.js';

const invalid = (message: string) => new AwsError('InvalidParameterException', message);

/** RunTask's documented limits: up to 10 tasks a call; startedBy up to 128 of these; 8192 characters of overrides. */
const MAX_COUNT = 10;
const STARTED_BY = /^[A-Za-z0-9_/-]{1,128}$/;
const MAX_OVERRIDES_CHARS = 8192;

/** What a RunTask request asks for, checked as ECS checks it against the task definition it names. */
export interface CheckedRunTask {
  count: number;
  startedBy: string;
  group: string;
  overrides?: ContainerOverride[];
}

export function checkRunTask(input: RunTaskRequest, definition: TaskDefinition): CheckedRunTask {
  if (definition.status !== 'ACTIVE') throw new AwsError('ClientException', 'TaskDefinition is inactive');
  const count = input.count ?? 1;
  if (!Number.isInteger(count) || count < 1 || count > MAX_COUNT)
    throw invalid(`count must be an integer from 1 to ${MAX_COUNT} (got ${count}).`);
  if (input.launchType && input.capacityProviderStrategy?.length)
    throw invalid('Specifying both a launch type and capacity provider strategy is not supported.');
  if (input.launchType && input.launchType !== 'FARGATE' && input.launchType !== 'EC2')
    throw invalid(
      `The local cloud runs Fargate and EC2 tasks; launch type ${input.launchType} is not emulated.`,
    );
  if (input.startedBy !== undefined && !STARTED_BY.test(input.startedBy))
    throw invalid(
      'startedBy may hold up to 128 letters, numbers, hyphens (-), forward slashes (/) and underscores (_).',
    );
  if (definition.networkMode === 'awsvpc' && !input.networkConfiguration?.awsvpcConfiguration)
    throw invalid("Network Configuration must be provided when networkMode 'awsvpc' is specified.");
  const overrides = input.overrides?.containerOverrides;
  if (overrides) {
    if (JSON.stringify(input.overrides).length > MAX_OVERRIDES_CHARS)
      throw invalid(`Container Overrides length must be at most ${MAX_OVERRIDES_CHARS}.`);
    for (const override of overrides) {
      if (!definition.containerDefinitions.some((c) => c.name === override.name))
        throw invalid(
          `Override for container named ${override.name} is not a container in the TaskDefinition.`,
        );
    }
  }
  return {
    count,
    startedBy: input.startedBy ?? '',
    group: input.group ?? `family:${definition.family}`,
    ...(overrides?.length ? { overrides } : {}),
  };
}

/**
 * RunTask's tasks, each launched as soon as it is placed (so the next
 * placement counts it): on EC2 capacity (launch type EC2, or a strategy
 * naming an Auto Scaling group provider) each on an instance with room, one
 * that fits nowhere a RESOURCE:MEMORY or RESOURCE:CPU failure; on Fargate,
 * anywhere.
 */
export function runOneOffTasks(
  store: EcsStore,
  clusterArn: string,
  input: RunTaskRequest,
  count: number,
  task: {
    definition: TaskDefinition;
    definitionOf: (arn: string) => TaskDefinition | undefined;
    launch: (provider: string | undefined, instance: ContainerInstance | undefined) => Task;
  },
): { tasks: Task[]; failures: Failure[] } {
  const provider = input.capacityProviderStrategy?.find((s) => s.capacityProvider)?.capacityProvider;
  const onEc2 =
    input.launchType === 'EC2' || (provider !== undefined && store.capacityProviders.has(provider));
  const tasks: Task[] = [];
  const failures: Failure[] = [];
  for (let n = 0; n < count; n++) {
    const placement = onEc2
      ? placeTask(store, { clusterArn }, task.definition, provider, task.definitionOf)
      : undefined;
    if (placement && 'unplaced' in placement) {
      if (!placement.closest) throw invalid('No Container Instances were found in your cluster.');
      failures.push({ arn: placement.closest.arn, reason: `RESOURCE:${placement.closest.lacking}` });
      continue;
    }
    tasks.push(task.launch(provider, placement?.instance));
  }
  return { tasks, failures };
}
