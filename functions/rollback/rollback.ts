import type { ECSClient } from '@aws-sdk/client-ecs';
import { describeService } from '../commons/ecs-service.js';
import { RollbackError } from '../commons/errors.js';
import type { RecordStore } from '../commons/records.js';
import { startRollout } from '../commons/start-rollout.js';
import {
  describeTaskDefinition,
  registerTaskDefinition,
  toRegisterInput,
} from '../commons/task-definition.js';
import type {
  CaughtError,
  PreparedDeployment,
  RegisteredTaskDefinition,
  Rollout,
} from '../contract/shapes.js';

export interface RollbackInput {
  deployment: PreparedDeployment;
  taskDefinition?: RegisteredTaskDefinition;
  error: CaughtError;
}

export interface RollbackResult {
  rolledBackTo: string;
  /** Where the revision came from: the last verified deployment, or what ran before this one. */
  basis: 'last-verified' | 'previous';
  rollout: Rollout;
}

export interface RollbackDeps {
  ecs: ECSClient;
  records: RecordStore;
  now?: () => number;
}

/**
 * Rolls the service back to the last *verified* task definition (from the
 * deployment records), else to the one running before this deployment. If
 * that revision was deregistered, an identical copy is registered so the
 * rollback isn't blocked. If ECS's circuit breaker already put the service
 * on it, that rollout is the one to wait for.
 */
export async function rollback(input: RollbackInput, deps: RollbackDeps): Promise<RollbackResult> {
  const { taskDefinition } = input;
  const { cluster, service: serviceName } = input.deployment.target;
  const now = deps.now?.() ?? Date.now();
  const failed = taskDefinition?.taskDefinitionArn ?? '';
  const lastVerified = await deps.records.lastVerifiedTaskDefinition(serviceName, failed);
  const chosen = lastVerified ?? taskDefinition?.previousTaskDefinitionArn;
  if (!chosen) {
    throw new RollbackError(`No verified or previous task definition of ${serviceName} to roll back to`);
  }
  const usable = await ensureActive(deps.ecs, chosen);
  const basis = lastVerified ? 'last-verified' : 'previous';

  const service = await describeService(deps.ecs, cluster, serviceName);
  const primary = service.deployments?.find((d) => d.status === 'PRIMARY');
  if (primary?.id && primary.taskDefinition === usable) {
    return {
      rolledBackTo: usable,
      basis,
      rollout: { deploymentId: primary.id, taskDefinitionArn: usable, startedAt: now, state: 'IN_PROGRESS' },
    };
  }
  const rollout = await startRollout(deps.ecs, cluster, serviceName, usable, now);
  return { rolledBackTo: usable, basis, rollout };
}

async function ensureActive(ecs: ECSClient, arn: string): Promise<string> {
  const { taskDefinition, tags } = await describeTaskDefinition(ecs, arn);
  if (taskDefinition.status !== 'INACTIVE') return arn;
  return registerTaskDefinition(ecs, toRegisterInput(taskDefinition, tags));
}
