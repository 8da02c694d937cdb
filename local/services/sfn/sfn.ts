import { StateMachine } from 'aws-local-stepfunctions';
import { AwsError, requireString } from '../../http/aws-error.js';
import { type JsonService, LegacyOperations } from '../../http/json-protocol.js';
import type { CodeBuild } from '../codebuild/provider.js';
import type { LambdaService } from '../lambda.js';
import type { LogsService } from '../logs.js';
import { History, stateEventType } from './history.js';
import { invokeLambda, runBuild, TaskError, taskKind } from './task-resources.js';

interface Machine {
  arn: string;
  name: string;
  definition: string;
  roleArn: string;
  type: 'STANDARD' | 'EXPRESS';
  createdAt: Date;
  logGroup?: string;
}

type Status = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED';

interface Execution {
  arn: string;
  name: string;
  machine: Machine;
  status: Status;
  startDate: Date;
  stopDate?: Date;
  input: string;
  output?: string;
  error?: string;
  cause?: string;
  history: History;
  abort?: () => void;
  done: Promise<void>;
  transitions: number;
}

interface AslState {
  Type: string;
  Resource?: string;
  Parameters?: unknown;
}

const NAME = /^[A-Za-z0-9_-]{1,80}$/;
const MAX_INPUT = 256 * 1024;

/**
 * Step Functions: the synthesized ASL, executed by aws-local-stepfunctions.
 * Lambda tasks run the local functions; `codebuild:startBuild.sync` runs the
 * local CodeBuild. Executions and their history are served in the API's shapes.
 */
export class StepFunctionsService {
  readonly machines = new Map<string, Machine>();
  readonly executions = new Map<string, Execution>();

  constructor(
    private readonly region: string,
    private readonly accountId: string,
    private readonly deps: { lambda: LambdaService; codebuild: CodeBuild; logs: LogsService },
  ) {}

  createStateMachine(
    name: string,
    definition: string,
    roleArn: string,
    type: Machine['type'] = 'STANDARD',
    logGroup?: string,
  ): Machine {
    if (!NAME.test(name)) throw new AwsError('InvalidName', `Invalid State Machine Name: '${name}'`);
    try {
      new StateMachine(JSON.parse(definition), { validationOptions: { checkArn: false } });
    } catch (err) {
      throw new AwsError('InvalidDefinition', `Invalid State Machine Definition: ${(err as Error).message}`);
    }
    const arn = `arn:aws:states:${this.region}:${this.accountId}:stateMachine:${name}`;
    if (this.machines.has(arn))
      throw new AwsError('StateMachineAlreadyExists', `State Machine Already Exists: '${arn}'`);
    const machine = { arn, name, definition, roleArn, type, createdAt: new Date(), logGroup };
    this.machines.set(arn, machine);
    if (logGroup) this.deps.logs.createGroup(logGroup);
    return machine;
  }

  private machine(arn: string): Machine {
    if (!arn.startsWith('arn:')) throw new AwsError('InvalidArn', `Invalid Arn: '${arn}'`);
    const machine = this.machines.get(arn);
    if (!machine) throw new AwsError('StateMachineDoesNotExist', `State Machine Does Not Exist: '${arn}'`);
    return machine;
  }

  execution(arn: string): Execution {
    if (!arn.startsWith('arn:')) throw new AwsError('InvalidArn', `Invalid Arn: '${arn}'`);
    const execution = this.executions.get(arn);
    if (!execution) throw new AwsError('ExecutionDoesNotExist', `Execution Does Not Exist: '${arn}'`);
    return execution;
  }

  startExecution(machineArn: string, name: string, input: string): Execution {
    const machine = this.machine(machineArn);
    if (!NAME.test(name)) throw new AwsError('InvalidName', `Invalid Execution Name: '${name}'`);
    if (Buffer.byteLength(input) > MAX_INPUT)
      throw new AwsError('InvalidExecutionInput', 'Execution input exceeds 262144 bytes');
    let parsed: unknown;
    try {
      parsed = JSON.parse(input);
    } catch {
      throw new AwsError(
        'InvalidExecutionInput',
        'Invalid State Machine Execution Input: the input is not valid JSON',
      );
    }
    const arn = `arn:aws:states:${this.region}:${this.accountId}:execution:${machine.name}:${name}`;
    const existing = this.executions.get(arn);
    if (existing) {
      // Standard workflows: the same name and input while running answers the running execution.
      if (existing.status === 'RUNNING' && existing.input === input) return existing;
      throw new AwsError('ExecutionAlreadyExists', `Execution Already Exists: '${arn}'`);
    }
    const execution = {
      arn,
      name,
      machine,
      status: 'RUNNING',
      startDate: new Date(),
      input,
      history: new History(),
      transitions: 0,
    } as Execution;
    this.executions.set(arn, execution);
    execution.done = this.run(execution, parsed);
    return execution;
  }

  private async run(execution: Execution, input: unknown): Promise<void> {
    const definition = JSON.parse(execution.machine.definition) as { States: Record<string, AslState> };
    const history = execution.history;
    const log = execution.machine.logGroup
      ? this.deps.logs.writer(execution.machine.logGroup, execution.name)
      : undefined;
    const add = (type: string, details?: Record<string, unknown>) => {
      const event = history.add(type, details);
      log?.(
        `${JSON.stringify({ id: String(event.id), type, details, execution_arn: execution.arn, event_timestamp: String(event.timestamp.getTime()) })}\n`,
      );
    };
    const entered = new Map<string, () => void>();
    const enteredSignal = (state: string) => new Promise<void>((resolve) => entered.set(state, resolve));

    const handlers: Record<string, (input: unknown) => Promise<unknown>> = {};
    for (const [stateName, state] of Object.entries(definition.States)) {
      if (state.Type !== 'Task' || !state.Resource) continue;
      const resource = state.Resource;
      handlers[stateName] = async (taskInput) => {
        // Let the StateEntered event land first, so the history reads in order.
        await Promise.race([enteredSignal(stateName), new Promise((r) => setTimeout(r, 20))]);
        const kind = taskKind(resource, taskInput);
        if (kind.kind === 'lambda') {
          add('LambdaFunctionScheduled', { resource, input: JSON.stringify(taskInput) });
          add('LambdaFunctionStarted');
          try {
            const output = await invokeLambda(this.deps.lambda, kind.functionArn, taskInput);
            add('LambdaFunctionSucceeded', { output: JSON.stringify(output) });
            return output;
          } catch (err) {
            add('LambdaFunctionFailed', { error: (err as Error).name, cause: (err as Error).message });
            throw err;
          }
        }
        const details = {
          resourceType: kind.kind,
          resource: kind.kind === 'codebuild' ? (kind.sync ? 'startBuild.sync' : 'startBuild') : resource,
          region: this.region,
        };
        add('TaskScheduled', { ...details, parameters: JSON.stringify(taskInput) });
        add('TaskStarted', details);
        try {
          if (kind.kind !== 'codebuild')
            throw new TaskError('States.Runtime', `The local cloud cannot run Task resource ${resource}`);
          const output = await runBuild(
            this.deps.codebuild,
            { accountId: this.accountId, region: this.region },
            taskInput as Record<string, unknown>,
            kind.sync,
          );
          add('TaskSucceeded', { ...details, output: JSON.stringify(output) });
          return output;
        } catch (err) {
          add('TaskFailed', { ...details, error: (err as Error).name, cause: (err as Error).message });
          throw err;
        }
      };
    }

    const machine = new StateMachine(definition as never, { validationOptions: { checkArn: false } });
    const run = machine.run(input as never, {
      overrides: { taskResourceLocalHandlers: handlers as never },
      context: {
        Execution: {
          Id: execution.arn,
          Name: execution.name,
          StartTime: execution.startDate.toISOString(),
          Input: input,
          RoleArn: execution.machine.roleArn,
        },
      } as never,
    });
    execution.abort = () => run.abort();
    add('ExecutionStarted', { input: execution.input, roleArn: execution.machine.roleArn });
    const consume = (async () => {
      for await (const event of run.eventLogs) {
        if (event.type === 'StateEntered') {
          execution.transitions++;
          add(stateEventType(event.state.type, 'Entered'), {
            name: event.state.name,
            input: JSON.stringify(event.state.input),
          });
          entered.get(event.state.name)?.();
        } else if (event.type === 'StateExited') {
          add(stateEventType(event.state.type, 'Exited'), {
            name: event.state.name,
            output: JSON.stringify(event.state.output),
          });
        }
      }
    })();
    try {
      const output = await run.result;
      await consume;
      this.finish(execution, 'SUCCEEDED', { output: JSON.stringify(output ?? null) });
      add('ExecutionSucceeded', { output: execution.output });
    } catch (err) {
      await consume.catch(() => undefined);
      const e = err as Error & { cause?: Error };
      if (execution.status === 'ABORTED') return;
      if (e.name === 'ExecutionTimeoutError') {
        this.finish(execution, 'TIMED_OUT', { error: 'States.Timeout', cause: 'The execution timed out' });
        add('ExecutionTimedOut', { error: execution.error, cause: execution.cause });
        return;
      }
      const cause = e.cause instanceof Error ? e.cause : e;
      this.finish(execution, 'FAILED', { error: cause.name, cause: cause.message });
      add('ExecutionFailed', { error: execution.error, cause: execution.cause });
    }
  }

  private finish(execution: Execution, status: Status, fields: Partial<Execution>): void {
    Object.assign(execution, { status, stopDate: new Date(), ...fields });
  }

  stopExecution(arn: string, error?: string, cause?: string): Date {
    const execution = this.execution(arn);
    if (execution.status === 'RUNNING') {
      this.finish(execution, 'ABORTED', { error, cause });
      execution.abort?.();
      execution.history.add('ExecutionAborted', { error, cause });
    }
    return execution.stopDate ?? new Date();
  }

  private describe(e: Execution) {
    return {
      executionArn: e.arn,
      stateMachineArn: e.machine.arn,
      name: e.name,
      status: e.status,
      startDate: e.startDate,
      stopDate: e.stopDate,
      input: e.input,
      inputDetails: { included: true },
      output: e.output,
      outputDetails: e.output ? { included: true } : undefined,
      error: e.error,
      cause: e.cause,
    };
  }

  readonly api: JsonService = {
    name: 'Step Functions',
    targetPrefix: 'AWSStepFunctions',
    jsonVersion: '1.0',
    codes: { missing: 'ValidationException', wrongType: 'SerializationException' },
    operations: LegacyOperations.of({
      CreateStateMachine: (input) => {
        const logging = input.loggingConfiguration as
          | { destinations?: { cloudWatchLogsLogGroup?: { logGroupArn?: string } }[] }
          | undefined;
        const logArn = logging?.destinations?.[0]?.cloudWatchLogsLogGroup?.logGroupArn;
        const m = this.createStateMachine(
          requireString(input, 'name', 'InvalidName'),
          requireString(input, 'definition', 'InvalidDefinition'),
          requireString(input, 'roleArn', 'InvalidArn'),
          (input.type as Machine['type'] | undefined) ?? 'STANDARD',
          logArn?.split(':log-group:')[1]?.replace(/:\*$/, ''),
        );
        return { stateMachineArn: m.arn, creationDate: m.createdAt };
      },
      DescribeStateMachine: (input) => {
        const m = this.machine(requireString(input, 'stateMachineArn', 'InvalidArn'));
        return {
          stateMachineArn: m.arn,
          name: m.name,
          status: 'ACTIVE',
          definition: m.definition,
          roleArn: m.roleArn,
          type: m.type,
          creationDate: m.createdAt,
        };
      },
      ListStateMachines: () => ({
        stateMachines: [...this.machines.values()].map((m) => ({
          stateMachineArn: m.arn,
          name: m.name,
          type: m.type,
          creationDate: m.createdAt,
        })),
      }),
      StartExecution: (input) => {
        const machineArn = requireString(input, 'stateMachineArn', 'InvalidArn');
        const name = (input.name as string | undefined) ?? crypto.randomUUID();
        const e = this.startExecution(machineArn, name, (input.input as string | undefined) ?? '{}');
        return { executionArn: e.arn, startDate: e.startDate };
      },
      DescribeExecution: (input) =>
        this.describe(this.execution(requireString(input, 'executionArn', 'InvalidArn'))),
      ListExecutions: (input) => {
        const machine = this.machine(requireString(input, 'stateMachineArn', 'InvalidArn'));
        const filter = input.statusFilter as Status | undefined;
        const all = [...this.executions.values()]
          .filter((e) => e.machine === machine && (!filter || e.status === filter))
          .sort((a, b) => b.startDate.getTime() - a.startDate.getTime());
        const start = Number(input.nextToken ?? 0);
        const max = Number(input.maxResults || 100);
        const page = all.slice(start, start + max);
        return {
          executions: page.map((e) => ({
            executionArn: e.arn,
            stateMachineArn: machine.arn,
            name: e.name,
            status: e.status,
            startDate: e.startDate,
            stopDate: e.stopDate,
          })),
          nextToken: start + max < all.length ? String(start + max) : undefined,
        };
      },
      GetExecutionHistory: (input) => {
        const e = this.execution(requireString(input, 'executionArn', 'InvalidArn'));
        const events = input.reverseOrder ? [...e.history.events].reverse() : e.history.events;
        const start = Number(input.nextToken ?? 0);
        const max = Number(input.maxResults || 1000);
        return {
          events: events.slice(start, start + max),
          nextToken: start + max < events.length ? String(start + max) : undefined,
        };
      },
      StopExecution: (input) => ({
        stopDate: this.stopExecution(
          requireString(input, 'executionArn', 'InvalidArn'),
          input.error as string | undefined,
          input.cause as string | undefined,
        ),
      }),
    }),
  };
}
