import { setTimeout as sleep } from 'node:timers/promises';
import { type FilteredLogEvent, FilterLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import type { AwsClients } from '../connection/clients.js';
import type { LogSource } from './log-source.js';

export interface TailOptions {
  /** Epoch milliseconds of the oldest event to show. */
  since: number;
  /** Keep reading new events until `signal` aborts. */
  follow: boolean;
  signal: AbortSignal;
  pollMs?: number;
  onEvent(event: FilteredLogEvent): void;
}

/**
 * A service's logs, all its tasks' streams interleaved by time, as `aws logs
 * tail` reads them: FilterLogEvents page by page; following, it asks again
 * from the newest timestamp seen, skipping the events it already showed.
 */
export async function tailLogs(
  clients: Pick<AwsClients, 'logs'>,
  source: LogSource,
  options: TailOptions,
): Promise<void> {
  let from = options.since;
  // Ids of the events shown at `from`, the one timestamp a later read can return again.
  let shownAtFrom = new Set<string>();
  for (;;) {
    let nextToken: string | undefined;
    do {
      let page: Awaited<ReturnType<typeof read>>;
      try {
        page = await read(clients, source, from, nextToken, options.signal);
      } catch (err) {
        if (options.signal.aborted) return;
        throw err;
      }
      for (const event of page.events ?? []) {
        const id = event.eventId ?? `${event.logStreamName}/${event.timestamp}/${event.message}`;
        const at = event.timestamp ?? from;
        if (at === from && shownAtFrom.has(id)) continue;
        if (at > from) {
          from = at;
          shownAtFrom = new Set();
        }
        shownAtFrom.add(id);
        options.onEvent(event);
      }
      nextToken = page.nextToken;
    } while (nextToken && !options.signal.aborted);
    if (!options.follow || options.signal.aborted) return;
    try {
      await sleep(options.pollMs ?? 1000, undefined, { signal: options.signal });
    } catch {
      return;
    }
  }
}

function read(
  clients: Pick<AwsClients, 'logs'>,
  source: LogSource,
  startTime: number,
  nextToken: string | undefined,
  abortSignal: AbortSignal,
) {
  return clients.logs.send(
    new FilterLogEventsCommand({
      logGroupName: source.group,
      ...(source.streamPrefix ? { logStreamNamePrefix: source.streamPrefix } : {}),
      startTime,
      ...(nextToken ? { nextToken } : {}),
    }),
    { abortSignal },
  );
}
