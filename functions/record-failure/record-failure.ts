import type { Logger } from '@aws-lambda-powertools/logger';
import { type EventSink, NO_EVENTS } from '../commons/deployment-events.js';
import { type DeploymentQueue, takeNextTurn } from '../commons/deployment-queue.js';
import type { DeploymentStatus, RecordStore } from '../commons/records.js';
import { phaseTimings } from '../commons/timings.js';
import { ERROR } from '../contract/errors.js';
import { DEPLOYMENT_EVENT } from '../contract/events.js';
import type { DeploymentRequest } from '../contract/request.js';
import type {
  CaughtError,
  ExecutionContext,
  PreparedDeployment,
  RegisteredTaskDefinition,
  ResolvedImage,
  Rollout,
  Verification,
} from '../contract/shapes.js';

export type FailureOutcome = Extract<DeploymentStatus, 'FAILED' | 'ROLLED_BACK' | 'ROLLBACK_FAILED'>;

/** Everything the execution state holds when a failure is recorded; each part only if reached. */
export interface FailedState {
  request?: DeploymentRequest;
  deployment?: PreparedDeployment;
  image?: ResolvedImage;
  taskDefinition?: RegisteredTaskDefinition;
  rollout?: Rollout;
  verification?: Verification;
  rollback?: { rolledBackTo?: string };
  /** The failure that ended the deployment. */
  error: CaughtError;
  /** A failure of the rollback itself. */
  rollbackError?: CaughtError;
}

export interface RecordFailureInput {
  outcome: FailureOutcome;
  execution: ExecutionContext;
  state: FailedState;
}

export interface FailureSummary {
  /** The original failure, re-raised by the state machine's Fail state. */
  Error: string;
  Cause: string;
  outcome: FailureOutcome;
}

export interface RecordFailureDeps {
  records: RecordStore;
  events?: EventSink;
  /** Starts the deployment waiting for the service, now that it is free. */
  queue?: Pick<DeploymentQueue, 'next'>;
  logger?: Pick<Logger, 'error'>;
  now?: () => number;
}

/**
 * Writes the outcome and its cause to the deployment record (creating the
 * record if the failure came before Prepare wrote it), releases the lock if
 * this execution holds it, says so, starts the deployment that waited for
 * the service, and hands the error on to the Fail state.
 */
export async function recordFailure(
  input: RecordFailureInput,
  deps: RecordFailureDeps,
): Promise<FailureSummary> {
  const { outcome, execution, state } = input;
  const now = deps.now?.() ?? Date.now();
  const cause = readableCause(state.error.Cause);
  const rollbackFailure = state.rollbackError
    ? `\nThe rollback failed too: ${state.rollbackError.Error}: ${readableCause(state.rollbackError.Cause)}`
    : '';
  // Only a service this pipeline resolved gets a place in the service's history.
  const service = state.deployment?.target.service;
  await deps.records.updateRecord(execution.Name, {
    deploymentId: execution.Name,
    executionArn: execution.Id,
    startedAt: execution.StartTime,
    service,
    trigger: state.request?.trigger,
    requester: state.request?.requester,
    status: outcome,
    error: state.error.Error,
    cause: `${cause}${rollbackFailure}`,
    imageTag: state.deployment?.imageTag,
    imageDigest: state.image?.imageDigest ?? state.request?.imageDigest,
    imageUri: state.image?.imageUri,
    taskDefinitionArn: state.taskDefinition?.taskDefinitionArn,
    previousTaskDefinitionArn: state.taskDefinition?.previousTaskDefinitionArn,
    rolledBackTo: outcome === 'ROLLED_BACK' ? state.rollback?.rolledBackTo : undefined,
    timings: phaseTimings({ startTime: execution.StartTime, ...state }, now),
    finishedAt: new Date(now).toISOString(),
  });
  // Owner-conditional: a run rejected by the lock never releases the holder's lock.
  const lockService = service ?? state.request?.service;
  if (lockService) await deps.records.releaseLock(lockService, execution.Id);
  const record = await deps.records.getRecord(execution.Name);
  if (record?.service) {
    // A rollback is a failure too: rules on Failed see every failure, rules on Rolled Back the rollbacks.
    const events = deps.events ?? NO_EVENTS;
    await events.emit(DEPLOYMENT_EVENT.failed, record);
    if (outcome === 'ROLLED_BACK') await events.emit(DEPLOYMENT_EVENT.rolledBack, record);
  }
  // A run refused by the lock frees nothing, and the holder's own end takes the next turn.
  if (lockService && state.error.Error !== ERROR.deploymentInProgress)
    await takeNextTurn(deps.queue, lockService, deps.logger);
  const prefix = outcome === 'ROLLED_BACK' ? `Rolled back to ${state.rollback?.rolledBackTo}. ` : '';
  return { Error: state.error.Error, Cause: `${prefix}${cause}${rollbackFailure}`, outcome };
}

/**
 * A Lambda error's Cause is JSON ({"errorType","errorMessage","trace"}); a
 * service integration's is text. Either way, the readable message.
 */
export function readableCause(cause: string | undefined): string {
  if (!cause) return 'No cause given';
  try {
    const parsed = JSON.parse(cause) as { errorMessage?: unknown; Build?: CodeBuildFailure };
    if (typeof parsed.errorMessage === 'string') return parsed.errorMessage;
    if (parsed.Build) return describeBuildFailure(parsed.Build);
  } catch {
    // Not JSON: already readable.
  }
  return cause;
}

interface CodeBuildFailure {
  Id?: string;
  BuildStatus?: string;
  Phases?: { PhaseType?: string; PhaseStatus?: string; Contexts?: { Message?: string }[] }[];
}

/** A failed CodeBuild `.sync` task's cause is the whole Build: name the build, the phase and its message. */
function describeBuildFailure(build: CodeBuildFailure): string {
  const failed = build.Phases?.find((p) => p.PhaseStatus && p.PhaseStatus !== 'SUCCEEDED');
  const message = failed?.Contexts?.map((c) => c.Message)
    .filter(Boolean)
    .join('; ');
  return `CodeBuild build ${build.Id ?? ''} ${build.BuildStatus ?? 'FAILED'}${failed ? ` in phase ${failed.PhaseType}` : ''}${message ? `: ${message}` : ''}`;
}
