import {
  DescribeExecutionCommand,
  ExecutionAlreadyExists,
  type SFNClient,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import type { DeploymentRequest } from '../contract/request.js';

/** An execution as StartExecution (or DescribeExecution, for one that existed) reports it. */
export interface BegunExecution {
  executionArn: string;
  startDate: Date;
  status: string;
  /** The execution input, when it existed before this call. */
  input?: string;
  /** False when this call started it; true when it had been started before. */
  existed: boolean;
}

/**
 * The execution input for a request, with its keys in a fixed order: a
 * request read back from the records table must make the very same input,
 * since Step Functions treats a start with the same name and input as a
 * repeat (answering the running execution) and any other input as a conflict.
 */
export function executionInput(request: DeploymentRequest): string {
  const sorted = Object.fromEntries(
    Object.entries(request)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
  );
  return JSON.stringify({ request: sorted });
}

/** The ARN of a named execution of a state machine. */
export function executionArnOf(stateMachineArn: string, name: string): string {
  return `${stateMachineArn.replace(':stateMachine:', ':execution:')}:${name}`;
}

/**
 * Starts the deployment's execution, named by its deployment id. A start
 * with the name of an execution that exists reports that execution, with
 * the input it was started with, for the caller to judge.
 */
export async function beginExecution(
  sfn: SFNClient,
  stateMachineArn: string,
  name: string,
  request: DeploymentRequest,
): Promise<BegunExecution> {
  const input = executionInput(request);
  try {
    const out = await sfn.send(new StartExecutionCommand({ stateMachineArn, name, input }));
    return {
      executionArn: out.executionArn ?? executionArnOf(stateMachineArn, name),
      startDate: out.startDate ?? new Date(),
      status: 'RUNNING',
      existed: false,
    };
  } catch (err) {
    if (!(err instanceof ExecutionAlreadyExists)) throw err;
  }
  const executionArn = executionArnOf(stateMachineArn, name);
  const existing = await sfn.send(new DescribeExecutionCommand({ executionArn }));
  return {
    executionArn,
    startDate: existing.startDate ?? new Date(),
    status: existing.status ?? 'UNKNOWN',
    ...(existing.input !== undefined ? { input: existing.input } : {}),
    existed: true,
  };
}
