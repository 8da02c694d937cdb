import type { Logger } from '@aws-lambda-powertools/logger';
import { DescribeExecutionCommand, ExecutionDoesNotExist, type SFNClient } from '@aws-sdk/client-sfn';
import { type EventSink, NO_EVENTS } from '../commons/deployment-events.js';
import { type DeploymentQueue, takeNextTurn } from '../commons/deployment-queue.js';
import { ValidationError } from '../commons/errors.js';
import { type DeploymentRecord, FINAL_STATUSES, type RecordStore } from '../commons/records.js';
import { DEPLOYMENT_EVENT } from '../contract/events.js';
import type { DeploymentRequest } from '../contract/request.js';
import { readableCause } from '../record-failure/record-failure.js';
import { type ExecutionStatusChange, parseStatusChange } from './status-change.js';

export interface RecordOutcomeDeps {
  records: RecordStore;
  sfn: SFNClient;
  stateMachineArn: string;
  events?: EventSink;
  queue?: Pick<DeploymentQueue, 'next'>;
  logger?: Pick<Logger, 'error'>;
}

export interface OutcomeSummary {
  deploymentId: string;
  status: string;
  /** True when this function wrote the outcome (no Catch of the execution had). */
  recorded: boolean;
  service?: string;
}

/** What the record says when the execution's own events say nothing. */
const DEFAULT_FAILURE: Record<string, { error: string; cause: string }> = {
  ABORTED: {
    error: 'ExecutionAborted',
    cause: 'The execution was stopped (StopExecution) before it finished.',
  },
  TIMED_OUT: { error: 'States.Timeout', cause: "The execution ran past the state machine's TimeoutSeconds." },
  FAILED: { error: 'States.Runtime', cause: 'The execution failed outside any Catch.' },
};

/**
 * The end of every execution, from Step Functions' `Execution Status
 * Change` event. An execution that timed out, was stopped, or failed where
 * no Catch could record it (in the recording step itself) leaves its record
 * STARTED and its lock held: this writes the outcome (unless a Catch already
 * wrote one), releases the lock if that execution still holds it, says so,
 * and gives the service's waiting deployment its turn — also after a
 * success, in case the Finalize step could not start it.
 */
export async function recordOutcome(event: unknown, deps: RecordOutcomeDeps): Promise<OutcomeSummary> {
  const change = parseStatusChange(event);
  if (change.stateMachineArn !== deps.stateMachineArn) {
    throw new ValidationError(
      `The execution ${change.executionArn} is not one of ${deps.stateMachineArn}'s; this function records only those`,
    );
  }
  const existing = await deps.records.getRecord(change.name);
  const needsDescribe =
    (change.input === undefined && !existing?.service) ||
    (change.status !== 'SUCCEEDED' && change.error === undefined && change.cause === undefined);
  const described = needsDescribe ? await describe(deps.sfn, change.executionArn) : undefined;
  const request = requestOf(change.input ?? described?.input);
  const service = existing?.service ?? request?.service;

  let recorded = false;
  if (change.status !== 'SUCCEEDED' && !isFinal(existing)) {
    const fallback = DEFAULT_FAILURE[change.status] ?? DEFAULT_FAILURE.FAILED;
    const error = change.error ?? described?.error ?? fallback?.error;
    const cause = change.cause ?? described?.cause;
    recorded = await deps.records.updateRecordIf(
      change.name,
      {
        deploymentId: change.name,
        executionArn: change.executionArn,
        service,
        startedAt: existing?.startedAt ?? change.startDate.toISOString(),
        trigger: existing?.trigger ?? request?.trigger,
        requester: existing?.requester ?? request?.requester,
        imageTag: existing?.imageTag ?? request?.imageTag,
        imageDigest: existing?.imageDigest ?? request?.imageDigest,
        status: change.status as DeploymentRecord['status'],
        error,
        cause: cause === undefined ? fallback?.cause : readableCause(cause),
        finishedAt: (change.stopDate ?? new Date()).toISOString(),
      },
      ['STARTED', 'QUEUED'],
      { orAbsent: true },
    );
  }
  if (service) await deps.records.releaseLock(service, change.executionArn);
  if (recorded) {
    const record = await deps.records.getRecord(change.name);
    if (record?.service) await (deps.events ?? NO_EVENTS).emit(DEPLOYMENT_EVENT.failed, record);
  }
  if (service) await takeNextTurn(deps.queue, service, deps.logger);
  return { deploymentId: change.name, status: change.status, recorded, ...(service ? { service } : {}) };
}

/** The execution's input, error and cause; nothing if Step Functions no longer knows it (kept 90 days). */
async function describe(sfn: SFNClient, executionArn: string) {
  try {
    return await sfn.send(new DescribeExecutionCommand({ executionArn }));
  } catch (err) {
    if (err instanceof ExecutionDoesNotExist) return undefined;
    throw err;
  }
}

const isFinal = (record: DeploymentRecord | undefined) =>
  record !== undefined && FINAL_STATUSES.includes(record.status);

function requestOf(input: string | undefined): DeploymentRequest | undefined {
  try {
    const request = (JSON.parse(input ?? '{}') as { request?: unknown }).request;
    return typeof request === 'object' && request !== null ? (request as DeploymentRequest) : undefined;
  } catch {
    return undefined;
  }
}

export type { ExecutionStatusChange };
