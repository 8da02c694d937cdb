import type { InputLogEvent, RejectedLogEventsInfo } from '@aws-sdk/client-cloudwatch-logs';
import { invalid, validate } from './names.js';
import { DAY_MS, type LogGroup } from './store.js';

const HOUR_MS = 60 * 60 * 1000;

/**
 * PutLogEvents' rules for a batch: chronological, spanning at most 24 hours
 * (else the whole call fails); events over 2 hours ahead, over 14 days old
 * or older than the group's retention are rejected and the rest kept.
 */
export function screen(
  events: InputLogEvent[],
  group: LogGroup,
  now: number,
): { accepted: InputLogEvent[]; rejected?: RejectedLogEventsInfo } {
  for (let i = 1; i < events.length; i++) {
    if ((events[i]?.timestamp ?? 0) < (events[i - 1]?.timestamp ?? 0))
      throw invalid('Log events in a single PutLogEvents request must be in chronological order.');
  }
  for (const [i, e] of events.entries()) {
    if (!e.message) validate.length(`logEvents.${i + 1}.member.message`, e.message ?? '', 1, 1_048_550);
  }
  const tooNewFrom = events.findIndex((e) => (e.timestamp ?? 0) > now + 2 * HOUR_MS);
  const tooOldTo = events.findLastIndex((e) => (e.timestamp ?? 0) < now - 14 * DAY_MS);
  const expiredTo =
    group.retentionInDays === undefined
      ? -1
      : events.findLastIndex((e) => (e.timestamp ?? 0) < now - (group.retentionInDays ?? 0) * DAY_MS);
  const first = Math.max(tooOldTo, expiredTo) + 1;
  const end = tooNewFrom < 0 ? events.length : tooNewFrom;
  const accepted = events.slice(first, Math.max(first, end));
  const span = (accepted.at(-1)?.timestamp ?? 0) - (accepted[0]?.timestamp ?? 0);
  if (span > DAY_MS)
    throw invalid('The batch of log events in a single PutLogEvents request cannot span more than 24 hours.');
  const rejected: RejectedLogEventsInfo = {
    ...(tooNewFrom >= 0 ? { tooNewLogEventStartIndex: tooNewFrom } : {}),
    ...(tooOldTo >= 0 ? { tooOldLogEventEndIndex: tooOldTo } : {}),
    ...(expiredTo >= 0 ? { expiredLogEventEndIndex: expiredTo } : {}),
  };
  return { accepted, ...(Object.keys(rejected).length > 0 ? { rejected } : {}) };
}
