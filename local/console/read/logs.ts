import { paginateFilterLogEvents } from '@aws-sdk/client-cloudwatch-logs';
import { paginateListFunctions } from '@aws-sdk/client-lambda';
import type { ConsoleClients } from './clients.js';

export interface LogQuery {
  group: string;
  stream?: string;
  /** Epoch milliseconds, inclusive. */
  start?: number;
  end?: number;
}

export interface LogLine {
  timestamp: number;
  stream?: string;
  message: string;
}

export interface LogPage {
  lines: LogLine[];
  /** More events matched than the page shows. */
  truncated: boolean;
}

/** A log group's events (one stream's, or a time window's), oldest first. */
export async function readLogs(clients: ConsoleClients, query: LogQuery, limit = 2000): Promise<LogPage> {
  const lines: LogLine[] = [];
  for await (const page of paginateFilterLogEvents(
    { client: clients.logs },
    {
      logGroupName: query.group,
      ...(query.stream ? { logStreamNames: [query.stream] } : {}),
      ...(query.start !== undefined ? { startTime: query.start } : {}),
      ...(query.end !== undefined ? { endTime: query.end } : {}),
    },
  )) {
    for (const event of page.events ?? [])
      lines.push({
        timestamp: event.timestamp ?? 0,
        stream: event.logStreamName,
        message: event.message ?? '',
      });
    if (lines.length > limit) break;
  }
  lines.sort((a, b) => a.timestamp - b.timestamp);
  return { lines: lines.slice(0, limit), truncated: lines.length > limit };
}

/**
 * Each function's log group, by name and by ARN: the one its LoggingConfig
 * names, else Lambda's default `/aws/lambda/<name>`.
 */
export async function functionLogGroups(clients: ConsoleClients): Promise<Map<string, string>> {
  const groups = new Map<string, string>();
  for await (const page of paginateListFunctions({ client: clients.lambda }, {}))
    for (const fn of page.Functions ?? []) {
      if (!fn.FunctionName) continue;
      const group = fn.LoggingConfig?.LogGroup ?? `/aws/lambda/${fn.FunctionName}`;
      groups.set(fn.FunctionName, group);
      if (fn.FunctionArn) groups.set(fn.FunctionArn, group);
    }
  return groups;
}
