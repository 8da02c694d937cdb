import { createHash, randomUUID } from 'node:crypto';
import type { DeploymentRequest } from '../contract/request.js';

/**
 * The execution name is the deployment's identity and its idempotency:
 * Step Functions refuses a second execution with the same name, so a
 * duplicated push event (same digest) or a retried API call (same key)
 * starts nothing new. Names are at most 80 of [A-Za-z0-9-_].
 */
export function executionName(request: DeploymentRequest, randomId: () => string = randomUUID): string {
  const prefix = `${request.trigger}-${request.service}`;
  if (request.trigger === 'push' && request.imageDigest) {
    return `${prefix}-${request.imageDigest.slice('sha256:'.length, 'sha256:'.length + 40)}`;
  }
  const key = request.idempotencyKey ?? randomId();
  return `${prefix}-${createHash('sha256').update(key).digest('hex').slice(0, 32)}`;
}

/** The ARN of a named execution of a state machine. */
export function executionArn(stateMachineArn: string, name: string): string {
  return `${stateMachineArn.replace(':stateMachine:', ':execution:')}:${name}`;
}

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
