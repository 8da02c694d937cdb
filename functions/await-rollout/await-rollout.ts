import { ValidationError } from '../commons/errors.js';
import type { CheckRolloutDeps } from '../commons/rollout-check.js';
import { judge, type SettleDeps, settle } from '../commons/rollout-verdict.js';
import type { RolloutWaiter } from '../commons/rollout-waiters.js';
import type { PreparedDeployment, Rollout } from '../contract/shapes.js';

export interface AwaitRolloutInput {
  /** `$$.Task.Token` of the `lambda:invoke.waitForTaskToken` task. */
  taskToken: string;
  deployment: PreparedDeployment;
  rollout: Rollout;
}

/** What the function answers; Step Functions records it (TaskSubmitted) but waits for the token. */
export interface AwaitRolloutResult {
  deploymentId: string;
  /** WAITING: ECS's events (or the heartbeat fallback) will settle it. */
  state: 'WAITING' | 'COMPLETED' | 'FAILED';
  /** Set when the first check found the rollout over: whether this call resumed the execution. */
  resumedBy?: 'this-check' | 'an-event';
}

export interface AwaitRolloutDeps extends CheckRolloutDeps, SettleDeps {}

/**
 * The start of an event-driven rollout wait: stores the task token where
 * ECS's events for the service find it, *then* checks the deployment once by
 * API — an event that came before the token was stored is not lost, since
 * the check sees what it announced. If the rollout is already over, the
 * execution resumes at once; otherwise the rollout-events function settles
 * it, or the state machine's heartbeat fallback checks again.
 */
export async function awaitRollout(
  input: AwaitRolloutInput,
  deps: AwaitRolloutDeps,
): Promise<AwaitRolloutResult> {
  const { taskToken, deployment, rollout } = input;
  if (typeof taskToken !== 'string' || taskToken === '')
    throw new ValidationError('AwaitRollout needs the task token ($$.Task.Token) as "taskToken"');
  const waiter: RolloutWaiter = {
    taskToken,
    cluster: deployment.target.cluster,
    service: deployment.target.service,
    rollout,
    executionArn: deployment.executionArn,
    storedAt: deps.now?.() ?? Date.now(),
  };
  await deps.waiters.put(waiter);
  const verdict = await judge(waiter, deps);
  if (verdict.state === 'IN_PROGRESS') return { deploymentId: rollout.deploymentId, state: 'WAITING' };
  const outcome = await settle(waiter, verdict, deps);
  return {
    deploymentId: rollout.deploymentId,
    state: verdict.state,
    resumedBy: outcome === 'settled' ? 'this-check' : 'an-event',
  };
}
