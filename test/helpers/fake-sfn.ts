import {
  DescribeExecutionCommand,
  ExecutionAlreadyExists,
  ExecutionDoesNotExist,
  SFNClient,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import type { EventSink } from '../../functions/commons/deployment-events.js';
import type { DeploymentRecord } from '../../functions/commons/records.js';
import type { DeploymentEventType } from '../../functions/contract/events.js';

export interface FakeExecution {
  name: string;
  input: string;
  status: 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED';
  startDate: Date;
}

/**
 * Step Functions' StartExecution as its API reference describes it: a
 * second start with the name of an open execution and the same input
 * answers that execution (200, same ARN and start date); a different input,
 * or a closed execution, is ExecutionAlreadyExists. `starts` counts the
 * executions actually created.
 */
export function fakeStepFunctions(stateMachineArn: string) {
  const mock = mockClient(SFNClient);
  const executions = new Map<string, FakeExecution>();
  const arnOf = (name: string) => `${stateMachineArn.replace(':stateMachine:', ':execution:')}:${name}`;
  let starts = 0;
  mock.on(StartExecutionCommand).callsFake((input: { name: string; input: string }) => {
    const existing = executions.get(input.name);
    if (existing) {
      if (existing.status === 'RUNNING' && existing.input === input.input)
        return { executionArn: arnOf(input.name), startDate: existing.startDate };
      throw new ExecutionAlreadyExists({
        message: `Execution Already Exists: '${arnOf(input.name)}'`,
        $metadata: {},
      });
    }
    starts++;
    executions.set(input.name, {
      name: input.name,
      input: input.input,
      status: 'RUNNING',
      startDate: new Date(),
    });
    return { executionArn: arnOf(input.name), startDate: executions.get(input.name)?.startDate };
  });
  mock.on(DescribeExecutionCommand).callsFake((input: { executionArn: string }) => {
    const name = input.executionArn.slice(input.executionArn.lastIndexOf(':') + 1);
    const execution = executions.get(name);
    if (!execution)
      throw new ExecutionDoesNotExist({
        message: `Execution Does Not Exist: '${input.executionArn}'`,
        $metadata: {},
      });
    return {
      executionArn: input.executionArn,
      stateMachineArn,
      name,
      status: execution.status,
      startDate: execution.startDate,
      input: execution.input,
    };
  });
  return {
    mock,
    client: new SFNClient({ region: 'us-east-1' }),
    executions,
    arnOf,
    get starts() {
      return starts;
    },
    /** Ends an execution, as the workflow would. */
    finish(name: string, status: FakeExecution['status'] = 'SUCCEEDED') {
      const execution = executions.get(name);
      if (!execution) throw new Error(`no execution ${name}`);
      execution.status = status;
    },
    /** The names of the executions started, in order. */
    started: () => [...executions.keys()],
  };
}

/** An event sink that remembers what was emitted. */
export function recordingEvents() {
  const emitted: { type: DeploymentEventType; record: DeploymentRecord }[] = [];
  const sink: EventSink = {
    emit: async (type, record) => {
      emitted.push({ type, record });
    },
  };
  return {
    sink,
    emitted,
    types: (deploymentId: string) =>
      emitted.filter((e) => e.record.deploymentId === deploymentId).map((e) => e.type),
  };
}
