import { DeploymentInProgressError } from '../commons/errors.js';
import type { RecordStore } from '../commons/records.js';

/**
 * Refuses at once a request that would start while another deployment of
 * its service runs, instead of accepting it and letting its Prepare fail.
 * This is an early answer, not the lock: Prepare still takes the lock, so a
 * request that passes here while another one starts fails there, recorded.
 *
 * Not refused: a free or expired lock, a lock held by this very deployment,
 * and a repeat of a request already recorded (answered as that deployment).
 */
export async function refuseIfServiceBusy(
  records: Pick<RecordStore, 'currentLock' | 'getRecord'>,
  service: string,
  own: { deploymentId: string; executionArn: string },
  now: Date,
): Promise<void> {
  const lock = await records.currentLock(service);
  if (!lock || lock.expiresAt < Math.floor(now.getTime() / 1000) || lock.owner === own.executionArn) return;
  if (await records.getRecord(own.deploymentId)) return;
  const running = deploymentIdOf(lock.owner);
  throw new DeploymentInProgressError(
    `A deployment of ${service} is already in progress: ${running} (since ${lock.acquiredAt}). ` +
      'Send the request again with "queue": true to deploy after it (the newest queued request wins), or wait for it to finish.',
    { runningDeploymentId: running },
  );
}

/** A deployment's id is its execution's name, the last part of the execution ARN that holds the lock. */
function deploymentIdOf(executionArn: string): string {
  return executionArn.slice(executionArn.lastIndexOf(':') + 1);
}
