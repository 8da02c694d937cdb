import type { LogGroupClass } from '@aws-sdk/client-cloudwatch-logs';

/** One stored log event; `id` orders events in a store and positions GetLogEvents' tokens. */
export interface StoredEvent {
  id: number;
  timestamp: number;
  message: string;
  ingestionTime: number;
}

export interface LogStream {
  name: string;
  creationTime: number;
  /** In arrival order (ascending ids). */
  events: StoredEvent[];
  /** UTF-8 bytes of the events held, for the group's storedBytes. */
  bytes: number;
  /** The earliest timestamp held (may lag behind evictions; only ever too early), for retention. */
  oldest?: number;
  lastIngestionTime?: number;
}

export interface LogGroup {
  name: string;
  creationTime: number;
  retentionInDays?: number;
  logGroupClass: LogGroupClass;
  kmsKeyId?: string;
  deletionProtectionEnabled: boolean;
  tags: Record<string, string>;
  streams: Map<string, LogStream>;
}

/** CloudWatch Logs' state in one account and region. */
export class LogsStore {
  readonly groups = new Map<string, LogGroup>();
  private lastEventId = 0;

  nextEventId(): number {
    this.lastEventId += 1;
    return this.lastEventId;
  }
}

export const DAY_MS = 24 * 60 * 60 * 1000;

/** Drops the events of `group` its retention period has expired (by event timestamp, as AWS does). */
export function expire(group: LogGroup, now = Date.now()): void {
  for (const stream of group.streams.values()) expireStream(group, stream, now);
}

/** The same for one stream; cheap when nothing is old enough, so writes can call it every time. */
export function expireStream(group: LogGroup, stream: LogStream, now = Date.now()): void {
  if (group.retentionInDays === undefined || stream.oldest === undefined) return;
  const cutoff = now - group.retentionInDays * DAY_MS;
  if (stream.oldest >= cutoff) return;
  stream.events = stream.events.filter((e) => e.timestamp >= cutoff);
  settle(stream);
}

/** Recounts what a stream holds after events left it. */
export function settle(stream: LogStream): void {
  let bytes = 0;
  let oldest: number | undefined;
  for (const e of stream.events) {
    bytes += Buffer.byteLength(e.message);
    if (oldest === undefined || e.timestamp < oldest) oldest = e.timestamp;
  }
  stream.bytes = bytes;
  stream.oldest = oldest;
}

/** The earliest and latest event timestamps a stream holds. */
export function timeSpan(stream: LogStream): { first: number; last: number } | undefined {
  if (stream.events.length === 0) return undefined;
  let first = Number.POSITIVE_INFINITY;
  let last = Number.NEGATIVE_INFINITY;
  for (const e of stream.events) {
    if (e.timestamp < first) first = e.timestamp;
    if (e.timestamp > last) last = e.timestamp;
  }
  return { first, last };
}
