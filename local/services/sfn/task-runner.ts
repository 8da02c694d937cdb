import { setTimeout as sleep } from 'node:timers/promises';
import type { CallbackLimits, PendingCallback, TimeoutError } from './callbacks.js';
import type { HistoryEntry } from './history.js';
import { type AslState, referencePath } from './runnable-definition.js';
import type { RunContext } from './runner.js';
import type { Execution } from './store.js';
import {
  historyResource,
  invokeLambda,
  lambdaInvokeIntegration,
  runBuild,
  TaskError,
  type TaskKind,
  taskKind,
} from './task-resources.js';

const NOT_TRUNCATED = { truncated: false };

/**
 * How long a task whose TimeoutSeconds passed waits for the library's own
 * States.Timeout (which Retry and Catch tell apart from other errors)
 * before failing with one of its own.
 */
const TIMEOUT_GRACE_MS = 1000;

/** What a Task state runs with: its definition, its input, and the execution's placeholder for `$$.Task.Token`. */
export interface TaskCall {
  execution: Execution;
  state: AslState;
  input: unknown;
  /** The value `$$.Task.Token` resolved to (the library has no task tokens); each callback task gets its own. */
  tokenPlaceholder: string;
  /** Settles once the state's StateEntered event is in the history. */
  entered: Promise<unknown>;
}

/**
 * Runs one Task state and writes its events. A callback task's token is
 * issued before anything awaits, so its TimeoutSeconds clock starts just
 * before the library's and its TaskTimedOut lands before the failure.
 */
export async function runTask(call: TaskCall, ctx: RunContext): Promise<unknown> {
  const resource = call.state.Resource ?? '';
  // The library may start a task again after the execution ended (a Retry once aborted): nothing runs then.
  if (call.execution.status !== 'RUNNING')
    throw new TaskError('States.Runtime', 'The execution has ended; the task does not run.');
  const kind = taskKind(resource);
  const waits = kind.kind === 'lambda-invoke' && kind.pattern === 'callback';
  const limits = waits ? limitsOf(call.state, call.input) : {};
  const callback = waits ? openCallback(call, limits, ctx) : undefined;
  await call.entered;
  const input = callback
    ? JSON.parse(JSON.stringify(call.input ?? null).replaceAll(call.tokenPlaceholder, callback.token))
    : call.input;
  if (!callback && JSON.stringify(call.input ?? null).includes(call.tokenPlaceholder))
    throw new TaskError(
      'States.Runtime',
      `$$.Task.Token is given only to a Task that waits for it (.waitForTaskToken); ${resource} does not`,
    );
  if (kind.kind === 'lambda')
    return runLambdaFunction(call.execution, resource, kind.functionArn, input, ctx);
  return runIntegration(call, kind, input, ctx, callback && { callback, limits });
}

function limitsOf(state: AslState, input: unknown): CallbackLimits {
  const seconds = (value: number | undefined, path: string | undefined) => {
    const found = value ?? (path === undefined ? undefined : referencePath(input, path));
    return typeof found === 'number' && Number.isInteger(found) && found > 0 ? found : undefined;
  };
  return {
    timeoutSeconds: seconds(state.TimeoutSeconds, state.TimeoutSecondsPath),
    heartbeatSeconds: seconds(state.HeartbeatSeconds, state.HeartbeatSecondsPath),
  };
}

function openCallback(call: TaskCall, limits: CallbackLimits, ctx: RunContext): PendingCallback {
  const task = historyResource(call.state.Resource ?? '');
  return ctx.openCallback(limits, (error) =>
    ctx.record({
      type: 'TaskTimedOut',
      taskTimedOutEventDetails: { ...task, error, cause: timeoutCause(error, limits) },
    }),
  );
}

function timeoutCause(error: TimeoutError, limits: CallbackLimits): string {
  return error === 'States.HeartbeatTimeout'
    ? `No heartbeat (SendTaskHeartbeat) or result for the task token within HeartbeatSeconds (${limits.heartbeatSeconds} s).`
    : `No result for the task token within TimeoutSeconds (${limits.timeoutSeconds} s).`;
}

/** A function ARN as the Resource: LambdaFunction* events, the function's result as the state's. */
async function runLambdaFunction(
  execution: Execution,
  resource: string,
  functionArn: string,
  input: unknown,
  ctx: RunContext,
): Promise<unknown> {
  const { record } = ctx;
  record({
    type: 'LambdaFunctionScheduled',
    lambdaFunctionScheduledEventDetails: {
      resource,
      input: JSON.stringify(input),
      inputDetails: NOT_TRUNCATED,
    },
  });
  record({ type: 'LambdaFunctionStarted' });
  try {
    const output = await invokeLambda(ctx.lambda, execution.scope, functionArn, input);
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
    const details = { error: e.name, cause: e.message };
    record(
      e.name === 'Sandbox.Timedout'
        ? { type: 'LambdaFunctionTimedOut', lambdaFunctionTimedOutEventDetails: details }
        : { type: 'LambdaFunctionFailed', lambdaFunctionFailedEventDetails: details },
    );
    throw err;
  }
}

/** A service integration (`arn:aws:states:::service:action[.pattern]`): Task* events. */
async function runIntegration(
  call: TaskCall,
  kind: Exclude<TaskKind, { kind: 'lambda' }>,
  input: unknown,
  ctx: RunContext,
  waiting: { callback: PendingCallback; limits: CallbackLimits } | undefined,
): Promise<unknown> {
  const { record } = ctx;
  const { scope } = call.execution;
  const task = historyResource(call.state.Resource ?? '');
  const { callback, limits } = waiting ?? { limits: {} as CallbackLimits };
  record({
    type: 'TaskScheduled',
    taskScheduledEventDetails: {
      ...task,
      region: scope.region,
      parameters: JSON.stringify(input),
      ...(limits.timeoutSeconds !== undefined ? { timeoutInSeconds: limits.timeoutSeconds } : {}),
      ...(limits.heartbeatSeconds !== undefined ? { heartbeatInSeconds: limits.heartbeatSeconds } : {}),
    },
  });
  record({ type: 'TaskStarted', taskStartedEventDetails: task });
  let output: unknown;
  try {
    if (kind.kind === 'lambda-invoke') output = await lambdaInvokeIntegration(ctx.lambda, scope, input);
    else if (kind.kind === 'codebuild')
      output = await runBuild(
        ctx.codebuild,
        scope,
        input as Record<string, unknown>,
        kind.pattern === 'sync',
        ctx.signal,
      );
    else throw new TaskError('States.Runtime', `The local cloud cannot run Task resource ${kind.resource}`);
  } catch (err) {
    // A task that timed out already has its TaskTimedOut. Otherwise the failure is the task's, and ends its wait.
    const ended = callback?.settled?.kind;
    if (ended !== 'timed-out' && ended !== 'closed') {
      const e = err as Error;
      record({ type: 'TaskFailed', taskFailedEventDetails: { ...task, error: e.name, cause: e.message } });
    }
    callback?.close();
    throw err;
  }
  if (!callback) {
    record(succeeded(task, JSON.stringify(output ?? null)));
    return output;
  }
  // Unless it timed out (or its execution ended) while its function ran; a result sent meanwhile still counts.
  const settled = callback.settled?.kind;
  if (settled === undefined || settled === 'succeeded' || settled === 'failed')
    record({
      type: 'TaskSubmitted',
      taskSubmittedEventDetails: {
        ...task,
        output: JSON.stringify(output ?? null),
        outputDetails: NOT_TRUNCATED,
      },
    });
  return waitForToken(callback, limits, task, ctx);
}

async function waitForToken(
  callback: PendingCallback,
  limits: CallbackLimits,
  task: { resourceType: string; resource: string },
  ctx: RunContext,
): Promise<unknown> {
  const outcome = await callback.outcome;
  switch (outcome.kind) {
    case 'succeeded':
      ctx.record(succeeded(task, outcome.output));
      return JSON.parse(outcome.output) as unknown;
    case 'failed':
      ctx.record({
        type: 'TaskFailed',
        taskFailedEventDetails: {
          ...task,
          ...(outcome.error !== undefined ? { error: outcome.error } : {}),
          ...(outcome.cause !== undefined ? { cause: outcome.cause } : {}),
        },
      });
      throw new TaskError(outcome.error ?? '', outcome.cause ?? '');
    case 'closed':
      // The execution ended first (stopped, or failed elsewhere): its history is complete without this task.
      throw new TaskError('States.Runtime', 'The execution ended while the task waited for its token.');
    case 'timed-out':
      // TaskTimedOut is in the history already. States.Timeout is the library's to raise (its own
      // error class is what keeps States.TaskFailed from matching it); this one is a fallback.
      if (outcome.error === 'States.Timeout') await sleep(TIMEOUT_GRACE_MS, undefined, { ref: false });
      throw new TaskError(outcome.error, timeoutCause(outcome.error, limits));
  }
}

function succeeded(task: { resourceType: string; resource: string }, output: string): HistoryEntry {
  return {
    type: 'TaskSucceeded',
    taskSucceededEventDetails: { ...task, output, outputDetails: NOT_TRUNCATED },
  };
}
