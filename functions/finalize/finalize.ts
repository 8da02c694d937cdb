import type { Logger } from '@aws-lambda-powertools/logger';
import { type EventSink, NO_EVENTS } from '../commons/deployment-events.js';
import { type DeploymentQueue, takeNextTurn } from '../commons/deployment-queue.js';
import type { RecordStore } from '../commons/records.js';
import { phaseTimings } from '../commons/timings.js';
import { DEPLOYMENT_EVENT } from '../contract/events.js';
import type {
  ExecutionContext,
  PreparedDeployment,
  RegisteredTaskDefinition,
  ResolvedImage,
  Rollout,
  Verification,
} from '../contract/shapes.js';

export interface FinalizeInput {
  execution: ExecutionContext;
  deployment: PreparedDeployment;
  image: ResolvedImage;
  taskDefinition: RegisteredTaskDefinition;
  rollout: Rollout;
  verification: Verification;
}

export interface FinalizeDeps {
  records: RecordStore;
  events?: EventSink;
  /** Starts the deployment waiting for the service, now that it is free. */
  queue?: Pick<DeploymentQueue, 'next'>;
  logger?: Pick<Logger, 'error'>;
  now?: () => number;
}

export interface DeploymentSummary {
  deploymentId: string;
  status: 'SUCCEEDED';
  imageUri: string;
  taskDefinitionArn: string;
  timings: Record<string, number>;
  /** The new tasks the identity route reached, or those checked directly. */
  verifiedTasks: string[];
}

/**
 * Records the verified deployment (the next rollback's target) with its
 * timings, releases the lock, says so, and starts the deployment that
 * waited for this one, if any.
 */
export async function finalize(input: FinalizeInput, deps: FinalizeDeps): Promise<DeploymentSummary> {
  const now = deps.now?.() ?? Date.now();
  const timings = phaseTimings({ startTime: input.execution.StartTime, ...input }, now);
  const service = input.deployment.target.service;
  await deps.records.updateRecord(input.deployment.deploymentId, {
    status: 'SUCCEEDED',
    imageDigest: input.image.imageDigest,
    imageUri: input.image.imageUri,
    taskDefinitionArn: input.taskDefinition.taskDefinitionArn,
    previousTaskDefinitionArn: input.taskDefinition.previousTaskDefinitionArn,
    timings,
    finishedAt: new Date(now).toISOString(),
  });
  await deps.records.releaseLock(service, input.execution.Id);
  const record = await deps.records.getRecord(input.deployment.deploymentId);
  if (record) await (deps.events ?? NO_EVENTS).emit(DEPLOYMENT_EVENT.succeeded, record);
  await takeNextTurn(deps.queue, service, deps.logger);
  return {
    deploymentId: input.deployment.deploymentId,
    status: 'SUCCEEDED',
    imageUri: input.image.imageUri,
    taskDefinitionArn: input.taskDefinition.taskDefinitionArn,
    timings,
    verifiedTasks: input.verification.identity?.distinctTasks ?? input.verification.directlyChecked ?? [],
  };
}
