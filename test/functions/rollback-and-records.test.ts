import {
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  ECSClient,
  RegisterTaskDefinitionCommand,
  UpdateServiceCommand,
} from '@aws-sdk/client-ecs';
import { afterAll, beforeAll, beforeEach, describe, expect, it, jest } from '@jest/globals';
import type { Context } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { RollbackError, TransientAwsError, VerificationError } from '../../functions/commons/errors.js';
import { stepHandler } from '../../functions/commons/middleware.js';
import { observability } from '../../functions/commons/observability.js';
import type { DeploymentRecord, RecordStore } from '../../functions/commons/records.js';
import { phaseTimings } from '../../functions/commons/timings.js';
import { finalize } from '../../functions/finalize/finalize.js';
import { readableCause, recordFailure } from '../../functions/record-failure/record-failure.js';
import { rollback } from '../../functions/rollback/rollback.js';
import { preparedDeployment } from '../helpers/targets.js';

const ecsMock = mockClient(ECSClient);
beforeEach(() => {
  ecsMock.reset();
});
const deployment = preparedDeployment({ deploymentId: 'push-web-1' });
const execution = { Id: 'arn:exec:push-web-1', Name: 'push-web-1', StartTime: '2026-11-23T10:00:00.000Z' };

/** Records in memory: enough to see what the steps write. */
function memoryRecords(lastVerified?: string) {
  const updates: [string, Partial<DeploymentRecord>][] = [];
  const released: [string, string][] = [];
  const store = {
    lastVerifiedTaskDefinition: async () => lastVerified,
    updateRecord: async (id: string, fields: Partial<DeploymentRecord>) => {
      updates.push([id, fields]);
    },
    getRecord: async (id: string) =>
      Object.assign({}, ...updates.filter(([u]) => u === id).map(([, fields]) => fields)) as DeploymentRecord,
    releaseLock: async (service: string, owner: string) => {
      released.push([service, owner]);
      return true;
    },
  } as unknown as RecordStore;
  return { store, updates, released };
}

describe('rollback', () => {
  function service(primaryTaskDefinition: string, status: 'ACTIVE' | 'INACTIVE' = 'ACTIVE') {
    ecsMock.on(DescribeTaskDefinitionCommand).resolves({
      taskDefinition: { taskDefinitionArn: 'arn:td:1', family: 'web', status, containerDefinitions: [] },
    });
    ecsMock.on(DescribeServicesCommand).resolves({
      services: [
        {
          serviceName: 'web',
          status: 'ACTIVE',
          deployments: [{ id: 'ecs-svc/3', status: 'PRIMARY', taskDefinition: primaryTaskDefinition }],
        },
      ],
    });
    ecsMock.on(UpdateServiceCommand).callsFake((input: { taskDefinition: string }) => ({
      service: {
        deployments: [{ id: 'ecs-svc/4', status: 'PRIMARY', taskDefinition: input.taskDefinition }],
      },
    }));
    ecsMock.on(RegisterTaskDefinitionCommand).resolves({ taskDefinition: { taskDefinitionArn: 'arn:td:9' } });
  }
  const taskDefinition = {
    taskDefinitionArn: 'arn:td:2',
    previousTaskDefinitionArn: 'arn:td:0',
    registeredAt: 0,
  };
  const run = (lastVerified?: string, td = taskDefinition) =>
    rollback(
      { deployment, taskDefinition: td, error: { Error: 'VerificationError' } },
      {
        ecs: new ECSClient({ region: 'us-east-1' }),
        records: memoryRecords(lastVerified).store,
        now: () => 100,
      },
    );

  it('returns to the last verified task definition and follows that rollout', async () => {
    service('arn:td:2');
    await expect(run('arn:td:1')).resolves.toMatchObject({
      rolledBackTo: 'arn:td:1',
      basis: 'last-verified',
      rollout: { deploymentId: 'ecs-svc/4', state: 'IN_PROGRESS' },
    });
    expect(ecsMock.commandCalls(UpdateServiceCommand)[0]?.args[0].input).toMatchObject({
      service: 'web',
      taskDefinition: 'arn:td:1',
    });
  });

  it('falls back to the revision that ran before when nothing was ever verified', async () => {
    service('arn:td:2');
    await expect(run(undefined)).resolves.toMatchObject({ rolledBackTo: 'arn:td:0', basis: 'previous' });
  });

  it('follows the rollout ECS already started when the circuit breaker rolled back to the same revision', async () => {
    service('arn:td:1');
    await expect(run('arn:td:1')).resolves.toMatchObject({ rollout: { deploymentId: 'ecs-svc/3' } });
    expect(ecsMock.commandCalls(UpdateServiceCommand)).toHaveLength(0);
  });

  it('re-registers a deregistered revision instead of failing', async () => {
    service('arn:td:2', 'INACTIVE');
    await expect(run('arn:td:1')).resolves.toMatchObject({ rolledBackTo: 'arn:td:9' });
  });

  it('fails with RollbackError when there is nothing to roll back to', async () => {
    await expect(run(undefined, { ...taskDefinition, previousTaskDefinitionArn: '' })).rejects.toBeInstanceOf(
      RollbackError,
    );
  });
});

describe('finalize and record-failure', () => {
  const stamps = {
    deployment: { ...deployment, preparedAt: Date.parse(execution.StartTime) + 1000 },
    image: {
      imageDigest: 'sha256:x',
      imageUri: 'repo@sha256:x',
      resolvedAt: Date.parse(execution.StartTime) + 61_000,
    },
    taskDefinition: {
      taskDefinitionArn: 'arn:td:2',
      previousTaskDefinitionArn: 'arn:td:1',
      registeredAt: Date.parse(execution.StartTime) + 62_000,
    },
    rollout: {
      deploymentId: 'ecs-svc/2',
      taskDefinitionArn: 'arn:td:2',
      startedAt: 0,
      state: 'COMPLETED' as const,
      completedAt: Date.parse(execution.StartTime) + 122_000,
    },
    verification: {
      desiredCount: 2,
      newTasks: [],
      healthyTargets: [],
      verifiedAt: Date.parse(execution.StartTime) + 127_000,
    },
  };

  it('measures each phase from the stamps the steps leave', () => {
    expect(
      phaseTimings({ startTime: execution.StartTime, ...stamps }, Date.parse(execution.StartTime) + 128_000),
    ).toEqual({
      build: 60_000,
      register: 1000,
      rollout: 60_000,
      verify: 5000,
      total: 128_000,
    });
  });

  it('finalize records SUCCEEDED with the timings and releases the lock', async () => {
    const records = memoryRecords();
    const end = Date.parse(execution.StartTime) + 128_000;
    const summary = await finalize({ execution, ...stamps }, { records: records.store, now: () => end });
    expect(summary).toMatchObject({ status: 'SUCCEEDED', taskDefinitionArn: 'arn:td:2' });
    expect(records.updates[0]?.[1]).toMatchObject({
      status: 'SUCCEEDED',
      taskDefinitionArn: 'arn:td:2',
      timings: { total: 128_000 },
    });
    expect(records.released).toEqual([['web', execution.Id]]);
  });

  it('record-failure keeps the cause readable, names the rollback target and releases the lock', async () => {
    const records = memoryRecords();
    const cause = JSON.stringify({
      errorType: 'VerificationError',
      errorMessage: 'Task 10.0.3.6 runs the old image',
      trace: [],
    });
    const summary = await recordFailure(
      {
        outcome: 'ROLLED_BACK',
        execution,
        state: {
          ...stamps,
          rollback: { rolledBackTo: 'arn:td:1' },
          error: { Error: 'VerificationError', Cause: cause },
        },
      },
      { records: records.store, now: () => 0 },
    );
    expect(summary).toEqual({
      Error: 'VerificationError',
      Cause: 'Rolled back to arn:td:1. Task 10.0.3.6 runs the old image',
      outcome: 'ROLLED_BACK',
    });
    expect(records.updates[0]?.[1]).toMatchObject({
      status: 'ROLLED_BACK',
      error: 'VerificationError',
      rolledBackTo: 'arn:td:1',
    });
    expect(records.released).toEqual([['web', execution.Id]]);
  });

  it('reads CodeBuild failures as the failed phase and its message', () => {
    const build = {
      Build: {
        Id: 'stepship-web-build:1',
        BuildStatus: 'FAILED',
        Phases: [
          { PhaseType: 'SUBMITTED', PhaseStatus: 'SUCCEEDED' },
          {
            PhaseType: 'BUILD',
            PhaseStatus: 'FAILED',
            Contexts: [{ Message: 'COMMAND_EXECUTION_ERROR: exit status 1' }],
          },
        ],
      },
    };
    expect(readableCause(JSON.stringify(build))).toBe(
      'CodeBuild build stepship-web-build:1 FAILED in phase BUILD: COMMAND_EXECUTION_ERROR: exit status 1',
    );
    expect(readableCause('plain text')).toBe('plain text');
    expect(readableCause(undefined)).toBe('No cause given');
  });
});

describe('the step middleware', () => {
  const lines: Record<string, unknown>[] = [];
  beforeAll(() => {
    for (const stream of [process.stdout, process.stderr]) {
      jest.spyOn(stream, 'write').mockImplementation((chunk) => {
        lines.push(JSON.parse(String(chunk)) as Record<string, unknown>);
        return true;
      });
    }
  });
  afterAll(() => {
    jest.restoreAllMocks();
  });
  const context = { awsRequestId: 'r1' } as Context;
  const wrap = (fail: () => never) =>
    stepHandler<unknown, never>(observability('finalize')).handler(async () => fail());

  it('turns throttling and 5xx AWS errors into TransientAwsError, which the state machine retries', async () => {
    const throttled = Object.assign(new Error('Rate exceeded'), {
      name: 'ThrottlingException',
      $metadata: { httpStatusCode: 400 },
    });
    await expect(
      wrap(() => {
        throw throttled;
      })({}, context),
    ).rejects.toBeInstanceOf(TransientAwsError);
    const serverError = Object.assign(new Error('boom'), {
      name: 'InternalError',
      $metadata: { httpStatusCode: 503 },
    });
    await expect(
      wrap(() => {
        throw serverError;
      })({}, context),
    ).rejects.toThrow('InternalError: boom');
  });

  it('keeps logic errors as they are, so Catch matches their names', async () => {
    await expect(
      wrap(() => {
        throw new VerificationError('bad');
      })({}, context),
    ).rejects.toMatchObject({ name: 'VerificationError' });
  });

  it('correlates every line of an invocation with its step and execution, and forgets the execution after', async () => {
    const o = observability('finalize');
    const handler = stepHandler<unknown, string>(o).handler(async () => {
      o.logger.info('working');
      return 'done';
    });
    lines.length = 0;
    await handler({ execution: { Id: 'arn:exec:1' } }, context);
    await handler({}, { awsRequestId: 'r2' } as Context);
    expect(lines.map((l) => [l.message, l.step, l.executionId, l.function_request_id])).toEqual([
      ['step started', 'finalize', 'arn:exec:1', 'r1'],
      ['working', 'finalize', 'arn:exec:1', 'r1'],
      ['step finished', 'finalize', 'arn:exec:1', 'r1'],
      ['step started', 'finalize', undefined, 'r2'],
      ['working', 'finalize', undefined, 'r2'],
      ['step finished', 'finalize', undefined, 'r2'],
    ]);
  });
});
