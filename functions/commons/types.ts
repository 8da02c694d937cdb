/**
 * The shapes that flow through the state machine. Each step's result lands at
 * its own path of the execution state (`$.deployment`, `$.image`, …); the
 * state machine construct names those paths.
 */

export type Trigger = 'api' | 'push' | 'cli';

/** A validated deployment request: the execution's input is `{ request }`. */
export interface DeploymentRequest {
  service: string;
  trigger: Trigger;
  requester: string;
  /** Deploy this tag (built first when `source` is given, else resolved in ECR). */
  imageTag?: string;
  /** Deploy exactly this image. */
  imageDigest?: string;
  /** S3 location of a zipped service folder to build, as `bucket/key`. */
  source?: string;
  idempotencyKey?: string;
}

export interface ExecutionContext {
  Id: string;
  Name: string;
  StartTime: string;
}

/** `$.deployment`: what Prepare resolved. */
export interface PreparedDeployment {
  deploymentId: string;
  executionArn: string;
  service: string;
  cluster: string;
  containerName: string;
  repositoryName: string;
  repositoryUri: string;
  appTableName: string;
  loadBalancerUrl: string;
  targetGroupArn: string;
  desiredCount: number;
  needsBuild: boolean;
  /** The tag to build and deploy (generated when building from source without a tag). */
  imageTag?: string;
  imageDigest?: string;
  /** CodeBuild's S3 source location (`bucket/key`) when building from source. */
  sourceLocation?: string;
  preparedAt: number;
}

/** CodeBuild's exported variables as the `.sync` integration returns them. */
export interface BuildResult {
  /** Absent when the build was skipped. */
  buildId?: string;
  exportedVariables?: { Name?: string; Value?: string }[];
}

/** `$.image` */
export interface ResolvedImage {
  imageDigest: string;
  imageUri: string;
  imageTag?: string;
  resolvedAt: number;
}

/** `$.taskDefinition` */
export interface RegisteredTaskDefinition {
  taskDefinitionArn: string;
  previousTaskDefinitionArn: string;
  registeredAt: number;
}

export type RolloutState = 'IN_PROGRESS' | 'COMPLETED';

/** `$.rollout` (and `$.rollback.rollout`) */
export interface Rollout {
  deploymentId: string;
  taskDefinitionArn: string;
  startedAt: number;
  state: RolloutState;
  waitSeconds: number;
  checkedAt?: number;
  completedAt?: number;
}

/** `$.verification` */
export interface Verification {
  newTaskIps: string[];
  healthyTargets: string[];
  endpoint?: { requests: number; distinctTaskIps: string[] };
  tables?: string[];
  verifiedAt?: number;
}

/** A caught error as Step Functions puts it at the Catch's ResultPath. */
export interface CaughtError {
  Error: string;
  Cause?: string;
}
