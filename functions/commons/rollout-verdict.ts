import type { Rollout } from '../contract/shapes.js';
import { type DeployError, RolloutFailedError, RolloutTimeoutError, TargetNotFoundError } from './errors.js';
import { type CheckRolloutDeps, checkRollout } from './rollout-check.js';
import type { RolloutWaiter, RolloutWaiters } from './rollout-waiters.js';
import type { TaskCallbacks } from './task-callbacks.js';

export type Verdict =
  | { state: 'COMPLETED'; rollout: Rollout }
  | { state: 'IN_PROGRESS'; rollout: Rollout }
  | { state: 'FAILED'; error: DeployError };

export type FinalVerdict = Exclude<Verdict, { state: 'IN_PROGRESS' }>;

/** A failure that is the rollout's outcome (the workflow rolls back on it), not a failure to judge it. */
const isOutcome = (err: unknown): err is DeployError =>
  err instanceof RolloutFailedError ||
  err instanceof RolloutTimeoutError ||
  err instanceof TargetNotFoundError;

/** The waiter's deployment, judged by its id now (one DescribeServices; more to explain a failure). */
export async function judge(waiter: RolloutWaiter, deps: CheckRolloutDeps): Promise<Verdict> {
  try {
    const rollout = await checkRollout({ deployment: { target: waiter }, rollout: waiter.rollout }, deps);
    return rollout.state === 'COMPLETED'
      ? { state: 'COMPLETED', rollout }
      : { state: 'IN_PROGRESS', rollout };
  } catch (err) {
    if (isOutcome(err)) return { state: 'FAILED', error: err };
    throw err;
  }
}

export interface SettleDeps {
  waiters: RolloutWaiters;
  callbacks: TaskCallbacks;
}

/**
 * Resumes the execution with the verdict — if this caller claims the token
 * first. The rollout's completion goes back as the task's output; a failure
 * as its error (the class name the Catch matches) and cause.
 */
export async function settle(
  waiter: RolloutWaiter,
  verdict: FinalVerdict,
  deps: SettleDeps,
): Promise<'settled' | 'already-settled'> {
  if (!(await deps.waiters.claim(waiter))) return 'already-settled';
  if (verdict.state === 'COMPLETED') await deps.callbacks.succeed(waiter.taskToken, verdict.rollout);
  else await deps.callbacks.fail(waiter.taskToken, verdict.error);
  return 'settled';
}
