import { ValidationError } from '../commons/errors.js';
import { EXECUTION_STATUS_CHANGE } from '../contract/events.js';

const CLOSED = ['SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED'] as const;

/** What record-outcome reads of a `Step Functions Execution Status Change` event. */
export interface ExecutionStatusChange {
  executionArn: string;
  stateMachineArn: string;
  name: string;
  status: (typeof CLOSED)[number];
  startDate: Date;
  stopDate?: Date;
  /** Absent when Step Functions left it out (inputDetails.included false: too large for the event). */
  input?: string;
  error?: string;
  cause?: string;
}

const text = (value: unknown): string | undefined =>
  typeof value === 'string' && value !== '' ? value : undefined;
const date = (value: unknown): Date | undefined =>
  typeof value === 'number' && Number.isFinite(value) ? new Date(value) : undefined;

/**
 * Checks the event as Step Functions documents it (detail: executionArn,
 * stateMachineArn, name, status, startDate and stopDate in epoch
 * milliseconds, input, inputDetails, output, outputDetails, error, cause).
 */
export function parseStatusChange(event: unknown): ExecutionStatusChange {
  const e = (typeof event === 'object' && event !== null ? event : {}) as Record<string, unknown>;
  if (e.source !== 'aws.states' || e['detail-type'] !== EXECUTION_STATUS_CHANGE) {
    throw new ValidationError(
      `Expected an aws.states "${EXECUTION_STATUS_CHANGE}" event, got source "${String(e.source)}", detail-type "${String(e['detail-type'])}"`,
    );
  }
  const d = (typeof e.detail === 'object' && e.detail !== null ? e.detail : {}) as Record<string, unknown>;
  const executionArn = text(d.executionArn);
  const stateMachineArn = text(d.stateMachineArn);
  const status = CLOSED.find((s) => s === d.status);
  const startDate = date(d.startDate);
  if (!executionArn || !stateMachineArn || !status || !startDate) {
    throw new ValidationError(
      'The event detail must name executionArn and stateMachineArn, a closed status (SUCCEEDED, FAILED, TIMED_OUT, ABORTED) and startDate',
    );
  }
  const included = (d.inputDetails as { included?: unknown } | null | undefined)?.included !== false;
  const stopDate = date(d.stopDate);
  const input = included ? text(d.input) : undefined;
  const error = text(d.error);
  const cause = text(d.cause);
  return {
    executionArn,
    stateMachineArn,
    name: text(d.name) ?? executionArn.slice(executionArn.lastIndexOf(':') + 1),
    status,
    startDate,
    ...(stopDate ? { stopDate } : {}),
    ...(input !== undefined ? { input } : {}),
    ...(error !== undefined ? { error } : {}),
    ...(cause !== undefined ? { cause } : {}),
  };
}
