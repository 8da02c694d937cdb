import { ERROR } from '../contract/errors.js';

/**
 * Errors of the deployment workflow. Each class's `name` is the error code
 * Step Functions sees (Lambda reports `errorType` = `name`); the names live
 * in the contract (contract/errors.ts), which the state machine's Retry and
 * Catch are built from.
 */
export class DeployError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'DeployError';
  }
}

/** The request is malformed; nothing was started or changed. */
export class ValidationError extends DeployError {
  constructor(message: string) {
    super(message);
    this.name = ERROR.validation;
  }
}

/**
 * Another deployment of the same service holds the lock. `details` is what
 * an HTTP caller is answered besides the message (the running deployment).
 */
export class DeploymentInProgressError extends DeployError {
  constructor(
    message: string,
    readonly details?: { runningDeploymentId: string },
  ) {
    super(message);
    this.name = ERROR.deploymentInProgress;
  }
}

export class ImageNotFoundError extends DeployError {
  constructor(message: string) {
    super(message);
    this.name = ERROR.imageNotFound;
  }
}

/** The service or its current task definition can't be found or used. */
export class TargetNotFoundError extends DeployError {
  constructor(message: string) {
    super(message);
    this.name = ERROR.targetNotFound;
  }
}

/** ECS marked this deployment FAILED (circuit breaker), rolled it back, or replaced it. */
export class RolloutFailedError extends DeployError {
  constructor(message: string) {
    super(message);
    this.name = ERROR.rolloutFailed;
  }
}

export class RolloutTimeoutError extends DeployError {
  constructor(message: string) {
    super(message);
    this.name = ERROR.rolloutTimeout;
  }
}

/** The new tasks are not (yet) all healthy targets; the state machine retries this a few times. */
export class TargetsNotReadyError extends DeployError {
  constructor(message: string) {
    super(message);
    this.name = ERROR.targetsNotReady;
  }
}

/** The rollout completed but the service does not work as deployed. */
export class VerificationError extends DeployError {
  constructor(message: string) {
    super(message);
    this.name = ERROR.verification;
  }
}

export class RollbackError extends DeployError {
  constructor(message: string) {
    super(message);
    this.name = ERROR.rollback;
  }
}

/** The idempotency key (or push digest) already named a different deployment. */
export class IdempotencyConflictError extends DeployError {
  constructor(message: string) {
    super(message);
    this.name = ERROR.idempotencyConflict;
  }
}

/** GET /deployments/{id} of a deployment that neither Step Functions nor the records know. */
export class DeploymentNotFoundError extends DeployError {
  constructor(message: string) {
    super(message);
    this.name = ERROR.deploymentNotFound;
  }
}

/** An AWS call failed in a way worth retrying (throttling, 5xx) after the SDK's own retries. */
export class TransientAwsError extends DeployError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = ERROR.transientAws;
  }
}

const THROTTLING = new Set([
  'ThrottlingException',
  'Throttling',
  'TooManyRequestsException',
  'RequestLimitExceeded',
  'ProvisionedThroughputExceededException',
  'ServiceUnavailable',
  'ServiceUnavailableException',
  'InternalServerError',
  'InternalFailure',
  'ServerException',
]);

/** True for SDK errors that are throttling or server-side (5xx) failures. */
export function isTransientAwsError(err: Error): boolean {
  const status = (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  const retryable = (err as { $retryable?: unknown }).$retryable !== undefined;
  return THROTTLING.has(err.name) || retryable || (typeof status === 'number' && status >= 500);
}
