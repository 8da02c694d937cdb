import type { ECSClient, RegisterTaskDefinitionCommandInput } from '@aws-sdk/client-ecs';
import { describeService } from '../commons/ecs-service.js';
import { TargetNotFoundError } from '../commons/errors.js';
import {
  BOOTSTRAP_LABEL,
  describeTaskDefinition,
  registerTaskDefinition,
  toRegisterInput,
} from '../commons/task-definition.js';
import type { PreparedDeployment, RegisteredTaskDefinition, ResolvedImage } from '../contract/shapes.js';

export interface RegisterInput {
  deployment: PreparedDeployment;
  image: ResolvedImage;
}

export interface RegisterDeps {
  ecs: ECSClient;
  now?: () => number;
}

/**
 * Registers a new revision of the service's *current* task definition with
 * only the container's image changed, pinned by digest. Everything else —
 * roles, environment, ports, logging, health checks, tags — is kept.
 */
export async function registerNewRevision(
  input: RegisterInput,
  deps: RegisterDeps,
): Promise<RegisteredTaskDefinition> {
  const { image } = input;
  const target = input.deployment.target;
  const service = await describeService(deps.ecs, target.cluster, target.service);
  const current = service.taskDefinition;
  if (!current) throw new TargetNotFoundError(`Service ${target.service} has no task definition`);
  const { taskDefinition, tags } = await describeTaskDefinition(deps.ecs, current);
  const request = withImage(toRegisterInput(taskDefinition, tags), target.containerName, image.imageUri);
  const arn = await registerTaskDefinition(deps.ecs, request);
  return {
    taskDefinitionArn: arn,
    previousTaskDefinitionArn: current,
    registeredAt: deps.now?.() ?? Date.now(),
  };
}

/**
 * Swaps the image of `containerName`. The stack's bootstrap placeholder
 * (labelled `stepship.bootstrap`) also carries a stand-in command, which the
 * real image must not inherit: for it, the command and label are dropped.
 */
export function withImage(
  request: RegisterTaskDefinitionCommandInput,
  containerName: string,
  imageUri: string,
): RegisterTaskDefinitionCommandInput {
  const containers = request.containerDefinitions ?? [];
  const container = containers.find((c) => c.name === containerName);
  if (!container) {
    const names = containers.map((c) => c.name).join(', ');
    throw new TargetNotFoundError(
      `The task definition has no container "${containerName}" (it has: ${names})`,
    );
  }
  container.image = imageUri;
  if (container.dockerLabels?.[BOOTSTRAP_LABEL] !== undefined) {
    delete container.command;
    delete container.dockerLabels[BOOTSTRAP_LABEL];
    if (Object.keys(container.dockerLabels).length === 0) delete container.dockerLabels;
  }
  return request;
}
