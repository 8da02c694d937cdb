import {
  DescribeExecutionCommand,
  ExecutionAlreadyExists,
  type SFNClient,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import { DeployError, ValidationError } from '../commons/errors.js';
import type { DeploymentRequest } from '../commons/types.js';
import { executionArn, executionName, sameDeployment } from './execution-name.js';
import { classify, parseApiEvent, parseCliEvent, parsePushEvent, type Target } from './parse-event.js';

export interface StartDeploymentDeps {
  sfn: SFNClient;
  stateMachineArn: string;
  target: Target;
  randomId?: () => string;
}

export interface Started {
  deploymentId: string;
  executionArn: string;
  status: string;
  startedAt: string;
  /** True when this request repeated one that already started the execution. */
  duplicate: boolean;
  request: DeploymentRequest;
}

/** The idempotency key (or push digest) already named a different deployment. */
export class IdempotencyConflictError extends DeployError {
  constructor(message: string) {
    super(message);
    this.name = 'IdempotencyConflictError';
  }
}

export function parseStartEvent(event: unknown, target: Target): DeploymentRequest {
  const classified = classify(event);
  switch (classified.kind) {
    case 'api':
      return parseApiEvent(classified.event, target);
    case 'push':
      return parsePushEvent(classified.event, target);
    case 'cli':
      return parseCliEvent(classified.event, target);
  }
}

/**
 * Validates the request and starts the deployment's execution, or answers
 * with the execution a previous identical request started.
 */
export async function startDeployment(
  request: DeploymentRequest,
  deps: StartDeploymentDeps,
): Promise<Started> {
  if (request.service !== deps.target.serviceName) {
    throw new ValidationError(
      `Unknown service "${request.service}": this stepship pipeline deploys "${deps.target.serviceName}"`,
    );
  }
  const name = executionName(request, deps.randomId);
  const input = JSON.stringify({ request });
  try {
    const out = await deps.sfn.send(
      new StartExecutionCommand({ stateMachineArn: deps.stateMachineArn, name, input }),
    );
    return {
      deploymentId: name,
      executionArn: out.executionArn ?? executionArn(deps.stateMachineArn, name),
      status: 'RUNNING',
      startedAt: (out.startDate ?? new Date()).toISOString(),
      duplicate: false,
      request,
    };
  } catch (err) {
    if (!(err instanceof ExecutionAlreadyExists)) throw err;
  }
  const arn = executionArn(deps.stateMachineArn, name);
  const existing = await deps.sfn.send(new DescribeExecutionCommand({ executionArn: arn }));
  const stored = parseStoredRequest(existing.input);
  if (!sameDeployment(stored, request)) {
    throw new IdempotencyConflictError(
      `Execution ${name} already exists for a different request; use a new idempotency key to deploy something else`,
    );
  }
  return {
    deploymentId: name,
    executionArn: arn,
    status: existing.status ?? 'UNKNOWN',
    startedAt: (existing.startDate ?? new Date()).toISOString(),
    duplicate: true,
    request,
  };
}

function parseStoredRequest(input: string | undefined): DeploymentRequest | undefined {
  try {
    return (JSON.parse(input ?? '{}') as { request?: DeploymentRequest }).request;
  } catch {
    return undefined;
  }
}
