import { AwsError, requireString } from '../http/aws-error.js';
import { type JsonService, LegacyOperations } from '../http/json-protocol.js';

interface LogEvent {
  timestamp: number;
  message: string;
  ingestionTime: number;
}

interface LogStream {
  createdAt: number;
  events: LogEvent[];
}

interface LogGroup {
  createdAt: number;
  retentionInDays?: number;
  streams: Map<string, LogStream>;
}

const MAX_EVENTS_PER_PAGE = 10_000;

/**
 * CloudWatch Logs, in memory: tasks', builds' and functions' output lands
 * here and is read back with GetLogEvents / FilterLogEvents, as on AWS.
 */
export class LogsService {
  private readonly groups = new Map<string, LogGroup>();

  constructor(
    private readonly region: string,
    private readonly accountId: string,
  ) {}

  createGroup(name: string, retentionInDays?: number): void {
    if (!this.groups.has(name))
      this.groups.set(name, { createdAt: Date.now(), retentionInDays, streams: new Map() });
  }

  /** Appends one line, creating the group and stream as the awslogs driver does. */
  put(group: string, stream: string, message: string, timestamp = Date.now()): void {
    this.createGroup(group);
    const g = this.groups.get(group) as LogGroup;
    let s = g.streams.get(stream);
    if (!s) {
      s = { createdAt: Date.now(), events: [] };
      g.streams.set(stream, s);
    }
    s.events.push({ timestamp, message, ingestionTime: Date.now() });
  }

  /** Splits a chunk of process output into log events, one per line. */
  writer(group: string, stream: string): (chunk: Buffer | string) => void {
    let pending = '';
    return (chunk) => {
      pending += chunk.toString();
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) if (line !== '') this.put(group, stream, line);
    };
  }

  private group(name: string): LogGroup {
    const group = this.groups.get(name);
    if (!group)
      throw new AwsError('ResourceNotFoundException', `The specified log group does not exist: ${name}`);
    return group;
  }

  readonly api: JsonService = {
    name: 'CloudWatch Logs',
    targetPrefix: 'Logs_20140328',
    jsonVersion: '1.1',
    codes: { missing: 'ValidationException', wrongType: 'SerializationException' },
    operations: LegacyOperations.of({
      CreateLogGroup: (input) => {
        const name = requireString(input, 'logGroupName', 'InvalidParameterException');
        if (this.groups.has(name))
          throw new AwsError('ResourceAlreadyExistsException', 'The specified log group already exists');
        this.createGroup(name);
        return {};
      },
      CreateLogStream: (input) => {
        const group = this.group(requireString(input, 'logGroupName', 'InvalidParameterException'));
        const name = requireString(input, 'logStreamName', 'InvalidParameterException');
        if (group.streams.has(name))
          throw new AwsError('ResourceAlreadyExistsException', 'The specified log stream already exists');
        group.streams.set(name, { createdAt: Date.now(), events: [] });
        return {};
      },
      PutLogEvents: (input) => {
        const group = requireString(input, 'logGroupName', 'InvalidParameterException');
        const stream = requireString(input, 'logStreamName', 'InvalidParameterException');
        this.group(group);
        for (const e of (input.logEvents as { timestamp: number; message: string }[] | undefined) ?? [])
          this.put(group, stream, e.message, e.timestamp);
        return { nextSequenceToken: String(Date.now()) };
      },
      DescribeLogGroups: (input) => {
        const prefix = (input.logGroupNamePrefix as string | undefined) ?? '';
        return {
          logGroups: [...this.groups.entries()]
            .filter(([name]) => name.startsWith(prefix))
            .map(([name, g]) => ({
              logGroupName: name,
              arn: `arn:aws:logs:${this.region}:${this.accountId}:log-group:${name}:*`,
              creationTime: g.createdAt,
              retentionInDays: g.retentionInDays,
              storedBytes: 0,
            })),
        };
      },
      DescribeLogStreams: (input) => {
        const group = this.group(requireString(input, 'logGroupName', 'InvalidParameterException'));
        const prefix = (input.logStreamNamePrefix as string | undefined) ?? '';
        return {
          logStreams: [...group.streams.entries()]
            .filter(([name]) => name.startsWith(prefix))
            .map(([name, s]) => ({
              logStreamName: name,
              creationTime: s.createdAt,
              firstEventTimestamp: s.events[0]?.timestamp,
              lastEventTimestamp: s.events.at(-1)?.timestamp,
              lastIngestionTime: s.events.at(-1)?.ingestionTime,
            })),
        };
      },
      GetLogEvents: (input) => {
        const group = this.group(requireString(input, 'logGroupName', 'InvalidParameterException'));
        const streamName = requireString(input, 'logStreamName', 'InvalidParameterException');
        const stream = group.streams.get(streamName);
        if (!stream)
          throw new AwsError(
            'ResourceNotFoundException',
            `The specified log stream does not exist: ${streamName}`,
          );
        const limit = Math.min(Number(input.limit ?? MAX_EVENTS_PER_PAGE), MAX_EVENTS_PER_PAGE);
        const token = input.nextToken as string | undefined;
        const start = token
          ? Number(token.slice(2))
          : input.startFromHead === false
            ? Math.max(0, stream.events.length - limit)
            : 0;
        const page = stream.events
          .slice(start, start + limit)
          .filter(
            (e) =>
              (input.startTime === undefined || e.timestamp >= Number(input.startTime)) &&
              (input.endTime === undefined || e.timestamp < Number(input.endTime)),
          );
        const end = Math.min(start + limit, stream.events.length);
        return { events: page, nextForwardToken: `f/${end}`, nextBackwardToken: `b/${start}` };
      },
      FilterLogEvents: (input) => {
        const group = this.group(requireString(input, 'logGroupName', 'InvalidParameterException'));
        const names = (input.logStreamNames as string[] | undefined) ?? [...group.streams.keys()];
        const pattern = ((input.filterPattern as string | undefined) ?? '').replaceAll('"', '').trim();
        const events = names.flatMap((name) =>
          (group.streams.get(name)?.events ?? []).map((e, i) => ({
            ...e,
            logStreamName: name,
            eventId: `${name}/${i}`,
          })),
        );
        const matched = events
          .filter((e) => pattern === '' || e.message.includes(pattern))
          .filter(
            (e) =>
              (input.startTime === undefined || e.timestamp >= Number(input.startTime)) &&
              (input.endTime === undefined || e.timestamp <= Number(input.endTime)),
          )
          .sort((a, b) => a.timestamp - b.timestamp)
          .slice(0, Number(input.limit ?? MAX_EVENTS_PER_PAGE));
        return {
          events: matched,
          searchedLogStreams: names.map((logStreamName) => ({ logStreamName, searchedCompletely: true })),
        };
      },
    }),
  };
}
