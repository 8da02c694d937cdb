import type { Logs } from '../logs/provider.js';
import type { RecordedEvent } from './history.js';
import type { Execution } from './store.js';

/** Events logged at level ERROR (failures of any kind) and FATAL (the execution's own end when it didn't succeed). */
const FATAL = new Set(['ExecutionFailed', 'ExecutionAborted', 'ExecutionTimedOut']);
const ERROR = new Set([
  ...FATAL,
  'ActivityFailed',
  'ActivityScheduleFailed',
  'ActivityTimedOut',
  'LambdaFunctionFailed',
  'LambdaFunctionScheduleFailed',
  'LambdaFunctionStartFailed',
  'LambdaFunctionTimedOut',
  'MapIterationFailed',
  'MapRunFailed',
  'MapStateFailed',
  'ParallelStateFailed',
  'TaskFailed',
  'TaskStartFailed',
  'TaskSubmitFailed',
  'TaskTimedOut',
]);

/** What includeExecutionData false keeps out of the log: the data flowing through the execution. */
const EXECUTION_DATA = new Set(['input', 'inputDetails', 'output', 'outputDetails', 'parameters']);

/**
 * Writes a history event to the state machine's log group as Step Functions
 * does for Standard workflows: one JSON record per event, filtered by the
 * logging level, with the execution's data only when includeExecutionData.
 */
export function logEvent(logs: Logs, execution: Execution, event: RecordedEvent): void {
  const { level, includeExecutionData, destination } = execution.machine.logging;
  const type = event.type ?? '';
  if (!destination || level === 'OFF') return;
  if ((level === 'ERROR' && !ERROR.has(type)) || (level === 'FATAL' && !FATAL.has(type))) return;
  const details = Object.entries(event).find(([key]) => key.endsWith('EventDetails'))?.[1] as
    | Record<string, unknown>
    | undefined;
  const shown =
    details && !includeExecutionData
      ? Object.fromEntries(Object.entries(details).filter(([k]) => !EXECUTION_DATA.has(k)))
      : (details ?? {});
  logs.put(
    execution.scope,
    destination.logGroup,
    logStreamOf(execution),
    JSON.stringify({
      id: String(event.id),
      type,
      details: shown,
      previous_event_id: String(event.previousEventId),
      event_timestamp: String(event.timestamp.getTime()),
      execution_arn: execution.arn,
    }),
    event.timestamp.getTime(),
  );
}

/** `states/<machine>/<start, to the minute>/<execution>`, one stream per execution. */
function logStreamOf(execution: Execution): string {
  const minute = execution.startDate.toISOString().slice(0, 16).replace(/[T:]/g, '-');
  return `states/${execution.machine.name}/${minute}/${execution.name}`;
}
