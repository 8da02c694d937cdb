/**
 * The error names the steps raise and the state machine's Retry and Catch
 * match. A Lambda error's `name` reaches Step Functions as the error code, so
 * a name changed on one side only would silently stop a retry or a rollback.
 */
export const ERROR = {
  validation: 'ValidationError',
  deploymentInProgress: 'DeploymentInProgressError',
  imageNotFound: 'ImageNotFoundError',
  targetNotFound: 'TargetNotFoundError',
  rolloutFailed: 'RolloutFailedError',
  rolloutTimeout: 'RolloutTimeoutError',
  targetsNotReady: 'TargetsNotReadyError',
  verification: 'VerificationError',
  rollback: 'RollbackError',
  transientAws: 'TransientAwsError',
  /** Given by the state machine itself to a failed CodeBuild `.sync` task (which surfaces as States.TaskFailed). */
  buildFailed: 'BuildFailedError',
  /** HTTP API only: an idempotency key reused for a different request. */
  idempotencyConflict: 'IdempotencyConflictError',
  /** HTTP API only: GET /deployments/{id} of an unknown deployment. */
  deploymentNotFound: 'DeploymentNotFoundError',
} as const;

export type ErrorName = (typeof ERROR)[keyof typeof ERROR];

/**
 * Retried with backoff by every Lambda task: throttling and 5xx after the
 * SDK's own retries, and Lambda's service faults (names Step Functions gives them).
 */
export const TRANSIENT_ERRORS: readonly string[] = [
  ERROR.transientAws,
  'Lambda.ServiceException',
  'Lambda.AWSLambdaException',
  'Lambda.SdkClientException',
  'Lambda.TooManyRequestsException',
];

/** CodeBuild refusals worth retrying before the build counts as failed. */
export const TRANSIENT_BUILD_ERRORS: readonly string[] = [
  'CodeBuild.AccountLimitExceededException',
  'CodeBuild.CodeBuildException',
];
