import { type ECSClient, UpdateServiceCommand } from '@aws-sdk/client-ecs';
import type { Rollout } from '../contract/shapes.js';

/**
 * Points the service at `taskDefinitionArn` and returns the rollout of the
 * new PRIMARY deployment that ECS created for it, identified by its id.
 */
export async function startRollout(
  ecs: ECSClient,
  cluster: string,
  service: string,
  taskDefinitionArn: string,
  now: number,
): Promise<Rollout> {
  const out = await ecs.send(
    new UpdateServiceCommand({ cluster, service, taskDefinition: taskDefinitionArn }),
  );
  const primary = out.service?.deployments?.find(
    (d) => d.status === 'PRIMARY' && d.taskDefinition === taskDefinitionArn,
  );
  if (!primary?.id) {
    throw new Error(`UpdateService of ${service} returned no PRIMARY deployment for ${taskDefinitionArn}`);
  }
  return { deploymentId: primary.id, taskDefinitionArn, startedAt: now, state: 'IN_PROGRESS' };
}
