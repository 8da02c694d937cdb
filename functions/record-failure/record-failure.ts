import type { DeploymentStatus, RecordStore } from '../commons/records.js';
import { phaseTimings } from '../commons/timings.js';
import type {
  CaughtError,
  DeploymentRequest,
  ExecutionContext,
  PreparedDeployment,
  RegisteredTaskDefinition,
  ResolvedImage,
  Rollout,
  Verification,
} from '../commons/types.js';

export type FailureOutcome = Extract<DeploymentStatus, 'FAILED' | 'ROLLED_BACK' | 'ROLLBACK_FAILED'>;

export interface RecordFailureInput {
  outcome: FailureOutcome;
  execution: ExecutionContext;
  request?: DeploymentRequest;
  deployment?: PreparedDeployment;
  image?: ResolvedImage;
  taskDefinition?: RegisteredTaskDefinition;
  rollout?: Rollout;
  verification?: Verification;
  rollback?: { rolledBackTo?: string; error?: CaughtError };
  error: CaughtError;
}

export interface FailureSummary {
  /** The original failure, re-raised by the state machine's Fail state. */
  Error: string;
  Cause: string;
  outcome: FailureOutcome;
}

export interface RecordFailureDeps {
  records: RecordStore;
  now?: () => number;
}

/**
 * Writes the outcome and its cause to the deployment record (creating the
 * record if the failure came before Prepare wrote it), releases the lock if
 * this execution holds it, and hands the error on to the Fail state.
 */
export async function recordFailure(
  input: RecordFailureInput,
  deps: RecordFailureDeps,
): Promise<FailureSummary> {
  const now = deps.now?.() ?? Date.now();
  const cause = readableCause(input.error.Cause);
  const rollbackCause = input.rollback?.error ? readableCause(input.rollback.error.Cause) : undefined;
  const service = input.deployment?.service ?? input.request?.service;
  await deps.records.updateRecord(input.execution.Name, {
    deploymentId: input.execution.Name,
    executionArn: input.execution.Id,
    startedAt: input.execution.StartTime,
    ...(input.deployment ? { service } : {}),
    ...(input.request ? { trigger: input.request.trigger, requester: input.request.requester } : {}),
    status: input.outcome,
    error: input.error.Error,
    cause: rollbackCause
      ? `${cause}\nRollback failed: ${input.rollback?.error?.Error}: ${rollbackCause}`
      : cause,
    imageDigest: input.image?.imageDigest ?? input.request?.imageDigest,
    imageUri: input.image?.imageUri,
    taskDefinitionArn: input.taskDefinition?.taskDefinitionArn,
    previousTaskDefinitionArn: input.taskDefinition?.previousTaskDefinitionArn,
    rolledBackTo: input.outcome === 'ROLLED_BACK' ? input.rollback?.rolledBackTo : undefined,
    timings: phaseTimings({ startTime: input.execution.StartTime, ...input }, now),
    finishedAt: new Date(now).toISOString(),
  });
  if (service) await deps.records.releaseLock(service, input.execution.Id);
  const prefix = input.outcome === 'ROLLED_BACK' ? `Rolled back to ${input.rollback?.rolledBackTo}. ` : '';
  return { Error: input.error.Error, Cause: `${prefix}${cause}`, outcome: input.outcome };
}

/**
 * A Lambda error's Cause is JSON ({"errorType","errorMessage","trace"}); a
 * service integration's is text. Either way, the readable message.
 */
export function readableCause(cause: string | undefined): string {
  if (!cause) return 'No cause given';
  try {
    const parsed = JSON.parse(cause) as { errorMessage?: unknown };
    if (typeof parsed.errorMessage === 'string') return parsed.errorMessage;
  } catch {
    // Not JSON: already readable.
  }
  return cause;
}
