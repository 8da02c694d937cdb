import {
  DescribeExecutionCommand,
  ExecutionAlreadyExists,
  type SFNClient,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import { IdempotencyConflictError, ValidationError } from '../commons/errors.js';
import type { DeploymentRequest } from '../contract/request.js';
import { executionArn, executionName, sameDeployment } from './execution-name.js';
import {
  classify,
  parseApiEvent,
  parseCliEvent,
  parsePushEvent,
  type ServiceDirectory,
} from './parse-event.js';

export interface StartDeploymentDeps {
  sfn: SFNClient;
  stateMachineArn: string;
  services: ServiceDirectory;
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

export function parseStartEvent(event: unknown, services: ServiceDirectory): DeploymentRequest {
  const classified = classify(event);
  switch (classified.kind) {
    case 'api':
      return parseApiEvent(classified.event, services);
    case 'push':
      return parsePushEvent(classified.event, services);
    case 'cli':
      return parseCliEvent(classified.event, services);
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
  const known = Object.keys(deps.services.repositories);
  if (!known.includes(request.service)) {
    throw new ValidationError(
      `Unknown service "${request.service}": this stepship pipeline deploys ${known.map((s) => `"${s}"`).join(', ')}`,
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
