import { DescribeTaskDefinitionCommand } from '@aws-sdk/client-ecs';
import type { ServiceModel } from '../../manifest/model.js';
import { CommandFailedError } from '../errors.js';
import type { Session } from '../session.js';
import { describeEcsService } from './service-status.js';

/** Where a service's container logs go: the awslogs group of its task definition, and its streams' prefix. */
export interface LogSource {
  group: string;
  /** `<awslogs-stream-prefix>/<container>/`: a task's stream is this and its task id. */
  streamPrefix: string;
}

export async function logSourceOf(session: Session, model: ServiceModel): Promise<LogSource> {
  const service = await describeEcsService(session, model);
  const { taskDefinition } = await session.clients.ecs.send(
    new DescribeTaskDefinitionCommand({ taskDefinition: service.taskDefinition }),
  );
  const container =
    taskDefinition?.containerDefinitions?.find((c) => c.name === model.name) ??
    taskDefinition?.containerDefinitions?.[0];
  const logging = container?.logConfiguration;
  const group = logging?.options?.['awslogs-group'];
  if (logging?.logDriver !== 'awslogs' || !group)
    throw new CommandFailedError(
      `${model.name}'s task definition ${service.taskDefinition} sends its logs to ${logging?.logDriver ?? 'no log driver'}, not to CloudWatch Logs (awslogs): there is nothing to read`,
    );
  const prefix = logging.options?.['awslogs-stream-prefix'];
  return { group, streamPrefix: prefix ? `${prefix}/${container?.name}/` : '' };
}

/** `web/web/0123…` → the task id at its end. */
export const taskIdOfStream = (stream: string | undefined): string => stream?.split('/').pop() ?? '';
