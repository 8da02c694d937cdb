import { randomUUID } from 'node:crypto';
import { StateMachine } from 'aws-local-stepfunctions';
import type { CodeBuild } from '../codebuild/provider.js';
import type { Lambda } from '../lambda/provider.js';
import type { CallbackLimits, PendingCallback, TimeoutError } from './callbacks.js';
import { type HistoryEntry, stateEventType } from './history.js';
import { type AslMachine, runnableDefinition, taskStates } from './runnable-definition.js';
import type { Execution, ExecutionStatus } from './store.js';
import { runTask } from './task-runner.js';

export interface RunContext {
  lambda: Lambda;
  codebuild: CodeBuild;
  /** Appends an event to the execution's history (and its log). */
  record: (entry: HistoryEntry, timestamp?: Date) => void;
  /** Ends the execution with its outcome. */
  finish: (status: ExecutionStatus, fields: { output?: string; error?: string; cause?: string }) => void;
  /** Aborted when the execution is stopped, so tasks waiting on something stop waiting. */
  signal: AbortSignal;
  /** Issues a task token to a task that waits for it; `onTimedOut` is told when one of its limits passes. */
  openCallback: (limits: CallbackLimits, onTimedOut: (error: TimeoutError) => void) => PendingCallback;
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
  const definition = JSON.parse(execution.machine.definition) as AslMachine;
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

  // The library has no task tokens: `$$.Task.Token` resolves to this, and each waiting task puts its own token in its place.
  const tokenPlaceholder = `stepship-task-token-${randomUUID()}`;
  const handlers: Record<string, (input: unknown) => Promise<unknown>> = {};
  for (const [stateName, state] of taskStates(definition.States)) {
    handlers[stateName] = (taskInput) =>
      runTask(
        {
          execution,
          state,
          input: taskInput,
          tokenPlaceholder,
          // Let the StateEntered event land first, so the history reads in order.
          entered: Promise.race([enteredSignal(stateName), new Promise((r) => setTimeout(r, 20))]),
        },
        ctx,
      );
  }

  const machine = new StateMachine(runnableDefinition(execution.machine.definition) as never, {
    validationOptions: { checkArn: false },
  });
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
      Task: { Token: tokenPlaceholder },
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
