import { randomUUID } from 'node:crypto';
import {
  CreateStateMachineCommand,
  type CreateStateMachineInput,
  DeleteStateMachineCommand,
  DescribeExecutionCommand,
  type DescribeExecutionOutput,
  DescribeStateMachineCommand,
  DescribeStateMachineForExecutionCommand,
  type DescribeStateMachineOutput,
  GetExecutionHistoryCommand,
  ListExecutionsCommand,
  ListStateMachinesCommand,
  StartExecutionCommand,
  type StartExecutionInput,
  StopExecutionCommand,
} from '@aws-sdk/client-sfn';
import { StateMachine } from 'aws-local-stepfunctions';
import { arns, parseArn, scopeOfArn } from '../../core/arns.js';
import { define, OperationTable } from '../../core/operation.js';
import { paginate } from '../../core/pagination.js';
import type { Scope } from '../../core/scope.js';
import { RegionalStores } from '../../core/stores.js';
import { AwsError } from '../../http/aws-error.js';
import type { JsonService } from '../../http/json-protocol.js';
import type { CodeBuild } from '../codebuild/provider.js';
import { Constraints } from '../constraints.js';
import type { CloudEvent } from '../events/provider.js';
import type { Lambda } from '../lambda/provider.js';
import type { Logs } from '../logs/provider.js';
import { callbackOperations } from './callback-api.js';
import { TaskCallbacks } from './callbacks.js';
import { logEvent } from './execution-log.js';
import { History, stateEventType, withoutData } from './history.js';
import { historyPage } from './history-pages.js';
import { loggingOf, sameConfiguration } from './machine-config.js';
import { forgetOldExecutions } from './retention.js';
import { runExecution } from './runner.js';
import { type Execution, type ExecutionStatus, type Machine, SfnStore } from './store.js';

export interface StepFunctionsDeps {
  lambda: Lambda;
  codebuild: CodeBuild;
  logs: Logs;
  /** Where execution status changes are published (EventBridge), if anywhere. */
  publish?: (scope: Scope, event: CloudEvent) => void;
  /** The finished executions kept per state machine (the oldest are forgotten); 1000 unless given. */
  finishedExecutionsKept?: number;
}

const validate = new Constraints('ValidationException');
const fail = (code: string, message: string) => new AwsError(code, message);
/**
 * Step Functions' documented name rules: 1–80 characters, none of white
 * space, brackets, wildcards, `"#%\^|~`$&,;:/`, control characters,
 * surrogates or U+FFFE/FFFF. Dots are fine.
 */
const NAME = /^[^\s<>{}[\]?*"#%\\^|~`$&,;:/\p{Cc}\p{Cs}\ufffe\uffff]{1,80}$/u;
const STATUSES: ExecutionStatus[] = ['RUNNING', 'SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED'];
const MAX_INPUT = 256 * 1024;

/**
 * Step Functions, one store per account and region: the synthesized ASL,
 * executed by aws-local-stepfunctions (runner.ts), with executions and their
 * history served in the API's shapes, pages and errors.
 */
export class StepFunctions {
  readonly stores = new RegionalStores(() => new SfnStore());
  /** Tasks waiting for their token, and the tokens SendTask* name them by. */
  readonly callbacks = new TaskCallbacks(this.stores);

  constructor(private readonly deps: StepFunctionsDeps) {}

  createStateMachine(scope: Scope, input: CreateStateMachineInput): Machine {
    const name = input.name ?? '';
    if (!NAME.test(name)) throw fail('InvalidName', `Invalid State Machine Name: '${name}'`);
    const definition = input.definition ?? '';
    validate.length('definition', definition, 1, 1_048_576);
    try {
      new StateMachine(JSON.parse(definition), { validationOptions: { checkArn: false } });
    } catch (err) {
      throw fail('InvalidDefinition', `Invalid State Machine Definition: '${(err as Error).message}'`);
    }
    const roleArn = input.roleArn ?? '';
    if (parseArn(roleArn)?.service !== 'iam') throw fail('InvalidArn', `Invalid Arn: '${roleArn}'`);
    const type = input.type ?? 'STANDARD';
    validate.oneOf('type', type, ['STANDARD', 'EXPRESS']);
    const logging = loggingOf(input);
    const store = this.stores.of(scope);
    const arn = arns.stateMachine(scope, name);
    const existing = store.machines.get(arn);
    const machine: Machine = {
      scope,
      arn,
      name,
      definition,
      roleArn,
      type: type as Machine['type'],
      status: 'ACTIVE',
      creationDate: new Date(),
      revisionId: randomUUID(),
      logging,
      tracingEnabled: input.tracingConfiguration?.enabled ?? false,
    };
    if (existing) {
      // Idempotent on what defines the machine; a different one under the same name is a conflict.
      if (sameConfiguration(existing, machine)) return existing;
      throw fail('StateMachineAlreadyExists', `State Machine Already Exists: '${arn}'`);
    }
    if (logging.destination) this.deps.logs.createGroup(scope, logging.destination.logGroup);
    store.machines.set(arn, machine);
    return machine;
  }

  private machine(scope: Scope, arn: string): Machine {
    const parsed = parseArn(arn);
    if (parsed?.service !== 'states' || !parsed.resource.startsWith('stateMachine:'))
      throw fail('InvalidArn', `Invalid Arn: '${arn}'`);
    const machine = this.stores.of(scopeOfArn(parsed, scope)).machines.get(arn);
    if (!machine) throw fail('StateMachineDoesNotExist', `State Machine Does Not Exist: '${arn}'`);
    return machine;
  }

  /** An execution by ARN, or undefined (for tests and the benchmark). */
  findExecution(arn: string): Execution | undefined {
    const parsed = parseArn(arn);
    if (!parsed) return undefined;
    return this.stores.of({ accountId: parsed.accountId, region: parsed.region }).executions.get(arn);
  }

  execution(arn: string): Execution {
    const parsed = parseArn(arn);
    if (parsed?.service !== 'states' || !parsed.resource.startsWith('execution:'))
      throw fail('InvalidArn', `Invalid Arn: '${arn}'`);
    const execution = this.findExecution(arn);
    if (!execution) throw fail('ExecutionDoesNotExist', `Execution Does Not Exist: '${arn}'`);
    return execution;
  }

  startExecution(scope: Scope, input: StartExecutionInput): Execution {
    const machine = this.machine(scope, input.stateMachineArn ?? '');
    if (machine.status === 'DELETING')
      throw fail('StateMachineDeleting', `State Machine is being deleted: '${machine.arn}'`);
    const name = input.name ?? randomUUID();
    if (!NAME.test(name)) throw fail('InvalidName', `Invalid Execution Name: '${name}'`);
    const text = input.input ?? '{}';
    validate.length('input', text, 0, MAX_INPUT);
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (err) {
      throw fail(
        'InvalidExecutionInput',
        `Invalid State Machine Execution Input: '${(err as Error).message}'`,
      );
    }
    const arn = arns.execution(machine.scope, machine.name, name);
    const store = this.stores.of(machine.scope);
    const existing = store.executions.get(arn);
    if (existing) {
      // Standard workflows: the same name and input while running answers the running execution.
      if (existing.status === 'RUNNING' && existing.input === text) return existing;
      throw fail('ExecutionAlreadyExists', `Execution Already Exists: '${arn}'`);
    }
    const controller = new AbortController();
    const execution: Execution = {
      scope: machine.scope,
      arn,
      name,
      machine,
      status: 'RUNNING',
      startDate: new Date(),
      input: text,
      history: new History(),
      transitions: 0,
      abort: () => controller.abort(),
      done: Promise.resolve(),
    };
    forgetOldExecutions(store, machine.arn, this.deps.finishedExecutionsKept);
    store.executions.set(arn, execution);
    this.statusChanged(execution);
    execution.done = runExecution(execution, parsed, {
      lambda: this.deps.lambda,
      codebuild: this.deps.codebuild,
      signal: controller.signal,
      record: (entry, timestamp) => this.record(execution, entry, timestamp),
      finish: (status, fields) => this.finish(execution, status, fields),
      openCallback: (limits, onTimedOut) => this.callbacks.open(execution, limits, onTimedOut),
    });
    return execution;
  }

  private record(execution: Execution, entry: Parameters<History['add']>[0], timestamp?: Date): void {
    // An ended execution's history is complete: a task still settling after a stop adds nothing to it.
    if (execution.status !== 'RUNNING') return;
    const event = execution.history.add(entry, timestamp);
    try {
      logEvent(this.deps.logs, execution, event);
    } catch {
      // Logging is best effort: a log write never fails the execution.
    }
  }

  private finish(
    execution: Execution,
    status: ExecutionStatus,
    fields: { output?: string | undefined; error?: string | undefined; cause?: string | undefined },
  ): void {
    Object.assign(execution, { status, stopDate: new Date() });
    for (const [key, value] of Object.entries(fields))
      if (value !== undefined) Object.assign(execution, { [key]: value });
    // A task still waiting (in a branch that lost, or when stopped) stops waiting: its token is no longer good.
    this.callbacks.closeAll(execution);
    this.statusChanged(execution);
  }

  /** "Step Functions Execution Status Change" on EventBridge, as AWS publishes it. */
  private statusChanged(e: Execution): void {
    try {
      this.deps.publish?.(e.scope, {
        source: 'aws.states',
        'detail-type': 'Step Functions Execution Status Change',
        resources: [e.arn],
        detail: {
          executionArn: e.arn,
          stateMachineArn: e.machine.arn,
          name: e.name,
          status: e.status,
          startDate: e.startDate.getTime(),
          stopDate: e.stopDate?.getTime() ?? null,
          input: e.input,
          inputDetails: { included: true },
          output: e.output ?? null,
          outputDetails: e.output === undefined ? null : { included: true },
          error: e.error ?? null,
          cause: e.cause ?? null,
        },
      });
    } catch {
      // Publishing is a side channel; it never fails the execution.
    }
  }

  stopExecution(arn: string, error?: string, cause?: string): Date {
    const execution = this.execution(arn);
    if (error !== undefined) validate.length('error', error, 0, 256);
    if (cause !== undefined) validate.length('cause', cause, 0, 32_768);
    if (execution.status === 'RUNNING') {
      const open = execution.history.openState();
      const aborted = open ? stateEventType(open.type, 'Aborted') : undefined;
      if (open && aborted)
        this.record(execution, { type: aborted, stateExitedEventDetails: { name: open.name } });
      this.record(execution, {
        type: 'ExecutionAborted',
        executionAbortedEventDetails: {
          ...(error !== undefined ? { error } : {}),
          ...(cause !== undefined ? { cause } : {}),
        },
      });
      this.finish(execution, 'ABORTED', { error, cause });
      execution.abort?.();
    }
    return execution.stopDate ?? new Date();
  }

  /** Aborts every running execution (the cloud is stopping), so no Wait or task timer outlives it. */
  stop(): void {
    for (const [, store] of this.stores.entries())
      for (const execution of store.executions.values())
        if (execution.status === 'RUNNING') execution.abort?.();
  }

  private describeExecution(e: Execution, includeData: boolean): DescribeExecutionOutput {
    const redrivable = e.status === 'FAILED' || e.status === 'TIMED_OUT' || e.status === 'ABORTED';
    return {
      executionArn: e.arn,
      stateMachineArn: e.machine.arn,
      name: e.name,
      status: e.status,
      startDate: e.startDate,
      ...(e.stopDate ? { stopDate: e.stopDate } : {}),
      ...(includeData ? { input: e.input } : {}),
      inputDetails: { included: includeData },
      ...(e.output !== undefined
        ? { ...(includeData ? { output: e.output } : {}), outputDetails: { included: includeData } }
        : {}),
      ...(e.error !== undefined ? { error: e.error } : {}),
      ...(e.cause !== undefined ? { cause: e.cause } : {}),
      redriveCount: 0,
      redriveStatus: redrivable ? 'REDRIVABLE' : 'NOT_REDRIVABLE',
      ...(redrivable ? {} : { redriveStatusReason: `Execution is ${e.status} and cannot be redriven` }),
    };
  }

  private describeMachine(m: Machine): DescribeStateMachineOutput {
    return {
      stateMachineArn: m.arn,
      name: m.name,
      status: m.status,
      definition: m.definition,
      roleArn: m.roleArn,
      type: m.type,
      creationDate: m.creationDate,
      loggingConfiguration: {
        level: m.logging.level,
        includeExecutionData: m.logging.includeExecutionData,
        ...(m.logging.destination
          ? { destinations: [{ cloudWatchLogsLogGroup: { logGroupArn: m.logging.destination.logGroupArn } }] }
          : {}),
      },
      tracingConfiguration: { enabled: m.tracingEnabled },
      revisionId: m.revisionId,
      encryptionConfiguration: { type: 'AWS_OWNED_KEY' },
    };
  }

  private page<T>(items: T[], token: string | undefined, maxResults: number | undefined, context: string) {
    if (maxResults !== undefined) validate.range('maxResults', maxResults, 0, 1000);
    return paginate(items, {
      token,
      // 0 asks for the default, as the API reference says.
      size: maxResults || undefined,
      defaultSize: 100,
      maxSize: 1000,
      sizeMember: 'maxResults',
      context,
      invalidToken: () =>
        fail('InvalidToken', 'Invalid Token: the nextToken was not issued for this request.'),
      invalidSize: (m) => fail('ValidationException', m),
    });
  }

  readonly api: JsonService = {
    name: 'Step Functions',
    targetPrefix: 'AWSStepFunctions',
    jsonVersion: '1.0',
    codes: { missing: 'ValidationException', wrongType: 'SerializationException' },
    operations: new OperationTable([
      define(CreateStateMachineCommand, (input, ctx) => {
        const m = this.createStateMachine(ctx, input);
        return { stateMachineArn: m.arn, creationDate: m.creationDate };
      }),
      define(DescribeStateMachineCommand, (input, ctx) =>
        this.describeMachine(this.machine(ctx, input.stateMachineArn ?? '')),
      ),
      define(DescribeStateMachineForExecutionCommand, (input) => {
        const { machine: m } = this.execution(input.executionArn ?? '');
        const { status: _status, type: _type, creationDate: _created, ...shape } = this.describeMachine(m);
        return { ...shape, updateDate: m.creationDate };
      }),
      define(DeleteStateMachineCommand, (input, ctx) => {
        const parsed = parseArn(input.stateMachineArn ?? '');
        if (parsed?.service !== 'states') throw fail('InvalidArn', `Invalid Arn: '${input.stateMachineArn}'`);
        const store = this.stores.of(scopeOfArn(parsed, ctx));
        const machine = store.machines.get(input.stateMachineArn ?? '');
        if (!machine) return {};
        const running = [...store.executions.values()].filter(
          (e) => e.machine === machine && e.status === 'RUNNING',
        );
        if (running.length === 0) store.machines.delete(machine.arn);
        else {
          // As on AWS: DELETING until its executions end.
          machine.status = 'DELETING';
          void Promise.all(running.map((e) => e.done)).then(() => store.machines.delete(machine.arn));
        }
        return {};
      }),
      define(ListStateMachinesCommand, (input, ctx) => {
        const machines = [...this.stores.of(ctx).machines.values()].sort((a, b) =>
          a.name < b.name ? -1 : a.name > b.name ? 1 : 0,
        );
        const page = this.page(machines, input.nextToken, input.maxResults, 'ListStateMachines');
        return {
          stateMachines: page.items.map((m) => ({
            stateMachineArn: m.arn,
            name: m.name,
            type: m.type,
            creationDate: m.creationDate,
          })),
          ...(page.nextToken ? { nextToken: page.nextToken } : {}),
        };
      }),
      define(StartExecutionCommand, (input, ctx) => {
        const e = this.startExecution(ctx, input);
        return { executionArn: e.arn, startDate: e.startDate };
      }),
      define(DescribeExecutionCommand, (input) => {
        if (input.includedData !== undefined)
          validate.oneOf('includedData', input.includedData, ['ALL_DATA', 'METADATA_ONLY']);
        return this.describeExecution(
          this.execution(input.executionArn ?? ''),
          input.includedData !== 'METADATA_ONLY',
        );
      }),
      define(ListExecutionsCommand, (input, ctx) => {
        if (input.mapRunArn !== undefined)
          throw fail(
            'ValidationException',
            'The local cloud runs no Distributed Map, so it has no Map Runs to list.',
          );
        if (input.stateMachineArn === undefined)
          throw fail('ValidationException', 'Must provide a StateMachine ARN or MapRun ARN');
        const machine = this.machine(ctx, input.stateMachineArn);
        if (machine.type === 'EXPRESS')
          throw fail(
            'StateMachineTypeNotSupported',
            'This operation is not supported by this type of state machine',
          );
        const filter = input.statusFilter;
        if (filter !== undefined) validate.oneOf('statusFilter', filter, [...STATUSES, 'PENDING_REDRIVE']);
        const executions = [...this.stores.of(machine.scope).executions.values()]
          .filter((e) => e.machine === machine && (!filter || e.status === filter))
          .sort((a, b) => b.startDate.getTime() - a.startDate.getTime());
        const page = this.page(
          executions,
          input.nextToken,
          input.maxResults,
          `ListExecutions:${machine.arn}:${filter}`,
        );
        return {
          executions: page.items.map((e) => ({
            executionArn: e.arn,
            stateMachineArn: machine.arn,
            name: e.name,
            status: e.status,
            startDate: e.startDate,
            ...(e.stopDate ? { stopDate: e.stopDate } : {}),
            redriveCount: 0,
          })),
          ...(page.nextToken ? { nextToken: page.nextToken } : {}),
        };
      }),
      define(GetExecutionHistoryCommand, (input) => {
        const e = this.execution(input.executionArn ?? '');
        if (input.maxResults !== undefined) validate.range('maxResults', input.maxResults, 0, 1000);
        const reverse = input.reverseOrder === true;
        const includeData = input.includeExecutionData !== false;
        const page = historyPage(e.history.events, {
          reverse,
          size: input.maxResults || 100,
          token: input.nextToken,
          context: `GetExecutionHistory:${e.arn}:${reverse}:${includeData}`,
        });
        return {
          events: includeData ? page.events : page.events.map(withoutData),
          ...(page.nextToken ? { nextToken: page.nextToken } : {}),
        };
      }),
      define(StopExecutionCommand, (input) => ({
        stopDate: this.stopExecution(input.executionArn ?? '', input.error, input.cause),
      })),
      ...callbackOperations(this.callbacks),
    ]),
  };
}
