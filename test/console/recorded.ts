import { readFileSync } from 'node:fs';
import type { DescribeExecutionCommandOutput, HistoryEvent } from '@aws-sdk/client-sfn';

/** Recorded from real local deployments by fixtures/record.ts. */
export type RecordedName = 'succeeded' | 'rolled-back' | 'lock-held';

export interface RecordedExecution {
  execution: Omit<DescribeExecutionCommandOutput, '$metadata'>;
  events: HistoryEvent[];
}

const DATES = new Set(['timestamp', 'startDate', 'stopDate']);

/** A recorded execution as the SDK hands it over: timestamps as Dates. */
export function recorded(name: RecordedName): RecordedExecution {
  const text = readFileSync(new URL(`./fixtures/${name}.json`, import.meta.url), 'utf8');
  return JSON.parse(text, (key, value) =>
    DATES.has(key) && typeof value === 'string' ? new Date(value) : value,
  );
}

export const recordedDefinition = (): string =>
  readFileSync(new URL('./fixtures/definition.json', import.meta.url), 'utf8');
