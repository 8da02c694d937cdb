import {
  DescribeExecutionCommand,
  ExecutionAlreadyExists,
  SFNClient,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import { beforeEach, describe, expect, it } from '@jest/globals';
import { mockClient } from 'aws-sdk-client-mock';
import { IdempotencyConflictError } from '../../functions/commons/errors.js';
import type { DeploymentRequest } from '../../functions/contract/request.js';
import { executionArn, executionName } from '../../functions/start-deployment/execution-name.js';
import { startDeployment } from '../../functions/start-deployment/start-deployment.js';

const ARN = 'arn:aws:states:us-east-1:123456789012:stateMachine:stepship-web-deploy';
const DIGEST = `sha256:${'b'.repeat(64)}`;
const sfnMock = mockClient(SFNClient);
const deps = () => ({
  sfn: new SFNClient({ region: 'us-east-1' }),
  stateMachineArn: ARN,
  services: { repositories: { web: 'web' } },
});

/** A stand-in for Step Functions' name uniqueness: a second start with a known name fails. */
function rememberExecutions() {
  const inputs = new Map<string, string>();
  sfnMock.on(StartExecutionCommand).callsFake((input: { name: string; input: string }) => {
    if (inputs.has(input.name)) throw new ExecutionAlreadyExists({ message: 'exists', $metadata: {} });
    inputs.set(input.name, input.input);
    return { executionArn: executionArn(ARN, input.name), startDate: new Date() };
  });
  sfnMock.on(DescribeExecutionCommand).callsFake((input: { executionArn: string }) => {
    const name = input.executionArn.split(':').pop() ?? '';
    return {
      executionArn: input.executionArn,
      status: 'RUNNING',
      input: inputs.get(name),
      startDate: new Date(),
    };
  });
  return inputs;
}

beforeEach(() => {
  sfnMock.reset();
});

describe('execution names', () => {
  const push: DeploymentRequest = {
    service: 'web',
    trigger: 'push',
    requester: 'ecr',
    imageDigest: DIGEST,
    imageTag: 'v2',
  };

  it('derive from service and digest for a push, so the same image deploys once', () => {
    expect(executionName(push)).toBe(`push-web-${'b'.repeat(40)}`);
    expect(executionName({ ...push, imageTag: 'latest' })).toBe(executionName(push));
  });

  it('derive from the idempotency key for API calls, and are random without one', () => {
    const api: DeploymentRequest = {
      service: 'web',
      trigger: 'api',
      requester: 'me',
      imageTag: 'v2',
      idempotencyKey: 'k1',
    };
    expect(executionName(api)).toBe(executionName({ ...api }));
    expect(executionName(api)).not.toBe(executionName({ ...api, idempotencyKey: 'k2' }));
    expect(executionName({ ...api, idempotencyKey: undefined })).not.toBe(
      executionName({ ...api, idempotencyKey: undefined }),
    );
    expect(executionName(api)).toMatch(/^[A-Za-z0-9_-]{1,80}$/);
  });
});

describe('starting a deployment', () => {
  it('starts one execution for a duplicated push event, answering the duplicate with it', async () => {
    const inputs = rememberExecutions();
    const request: DeploymentRequest = {
      service: 'web',
      trigger: 'push',
      requester: 'ecr',
      imageDigest: DIGEST,
    };
    const first = await startDeployment(request, deps());
    const second = await startDeployment({ ...request, imageTag: 'also-this-tag' }, deps());
    expect(first.duplicate).toBe(false);
    expect(second).toMatchObject({
      duplicate: true,
      deploymentId: first.deploymentId,
      executionArn: first.executionArn,
    });
    expect(inputs.size).toBe(1);
  });

  it('answers a retried API call with the execution it started', async () => {
    rememberExecutions();
    const request: DeploymentRequest = {
      service: 'web',
      trigger: 'api',
      requester: 'me',
      imageTag: 'v2',
      idempotencyKey: 'k',
    };
    const first = await startDeployment(request, deps());
    const retry = await startDeployment(request, deps());
    expect(retry).toMatchObject({ duplicate: true, executionArn: first.executionArn, status: 'RUNNING' });
  });

  it('refuses to reuse an idempotency key for a different request', async () => {
    rememberExecutions();
    const request: DeploymentRequest = {
      service: 'web',
      trigger: 'api',
      requester: 'me',
      imageTag: 'v2',
      idempotencyKey: 'k',
    };
    await startDeployment(request, deps());
    await expect(startDeployment({ ...request, imageTag: 'v3' }, deps())).rejects.toBeInstanceOf(
      IdempotencyConflictError,
    );
  });

  it('passes the request, and only the request, as the execution input', async () => {
    rememberExecutions();
    const request: DeploymentRequest = { service: 'web', trigger: 'cli', requester: 'cli', imageTag: 'v2' };
    await startDeployment(request, deps());
    const sent = sfnMock.commandCalls(StartExecutionCommand)[0]?.args[0].input;
    expect(sent?.stateMachineArn).toBe(ARN);
    expect(JSON.parse(sent?.input ?? '')).toEqual({ request });
  });
});
