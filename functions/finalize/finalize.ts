import type { RecordStore } from '../commons/records.js';
import { phaseTimings } from '../commons/timings.js';
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

/** Records the verified deployment (the next rollback's target) with its timings, and releases the lock. */
export async function finalize(input: FinalizeInput, deps: FinalizeDeps): Promise<DeploymentSummary> {
  const now = deps.now?.() ?? Date.now();
  const timings = phaseTimings({ startTime: input.execution.StartTime, ...input }, now);
  await deps.records.updateRecord(input.deployment.deploymentId, {
    status: 'SUCCEEDED',
    imageDigest: input.image.imageDigest,
    imageUri: input.image.imageUri,
    taskDefinitionArn: input.taskDefinition.taskDefinitionArn,
    previousTaskDefinitionArn: input.taskDefinition.previousTaskDefinitionArn,
    timings,
    finishedAt: new Date(now).toISOString(),
  });
  await deps.records.releaseLock(input.deployment.target.service, input.execution.Id);
  return {
    deploymentId: input.deployment.deploymentId,
    status: 'SUCCEEDED',
    imageUri: input.image.imageUri,
    taskDefinitionArn: input.taskDefinition.taskDefinitionArn,
    timings,
    verifiedTasks: input.verification.identity?.distinctTasks ?? input.verification.directlyChecked ?? [],
  };
}
