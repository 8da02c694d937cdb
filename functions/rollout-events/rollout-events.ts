import type { CheckRolloutDeps } from '../commons/rollout-check.js';
import { judge, type SettleDeps, settle } from '../commons/rollout-verdict.js';
import type { RolloutWaiter } from '../commons/rollout-waiters.js';
import { type RolloutSignal, rolloutSignalOf } from './ecs-event.js';

export interface RolloutEventsDeps extends CheckRolloutDeps, SettleDeps {}

/** What became of one waiting deployment on this event. */
export interface WaiterOutcome {
  deploymentId: string;
  /** COMPLETED / FAILED: this event resumed the execution; already-settled: the waiter or another event had. */
  action: 'COMPLETED' | 'FAILED' | 'already-settled' | 'heartbeat' | 'removed-stale';
  error?: string;
}

export interface EventOutcome {
  signal?: RolloutSignal;
  waiters: WaiterOutcome[];
}

/**
 * Settles the rollout waits an ECS event concerns. Any deployment event of a
 * service judges each deployment an execution waits on there *by its own
 * id*, with the same check as the CheckRollout step: an event never settles
 * a wait by what it says, so a duplicated, late or forged event, or one of
 * another deployment, can't complete the wrong rollout — yet a deployment
 * that superseded ours is noticed at once. Still in progress, or a task
 * event: a heartbeat, so the execution's heartbeat fallback stays quiet
 * while ECS is visibly at work (and past the rollout timeout, a task event
 * judges too). A token whose task is gone is removed.
 */
export async function onEcsEvent(event: unknown, deps: RolloutEventsDeps): Promise<EventOutcome> {
  const signal = rolloutSignalOf(event);
  if (!signal) return { waiters: [] };
  const waiters = await deps.waiters.ofService(signal.cluster, signal.service);
  return {
    signal,
    waiters: await Promise.all(waiters.map((w) => onWaiter(w, signal, deps))),
  };
}

async function onWaiter(
  waiter: RolloutWaiter,
  signal: RolloutSignal,
  deps: RolloutEventsDeps,
): Promise<WaiterOutcome> {
  const deploymentId = waiter.rollout.deploymentId;
  const now = deps.now?.() ?? Date.now();
  const overdue = (now - waiter.rollout.startedAt) / 1000 > deps.timeoutSeconds;
  if (signal.kind === 'deployment' || overdue) {
    const verdict = await judge(waiter, deps);
    if (verdict.state !== 'IN_PROGRESS') {
      const settled = await settle(waiter, verdict, deps);
      if (settled === 'already-settled') return { deploymentId, action: 'already-settled' };
      return verdict.state === 'FAILED'
        ? { deploymentId, action: 'FAILED', error: verdict.error.name }
        : { deploymentId, action: 'COMPLETED' };
    }
  }
  if ((await deps.callbacks.heartbeat(waiter.taskToken)) === 'delivered')
    return { deploymentId, action: 'heartbeat' };
  await deps.waiters.claim(waiter);
  return { deploymentId, action: 'removed-stale' };
}
