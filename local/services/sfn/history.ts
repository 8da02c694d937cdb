import type { HistoryEvent, HistoryEventType } from '@aws-sdk/client-sfn';

/** What an event says besides its numbering: its type and the one details member the type calls for. */
export type HistoryEntry = Omit<HistoryEvent, 'id' | 'previousEventId' | 'timestamp' | 'type'> & {
  type: HistoryEventType;
};

/** A recorded event: always numbered and timed. */
export type RecordedEvent = HistoryEvent & { id: number; previousEventId: number; timestamp: Date };

/**
 * An execution's event history in Step Functions' shapes: events numbered
 * from 1, each pointing at the one before it, typed by the SDK's own
 * HistoryEvent so only members the model declares can be set.
 */
export class History {
  readonly events: RecordedEvent[] = [];

  add(entry: HistoryEntry, timestamp = new Date()): RecordedEvent {
    const id = this.events.length + 1;
    const event: RecordedEvent = { ...entry, id, previousEventId: id - 1, timestamp };
    this.events.push(event);
    return event;
  }

  /** The state entered last that has not exited (for …StateAborted when the execution stops). */
  openState(): { name: string; type: string } | undefined {
    for (let i = this.events.length - 1; i >= 0; i--) {
      const event = this.events[i];
      if (event?.stateExitedEventDetails) return undefined;
      const entered = event?.stateEnteredEventDetails;
      if (entered && event.type)
        return { name: entered.name ?? '', type: event.type.replace(/StateEntered$/, '') };
    }
    return undefined;
  }
}

/** Step Functions' event type for a state type's entered/exited/aborted event ("Task" → "TaskStateEntered"). */
export function stateEventType(
  stateType: string,
  phase: 'Entered' | 'Exited' | 'Aborted',
): HistoryEventType | undefined {
  const type = `${stateType}State${phase}`;
  return STATE_EVENT_TYPES.has(type) ? (type as HistoryEventType) : undefined;
}

/** The state event types the model has: no FailStateExited, and only some states can be aborted. */
const STATE_EVENT_TYPES = new Set([
  'ChoiceStateEntered',
  'ChoiceStateExited',
  'FailStateEntered',
  'MapStateAborted',
  'MapStateEntered',
  'MapStateExited',
  'ParallelStateAborted',
  'ParallelStateEntered',
  'ParallelStateExited',
  'PassStateEntered',
  'PassStateExited',
  'SucceedStateEntered',
  'SucceedStateExited',
  'TaskStateAborted',
  'TaskStateEntered',
  'TaskStateExited',
  'WaitStateAborted',
  'WaitStateEntered',
  'WaitStateExited',
]);

/** A history event without the execution's data (GetExecutionHistory with includeExecutionData false). */
export function withoutData(event: RecordedEvent): RecordedEvent {
  const copy: Record<string, unknown> = { ...event };
  for (const [key, value] of Object.entries(copy)) {
    if (!key.endsWith('EventDetails') || typeof value !== 'object' || value === null) continue;
    const { input: _input, output: _output, ...rest } = value as Record<string, unknown>;
    copy[key] = rest;
  }
  return copy as unknown as RecordedEvent;
}
