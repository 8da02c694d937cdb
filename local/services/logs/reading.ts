import { createHash } from 'node:crypto';
import type { FilteredLogEvent, OutputLogEvent } from '@aws-sdk/client-cloudwatch-logs';
import { AwsError } from '../../http/aws-error.js';
import type { LogStream, StoredEvent } from './store.js';

const invalidToken = () => new AwsError('InvalidParameterException', 'The specified nextToken is invalid.');

/** GetLogEvents' tokens, as AWS spells them: a direction and a position in the stream (`f/…/s`, `b/…/s`). */
const POSITION_TOKEN = /^([fb])\/(\d{56})\/s$/;
const positionToken = (direction: 'f' | 'b', id: number) => `${direction}/${String(id).padStart(56, '0')}/s`;

export interface GetLogEventsRequest {
  startTime?: number | undefined;
  endTime?: number | undefined;
  limit: number;
  nextToken?: string | undefined;
  startFromHead?: boolean | undefined;
}

export interface GetLogEventsPage {
  events: OutputLogEvent[];
  nextForwardToken: string;
  nextBackwardToken: string;
}

/**
 * One page of a stream, as GetLogEvents reads it: the newest `limit` events
 * unless `startFromHead` (or a forward token) asks for the oldest first;
 * events within a page are always oldest first. A token names a position:
 * forward reads the events after it, backward those before it, and at the
 * end of the stream the token given comes back unchanged.
 */
export function readStream(stream: LogStream, request: GetLogEventsRequest): GetLogEventsPage {
  const inRange = stream.events.filter(
    (e) =>
      (request.startTime === undefined || e.timestamp >= request.startTime) &&
      (request.endTime === undefined || e.timestamp < request.endTime),
  );
  let forward: boolean;
  let position: number;
  if (request.nextToken !== undefined) {
    const match = POSITION_TOKEN.exec(request.nextToken);
    if (!match) throw invalidToken();
    forward = match[1] === 'f';
    position = Number(match[2]);
    if (!Number.isSafeInteger(position)) throw invalidToken();
  } else {
    forward = request.startFromHead === true;
    position = forward ? 0 : Number.MAX_SAFE_INTEGER;
  }
  const page = forward
    ? inRange.filter((e) => e.id >= position).slice(0, request.limit)
    : inRange.filter((e) => e.id < position).slice(-request.limit);
  const first = page[0];
  const last = page.at(-1);
  const end = (stream.events.at(-1)?.id ?? 0) + 1;
  const given = request.nextToken;
  return {
    events: page.map(output),
    nextForwardToken: last
      ? positionToken('f', last.id + 1)
      : forward && given
        ? given
        : positionToken('f', Math.min(position, end)),
    nextBackwardToken: first
      ? positionToken('b', first.id)
      : !forward && given
        ? given
        : positionToken('b', Math.min(position, end)),
  };
}

const output = (e: StoredEvent): OutputLogEvent => ({
  timestamp: e.timestamp,
  message: e.message,
  ingestionTime: e.ingestionTime,
});

export interface FilterRequest {
  streams: LogStream[];
  matches: (message: string) => boolean;
  startTime?: number | undefined;
  endTime?: number | undefined;
  limit: number;
  nextToken?: string | undefined;
  /** The group and filters the token must have come from. */
  context: string;
}

interface FilterToken {
  /** Timestamp and id of the last event returned. */
  t: number;
  i: number;
  c: string;
}

const fingerprint = (context: string) => createHash('sha256').update(context).digest('hex').slice(0, 16);

/**
 * FilterLogEvents over several streams: matching events ordered by
 * timestamp (then arrival), `limit` at a time; the token remembers the last
 * event returned, so events expiring between pages shift nothing.
 */
export function filterEvents(request: FilterRequest): { events: FilteredLogEvent[]; nextToken?: string } {
  let after: { t: number; i: number } | undefined;
  if (request.nextToken !== undefined) {
    const body = decodeFilterToken(request.nextToken);
    if (!body || body.c !== fingerprint(request.context)) throw invalidToken();
    after = body;
  }
  const matched = request.streams
    .flatMap((stream) =>
      stream.events
        .filter(
          (e) =>
            (request.startTime === undefined || e.timestamp >= request.startTime) &&
            (request.endTime === undefined || e.timestamp <= request.endTime) &&
            (!after || e.timestamp > after.t || (e.timestamp === after.t && e.id > after.i)) &&
            request.matches(e.message),
        )
        .map((event) => ({ stream: stream.name, event })),
    )
    .sort((a, b) => a.event.timestamp - b.event.timestamp || a.event.id - b.event.id);
  const page = matched.slice(0, request.limit);
  const last = page.at(-1);
  return {
    events: page.map(({ stream, event }) => ({
      logStreamName: stream,
      timestamp: event.timestamp,
      message: event.message,
      ingestionTime: event.ingestionTime,
      eventId: String(event.id).padStart(56, '0'),
    })),
    ...(last && matched.length > page.length
      ? {
          nextToken: Buffer.from(
            JSON.stringify({
              t: last.event.timestamp,
              i: last.event.id,
              c: fingerprint(request.context),
            } satisfies FilterToken),
          ).toString('base64url'),
        }
      : {}),
  };
}

function decodeFilterToken(token: string): FilterToken | undefined {
  try {
    const body = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as Partial<FilterToken>;
    if (typeof body.t === 'number' && typeof body.i === 'number' && typeof body.c === 'string')
      return { t: body.t, i: body.i, c: body.c };
  } catch {
    // Not ours: answered below as AWS answers a bad token.
  }
  return undefined;
}
