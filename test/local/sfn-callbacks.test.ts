import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  CreateStateMachineCommand,
  DescribeExecutionCommand,
  type DescribeExecutionOutput,
  GetExecutionHistoryCommand,
  GetExecutionHistoryOutput$,
  type HistoryEvent,
  InvalidOutput,
  InvalidToken,
  SendTaskFailureCommand,
  SendTaskHeartbeatCommand,
  SendTaskSuccessCommand,
  SFNClient,
  StartExecutionCommand,
  StopExecutionCommand,
  TaskTimedOut,
} from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { LOCAL_CREDENTIALS, LocalCloud } from '../../local/cloud.js';
import { eventually } from '../helpers/eventually.js';
import { rawAwsRequest } from '../helpers/raw-aws.js';
import { unmodeledMembers } from '../helpers/unmodeled.js';
import { createFunction } from './local-functions.js';

let cloud: LocalCloud;
let sfn: SFNClient;
const ROLE = 'arn:aws:iam::000000000000:role/sfn';
const fn = (name: string) => `arn:aws:lambda:us-east-1:${cloud.accountId}:function:${name}`;

beforeAll(async () => {
  cloud = await LocalCloud.start({
    endpointPort: 0,
    loadBalancerPort: 0,
    stateDir: mkdtempSync(join(tmpdir(), 'stepship-sfn-callbacks-')),
  });
  sfn = new SFNClient({ endpoint: cloud.endpointUrl, region: cloud.region, credentials: LOCAL_CREDENTIALS });
  createFunction(cloud, 'echo', 'echo');
}, 30_000);
afterAll(async () => {
  sfn.destroy();
  await cloud.stop();
});

/** A Task that hands its token to `echo` and waits for it, with `limits` and `rest` (Catch, Next…) merged in. */
function waitingTask(rest: Record<string, unknown> = {}) {
  return {
    Type: 'Task',
    Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken',
    Parameters: {
      FunctionName: fn('echo'),
      Payload: { 'token.$': '$$.Task.Token', 'deployment.$': '$.deployment' },
    },
    ResultPath: '$.rollout',
    ...rest,
  };
}

let machines = 0;
async function start(states: Record<string, unknown>, input: object = { deployment: 'ecs-svc/1' }) {
  const { stateMachineArn } = await sfn.send(
    new CreateStateMachineCommand({
      name: `callbacks-${++machines}`,
      definition: JSON.stringify({ StartAt: 'WaitForRollout', States: states }),
      roleArn: ROLE,
    }),
  );
  const { executionArn = '' } = await sfn.send(
    new StartExecutionCommand({ stateMachineArn, input: JSON.stringify(input) }),
  );
  return executionArn;
}

async function history(executionArn: string): Promise<HistoryEvent[]> {
  return (await sfn.send(new GetExecutionHistoryCommand({ executionArn, maxResults: 1000 }))).events ?? [];
}

/** The token the waiting task gave its function, once the function has had it (TaskSubmitted). */
async function tokenOf(executionArn: string): Promise<string> {
  return eventually('the task to be submitted', async () => {
    const events = await history(executionArn);
    const submitted = events.find((e) => e.type === 'TaskSubmitted');
    if (!submitted) return undefined;
    const response = JSON.parse(submitted.taskSubmittedEventDetails?.output ?? '{}') as {
      Payload: { echo: { token: string } };
    };
    return response.Payload.echo.token;
  });
}

async function finished(executionArn: string): Promise<DescribeExecutionOutput> {
  return eventually(`${executionArn} to end`, async () => {
    const e = await sfn.send(new DescribeExecutionCommand({ executionArn }));
    return e.status === 'RUNNING' ? undefined : e;
  });
}

const types = (events: HistoryEvent[]) => events.map((e) => e.type);

describe('a Task that waits for its token (lambda:invoke.waitForTaskToken)', () => {
  it('hands its function a fresh token and resumes with what SendTaskSuccess sends', async () => {
    const executionArn = await start({
      WaitForRollout: waitingTask({ Next: 'Done' }),
      Done: { Type: 'Succeed' },
    });
    const token = await tokenOf(executionArn);
    expect(token.length).toBeGreaterThan(20);
    expect(token.length).toBeLessThanOrEqual(2048);
    // Still waiting: the function's answer is not the task's result.
    expect((await sfn.send(new DescribeExecutionCommand({ executionArn }))).status).toBe('RUNNING');

    await expect(
      sfn.send(new SendTaskSuccessCommand({ taskToken: token, output: '{not json' })),
    ).rejects.toBeInstanceOf(InvalidOutput);
    await sfn.send(new SendTaskSuccessCommand({ taskToken: token, output: '{"rolloutState":"COMPLETED"}' }));
    const done = await finished(executionArn);
    expect(done.status).toBe('SUCCEEDED');
    expect(JSON.parse(done.output ?? '{}')).toEqual({
      deployment: 'ecs-svc/1',
      rollout: { rolloutState: 'COMPLETED' },
    });

    const events = await history(executionArn);
    expect(types(events)).toEqual([
      'ExecutionStarted',
      'TaskStateEntered',
      'TaskScheduled',
      'TaskStarted',
      'TaskSubmitted',
      'TaskSucceeded',
      'TaskStateExited',
      'SucceedStateEntered',
      'SucceedStateExited',
      'ExecutionSucceeded',
    ]);
    const scheduled = events.find((e) => e.type === 'TaskScheduled')?.taskScheduledEventDetails;
    expect(scheduled).toMatchObject({ resourceType: 'lambda', resource: 'invoke.waitForTaskToken' });
    expect(JSON.parse(scheduled?.parameters ?? '{}')).toEqual({
      FunctionName: fn('echo'),
      Payload: { token, deployment: 'ecs-svc/1' },
    });
    expect(
      JSON.parse(events.find((e) => e.type === 'TaskSubmitted')?.taskSubmittedEventDetails?.output ?? '{}'),
    ).toMatchObject({ StatusCode: 200, Payload: { echo: { token, deployment: 'ecs-svc/1' } } });
    expect(events.find((e) => e.type === 'TaskSucceeded')?.taskSucceededEventDetails).toEqual({
      resourceType: 'lambda',
      resource: 'invoke.waitForTaskToken',
      output: '{"rolloutState":"COMPLETED"}',
      outputDetails: { truncated: false },
    });
    const raw = await rawAwsRequest(cloud.endpointUrl, {
      service: 'states',
      target: 'AWSStepFunctions.GetExecutionHistory',
      contentType: 'application/x-amz-json-1.0',
      body: JSON.stringify({ executionArn }),
    });
    expect(unmodeledMembers(GetExecutionHistoryOutput$, raw.json)).toEqual([]);

    // The token was good while its task waited, and only then.
    for (const used of [
      new SendTaskSuccessCommand({ taskToken: token, output: '{}' }),
      new SendTaskFailureCommand({ taskToken: token, error: 'Late' }),
      new SendTaskHeartbeatCommand({ taskToken: token }),
    ])
      await expect(sfn.send(used as never)).rejects.toBeInstanceOf(TaskTimedOut);
  }, 30_000);

  it('gives each attempt its own token, so a retried task waits on a new one', async () => {
    const executionArn = await start({
      WaitForRollout: waitingTask({
        Retry: [{ ErrorEquals: ['Flaky'], IntervalSeconds: 1, MaxAttempts: 1 }],
        End: true,
      }),
    });
    const first = await tokenOf(executionArn);
    await sfn.send(new SendTaskFailureCommand({ taskToken: first, error: 'Flaky' }));
    const second = await eventually('the retry to be submitted', async () => {
      const submitted = (await history(executionArn)).filter((e) => e.type === 'TaskSubmitted');
      return submitted.length === 2
        ? (JSON.parse(submitted[1]?.taskSubmittedEventDetails?.output ?? '{}').Payload.echo.token as string)
        : undefined;
    });
    expect(second).not.toBe(first);
    await expect(
      sfn.send(new SendTaskSuccessCommand({ taskToken: first, output: '{}' })),
    ).rejects.toBeInstanceOf(TaskTimedOut);
    await sfn.send(new SendTaskSuccessCommand({ taskToken: second, output: '"second"' }));
    expect(JSON.parse((await finished(executionArn)).output ?? '{}').rollout).toBe('second');
  }, 30_000);

  it('fails with the error and cause SendTaskFailure sends, which a Catch catches', async () => {
    const executionArn = await start({
      WaitForRollout: waitingTask({
        Catch: [{ ErrorEquals: ['RolloutFailedError'], ResultPath: '$.failure', Next: 'RolledBack' }],
        Next: 'Done',
      }),
      Done: { Type: 'Succeed' },
      RolledBack: { Type: 'Pass', End: true },
    });
    const token = await tokenOf(executionArn);
    await sfn.send(
      new SendTaskFailureCommand({
        taskToken: token,
        error: 'RolloutFailedError',
        cause: 'the circuit breaker rolled ecs-svc/1 back',
      }),
    );
    const done = await finished(executionArn);
    expect(done.status).toBe('SUCCEEDED');
    expect(JSON.parse(done.output ?? '{}').failure).toEqual({
      Error: 'RolloutFailedError',
      Cause: 'the circuit breaker rolled ecs-svc/1 back',
    });
    const events = await history(executionArn);
    expect(events.find((e) => e.type === 'TaskFailed')?.taskFailedEventDetails).toEqual({
      resourceType: 'lambda',
      resource: 'invoke.waitForTaskToken',
      error: 'RolloutFailedError',
      cause: 'the circuit breaker rolled ecs-svc/1 back',
    });
    expect(types(events).slice(-4)).toEqual([
      'TaskStateExited',
      'PassStateEntered',
      'PassStateExited',
      'ExecutionSucceeded',
    ]);
    await expect(
      sfn.send(new SendTaskSuccessCommand({ taskToken: token, output: '{}' })),
    ).rejects.toBeInstanceOf(TaskTimedOut);
  }, 30_000);

  it('times out with States.HeartbeatTimeout when no heartbeat comes within HeartbeatSeconds', async () => {
    const executionArn = await start({ WaitForRollout: waitingTask({ HeartbeatSeconds: 1, End: true }) });
    const token = await tokenOf(executionArn);
    const done = await finished(executionArn);
    expect(done).toMatchObject({ status: 'FAILED', error: 'States.HeartbeatTimeout' });
    const events = await history(executionArn);
    expect(types(events).slice(-3)).toEqual(['TaskSubmitted', 'TaskTimedOut', 'ExecutionFailed']);
    expect(events.find((e) => e.type === 'TaskTimedOut')?.taskTimedOutEventDetails).toMatchObject({
      resourceType: 'lambda',
      resource: 'invoke.waitForTaskToken',
      error: 'States.HeartbeatTimeout',
    });
    expect(
      events.find((e) => e.type === 'TaskScheduled')?.taskScheduledEventDetails?.heartbeatInSeconds,
    ).toBe(1);
    await expect(sfn.send(new SendTaskHeartbeatCommand({ taskToken: token }))).rejects.toBeInstanceOf(
      TaskTimedOut,
    );
  }, 30_000);

  it('stays alive past HeartbeatSeconds while SendTaskHeartbeat keeps coming', async () => {
    const executionArn = await start({ WaitForRollout: waitingTask({ HeartbeatSeconds: 1, End: true }) });
    const token = await tokenOf(executionArn);
    const started = Date.now();
    while (Date.now() - started < 2500) {
      await sfn.send(new SendTaskHeartbeatCommand({ taskToken: token }));
      await sleep(300);
    }
    expect((await sfn.send(new DescribeExecutionCommand({ executionArn }))).status).toBe('RUNNING');
    await sfn.send(new SendTaskSuccessCommand({ taskToken: token, output: '{"alive":true}' }));
    const done = await finished(executionArn);
    expect(done.status).toBe('SUCCEEDED');
    expect(types(await history(executionArn))).not.toContain('TaskTimedOut');
  }, 30_000);

  it('times out with States.Timeout after TimeoutSeconds, heartbeats or not; States.TaskFailed does not catch it', async () => {
    const executionArn = await start({
      WaitForRollout: waitingTask({
        TimeoutSeconds: 2,
        HeartbeatSeconds: 1,
        Catch: [
          { ErrorEquals: ['States.TaskFailed'], Next: 'WrongCatch' },
          { ErrorEquals: ['States.Timeout'], ResultPath: '$.timeout', Next: 'CheckOnce' },
        ],
        End: true,
      }),
      WrongCatch: { Type: 'Fail', Error: 'Wrong', Cause: 'States.TaskFailed caught a timeout' },
      CheckOnce: { Type: 'Pass', End: true },
    });
    const token = await tokenOf(executionArn);
    const beat = (async () => {
      for (;;) {
        try {
          await sfn.send(new SendTaskHeartbeatCommand({ taskToken: token }));
        } catch (err) {
          return err;
        }
        await sleep(300);
      }
    })();
    const done = await finished(executionArn);
    expect(done.status).toBe('SUCCEEDED');
    expect(JSON.parse(done.output ?? '{}').timeout).toMatchObject({ Error: 'States.Timeout' });
    expect(await beat).toBeInstanceOf(TaskTimedOut);
    const events = await history(executionArn);
    const timedOut = events.filter((e) => e.type === 'TaskTimedOut');
    expect(timedOut.map((e) => e.taskTimedOutEventDetails?.error)).toEqual(['States.Timeout']);
    expect(types(events).slice(-4)).toEqual([
      'TaskStateExited',
      'PassStateEntered',
      'PassStateExited',
      'ExecutionSucceeded',
    ]);
    expect(events.find((e) => e.type === 'TaskScheduled')?.taskScheduledEventDetails).toMatchObject({
      timeoutInSeconds: 2,
      heartbeatInSeconds: 1,
    });
  }, 30_000);

  it('stops waiting when the execution is stopped: its token is no longer good', async () => {
    const executionArn = await start({ WaitForRollout: waitingTask({ End: true }) });
    const token = await tokenOf(executionArn);
    await sfn.send(new StopExecutionCommand({ executionArn, cause: 'stopped by the test' }));
    await expect(
      sfn.send(new SendTaskSuccessCommand({ taskToken: token, output: '{}' })),
    ).rejects.toBeInstanceOf(TaskTimedOut);
    expect(types(await history(executionArn)).slice(-2)).toEqual(['TaskStateAborted', 'ExecutionAborted']);
  }, 30_000);

  it('fails the task when its function fails, and the token with it', async () => {
    const executionArn = await start({
      WaitForRollout: {
        ...waitingTask({ End: true }),
        Parameters: { FunctionName: fn('echo'), Payload: { fail: true, 'token.$': '$$.Task.Token' } },
      },
    });
    const done = await finished(executionArn);
    expect(done).toMatchObject({ status: 'FAILED', error: 'AskedToFailError' });
    const events = await history(executionArn);
    expect(types(events).slice(-3)).toEqual(['TaskStarted', 'TaskFailed', 'ExecutionFailed']);
    const token = JSON.parse(
      events.find((e) => e.type === 'TaskScheduled')?.taskScheduledEventDetails?.parameters ?? '{}',
    ).Payload.token as string;
    await expect(sfn.send(new SendTaskHeartbeatCommand({ taskToken: token }))).rejects.toBeInstanceOf(
      TaskTimedOut,
    );
  }, 30_000);
});

describe('tokens', () => {
  it.each([
    ['not a token at all', 'garbage'],
    ['a token with its signature changed', 'e30.AAAA'],
  ])('refuse %s with InvalidToken', async (_, taskToken) => {
    await expect(sfn.send(new SendTaskHeartbeatCommand({ taskToken }))).rejects.toBeInstanceOf(InvalidToken);
  });

  it('refuse a token tampered with, and one used in another region', async () => {
    const executionArn = await start({ WaitForRollout: waitingTask({ End: true }) });
    const token = await tokenOf(executionArn);
    const [body = '', signature = ''] = token.split('.');
    const tampered = `${body}.${signature.startsWith('A') ? 'B' : 'A'}${signature.slice(1)}`;
    await expect(
      sfn.send(new SendTaskSuccessCommand({ taskToken: tampered, output: '{}' })),
    ).rejects.toBeInstanceOf(InvalidToken);
    const elsewhere = new SFNClient({
      endpoint: cloud.endpointUrl,
      region: 'eu-west-1',
      credentials: LOCAL_CREDENTIALS,
    });
    await expect(
      elsewhere.send(new SendTaskSuccessCommand({ taskToken: token, output: '{}' })),
    ).rejects.toBeInstanceOf(InvalidToken);
    elsewhere.destroy();
    await sfn.send(new SendTaskSuccessCommand({ taskToken: token, output: '{}' }));
    expect((await finished(executionArn)).status).toBe('SUCCEEDED');
  }, 30_000);

  it('are given only to a Task that waits for one', async () => {
    const executionArn = await start({
      WaitForRollout: {
        Type: 'Task',
        Resource: 'arn:aws:states:::lambda:invoke',
        Parameters: { FunctionName: fn('echo'), Payload: { 'token.$': '$$.Task.Token' } },
        End: true,
      },
    });
    expect(await finished(executionArn)).toMatchObject({ status: 'FAILED', error: 'States.Runtime' });
  }, 30_000);
});
