import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CloudWatchLogsClient,
  DescribeLogStreamsCommand,
  GetLogEventsCommand,
} from '@aws-sdk/client-cloudwatch-logs';
import { EventBridgeClient, PutRuleCommand, PutTargetsCommand } from '@aws-sdk/client-eventbridge';
import {
  CreateStateMachineCommand,
  type CreateStateMachineInput,
  DescribeExecutionCommand,
  type DescribeExecutionOutput,
  DescribeStateMachineCommand,
  ExecutionAlreadyExists,
  GetExecutionHistoryCommand,
  GetExecutionHistoryOutput$,
  type HistoryEvent,
  InvalidName,
  InvalidToken,
  ListExecutionsCommand,
  ListStateMachinesCommand,
  SFNClient,
  StartExecutionCommand,
  StateMachineAlreadyExists,
  StateMachineDoesNotExist,
  StopExecutionCommand,
} from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { LOCAL_CREDENTIALS, LocalCloud } from '../../local/cloud.js';
import { eventually } from '../helpers/eventually.js';
import { rawAwsRequest } from '../helpers/raw-aws.js';
import { unmodeledMembers } from '../helpers/unmodeled.js';
import { createFunction } from './local-functions.js';

let cloud: LocalCloud;
let sfn: SFNClient;
let config: { endpoint: string; region: string; credentials: typeof LOCAL_CREDENTIALS };
const ROLE = 'arn:aws:iam::000000000000:role/sfn';
const fn = (name: string) => `arn:aws:lambda:us-east-1:${cloud.accountId}:function:${name}`;

beforeAll(async () => {
  cloud = await LocalCloud.start({
    endpointPort: 0,
    loadBalancerPort: 0,
    stateDir: mkdtempSync(join(tmpdir(), 'stepship-sfn-')),
  });
  config = { endpoint: cloud.endpointUrl, region: cloud.region, credentials: LOCAL_CREDENTIALS };
  sfn = new SFNClient(config);
  createFunction(cloud, 'echo', 'echo');
  createFunction(cloud, 'exits', 'exits');
}, 30_000);
afterAll(() => cloud.stop());

/** Echo, then wait 30 s when the input says hold, then succeed. */
const holdDefinition = () =>
  JSON.stringify({
    StartAt: 'Echo',
    States: {
      Echo: { Type: 'Task', Resource: fn('echo'), ResultPath: '$.echo', Next: 'Hold?' },
      'Hold?': {
        Type: 'Choice',
        Choices: [{ Variable: '$.hold', BooleanEquals: true, Next: 'Hold' }],
        Default: 'Done',
      },
      Hold: { Type: 'Wait', Seconds: 30, Next: 'Done' },
      Done: { Type: 'Succeed' },
    },
  });

async function machine(
  name: string,
  definition: object | string,
  extra: Partial<CreateStateMachineInput> = {},
) {
  const created = await sfn.send(
    new CreateStateMachineCommand({
      name,
      definition: typeof definition === 'string' ? definition : JSON.stringify(definition),
      roleArn: ROLE,
      ...extra,
    }),
  );
  return created.stateMachineArn ?? '';
}

async function finished(executionArn: string): Promise<DescribeExecutionOutput> {
  return eventually(`${executionArn} to end`, async () => {
    const e = await sfn.send(new DescribeExecutionCommand({ executionArn }));
    return e.status === 'RUNNING' ? undefined : e;
  });
}

async function history(executionArn: string): Promise<HistoryEvent[]> {
  return (await sfn.send(new GetExecutionHistoryCommand({ executionArn, maxResults: 1000 }))).events ?? [];
}

describe('state machines', () => {
  it('are described with the members AWS always returns', async () => {
    const arn = await machine('described', holdDefinition());
    expect(await sfn.send(new DescribeStateMachineCommand({ stateMachineArn: arn }))).toMatchObject({
      stateMachineArn: arn,
      name: 'described',
      status: 'ACTIVE',
      definition: holdDefinition(),
      roleArn: ROLE,
      type: 'STANDARD',
      creationDate: expect.any(Date),
      loggingConfiguration: { level: 'OFF', includeExecutionData: false },
      tracingConfiguration: { enabled: false },
      revisionId: expect.any(String),
    });
  });

  it('keep the logging and tracing configuration they were created with', async () => {
    const logGroupArn = `arn:aws:logs:us-east-1:${cloud.accountId}:log-group:/states/logged:*`;
    const arn = await machine('logged', holdDefinition(), {
      loggingConfiguration: {
        level: 'ALL',
        includeExecutionData: true,
        destinations: [{ cloudWatchLogsLogGroup: { logGroupArn } }],
      },
      tracingConfiguration: { enabled: true },
    });
    expect(await sfn.send(new DescribeStateMachineCommand({ stateMachineArn: arn }))).toMatchObject({
      loggingConfiguration: {
        level: 'ALL',
        includeExecutionData: true,
        destinations: [{ cloudWatchLogsLogGroup: { logGroupArn } }],
      },
      tracingConfiguration: { enabled: true },
    });
    // CreateStateMachine is idempotent for the same configuration, and refuses a different one.
    expect(
      await machine('logged', holdDefinition(), {
        loggingConfiguration: {
          level: 'ALL',
          includeExecutionData: true,
          destinations: [{ cloudWatchLogsLogGroup: { logGroupArn } }],
        },
        tracingConfiguration: { enabled: true },
      }),
    ).toBe(arn);
    await expect(machine('logged', holdDefinition())).rejects.toBeInstanceOf(StateMachineAlreadyExists);
    await expect(
      machine('unlogged', holdDefinition(), { loggingConfiguration: { level: 'ALL' } }),
    ).rejects.toMatchObject({ name: 'InvalidLoggingConfiguration' });
  });

  it.each([
    ['dots', 'release.v1.2'],
    ['non-ASCII letters', 'déploiement-ü'],
    ['80 characters', 'x'.repeat(80)],
  ])('accept a name with %s, as the documented rules allow', async (_, name) => {
    expect(await machine(name, holdDefinition())).toBe(
      `arn:aws:states:us-east-1:${cloud.accountId}:stateMachine:${name}`,
    );
  });

  it.each([
    ['white space', 'has space'],
    ['a slash', 'a/b'],
    ['a colon', 'a:b'],
    ['brackets', 'a[1]'],
    ['a wildcard', 'a*'],
    ['a control character', 'tab\there'],
    ['81 characters', 'x'.repeat(81)],
  ])('refuse a name with %s (InvalidName)', async (_, name) => {
    await expect(machine(name, holdDefinition())).rejects.toBeInstanceOf(InvalidName);
  });

  it('are listed a page (maxResults) at a time; a bad token is InvalidToken', async () => {
    const seen: string[] = [];
    let nextToken: string | undefined;
    do {
      const page = await sfn.send(new ListStateMachinesCommand({ maxResults: 2, nextToken }));
      expect(page.stateMachines?.length).toBeLessThanOrEqual(2);
      seen.push(...(page.stateMachines ?? []).map((m) => m.name ?? ''));
      nextToken = page.nextToken;
    } while (nextToken);
    const all = (await sfn.send(new ListStateMachinesCommand({}))).stateMachines?.map((m) => m.name);
    expect(seen).toEqual(all);
    expect(seen.length).toBeGreaterThan(2);
    await expect(sfn.send(new ListStateMachinesCommand({ nextToken: 'garbage' }))).rejects.toBeInstanceOf(
      InvalidToken,
    );
    await expect(sfn.send(new ListStateMachinesCommand({ maxResults: 1001 }))).rejects.toMatchObject({
      name: 'ValidationException',
    });
  });
});

describe('executions', () => {
  let arn: string;
  beforeAll(async () => {
    arn = await machine('api', holdDefinition());
  });

  it('run with an AWS-shaped history, and nothing in it the model lacks', async () => {
    const started = await sfn.send(
      new StartExecutionCommand({ stateMachineArn: arn, name: 'run-1', input: '{"hold":false}' }),
    );
    const done = await finished(started.executionArn ?? '');
    expect(done).toMatchObject({ status: 'SUCCEEDED', redriveCount: 0, redriveStatus: 'NOT_REDRIVABLE' });
    expect(JSON.parse(done.output ?? '{}')).toMatchObject({
      echo: { echo: { hold: false }, greeting: 'hello' },
    });
    const events = await history(started.executionArn ?? '');
    expect(events.map((e) => e.type)).toEqual([
      'ExecutionStarted',
      'TaskStateEntered',
      'LambdaFunctionScheduled',
      'LambdaFunctionStarted',
      'LambdaFunctionSucceeded',
      'TaskStateExited',
      'ChoiceStateEntered',
      'ChoiceStateExited',
      'SucceedStateEntered',
      'SucceedStateExited',
      'ExecutionSucceeded',
    ]);
    expect(events.map((e) => [e.id, e.previousEventId])).toEqual(events.map((_, i) => [i + 1, i]));
    const raw = await rawAwsRequest(cloud.endpointUrl, {
      service: 'states',
      target: 'AWSStepFunctions.GetExecutionHistory',
      contentType: 'application/x-amz-json-1.0',
      body: JSON.stringify({ executionArn: started.executionArn }),
    });
    expect(raw.status).toBe(200);
    expect(unmodeledMembers(GetExecutionHistoryOutput$, raw.json)).toEqual([]);

    await expect(
      sfn.send(new StartExecutionCommand({ stateMachineArn: arn, name: 'run-1', input: '{"hold":true}' })),
    ).rejects.toBeInstanceOf(ExecutionAlreadyExists);
    await expect(
      sfn.send(new StartExecutionCommand({ stateMachineArn: arn, name: 'bad name!' })),
    ).rejects.toBeInstanceOf(InvalidName);
    await expect(sfn.send(new StartExecutionCommand({ stateMachineArn: `${arn}x` }))).rejects.toBeInstanceOf(
      StateMachineDoesNotExist,
    );
  });

  it('page their history forward and backward, and refuse a token from another listing', async () => {
    const started = await sfn.send(
      new StartExecutionCommand({ stateMachineArn: arn, name: 'paged', input: '{"hold":false}' }),
    );
    const executionArn = started.executionArn ?? '';
    await finished(executionArn);
    const all = await history(executionArn);
    for (const reverseOrder of [false, true]) {
      const ids: number[] = [];
      let nextToken: string | undefined;
      let pages = 0;
      do {
        const page = await sfn.send(
          new GetExecutionHistoryCommand({ executionArn, maxResults: 3, reverseOrder, nextToken }),
        );
        expect(page.events?.length).toBeLessThanOrEqual(3);
        ids.push(...(page.events ?? []).map((e) => e.id ?? 0));
        nextToken = page.nextToken;
        pages++;
      } while (nextToken && pages < 20);
      const expected = all.map((e) => e.id ?? 0);
      expect(ids).toEqual(reverseOrder ? expected.reverse() : expected);
      expect(pages).toBe(Math.ceil(all.length / 3));
    }
    const first = await sfn.send(new GetExecutionHistoryCommand({ executionArn, maxResults: 3 }));
    await expect(
      sfn.send(
        new GetExecutionHistoryCommand({
          executionArn,
          maxResults: 3,
          reverseOrder: true,
          nextToken: first.nextToken,
        }),
      ),
    ).rejects.toBeInstanceOf(InvalidToken);
    await expect(
      sfn.send(new GetExecutionHistoryCommand({ executionArn, nextToken: 'garbage' })),
    ).rejects.toBeInstanceOf(InvalidToken);
    const withoutData = await sfn.send(
      new GetExecutionHistoryCommand({ executionArn, includeExecutionData: false }),
    );
    expect(withoutData.events?.[0]?.executionStartedEventDetails).toEqual({
      roleArn: ROLE,
      inputDetails: { truncated: false },
    });
  });

  it('are listed newest first, a page at a time, and stopped with the aborted state in the history', async () => {
    const held = await sfn.send(
      new StartExecutionCommand({ stateMachineArn: arn, name: 'held', input: '{"hold":true}' }),
    );
    const executionArn = held.executionArn ?? '';
    await eventually('the execution to wait', async () =>
      (await history(executionArn)).some((e) => e.type === 'WaitStateEntered') ? true : undefined,
    );
    expect(
      (
        await sfn.send(new ListExecutionsCommand({ stateMachineArn: arn, statusFilter: 'RUNNING' }))
      ).executions?.map((e) => e.name),
    ).toEqual(['held']);
    const first = await sfn.send(new ListExecutionsCommand({ stateMachineArn: arn, maxResults: 1 }));
    expect(first.executions?.map((e) => e.name)).toEqual(['held']);
    const second = await sfn.send(
      new ListExecutionsCommand({ stateMachineArn: arn, maxResults: 1, nextToken: first.nextToken }),
    );
    expect(second.executions?.map((e) => e.name)).toEqual(['paged']);
    await expect(
      sfn.send(new ListExecutionsCommand({ stateMachineArn: arn, nextToken: 'garbage' })),
    ).rejects.toBeInstanceOf(InvalidToken);

    await sfn.send(new StopExecutionCommand({ executionArn, error: 'Stopped', cause: 'by the test' }));
    expect(await sfn.send(new DescribeExecutionCommand({ executionArn }))).toMatchObject({
      status: 'ABORTED',
      error: 'Stopped',
      cause: 'by the test',
      redriveStatus: 'REDRIVABLE',
    });
    expect((await history(executionArn)).slice(-2).map((e) => e.type)).toEqual([
      'WaitStateAborted',
      'ExecutionAborted',
    ]);
  });
});

describe('failures', () => {
  it('a failing function fails the execution with its error name and Lambda cause', async () => {
    const arn = await machine('fails', {
      StartAt: 'Echo',
      States: { Echo: { Type: 'Task', Resource: fn('echo'), End: true } },
    });
    const { executionArn = '' } = await sfn.send(
      new StartExecutionCommand({ stateMachineArn: arn, input: '{"fail":true}' }),
    );
    const done = await finished(executionArn);
    expect(done).toMatchObject({ status: 'FAILED', error: 'AskedToFailError' });
    expect(JSON.parse(done.cause ?? '{}')).toMatchObject({ errorMessage: 'it failed as asked' });
    expect((await history(executionArn)).map((e) => e.type).slice(-2)).toEqual([
      'LambdaFunctionFailed',
      'ExecutionFailed',
    ]);
  });

  it('a function whose runtime dies fails the execution, and the cloud keeps serving', async () => {
    const arn = await machine('crashes', {
      StartAt: 'Exit',
      States: { Exit: { Type: 'Task', Resource: fn('exits'), End: true } },
    });
    const { executionArn = '' } = await sfn.send(new StartExecutionCommand({ stateMachineArn: arn }));
    expect(await finished(executionArn)).toMatchObject({ status: 'FAILED', error: 'Runtime.ExitError' });
    expect((await sfn.send(new ListStateMachinesCommand({}))).stateMachines?.length).toBeGreaterThan(0);
  });

  it('a Fail state is entered and never exited', async () => {
    const arn = await machine('fail-state', {
      StartAt: 'Nope',
      States: { Nope: { Type: 'Fail', Error: 'Custom.Error', Cause: 'as designed' } },
    });
    const { executionArn = '' } = await sfn.send(new StartExecutionCommand({ stateMachineArn: arn }));
    expect(await finished(executionArn)).toMatchObject({
      status: 'FAILED',
      error: 'Custom.Error',
      cause: 'as designed',
    });
    expect((await history(executionArn)).map((e) => e.type)).toEqual([
      'ExecutionStarted',
      'FailStateEntered',
      'ExecutionFailed',
    ]);
  });

  it('a task resource the local cloud cannot run fails the task with States.Runtime', async () => {
    const arn = await machine('unsupported-task', {
      StartAt: 'Sqs',
      States: {
        Sqs: {
          Type: 'Task',
          Resource: 'arn:aws:states:::sqs:sendMessage',
          Parameters: { QueueUrl: 'q' },
          End: true,
        },
      },
    });
    const { executionArn = '' } = await sfn.send(new StartExecutionCommand({ stateMachineArn: arn }));
    expect(await finished(executionArn)).toMatchObject({ status: 'FAILED', error: 'States.Runtime' });
    const events = await history(executionArn);
    const scheduled = events.find((e) => e.type === 'TaskScheduled');
    expect(scheduled?.taskScheduledEventDetails).toMatchObject({ resourceType: 'sqs', region: 'us-east-1' });
    expect(events.find((e) => e.type === 'TaskFailed')?.taskFailedEventDetails).toMatchObject({
      error: 'States.Runtime',
    });
  });
});

describe('the optimized lambda:invoke integration', () => {
  it('passes Payload as the event and answers the Invoke response, in Task* events without region', async () => {
    const arn = await machine('invoke', {
      StartAt: 'Call',
      States: {
        Call: {
          Type: 'Task',
          Resource: 'arn:aws:states:::lambda:invoke',
          Parameters: { FunctionName: fn('echo'), 'Payload.$': '$' },
          OutputPath: '$.Payload',
          End: true,
        },
      },
    });
    const { executionArn = '' } = await sfn.send(
      new StartExecutionCommand({ stateMachineArn: arn, input: '{"x":1}' }),
    );
    const done = await finished(executionArn);
    expect(JSON.parse(done.output ?? '{}')).toEqual({ echo: { x: 1 }, greeting: 'hello' });
    const raw = await rawAwsRequest(cloud.endpointUrl, {
      service: 'states',
      target: 'AWSStepFunctions.GetExecutionHistory',
      contentType: 'application/x-amz-json-1.0',
      body: JSON.stringify({ executionArn }),
    });
    const events = (raw.json as { events: Record<string, Record<string, unknown>>[] }).events;
    const details = (type: string) =>
      events.find((e) => e.type === (type as never))?.[
        `${type.charAt(0).toLowerCase()}${type.slice(1)}EventDetails`
      ];
    expect(details('TaskScheduled')).toMatchObject({
      resourceType: 'lambda',
      resource: 'invoke',
      region: 'us-east-1',
    });
    expect(details('TaskStarted')).toEqual({ resourceType: 'lambda', resource: 'invoke' });
    expect(Object.keys(details('TaskSucceeded') ?? {}).sort()).toEqual([
      'output',
      'outputDetails',
      'resource',
      'resourceType',
    ]);
    expect(unmodeledMembers(GetExecutionHistoryOutput$, raw.json)).toEqual([]);
  });
});

describe('logging and events', () => {
  it('writes every history event to the log group at level ALL, details as the model shapes them', async () => {
    const arn = await machine(
      'logs-all',
      {
        StartAt: 'Call',
        States: {
          Call: {
            Type: 'Task',
            Resource: 'arn:aws:states:::lambda:invoke',
            Parameters: { FunctionName: fn('echo'), 'Payload.$': '$' },
            End: true,
          },
        },
      },
      {
        loggingConfiguration: {
          level: 'ALL',
          includeExecutionData: false,
          destinations: [
            {
              cloudWatchLogsLogGroup: {
                logGroupArn: `arn:aws:logs:us-east-1:${cloud.accountId}:log-group:/states/all:*`,
              },
            },
          ],
        },
      },
    );
    const { executionArn = '' } = await sfn.send(
      new StartExecutionCommand({ stateMachineArn: arn, input: '{"secret":1}' }),
    );
    await finished(executionArn);
    const logs = new CloudWatchLogsClient(config);
    const [stream] =
      (await logs.send(new DescribeLogStreamsCommand({ logGroupName: '/states/all' }))).logStreams ?? [];
    const records = (
      (
        await logs.send(
          new GetLogEventsCommand({
            logGroupName: '/states/all',
            logStreamName: stream?.logStreamName,
            startFromHead: true,
          }),
        )
      ).events ?? []
    ).map((e) => JSON.parse(e.message ?? '{}') as { type: string; details: object; execution_arn: string });
    expect(records.map((r) => r.type)).toEqual([
      'ExecutionStarted',
      'TaskStateEntered',
      'TaskScheduled',
      'TaskStarted',
      'TaskSucceeded',
      'TaskStateExited',
      'ExecutionSucceeded',
    ]);
    expect(records.every((r) => r.execution_arn === executionArn)).toBe(true);
    // The log carries the history's own details: TaskStarted names the resource and nothing else (no region).
    expect(records.find((r) => r.type === 'TaskStarted')?.details).toEqual({
      resourceType: 'lambda',
      resource: 'invoke',
    });
    // includeExecutionData false: no input or output in the log.
    expect(JSON.stringify(records)).not.toContain('secret');
  });

  it('publishes execution status changes to EventBridge, which can start executions too', async () => {
    const target = await machine('started-by-event', {
      StartAt: 'P',
      States: { P: { Type: 'Pass', End: true } },
    });
    const events = new EventBridgeClient(config);
    await events.send(
      new PutRuleCommand({
        Name: 'on-success',
        EventPattern: JSON.stringify({
          source: ['aws.states'],
          'detail-type': ['Step Functions Execution Status Change'],
          detail: { status: ['SUCCEEDED'], name: ['trigger'] },
        }),
      }),
    );
    await events.send(new PutTargetsCommand({ Rule: 'on-success', Targets: [{ Id: 'next', Arn: target }] }));
    const source = await machine('trigger-source', {
      StartAt: 'P',
      States: { P: { Type: 'Pass', End: true } },
    });
    await sfn.send(new StartExecutionCommand({ stateMachineArn: source, name: 'trigger' }));
    const started = await eventually('the event to start an execution', async () => {
      const list = await sfn.send(new ListExecutionsCommand({ stateMachineArn: target }));
      return list.executions?.length ? list.executions : undefined;
    });
    const input = JSON.parse(
      (await sfn.send(new DescribeExecutionCommand({ executionArn: started[0]?.executionArn }))).input ??
        '{}',
    );
    expect(input).toMatchObject({
      source: 'aws.states',
      'detail-type': 'Step Functions Execution Status Change',
      detail: { name: 'trigger', status: 'SUCCEEDED', stateMachineArn: source },
    });
  });
});

describe('a cloud that stops', () => {
  it('ends its running executions, so no Wait outlives it', async () => {
    const other = await LocalCloud.start({
      endpointPort: 0,
      loadBalancerPort: 0,
      stateDir: mkdtempSync(join(tmpdir(), 'stepship-sfn-stop-')),
    });
    const client = new SFNClient({
      endpoint: other.endpointUrl,
      region: other.region,
      credentials: LOCAL_CREDENTIALS,
    });
    const { stateMachineArn } = await client.send(
      new CreateStateMachineCommand({
        name: 'waits',
        definition: JSON.stringify({
          StartAt: 'W',
          States: { W: { Type: 'Wait', Seconds: 3600, End: true } },
        }),
        roleArn: ROLE,
      }),
    );
    const { executionArn = '' } = await client.send(new StartExecutionCommand({ stateMachineArn }));
    const execution = other.sfn.findExecution(executionArn);
    await other.stop();
    await execution?.done;
    expect(execution?.status).not.toBe('RUNNING');
  });
});
