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
  if (group.retentionInDays === undefined) return;
  const cutoff = now - group.retentionInDays * DAY_MS;
  for (const stream of group.streams.values()) {
    if (!stream.events.some((e) => e.timestamp < cutoff)) continue;
    stream.events = stream.events.filter((e) => e.timestamp >= cutoff);
    stream.bytes = stream.events.reduce((sum, e) => sum + Buffer.byteLength(e.message), 0);
  }
}
