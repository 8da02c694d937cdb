/**
 * stepship's EventBridge contract: the event that asks for a deployment, and
 * the events stepship emits as deployments change state. Users write rules
 * against these names (docs/events.md), so they are part of the interface.
 */

/** The detail-type of an event that asks stepship to deploy (any source but `aws.*`). */
export const DEPLOYMENT_REQUEST = 'Stepship Deployment Request';

/** What Step Functions calls its execution events (source `aws.states`): the end of every deployment. */
export const EXECUTION_STATUS_CHANGE = 'Step Functions Execution Status Change';

/** The source of every event stepship emits. */
export const STEPSHIP_SOURCE = 'stepship';

/** The detail-types stepship emits, one per change of a deployment record. */
export const DEPLOYMENT_EVENT = {
  queued: 'Stepship Deployment Queued',
  started: 'Stepship Deployment Started',
  succeeded: 'Stepship Deployment Succeeded',
  failed: 'Stepship Deployment Failed',
  rolledBack: 'Stepship Deployment Rolled Back',
  superseded: 'Stepship Deployment Superseded',
} as const;

export type DeploymentEventType = (typeof DEPLOYMENT_EVENT)[keyof typeof DEPLOYMENT_EVENT];

/** What every event stepship emits carries in its detail. */
export interface DeploymentEventDetail {
  service: string;
  deploymentId: string;
  /** The record's status when the event was emitted (QUEUED, STARTED, SUCCEEDED, FAILED, ABORTED…). */
  status: string;
  /** The most precise name of the image: its URI by digest once resolved, else the digest or tag asked for. */
  image?: string;
  imageTag?: string;
  imageDigest?: string;
  trigger: string;
  requester: string;
  reason?: string;
  executionArn: string;
  /** Failures: the error's name and a readable cause. */
  error?: string;
  cause?: string;
  /** Rolled back: the task definition now serving. */
  rolledBackTo?: string;
  /** Superseded: the newer deployment that took its place. */
  supersededBy?: string;
  /** ISO-8601 times of the record. */
  queuedAt?: string;
  startedAt?: string;
  finishedAt?: string;
  /** Milliseconds per phase (build, register, rollout, verify, total), for finished deployments. */
  timings?: Record<string, number>;
}
