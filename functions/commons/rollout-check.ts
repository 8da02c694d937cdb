import type { ECSClient } from '@aws-sdk/client-ecs';
import type { DeployTarget, Rollout } from '../contract/shapes.js';
import { describeService } from './ecs-service.js';
import { RolloutFailedError, RolloutTimeoutError } from './errors.js';
import { diagnose } from './rollout-diagnosis.js';

export interface CheckRolloutInput {
  /** Only the service is needed: a stored waiter carries no more than that. */
  deployment: { target: Pick<DeployTarget, 'cluster' | 'service'> };
  rollout: Rollout;
}

export interface CheckRolloutDeps {
  ecs: ECSClient;
  timeoutSeconds: number;
  now?: () => number;
}

/**
 * Judges *this* deployment, by its ECS deployment id — never "is the service
 * stable", which is also true after ECS rolled a failed deployment back.
 * COMPLETED only when this deployment is PRIMARY, COMPLETED and at its desired
 * count; FAILED (circuit breaker), superseded or vanished is a failure with
 * ECS's reasons; still running past the timeout is RolloutTimeoutError.
 * The CheckRollout step, the rollout waiter and the ECS event handler all
 * judge with this one function.
 */
export async function checkRollout(input: CheckRolloutInput, deps: CheckRolloutDeps): Promise<Rollout> {
  const { rollout } = input;
  const { cluster } = input.deployment.target;
  const now = deps.now?.() ?? Date.now();
  const service = await describeService(deps.ecs, cluster, input.deployment.target.service);
  const ours = service.deployments?.find((d) => d.id === rollout.deploymentId);
  const why = () => diagnose(deps.ecs, cluster, service, rollout.deploymentId, rollout.startedAt);

  if (!ours) {
    const primary = service.deployments?.find((d) => d.status === 'PRIMARY');
    throw new RolloutFailedError(
      `ECS deployment ${rollout.deploymentId} was superseded and no longer exists: the service now runs ${primary?.id ?? 'another deployment'} (${primary?.taskDefinition ?? 'unknown task definition'}).\n${await why()}`,
    );
  }
  if (ours.rolloutState === 'FAILED') {
    throw new RolloutFailedError(
      `ECS deployment ${rollout.deploymentId} FAILED${ours.rolloutStateReason ? `: ${ours.rolloutStateReason.replace(/\.$/, '')}` : ''}.\n${await why()}`,
    );
  }
  if (ours.status !== 'PRIMARY') {
    throw new RolloutFailedError(
      `ECS deployment ${rollout.deploymentId} was superseded (status ${ours.status}): ECS or someone else rolled the service to another deployment.\n${await why()}`,
    );
  }
  const desired = ours.desiredCount ?? 0;
  if (ours.rolloutState === 'COMPLETED' && (ours.runningCount ?? 0) >= desired) {
    return { ...rollout, state: 'COMPLETED', checkedAt: now, completedAt: now };
  }
  const elapsed = (now - rollout.startedAt) / 1000;
  if (elapsed > deps.timeoutSeconds) {
    throw new RolloutTimeoutError(
      `ECS deployment ${rollout.deploymentId} did not complete within ${deps.timeoutSeconds} s (${ours.runningCount ?? 0}/${desired} running, ${ours.failedTasks ?? 0} failed).\n${await why()}`,
    );
  }
  return { ...rollout, state: 'IN_PROGRESS', checkedAt: now };
}
