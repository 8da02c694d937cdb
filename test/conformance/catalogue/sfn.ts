import {
  CreateStateMachineCommand,
  DeleteStateMachineCommand,
  DescribeExecutionCommand,
  DescribeStateMachineCommand,
  DescribeStateMachineForExecutionCommand,
  GetExecutionHistoryCommand,
  ListExecutionsCommand,
  ListStateMachinesCommand,
  SendTaskFailureCommand,
  SendTaskHeartbeatCommand,
  SendTaskSuccessCommand,
  SFNClient,
  StartExecutionCommand,
  StopExecutionCommand,
} from '@aws-sdk/client-sfn';
import { expect } from '@jest/globals';
import { eventually } from '../../helpers/eventually.js';
import { createFunction } from '../../local/local-functions.js';
import { caseBuilders } from '../case-builders.js';
import type { World } from '../harness.js';
import { type ClientClass, type ServiceCatalogue, tableOperations } from '../suite.js';

interface SfnFixtures {
  machineArn: string;
  /** A machine that waits a minute, so its executions can be stopped. */
  waitingMachineArn: string;
  /** A finished execution of `machineArn`. */
  executionArn: string;
  /** A machine whose one task hands its token to a function and waits for it. */
  callbackMachineArn: string;
}

const ROLE = 'arn:aws:iam::000000000000:role/conf-states';
const PASS = JSON.stringify({
  StartAt: 'First',
  States: {
    First: { Type: 'Pass', Next: 'Second' },
    Second: { Type: 'Pass', Result: { done: true }, End: true },
  },
});
const WAIT = JSON.stringify({ StartAt: 'Wait', States: { Wait: { Type: 'Wait', Seconds: 60, End: true } } });
const CALLBACK = JSON.stringify({
  StartAt: 'WaitForToken',
  States: {
    WaitForToken: {
      Type: 'Task',
      Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken',
      Parameters: { FunctionName: 'conf-echo', Payload: { 'token.$': '$$.Task.Token' } },
      End: true,
    },
  },
});
const NOT_A_TOKEN = 'not-a-task-token';
const ABSENT_MACHINE = 'arn:aws:states:us-east-1:000000000000:stateMachine:conf-absent';
const ABSENT_EXECUTION = 'arn:aws:states:us-east-1:000000000000:execution:conf-sm-1:absent';

const { custom, fails, ok, paginates } = caseBuilders<SfnFixtures>();

/** Starts a callback execution and answers the token its task waits with, once its function has had it. */
async function waitingTask(w: World<SfnFixtures>): Promise<{ executionArn: string; token: string }> {
  const { executionArn = '' } = await w.prepare(StartExecutionCommand, {
    stateMachineArn: w.fixtures.callbackMachineArn,
  });
  const token = await eventually('the task to be waiting for its token', async () => {
    const { events = [] } = await w.prepare(GetExecutionHistoryCommand, { executionArn });
    const submitted = events.find((e) => e.type === 'TaskSubmitted')?.taskSubmittedEventDetails?.output;
    return submitted ? (JSON.parse(submitted).Payload.echo.token as string) : undefined;
  });
  return { executionArn, token };
}

const statusOf = async (w: World<SfnFixtures>, executionArn: string) =>
  eventually('the execution to end', async () => {
    const { status } = await w.prepare(DescribeExecutionCommand, { executionArn });
    return status === 'RUNNING' ? undefined : status;
  });

export const sfn: ServiceCatalogue<SfnFixtures> = {
  model: 'stepfunctions',
  client: SFNClient as unknown as ClientClass,
  emulated: (cloud) => tableOperations(cloud.sfn.api),

  async setup({ cloud, prepare }) {
    createFunction(cloud, 'conf-echo', 'echo');
    const callback = await prepare(CreateStateMachineCommand, {
      name: 'conf-callback',
      definition: CALLBACK,
      roleArn: ROLE,
    });
    const machines: string[] = [];
    for (const name of ['conf-sm-1', 'conf-sm-2', 'conf-sm-3']) {
      const out = await prepare(CreateStateMachineCommand, { name, definition: PASS, roleArn: ROLE });
      machines.push(out.stateMachineArn ?? '');
    }
    const machineArn = machines[0] ?? '';
    const waiting = await prepare(CreateStateMachineCommand, {
      name: 'conf-wait',
      definition: WAIT,
      roleArn: ROLE,
    });
    const executions: string[] = [];
    for (const name of ['e1', 'e2', 'e3']) {
      const out = await prepare(StartExecutionCommand, {
        stateMachineArn: machineArn,
        name,
        input: '{"n":1}',
      });
      executions.push(out.executionArn ?? '');
    }
    await eventually('the fixture executions to finish', async () => {
      const { executions: listed = [] } = await prepare(ListExecutionsCommand, {
        stateMachineArn: machineArn,
        statusFilter: 'SUCCEEDED',
      });
      return listed.length === 3 ? true : undefined;
    });
    return {
      machineArn,
      waitingMachineArn: waiting.stateMachineArn ?? '',
      executionArn: executions[0] ?? '',
      callbackMachineArn: callback.stateMachineArn ?? '',
    };
  },

  cases: [
    ok(
      CreateStateMachineCommand,
      'creates a state machine',
      { name: 'conf-new', definition: PASS, roleArn: ROLE },
      (out) => expect(out.stateMachineArn).toMatch(/:stateMachine:conf-new$/),
    ),
    fails(
      CreateStateMachineCommand,
      'a definition that is not ASL',
      { name: 'conf-bad', definition: '{"StartAt":"Nowhere","States":{}}', roleArn: ROLE },
      'InvalidDefinition',
    ),
    fails(
      CreateStateMachineCommand,
      'a name with a space',
      { name: 'conf bad', definition: PASS, roleArn: ROLE },
      'InvalidName',
    ),
    fails(
      CreateStateMachineCommand,
      'a name in use with another definition',
      { name: 'conf-sm-1', definition: WAIT, roleArn: ROLE },
      'StateMachineAlreadyExists',
    ),
    ok(
      DescribeStateMachineCommand,
      'describes a state machine',
      (f) => ({ stateMachineArn: f.machineArn }),
      (out) => expect(out.status).toBe('ACTIVE'),
    ),
    fails(
      DescribeStateMachineCommand,
      'an unknown state machine',
      { stateMachineArn: ABSENT_MACHINE },
      'StateMachineDoesNotExist',
    ),
    fails(DescribeStateMachineCommand, 'a malformed ARN', { stateMachineArn: 'conf-sm-1' }, 'InvalidArn'),
    ok(ListStateMachinesCommand, 'lists state machines', {}, (out) =>
      expect(out.stateMachines?.map((m) => m.name)).toEqual(
        expect.arrayContaining(['conf-sm-1', 'conf-wait']),
      ),
    ),
    ...paginates(ListStateMachinesCommand, {}),
    ok(
      StartExecutionCommand,
      'starts an execution',
      (f) => ({ stateMachineArn: f.machineArn, name: 'conf-started', input: '{}' }),
      (out) => expect(out.executionArn).toMatch(/:execution:conf-sm-1:conf-started$/),
    ),
    // Standard workflows: StartExecution is idempotent for a RUNNING execution with the same
    // name and input (AWS's API reference); other input, or a closed execution, is a conflict.
    custom('StartExecution', 'answers a running execution again for the same name and input', async (w) => {
      const start = { stateMachineArn: w.fixtures.waitingMachineArn, name: 'conf-again', input: '{"a":1}' };
      const first = await w.send(StartExecutionCommand, start);
      const again = await w.send(StartExecutionCommand, start);
      expect(again.executionArn).toBe(first.executionArn);
      expect(again.startDate?.getTime()).toBe(first.startDate?.getTime());
      const other = await w.sendExpectingError(StartExecutionCommand, { ...start, input: '{"a":2}' });
      expect(other.code).toBe('ExecutionAlreadyExists');
      await w.prepare(StopExecutionCommand, { executionArn: first.executionArn ?? '' });
      const closed = await w.sendExpectingError(StartExecutionCommand, start);
      expect(closed.code).toBe('ExecutionAlreadyExists');
    }),
    fails(
      StartExecutionCommand,
      'an unknown state machine',
      { stateMachineArn: ABSENT_MACHINE, input: '{}' },
      'StateMachineDoesNotExist',
    ),
    fails(
      StartExecutionCommand,
      'input that is not JSON',
      (f) => ({ stateMachineArn: f.machineArn, input: '{broken' }),
      'InvalidExecutionInput',
    ),
    ok(
      DescribeExecutionCommand,
      'describes a finished execution',
      (f) => ({ executionArn: f.executionArn }),
      (out) => expect(out.status).toBe('SUCCEEDED'),
    ),
    fails(
      DescribeExecutionCommand,
      'an unknown execution',
      { executionArn: ABSENT_EXECUTION },
      'ExecutionDoesNotExist',
    ),
    ok(
      ListExecutionsCommand,
      'lists a machine’s succeeded executions',
      (f) => ({ stateMachineArn: f.machineArn, statusFilter: 'SUCCEEDED' as const }),
      (out) => expect(out.executions?.length).toBeGreaterThanOrEqual(3),
    ),
    fails(
      ListExecutionsCommand,
      'an unknown state machine',
      { stateMachineArn: ABSENT_MACHINE },
      'StateMachineDoesNotExist',
    ),
    ...paginates(ListExecutionsCommand, (f) => ({
      stateMachineArn: f.machineArn,
      statusFilter: 'SUCCEEDED' as const,
    })),
    ok(
      GetExecutionHistoryCommand,
      'gets an execution’s history',
      (f) => ({ executionArn: f.executionArn }),
      (out) => {
        expect(out.events?.[0]?.type).toBe('ExecutionStarted');
        expect(out.events?.at(-1)?.type).toBe('ExecutionSucceeded');
      },
    ),
    fails(
      GetExecutionHistoryCommand,
      'an unknown execution',
      { executionArn: ABSENT_EXECUTION },
      'ExecutionDoesNotExist',
    ),
    ...paginates(GetExecutionHistoryCommand, (f) => ({ executionArn: f.executionArn })),
    custom('StopExecution', 'stops a running execution', async (w) => {
      const started = await w.prepare(StartExecutionCommand, {
        stateMachineArn: w.fixtures.waitingMachineArn,
        input: '{}',
      });
      await w.send(StopExecutionCommand, { executionArn: started.executionArn ?? '', cause: 'conformance' });
      const described = await w.prepare(DescribeExecutionCommand, {
        executionArn: started.executionArn ?? '',
      });
      expect(described.status).toBe('ABORTED');
    }),
    fails(
      StopExecutionCommand,
      'an unknown execution',
      { executionArn: ABSENT_EXECUTION },
      'ExecutionDoesNotExist',
    ),
    ok(
      DescribeStateMachineForExecutionCommand,
      'describes the machine an execution ran',
      (f) => ({ executionArn: f.executionArn }),
      (out, f) =>
        expect(out).toMatchObject({ stateMachineArn: f.machineArn, name: 'conf-sm-1', definition: PASS }),
    ),
    fails(
      DescribeStateMachineForExecutionCommand,
      'an unknown execution',
      { executionArn: ABSENT_EXECUTION },
      'ExecutionDoesNotExist',
    ),
    fails(
      DescribeStateMachineForExecutionCommand,
      'a machine’s ARN where an execution’s belongs',
      (f) => ({ executionArn: f.machineArn }),
      'InvalidArn',
    ),
    custom('DeleteStateMachine', 'deletes a state machine', async (w) => {
      const created = await w.prepare(CreateStateMachineCommand, {
        name: 'conf-doomed',
        definition: PASS,
        roleArn: ROLE,
      });
      const stateMachineArn = created.stateMachineArn ?? '';
      await w.send(DeleteStateMachineCommand, { stateMachineArn });
      const gone = await w.sendExpectingError(DescribeStateMachineCommand, { stateMachineArn });
      expect(gone.code).toBe('StateMachineDoesNotExist');
    }),
    // Deleting is idempotent on AWS: a machine that is not there is no error.
    ok(DeleteStateMachineCommand, 'a machine that is not there', { stateMachineArn: ABSENT_MACHINE }),
    fails(DeleteStateMachineCommand, 'a malformed ARN', { stateMachineArn: 'conf-sm-1' }, 'InvalidArn'),
    custom('SendTaskSuccess', 'resumes a task waiting for its token', async (w) => {
      const { executionArn, token } = await waitingTask(w);
      await w.send(SendTaskSuccessCommand, { taskToken: token, output: '{"resumed":true}' });
      expect(await statusOf(w, executionArn)).toBe('SUCCEEDED');
    }),
    custom('SendTaskSuccess', 'output that is not JSON', async (w) => {
      const { executionArn, token } = await waitingTask(w);
      const answered = await w.sendExpectingError(SendTaskSuccessCommand, { taskToken: token, output: '{' });
      expect(answered.code).toBe('InvalidOutput');
      await w.prepare(StopExecutionCommand, { executionArn });
    }),
    custom('SendTaskSuccess', 'a token whose task no longer waits', async (w) => {
      const { token } = await waitingTask(w);
      await w.prepare(SendTaskSuccessCommand, { taskToken: token, output: '{}' });
      const answered = await w.sendExpectingError(SendTaskSuccessCommand, { taskToken: token, output: '{}' });
      expect(answered.code).toBe('TaskTimedOut');
    }),
    fails(
      SendTaskSuccessCommand,
      'a token it never issued',
      { taskToken: NOT_A_TOKEN, output: '{}' },
      'InvalidToken',
    ),
    custom('SendTaskFailure', 'fails a task waiting for its token', async (w) => {
      const { executionArn, token } = await waitingTask(w);
      await w.send(SendTaskFailureCommand, { taskToken: token, error: 'Conformance', cause: 'as asked' });
      expect(await statusOf(w, executionArn)).toBe('FAILED');
    }),
    custom('SendTaskFailure', 'a token whose execution was stopped', async (w) => {
      const { executionArn, token } = await waitingTask(w);
      await w.prepare(StopExecutionCommand, { executionArn });
      const answered = await w.sendExpectingError(SendTaskFailureCommand, { taskToken: token });
      expect(answered.code).toBe('TaskTimedOut');
    }),
    fails(SendTaskFailureCommand, 'a token it never issued', { taskToken: NOT_A_TOKEN }, 'InvalidToken'),
    fails(SendTaskFailureCommand, 'an empty token', { taskToken: '' }, 'ValidationException'),
    custom('SendTaskHeartbeat', 'keeps a task waiting for its token', async (w) => {
      const { executionArn, token } = await waitingTask(w);
      await w.send(SendTaskHeartbeatCommand, { taskToken: token });
      const { status } = await w.prepare(DescribeExecutionCommand, { executionArn });
      expect(status).toBe('RUNNING');
      await w.prepare(StopExecutionCommand, { executionArn });
    }),
    custom('SendTaskHeartbeat', 'a token whose task ended', async (w) => {
      const { token } = await waitingTask(w);
      await w.prepare(SendTaskFailureCommand, { taskToken: token });
      const answered = await w.sendExpectingError(SendTaskHeartbeatCommand, { taskToken: token });
      expect(answered.code).toBe('TaskTimedOut');
    }),
    fails(SendTaskHeartbeatCommand, 'a token it never issued', { taskToken: NOT_A_TOKEN }, 'InvalidToken'),
  ],
};
