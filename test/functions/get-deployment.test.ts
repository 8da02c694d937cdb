import {
  DescribeExecutionCommand,
  ExecutionDoesNotExist,
  GetExecutionHistoryCommand,
  SFNClient,
} from '@aws-sdk/client-sfn';
import { beforeEach, describe, expect, it } from '@jest/globals';
import { mockClient } from 'aws-sdk-client-mock';
import { ValidationError } from '../../functions/commons/errors.js';
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
  it('answers the status, the record and one line per step with its error', async () => {
    sfnMock.on(DescribeExecutionCommand).resolves({
      status: 'FAILED',
      startDate: at(0),
      stopDate: at(9),
      error: 'VerificationError',
      cause: 'old image',
    });
    sfnMock.on(GetExecutionHistoryCommand).resolves({
      events: [
        { id: 1, type: 'ExecutionStarted', timestamp: at(0) },
        { id: 2, type: 'TaskStateEntered', timestamp: at(1), stateEnteredEventDetails: { name: 'Prepare' } },
        { id: 3, type: 'TaskStateExited', timestamp: at(2), stateExitedEventDetails: { name: 'Prepare' } },
        {
          id: 4,
          type: 'TaskStateEntered',
          timestamp: at(3),
          stateEnteredEventDetails: { name: 'VerifyEndpoint' },
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
      { step: 'VerifyEndpoint', enteredAt: at(3).toISOString(), error: 'VerificationError' },
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
    await expect(getDeployment('api-web-1', deps(undefined))).resolves.toBeUndefined();
  });

  it('rejects a malformed id', async () => {
    await expect(getDeployment('../etc/passwd', deps(record))).rejects.toBeInstanceOf(ValidationError);
  });

  it('summarizes an empty history as no steps', () => {
    expect(summarizeSteps([])).toEqual([]);
  });
});
