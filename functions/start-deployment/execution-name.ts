import { createHash, randomUUID } from 'node:crypto';
import { executionArnOf } from '../commons/begin-execution.js';
import type { DeploymentRequest } from '../contract/request.js';

/**
 * The execution name is the deployment's identity and its idempotency key:
 * the deployment record is claimed under it, so a duplicated push event
 * (same digest), a retried API call (same key) or an event delivered twice
 * (same event id) starts nothing new. Names are at most 80 of [A-Za-z0-9-_].
 */
export function executionName(request: DeploymentRequest, randomId: () => string = randomUUID): string {
  const prefix = `${request.trigger}-${request.service}`;
  if (request.trigger === 'push' && request.imageDigest) {
    return `${prefix}-${request.imageDigest.slice('sha256:'.length, 'sha256:'.length + 40)}`;
  }
  const key = request.idempotencyKey ?? randomId();
  return `${prefix}-${createHash('sha256').update(key).digest('hex').slice(0, 32)}`;
}

/** Whether the request names its deployment itself (a key, a pushed digest), so a retry of it finds it again. */
export function hasStableName(request: DeploymentRequest): boolean {
  return (
    request.idempotencyKey !== undefined || (request.trigger === 'push' && request.imageDigest !== undefined)
  );
}

/** The ARN of a named execution of a state machine. */
export const executionArn = executionArnOf;

/** Whether a stored execution input asks for the same deployment as `request`. */
export function sameDeployment(stored: DeploymentRequest | undefined, request: DeploymentRequest): boolean {
  if (!stored) return false;
  if (request.trigger === 'push') return stored.imageDigest === request.imageDigest;
  const fields: (keyof DeploymentRequest)[] = [
    'service',
    'imageTag',
    'imageDigest',
    'source',
    'taskDefinition',
    'requester',
  ];
  return fields.every((f) => stored[f] === request[f]);
}
