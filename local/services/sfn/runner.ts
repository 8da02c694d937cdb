import { StateMachine } from 'aws-local-stepfunctions';
import type { CodeBuild } from '../codebuild/provider.js';
import type { Lambda } from '../lambda/provider.js';
import { type HistoryEntry, stateEventType } from './history.js';
import type { Execution, ExecutionStatus } from './store.js';
import { invokeLambda, lambdaInvokeIntegration, runBuild, TaskError, taskKind } from './task-resources.js';

export interface RunContext {
  lambda: Lambda;
  codebuild: CodeBuild;
  /** Appends an event to the execution's history (and its log). */
  record: (entry: HistoryEntry, timestamp?: Date) => void;
  /** Ends the execution with its outcome. */
  finish: (status: ExecutionStatus, fields: { output?: string; error?: string; cause?: string }) => void;
  /** Aborted when the execution is stopped, so tasks waiting on something stop waiting. */
  signal: AbortSignal;
}

interface AslState {
  Type: string;
  Resource?: string;
  Iterator?: { States: Record<string, AslState> };
  ItemProcessor?: { States: Record<string, AslState> };
  Branches?: { States: Record<string, AslState> }[];
}

/** What the runner reports as the execution goes (the library doesn't export the type). */
type EventLog = ReturnType<StateMachine['run']>['eventLogs'] extends AsyncGenerator<infer E> ? E : never;

const NOT_TRUNCATED = { truncated: false };

/**
 * Runs one execution with aws-local-stepfunctions and writes its history
 * as Step Functions does. Lambda tasks run the local functions,
 * `codebuild:startBuild(.sync)` the local CodeBuild. Never rejects: any
 * failure, the runner's own included, ends the execution FAILED with the
 * cause recorded.
 */
export async function runExecution(execution: Execution, input: unknown, ctx: RunContext): Promise<void> {
  try {
    await run(execution, input, ctx);
  } catch (err) {
    if (execution.status !== 'RUNNING') return;
    const cause = err instanceof Error ? err.message : String(err);
    ctx.record({ type: 'ExecutionFailed', executionFailedEventDetails: { error: 'States.Runtime', cause } });
    ctx.finish('FAILED', { error: 'States.Runtime', cause });
  }
}

async function run(execution: Execution, input: unknown, ctx: RunContext): Promise<void> {
  const definition = JSON.parse(execution.machine.definition) as { States: Record<string, AslState> };
  const { record } = ctx;
  record({
    type: 'ExecutionStarted',
    executionStartedEventDetails: {
      input: execution.input,
      inputDetails: NOT_TRUNCATED,
      roleArn: execution.machine.roleArn,
    },
  });
  const entered = new Map<string, () => void>();
  const enteredSignal = (state: string) => new Promise<void>((resolve) => entered.set(state, resolve));

  const handlers: Record<string, (input: unknown) => Promise<unknown>> = {};
  for (const [stateName, state] of taskStates(definition.States)) {
    const resource = state.Resource ?? '';
    handlers[stateName] = async (taskInput) => {
      // Let the StateEntered event land first, so the history reads in order.
      await Promise.race([enteredSignal(stateName), new Promise((r) => setTimeout(r, 20))]);
      return runTask(execution, resource, taskInput, ctx);
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
      StateMachine: { Id: execution.machine.arn, Name: execution.machine.name },
    } as never,
  });
  ctx.signal.addEventListener('abort', () => run.abort(), { once: true });
  const consume = (async () => {
    for await (const event of run.eventLogs) {
      const entry = historyEntry(event);
      if (!entry) continue;
      if (event.type === 'StateEntered') execution.transitions++;
      record(entry, new Date(event.timestamp));
      if (event.type === 'StateEntered') entered.get(event.state.name)?.();
    }
  })();
  try {
    const output = await run.result;
    await consume;
    if (execution.status !== 'RUNNING') return;
    const text = JSON.stringify(output ?? null);
    record({
      type: 'ExecutionSucceeded',
      executionSucceededEventDetails: { output: text, outputDetails: NOT_TRUNCATED },
    });
    ctx.finish('SUCCEEDED', { output: text });
  } catch (err) {
    await consume.catch(() => undefined);
    if (execution.status !== 'RUNNING') return;
    const e = err as Error & { cause?: unknown };
    if (e.name === 'ExecutionTimeoutError') {
      const fields = { error: 'States.Timeout', cause: 'The execution timed out' };
      record({ type: 'ExecutionTimedOut', executionTimedOutEventDetails: fields });
      ctx.finish('TIMED_OUT', fields);
      return;
    }
    const cause = e.cause instanceof Error ? e.cause : e;
    const fields = { error: cause.name, cause: cause.message };
    record({ type: 'ExecutionFailed', executionFailedEventDetails: fields });
    ctx.finish('FAILED', fields);
  }
}

async function runTask(
  execution: Execution,
  resource: string,
  taskInput: unknown,
  ctx: RunContext,
): Promise<unknown> {
  const { record, lambda } = ctx;
  const scope = execution.scope;
  const kind = taskKind(resource);
  if (kind.kind === 'lambda') {
    record({
      type: 'LambdaFunctionScheduled',
      lambdaFunctionScheduledEventDetails: {
        resource,
        input: JSON.stringify(taskInput),
        inputDetails: NOT_TRUNCATED,
      },
    });
    record({ type: 'LambdaFunctionStarted' });
    try {
      const output = await invokeLambda(lambda, scope, kind.functionArn, taskInput);
      record({
        type: 'LambdaFunctionSucceeded',
        lambdaFunctionSucceededEventDetails: {
          output: JSON.stringify(output ?? null),
          outputDetails: NOT_TRUNCATED,
        },
      });
      return output;
    } catch (err) {
      const e = err as Error;
      if (e.name === 'Sandbox.Timedout')
        record({
          type: 'LambdaFunctionTimedOut',
          lambdaFunctionTimedOutEventDetails: { error: e.name, cause: e.message },
        });
      else
        record({
          type: 'LambdaFunctionFailed',
          lambdaFunctionFailedEventDetails: { error: e.name, cause: e.message },
        });
      throw err;
    }
  }
  const task =
    kind.kind === 'lambda-invoke'
      ? { resourceType: 'lambda', resource: 'invoke' }
      : kind.kind === 'codebuild'
        ? { resourceType: 'codebuild', resource: kind.sync ? 'startBuild.sync' : 'startBuild' }
        : { resourceType: resource.split(':')[5] ?? 'unknown', resource };
  record({
    type: 'TaskScheduled',
    taskScheduledEventDetails: { ...task, region: scope.region, parameters: JSON.stringify(taskInput) },
  });
  record({ type: 'TaskStarted', taskStartedEventDetails: task });
  try {
    let output: unknown;
    if (kind.kind === 'lambda-invoke') output = await lambdaInvokeIntegration(lambda, scope, taskInput);
    else if (kind.kind === 'codebuild')
      output = await runBuild(
        ctx.codebuild,
        scope,
        taskInput as Record<string, unknown>,
        kind.sync,
        ctx.signal,
      );
    else throw new TaskError('States.Runtime', `The local cloud cannot run Task resource ${resource}`);
    record({
      type: 'TaskSucceeded',
      taskSucceededEventDetails: {
        ...task,
        output: JSON.stringify(output ?? null),
        outputDetails: NOT_TRUNCATED,
      },
    });
    return output;
  } catch (err) {
    const e = err as Error;
    record({ type: 'TaskFailed', taskFailedEventDetails: { ...task, error: e.name, cause: e.message } });
    throw err;
  }
}

/** The history event a runner event stands for, if Step Functions records one. */
function historyEntry(event: EventLog): HistoryEntry | undefined {
  switch (event.type) {
    case 'StateEntered': {
      const type = stateEventType(event.state.type, 'Entered');
      return type
        ? {
            type,
            stateEnteredEventDetails: {
              name: event.state.name,
              input: JSON.stringify(event.state.input ?? null),
              inputDetails: NOT_TRUNCATED,
            },
          }
        : undefined;
    }
    case 'StateExited': {
      const type = stateEventType(event.state.type, 'Exited');
      return type
        ? {
            type,
            stateExitedEventDetails: {
              name: event.state.name,
              output: JSON.stringify(event.state.output ?? null),
              outputDetails: NOT_TRUNCATED,
            },
          }
        : undefined;
    }
    case 'MapIterationStarted':
      return {
        type: 'MapIterationStarted',
        mapIterationStartedEventDetails: { name: event.parentState.name, index: event.index },
      };
    case 'MapIterationSucceeded':
      return {
        type: 'MapIterationSucceeded',
        mapIterationSucceededEventDetails: { name: event.parentState.name, index: event.index },
      };
    case 'MapIterationFailed':
      return {
        type: 'MapIterationFailed',
        mapIterationFailedEventDetails: { name: event.parentState.name, index: event.index },
      };
    default:
      // Execution events are recorded by the runner itself; retries and catches have no event of their own.
      return undefined;
  }
}

/** Every Task state, nested ones (Map iterators, Parallel branches) included. */
function taskStates(states: Record<string, AslState>): [string, AslState][] {
  return Object.entries(states).flatMap(([name, state]): [string, AslState][] => [
    ...(state.Type === 'Task' && state.Resource ? [[name, state] as [string, AslState]] : []),
    ...taskStates(state.Iterator?.States ?? {}),
    ...taskStates(state.ItemProcessor?.States ?? {}),
    ...(state.Branches ?? []).flatMap((branch) => taskStates(branch.States)),
  ]);
}
