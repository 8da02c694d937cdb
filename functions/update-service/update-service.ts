import type { ECSClient } from '@aws-sdk/client-ecs';
import { startRollout } from '../commons/start-rollout.js';
import type { PreparedDeployment, RegisteredTaskDefinition, Rollout } from '../contract/shapes.js';

export interface UpdateServiceInput {
  deployment: PreparedDeployment;
  taskDefinition: RegisteredTaskDefinition;
}

export interface UpdateServiceDeps {
  ecs: ECSClient;
  now?: () => number;
}

/** Starts the rolling deployment of the new revision; its ECS deployment id identifies it from here on. */
export function updateService(input: UpdateServiceInput, deps: UpdateServiceDeps): Promise<Rollout> {
  const { deployment, taskDefinition } = input;
  return startRollout(
    deps.ecs,
    deployment.target.cluster,
    deployment.target.service,
    taskDefinition.taskDefinitionArn,
    deps.now?.() ?? Date.now(),
  );
}
