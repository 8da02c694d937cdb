/**
 * The shapes that flow through the state machine. The execution's input is
 * `{ request }` (its shape and schema: request.ts); each step's result lands at its own path of the execution
 * state (STATE_PATH), and later steps read it from there.
 */
import type { VerifyModel } from '../../manifest/model.js';

/** `$$.Execution`, as the state machine hands it to the steps that need it. */
export interface ExecutionContext {
  Id: string;
  Name: string;
  StartTime: string;
}

/**
 * Everything the steps need to know about one service they deploy. The
 * state machine carries the app's targets as a literal (service → target)
 * and hands them to Prepare, which picks the requested one.
 */
export interface DeployTarget {
  /** The ECS service's name, which is also how a request names it. */
  service: string;
  cluster: string;
  /** The container whose image a deployment replaces. */
  containerName: string;
  /** The port the container listens on: the target group's and the direct checks'. */
  containerPort: number;
  repositoryName: string;
  repositoryUri: string;
  targetGroupArn: string;
  /**
   * `http(s)://host`, no trailing slash: the load balancer by its own DNS
   * name (https when the app has a domain), where verification connects.
   */
  loadBalancerUrl: string;
  /**
   * The app's domain, when it has one: verification asks the load balancer
   * for it (Host header and TLS server name) and checks its certificate
   * against it, so it never depends on the domain's public DNS.
   */
  serverName?: string;
  /** The app's tables this service may reach: logical name → physical name (`${table:<name>}` in checks). */
  tables: Record<string, string>;
  /** What the app declares verification should check; nothing else is requested. */
  verify: VerifyModel;
  /** How a build from source builds the image: the Dockerfile within the context, and `NAME=value` lines of build arguments. */
  build: { dockerfile: string; args: string };
}

/** The app's targets as the state machine passes them to Prepare. */
export type DeployTargets = Record<string, DeployTarget>;

/** `$.deployment`: what Prepare resolved. */
export interface PreparedDeployment {
  deploymentId: string;
  executionArn: string;
  target: DeployTarget;
  needsBuild: boolean;
  /** The tag to build and deploy (generated when building from source). */
  imageTag?: string;
  imageDigest?: string;
  /** CodeBuild's S3 source location (`bucket/key`) when building from source. */
  sourceLocation?: string;
  /**
   * The existing revision a request named (a rollback): deployed as it is,
   * so the workflow skips the build and the registration.
   */
  revision?: GivenRevision;
  preparedAt: number;
}

/** `$.deployment.revision`: a revision of the service's family that already exists, and what ran before it. */
export interface GivenRevision {
  taskDefinitionArn: string;
  previousTaskDefinitionArn: string;
}

/** `$.build`: CodeBuild's exported variables as the `.sync` integration returns them. */
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

/** `$.rollout` (and `$.rollback.rollout`): one ECS deployment, identified by its id. */
export interface Rollout {
  deploymentId: string;
  taskDefinitionArn: string;
  startedAt: number;
  state: RolloutState;
  checkedAt?: number;
  completedAt?: number;
}

/** A running task of the new revision. */
export interface NewTask {
  taskArn: string;
  /** Its own private IP (awsvpc); absent for a task in bridge mode, which answers on its instance's port. */
  ip?: string;
}

/** `$.verification`: VerifyTargets fills the tasks; VerifyChecks adds what the declared checks saw. */
export interface Verification {
  /** The service's desired count when it was verified. */
  desiredCount: number;
  newTasks: NewTask[];
  /**
   * The new tasks as healthy targets (all of them, once VerifyTargets passed):
   * their IPs, or `<instance id>:<host port>` for tasks in bridge mode.
   */
  healthyTargets: string[];
  /** The declared checks through the load balancer: path → status answered. */
  checks?: { path: string; status: number }[];
  /** The identity route: how many requests it took to reach which distinct new tasks (IPs or task ARNs). */
  identity?: { path: string; requests: number; distinctTasks: string[] };
  /** Without an identity route: the new tasks checked directly at their own address. */
  directlyChecked?: string[];
  verifiedAt?: number;
}

/** A caught error as Step Functions puts it at the Catch's ResultPath. */
export interface CaughtError {
  Error: string;
  Cause?: string;
}
