import type { HistoryEvent } from '@aws-sdk/client-sfn';

/**
 * What an execution's event history says happened, as the Step Functions
 * console shows it: each visit to a state (a loop visits a state many times)
 * with its times, attempts, input, output and error; the transitions taken;
 * and each state's latest status, for the graph.
 */
export type VisitStatus = 'running' | 'succeeded' | 'failed' | 'aborted' | 'timed-out';
export type StateStatus = 'current' | 'succeeded' | 'failed' | 'entered';

export interface Visit {
  /** Position in the execution (0-based), unique: it anchors the visit on the page. */
  index: number;
  name: string;
  type: string;
  enteredEventId: number;
  exitedEventId?: number;
  enteredAt: Date;
  exitedAt?: Date;
  status: VisitStatus;
  /** How many times the task ran (Retry makes it more than one). */
  attempts: number;
  /** The Lambda function or service integration the task called. */
  resource?: string;
  input?: string;
  output?: string;
  error?: string;
  cause?: string;
  /** The log stream a CodeBuild integration reported (`Build.Logs`). */
  buildLogs?: { group: string; stream: string };
}

export interface Transition {
  from: string;
  to: string;
  /** Left through a Catch: the state it came from failed. */
  afterFailure: boolean;
}

export interface StateSummary {
  status: StateStatus;
  visits: number;
}

export interface ExecutionSummary {
  startedAt?: Date;
  endedAt?: Date;
  /** RUNNING until an Execution{Succeeded,Failed,Aborted,TimedOut} event. */
  status: 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'ABORTED' | 'TIMED_OUT';
  error?: string;
  cause?: string;
  visits: Visit[];
  transitions: Transition[];
  states: Map<string, StateSummary>;
  /** The first state entered and, once the execution is over, the last one. */
  firstState?: string;
  lastState?: string;
}

const ATTEMPT_STARTS = new Set(['LambdaFunctionScheduled', 'TaskScheduled', 'ActivityScheduled']);
const ATTEMPT_SUCCESSES = new Set(['LambdaFunctionSucceeded', 'TaskSucceeded', 'ActivitySucceeded']);
const ATTEMPT_FAILURES = new Set([
  'LambdaFunctionFailed',
  'LambdaFunctionTimedOut',
  'LambdaFunctionStartFailed',
  'LambdaFunctionScheduleFailed',
  'TaskFailed',
  'TaskTimedOut',
  'TaskStartFailed',
  'TaskSubmitFailed',
  'ActivityFailed',
  'ActivityTimedOut',
  'ActivityScheduleFailed',
]);
const ENDINGS: Record<string, { status: ExecutionSummary['status']; visit: VisitStatus }> = {
  ExecutionSucceeded: { status: 'SUCCEEDED', visit: 'succeeded' },
  ExecutionFailed: { status: 'FAILED', visit: 'failed' },
  ExecutionAborted: { status: 'ABORTED', visit: 'aborted' },
  ExecutionTimedOut: { status: 'TIMED_OUT', visit: 'timed-out' },
};

/**
 * Reads the history in event order. `topLevelStates` (the definition's
 * States) keeps the states inside a Parallel or Map branch from being taken
 * for steps of the outer path; without it every state counts.
 */
export function summarize(
  events: readonly HistoryEvent[],
  topLevelStates?: ReadonlySet<string>,
): ExecutionSummary {
  const summary: ExecutionSummary = { status: 'RUNNING', visits: [], transitions: [], states: new Map() };
  let open: Visit | undefined;
  let last: Visit | undefined;
  let lastAttemptFailed = false;
  const ordered = [...events].sort((a, b) => (a.id ?? 0) - (b.id ?? 0));

  for (const event of ordered) {
    const type = event.type ?? '';
    const at = event.timestamp ?? new Date(0);
    const entered = event.stateEnteredEventDetails;
    const exited = event.stateExitedEventDetails;
    if (type === 'ExecutionStarted') {
      summary.startedAt = at;
    } else if (type.endsWith('StateEntered') && entered?.name !== undefined) {
      if (topLevelStates && !topLevelStates.has(entered.name)) continue;
      // A state with no exit event (a Fail state, or history that skips one) ends where the next begins.
      if (open) close(open, lastAttemptFailed ? 'failed' : 'succeeded', at);
      if (last)
        summary.transitions.push({
          from: last.name,
          to: entered.name,
          afterFailure: last.status === 'failed',
        });
      open = {
        index: summary.visits.length,
        name: entered.name,
        type: type.slice(0, -'StateEntered'.length),
        enteredEventId: event.id ?? 0,
        enteredAt: at,
        status: 'running',
        attempts: 0,
        ...(entered.input !== undefined ? { input: entered.input } : {}),
      };
      lastAttemptFailed = false;
      summary.visits.push(open);
      summary.firstState ??= entered.name;
      last = open;
    } else if (type.endsWith('StateExited') && exited?.name !== undefined) {
      if (!open || open.name !== exited.name) continue;
      open.exitedEventId = event.id ?? 0;
      if (exited.output !== undefined) open.output = exited.output;
      close(open, lastAttemptFailed ? 'failed' : 'succeeded', at);
      open = undefined;
    } else if (open && ATTEMPT_STARTS.has(type)) {
      open.attempts++;
      open.resource ??= attemptResource(event);
      lastAttemptFailed = false;
    } else if (open && ATTEMPT_SUCCESSES.has(type)) {
      lastAttemptFailed = false;
      delete open.error;
      delete open.cause;
      open.buildLogs ??= buildLogsIn(event.taskSucceededEventDetails?.output);
    } else if (open && ATTEMPT_FAILURES.has(type)) {
      lastAttemptFailed = true;
      const failure = failureOf(event);
      if (failure.error !== undefined) open.error = failure.error;
      if (failure.cause !== undefined) open.cause = failure.cause;
      open.buildLogs ??= buildLogsIn(failure.cause);
    } else if (ENDINGS[type]) {
      const ending = ENDINGS[type];
      const failure = failureOf(event);
      summary.status = ending.status;
      summary.endedAt = at;
      if (failure.error !== undefined) summary.error = failure.error;
      if (failure.cause !== undefined) summary.cause = failure.cause;
      if (open) {
        // The execution ended inside this state: an uncaught error, a Fail state, an abort, a timeout.
        if (open.type === 'Fail' || ending.visit !== 'succeeded') {
          open.error ??= summary.error;
          open.cause ??= summary.cause;
        }
        close(open, open.type === 'Fail' ? 'failed' : ending.visit, at);
        open = undefined;
      }
      summary.lastState = last?.name;
    }
  }

  for (const visit of summary.visits) {
    const previous = summary.states.get(visit.name);
    summary.states.set(visit.name, {
      status: stateStatus(visit.status),
      visits: (previous?.visits ?? 0) + 1,
    });
  }
  return summary;
}

function close(visit: Visit, status: VisitStatus, at: Date): void {
  visit.status = status;
  visit.exitedAt ??= at;
}

function stateStatus(status: VisitStatus): StateStatus {
  if (status === 'running') return 'current';
  if (status === 'succeeded') return 'succeeded';
  if (status === 'aborted') return 'entered';
  return 'failed';
}

function attemptResource(event: HistoryEvent): string | undefined {
  const lambda = event.lambdaFunctionScheduledEventDetails;
  if (lambda?.resource) return lambda.resource;
  const task = event.taskScheduledEventDetails;
  if (task) {
    // `arn:aws:states:::lambda:invoke` names its function in the parameters.
    if (task.resourceType === 'lambda') {
      const parameters = parseJson(task.parameters) as { FunctionName?: unknown } | undefined;
      if (typeof parameters?.FunctionName === 'string') return parameters.FunctionName;
    }
    return `${task.resourceType}:${task.resource}`;
  }
  return event.activityScheduledEventDetails?.resource;
}

function failureOf(event: HistoryEvent): { error?: string; cause?: string } {
  for (const [key, value] of Object.entries(event)) {
    if (!key.endsWith('EventDetails') || typeof value !== 'object' || value === null) continue;
    const { error, cause } = value as { error?: unknown; cause?: unknown };
    return {
      ...(typeof error === 'string' ? { error } : {}),
      ...(typeof cause === 'string' ? { cause } : {}),
    };
  }
  return {};
}

/** A `.sync` CodeBuild result names its log stream: `{"Build":{"Logs":{"GroupName","StreamName"}}}`. */
function buildLogsIn(text: string | undefined): Visit['buildLogs'] {
  const logs = (parseJson(text) as { Build?: { Logs?: { GroupName?: unknown; StreamName?: unknown } } })
    ?.Build?.Logs;
  if (typeof logs?.GroupName !== 'string' || typeof logs.StreamName !== 'string') return undefined;
  return { group: logs.GroupName, stream: logs.StreamName };
}

export function parseJson(text: string | undefined): unknown {
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** The key of a transition, as the graph marks its edges. */
export const transitionKey = (from: string, to: string) => `${from}\u0000${to}`;
