import type { LogLevel } from '@aws-sdk/client-sfn';
import type { Scope } from '../../core/scope.js';
import type { PendingCallback } from './callbacks.js';
import type { History } from './history.js';

export interface Machine {
  scope: Scope;
  arn: string;
  name: string;
  definition: string;
  roleArn: string;
  type: 'STANDARD' | 'EXPRESS';
  status: 'ACTIVE' | 'DELETING';
  creationDate: Date;
  revisionId: string;
  logging: {
    level: LogLevel;
    includeExecutionData: boolean;
    /** The destination's ARN as given, and the group it names. */
    destination?: { logGroupArn: string; logGroup: string };
  };
  tracingEnabled: boolean;
}

export type ExecutionStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED';

export interface Execution {
  scope: Scope;
  arn: string;
  name: string;
  machine: Machine;
  status: ExecutionStatus;
  startDate: Date;
  stopDate?: Date;
  input: string;
  output?: string;
  error?: string;
  cause?: string;
  history: History;
  /** Stops the run (StopExecution). */
  abort?: () => void;
  /** Settles when the run has ended and its history is complete; never rejects. */
  done: Promise<void>;
  /** States entered (the benchmark counts them). */
  transitions: number;
}

/** Step Functions' state in one account and region. */
export class SfnStore {
  /** By ARN. */
  readonly machines = new Map<string, Machine>();
  /** By ARN. */
  readonly executions = new Map<string, Execution>();
  /** Tasks waiting for their token (the callback pattern), by the id their token carries. */
  readonly callbacks = new Map<string, PendingCallback>();
}
