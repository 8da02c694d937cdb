import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import {
  DescribeExecutionCommand,
  ExecutionDoesNotExist,
  GetExecutionHistoryCommand,
  SFNClient,
} from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, beforeEach, describe, expect, it, jest } from '@jest/globals';
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { DeploymentNotFoundError, ValidationError } from '../../functions/commons/errors.js';
import type { HttpResponse } from '../../functions/commons/http-responder.js';
import type { DeploymentRecord, RecordStore } from '../../functions/commons/records.js';
import { getDeployment, summarizeSteps } from '../../functions/get-deployment/get-deployment.js';

const ARN = 'arn:aws:states:us-east-1:123456789012:stateMachine:stepship-web-deploy';
const sfnMock = mockClient(SFNClient);
beforeEach(() => {
  sfnMock.reset();
});
const at = (s: number) => new Date(Date.UTC(2026, 10, 23, 10, 0, s));
const record: DeploymentRecord = {
  deploymentId: 'api-web-1',
  service: 'web',
  executionArn: `${ARN}:x`,
  startedAt: at(0).toISOString(),
  status: 'ROLLED_BACK',
  trigger: 'api',
  requester: 'me',
  cause: 'health',
};
const records = (found?: DeploymentRecord) => ({ getRecord: async () => found }) as unknown as RecordStore;
const deps = (found?: DeploymentRecord) => ({
  sfn: new SFNClient({ region: 'us-east-1' }),
  records: records(found),
  stateMachineArn: ARN,
});

describe('get-deployment', () => {
  it('answers the status, the record and one line per step with its error, across history pages', async () => {
    sfnMock.on(DescribeExecutionCommand).resolves({
      status: 'FAILED',
      startDate: at(0),
      stopDate: at(9),
      error: 'VerificationError',
      cause: 'old image',
    });
    sfnMock.on(GetExecutionHistoryCommand).resolvesOnce({
      events: [
        { id: 1, type: 'ExecutionStarted', timestamp: at(0) },
        { id: 2, type: 'TaskStateEntered', timestamp: at(1), stateEnteredEventDetails: { name: 'Prepare' } },
        { id: 3, type: 'TaskStateExited', timestamp: at(2), stateExitedEventDetails: { name: 'Prepare' } },
      ],
      nextToken: 'page-2',
    });
    sfnMock.on(GetExecutionHistoryCommand, { nextToken: 'page-2' }).resolves({
      events: [
        {
          id: 4,
          type: 'TaskStateEntered',
          timestamp: at(3),
          stateEnteredEventDetails: { name: 'VerifyChecks' },
        },
        {
          id: 5,
          type: 'LambdaFunctionFailed',
          timestamp: at(4),
          lambdaFunctionFailedEventDetails: { error: 'VerificationError' },
        },
      ],
    });
    const view = await getDeployment('api-web-1', deps(record));
    expect(view).toMatchObject({
      deploymentId: 'api-web-1',
      status: 'FAILED',
      error: 'VerificationError',
      record: { status: 'ROLLED_BACK' },
    });
    expect(view?.steps).toEqual([
      { step: 'Prepare', enteredAt: at(1).toISOString(), exitedAt: at(2).toISOString() },
      { step: 'VerifyChecks', enteredAt: at(3).toISOString(), error: 'VerificationError' },
    ]);
  });

  it('answers from the record alone once Step Functions has forgotten the execution', async () => {
    sfnMock
      .on(DescribeExecutionCommand)
      .rejects(new ExecutionDoesNotExist({ message: 'gone', $metadata: {} }));
    await expect(getDeployment('api-web-1', deps(record))).resolves.toMatchObject({
      status: 'ROLLED_BACK',
      steps: [],
    });
    await expect(getDeployment('api-web-1', deps(undefined))).rejects.toBeInstanceOf(DeploymentNotFoundError);
  });

  it('rejects a malformed id', async () => {
    await expect(getDeployment('../etc/passwd', deps(record))).rejects.toBeInstanceOf(ValidationError);
  });

  it('summarizes an empty history as no steps', () => {
    expect(summarizeSteps([])).toEqual([]);
  });
});

describe('GET /deployments/{id}', () => {
  const ddbMock = mockClient(DynamoDBClient);
  const savedEnv = { ...process.env };
  type Handler = (event: APIGatewayProxyEventV2, context: Context) => Promise<HttpResponse>;
  let handler: Handler;
  beforeAll(async () => {
    jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
    jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
    Object.assign(process.env, {
      RECORDS_TABLE_NAME: 'records',
      STATE_MACHINE_ARN: ARN,
      AWS_REGION: 'us-east-1',
    });
    ({ handler } = (await import('../../functions/get-deployment/handler.js')) as { handler: Handler });
  });
  afterAll(() => {
    process.env = savedEnv;
    ddbMock.restore();
    jest.restoreAllMocks();
  });
  const get = (id: string) =>
    handler(
      { pathParameters: { id } } as unknown as APIGatewayProxyEventV2,
      { awsRequestId: 'r' } as Context,
    );

  it('answers 404 with the error name for a deployment nobody knows', async () => {
    ddbMock.on(GetItemCommand).resolves({});
    sfnMock
      .on(DescribeExecutionCommand)
      .rejects(new ExecutionDoesNotExist({ message: 'gone', $metadata: {} }));
    const res = await get('api-web-404');
    expect(res.statusCode).toBe(404);
    expect(res.headers['content-type']).toBe('application/json');
    expect(JSON.parse(res.body)).toEqual({
      error: 'DeploymentNotFoundError',
      message: 'No deployment api-web-404',
    });
  });

  it('answers 400 naming what an id may hold', async () => {
    const res = await get('a b');
    expect(res.statusCode).toBe(400);
    expect(JSON.parse(res.body)).toMatchObject({
      error: 'ValidationError',
      message: expect.stringMatching(/1–80 of/),
    });
  });

  it('fails the invocation on an unexpected error, so API Gateway answers 500 and nothing is hidden', async () => {
    ddbMock.on(GetItemCommand).rejects(new Error('socket hang up'));
    await expect(get('api-web-1')).rejects.toThrow('socket hang up');
  });
});
