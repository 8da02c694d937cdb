import { DescribeExecutionCommand, ExecutionDoesNotExist, type SFNClient } from '@aws-sdk/client-sfn';
import { type BegunExecution, beginExecution, executionArnOf } from '../commons/begin-execution.js';
import type { EventSink } from '../commons/deployment-events.js';
import type { DeploymentQueue, Placement } from '../commons/deployment-queue.js';
import { IdempotencyConflictError, ValidationError } from '../commons/errors.js';
import type { DeploymentRecord, RecordStore } from '../commons/records.js';
import { DEPLOYMENT_EVENT } from '../contract/events.js';
import { type DeploymentRequest, waitsForItsTurn } from '../contract/request.js';
import { refuseIfServiceBusy } from './busy-service.js';
import { executionName, hasStableName, sameDeployment } from './execution-name.js';
import {
  classify,
  parseApiEvent,
  parseCliEvent,
  parsePushEvent,
  type ServiceDirectory,
} from './parse-event.js';
import { parseRequestEvent } from './parse-request-event.js';

export interface StartDeploymentDeps {
  sfn: SFNClient;
  stateMachineArn: string;
  services: ServiceDirectory;
  records: RecordStore;
  queue: DeploymentQueue;
  events: EventSink;
  randomId?: () => string;
  now?: () => Date;
}

export interface Started {
  deploymentId: string;
  executionArn: string;
  /** The execution's status once it runs (RUNNING, SUCCEEDED…); the record's before (QUEUED, SUPERSEDED). */
  status: string;
  startedAt: string;
  /** True when this request repeated one already accepted: nothing new was started. */
  duplicate: boolean;
  request: DeploymentRequest;
  /** SUPERSEDED: the newer deployment that took its place. */
  supersededBy?: string;
}

export function parseStartEvent(event: unknown, services: ServiceDirectory): DeploymentRequest {
  const classified = classify(event);
  switch (classified.kind) {
    case 'api':
      return parseApiEvent(classified.event, services);
    case 'push':
      return parsePushEvent(classified.event, services);
    case 'event':
      return parseRequestEvent(classified.event, services);
    case 'cli':
      return parseCliEvent(classified.event, services);
  }
}

/**
 * Accepts a deployment request once. The deployment's record is claimed
 * under the execution name with a conditional write, so of two identical
 * requests — even arriving together, and whether the first one's execution
 * is still running or long finished — exactly one starts anything; the other
 * is answered with the same deployment. (Step Functions alone can't tell:
 * a second start with the same name and input while the first runs answers
 * 200 with the same execution, exactly as a first start does.)
 *
 * A request that waits its turn (a push, or `queue: true`) starts only if
 * its service is free, and otherwise waits, newest wins (DeploymentQueue);
 * any other request is refused at once (DeploymentInProgressError, 409)
 * while its service is busy, and otherwise starts; Prepare's lock stays the
 * authority for one that slips past that check.
 */
export async function startDeployment(
  request: DeploymentRequest,
  deps: StartDeploymentDeps,
): Promise<Started> {
  const known = Object.keys(deps.services.repositories);
  if (!known.includes(request.service)) {
    throw new ValidationError(
      `Unknown service "${request.service}": this stepship pipeline deploys ${known.map((s) => `"${s}"`).join(', ')}`,
    );
  }
  const name = executionName(request, deps.randomId);
  const now = (deps.now?.() ?? new Date()).toISOString();
  const waits = waitsForItsTurn(request);
  const executionArn = executionArnOf(deps.stateMachineArn, name);
  if (!waits)
    await refuseIfServiceBusy(
      deps.records,
      request.service,
      { deploymentId: name, executionArn },
      new Date(now),
    );
  const record: DeploymentRecord = {
    deploymentId: name,
    service: request.service,
    executionArn,
    startedAt: now,
    status: waits ? 'QUEUED' : 'STARTED',
    trigger: request.trigger,
    requester: request.requester,
    imageTag: request.imageTag,
    imageDigest: request.imageDigest,
    reason: request.reason,
    request,
    ...(waits ? { queuedAt: now } : {}),
  };
  if (await deps.records.claimRecord(record)) return launch(record, request, deps);
  const existing = (await deps.records.getRecord(name)) ?? record;
  if (existing.request && !sameDeployment(existing.request, request)) throw conflict(name);
  return { ...(await resume(existing, request, deps)), duplicate: true, request };
}

/** Starts or queues a newly claimed deployment. */
async function launch(record: DeploymentRecord, request: DeploymentRequest, deps: StartDeploymentDeps) {
  if (record.status === 'QUEUED') {
    const placement = await deps.queue.place(record);
    if (placement.outcome === 'queued') await deps.events.emit(DEPLOYMENT_EVENT.queued, record);
    return { ...answerOf(record, placement), duplicate: false, request };
  }
  let execution: BegunExecution;
  try {
    execution = await beginExecution(deps.sfn, deps.stateMachineArn, record.deploymentId, request);
  } catch (err) {
    await abandon(record, err, deps);
    throw err;
  }
  // An execution by this name that no record knew of (one started directly, or before records were kept).
  if (execution.existed && !sameDeployment(storedRequest(execution.input), request))
    throw conflict(record.deploymentId);
  return { ...startedAnswer(record, execution), duplicate: execution.existed, request };
}

/** Answers a repeat with the deployment as it stands, finishing what the first request left undone. */
async function resume(record: DeploymentRecord, request: DeploymentRequest, deps: StartDeploymentDeps) {
  if (record.status === 'QUEUED') return answerOf(record, await deps.queue.place(record));
  if (record.status !== 'STARTED') return recordAnswer(record);
  try {
    const execution = await deps.sfn.send(
      new DescribeExecutionCommand({ executionArn: record.executionArn }),
    );
    // A record without the request (written by Prepare for an execution started directly): judge by the input.
    if (!record.request && !sameDeployment(storedRequest(execution.input), request))
      throw conflict(record.deploymentId);
    return {
      deploymentId: record.deploymentId,
      executionArn: record.executionArn,
      status: execution.status ?? 'UNKNOWN',
      startedAt: (execution.startDate ?? new Date(record.startedAt)).toISOString(),
    };
  } catch (err) {
    if (!(err instanceof ExecutionDoesNotExist) || !record.request) throw err;
  }
  // Claimed, but the start failed before the execution existed (a retry after a transient error): start it now.
  const execution = await beginExecution(deps.sfn, deps.stateMachineArn, record.deploymentId, record.request);
  return startedAnswer(record, execution);
}

function answerOf(record: DeploymentRecord, placement: Placement) {
  switch (placement.outcome) {
    case 'started':
      return startedAnswer(record, placement.execution);
    case 'queued':
      return recordAnswer(record);
    case 'superseded':
      return { ...recordAnswer(record), status: 'SUPERSEDED', supersededBy: placement.by };
  }
}

function startedAnswer(record: DeploymentRecord, execution: BegunExecution) {
  return {
    deploymentId: record.deploymentId,
    executionArn: execution.executionArn,
    status: execution.status,
    startedAt: execution.startDate.toISOString(),
  };
}

function recordAnswer(record: DeploymentRecord) {
  return {
    deploymentId: record.deploymentId,
    executionArn: record.executionArn,
    status: record.status,
    startedAt: record.startedAt,
    ...(record.supersededBy ? { supersededBy: record.supersededBy } : {}),
  };
}

/**
 * A start that failed leaves its claim behind. With a key of its own (an
 * idempotency key, a pushed digest, an event id) the caller's retry resumes
 * it; a request without one can never be retried as itself, so its record
 * is closed as FAILED rather than left STARTED with nothing running.
 */
async function abandon(record: DeploymentRecord, err: unknown, deps: StartDeploymentDeps): Promise<void> {
  if (record.request && hasStableName(record.request)) return;
  const e = err instanceof Error ? err : new Error(String(err));
  await deps.records
    .updateRecordIf(
      record.deploymentId,
      {
        status: 'FAILED',
        error: e.name,
        cause: `The execution could not be started: ${e.message}`,
        finishedAt: new Date().toISOString(),
      },
      ['STARTED'],
    )
    .catch(() => undefined);
}

function storedRequest(input: string | undefined): DeploymentRequest | undefined {
  try {
    return (JSON.parse(input ?? '{}') as { request?: DeploymentRequest }).request;
  } catch {
    return undefined;
  }
}

const conflict = (name: string) =>
  new IdempotencyConflictError(
    `Deployment ${name} already exists for a different request; use a new idempotency key to deploy something else`,
  );
