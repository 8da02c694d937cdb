import type { Logger } from '@aws-lambda-powertools/logger';
import type { SFNClient } from '@aws-sdk/client-sfn';
import { DEPLOYMENT_EVENT } from '../contract/events.js';
import { type BegunExecution, beginExecution } from './begin-execution.js';
import type { EventSink } from './deployment-events.js';
import { DeploymentInProgressError } from './errors.js';
import type { QueueSlot, Waiting } from './queue-slot.js';
import type { DeploymentRecord, RecordStore } from './records.js';

export interface DeploymentQueueDeps {
  records: RecordStore;
  slot: QueueSlot;
  sfn: SFNClient;
  stateMachineArn: string;
  events: EventSink;
  lockTtlSeconds: number;
  now?: () => Date;
}

/** Where a deployment that waits its turn ended up. */
export type Placement =
  | { outcome: 'started'; execution: BegunExecution }
  | { outcome: 'queued' }
  | { outcome: 'superseded'; by: string };

/** How many times a worker retries when another one changes the slot under it. */
const MAX_TURNS = 5;

/**
 * Turns of a service's deployments, newest first, on the per-service lock
 * and the one waiting place per service (QueueSlot):
 *
 * - `place`: a deployment that waits its turn (a push, or a request with
 *   `queue`) takes the lock and starts if the service is free; otherwise it
 *   waits in the slot, and the deployment it displaces there is SUPERSEDED.
 * - `next`: once a deployment has ended and released the lock, the one
 *   waiting starts, with the lock taken for it first.
 *
 * Every step is a conditional write, so pushes arriving together, a push
 * arriving while the slot is drained, and an API request taking the lock in
 * between all end with one deployment running and the newest one waiting.
 */
export class DeploymentQueue {
  constructor(private readonly deps: DeploymentQueueDeps) {}

  private now(): Date {
    return this.deps.now?.() ?? new Date();
  }

  /** Starts `record` (QUEUED, with its request) now if its service is free, or makes it wait. */
  async place(record: DeploymentRecord): Promise<Placement> {
    const { records, lockTtlSeconds } = this.deps;
    try {
      await records.acquireLock(record.service, record.executionArn, lockTtlSeconds, this.now());
    } catch (err) {
      if (!(err instanceof DeploymentInProgressError)) throw err;
      return this.wait(record);
    }
    await this.supersedeOlderThan(record);
    return { outcome: 'started', execution: await this.begin(record) };
  }

  /**
   * Starts the deployment waiting for `service`, if one waits and the
   * service is free; undefined when nothing started.
   */
  async next(service: string): Promise<{ deploymentId: string; execution: BegunExecution } | undefined> {
    const { records, slot, lockTtlSeconds } = this.deps;
    for (let turn = 0; turn < MAX_TURNS; turn++) {
      const waiting = await slot.peek(service);
      if (!waiting) return undefined;
      const record = await records.getRecord(waiting.deploymentId);
      if (record?.status !== 'QUEUED' || !record.request) {
        // Not a deployment that can still start (its record moved on): clear the place.
        await slot.take(service, waiting.deploymentId);
        continue;
      }
      try {
        // Not reentrant: of two workers draining the same slot, one goes on.
        await records.acquireLock(service, record.executionArn, lockTtlSeconds, this.now(), {
          reentrant: false,
        });
      } catch (err) {
        if (err instanceof DeploymentInProgressError) return undefined;
        throw err;
      }
      if (!(await slot.take(service, waiting.deploymentId))) {
        // A newer push took the place meanwhile (and superseded this one): its turn, not this one's.
        await records.releaseLock(service, record.executionArn);
        continue;
      }
      const execution = await this.begin(record);
      if (!hasRun(execution)) return { deploymentId: record.deploymentId, execution };
    }
    return undefined;
  }

  /** Waits in the slot, or is superseded at once by a newer request already waiting. */
  private async wait(record: DeploymentRecord): Promise<Placement> {
    const entry: Waiting = {
      deploymentId: record.deploymentId,
      queuedAt: record.queuedAt ?? this.now().toISOString(),
    };
    const offer = await this.deps.slot.offer(record.service, entry);
    if (!offer.taken) {
      await this.supersede(record.deploymentId, offer.newer.deploymentId);
      return { outcome: 'superseded', by: offer.newer.deploymentId };
    }
    if (offer.displaced) await this.supersede(offer.displaced.deploymentId, record.deploymentId);
    // The running deployment may have ended (and found the slot empty) since the lock was tried.
    const started = await this.next(record.service);
    return started?.deploymentId === record.deploymentId
      ? { outcome: 'started', execution: started.execution }
      : { outcome: 'queued' };
  }

  /** The service is this record's now: a deployment still waiting for it is older, and never gets a turn. */
  private async supersedeOlderThan(record: DeploymentRecord): Promise<void> {
    const waiting = await this.deps.slot.peek(record.service);
    if (!waiting || waiting.deploymentId === record.deploymentId) return;
    if (record.queuedAt !== undefined && waiting.queuedAt > record.queuedAt) return;
    if (await this.deps.slot.take(record.service, waiting.deploymentId))
      await this.supersede(waiting.deploymentId, record.deploymentId);
  }

  /** Marks a QUEUED deployment SUPERSEDED by a newer one, and says so. */
  private async supersede(deploymentId: string, by: string): Promise<void> {
    const finishedAt = this.now().toISOString();
    const changed = await this.deps.records.updateRecordIf(
      deploymentId,
      { status: 'SUPERSEDED', supersededBy: by, finishedAt },
      ['QUEUED'],
    );
    if (!changed) return;
    const record = await this.deps.records.getRecord(deploymentId);
    if (record) await this.deps.events.emit(DEPLOYMENT_EVENT.superseded, record);
  }

  /**
   * Starts the record's execution, which holds the lock taken for it. If
   * that execution had already run to its end, nothing new runs, so the
   * lock is released: the service must not stay locked by a finished run.
   */
  private async begin(record: DeploymentRecord): Promise<BegunExecution> {
    const { records, sfn, stateMachineArn } = this.deps;
    const request = record.request;
    try {
      if (!request) throw new Error(`Deployment ${record.deploymentId} has no request to start it with`);
      const execution = await beginExecution(sfn, stateMachineArn, record.deploymentId, request);
      if (hasRun(execution)) await records.releaseLock(record.service, record.executionArn);
      return execution;
    } catch (err) {
      await records.releaseLock(record.service, record.executionArn);
      throw err;
    }
  }
}

/** An execution that existed before and is no longer running: starting it again starts nothing. */
const hasRun = (execution: BegunExecution): boolean => execution.existed && execution.status !== 'RUNNING';

/**
 * After a deployment of `service` ended and released the lock: the waiting
 * deployment's turn. A failure here must not change the outcome of the
 * deployment that ended; it is logged, and record-outcome — run for every
 * execution's end by the Step Functions status rule — tries again.
 */
export async function takeNextTurn(
  queue: Pick<DeploymentQueue, 'next'> | undefined,
  service: string,
  logger?: Pick<Logger, 'error'>,
): Promise<void> {
  try {
    await queue?.next(service);
  } catch (err) {
    const e = err instanceof Error ? err : new Error(String(err));
    logger?.error('the waiting deployment could not start', { service, error: e.name, message: e.message });
  }
}
