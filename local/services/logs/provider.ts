import {
  CreateLogGroupCommand,
  CreateLogStreamCommand,
  DeleteLogGroupCommand,
  DeleteLogStreamCommand,
  DeleteRetentionPolicyCommand,
  DescribeLogGroupsCommand,
  DescribeLogStreamsCommand,
  FilterLogEventsCommand,
  GetLogEventsCommand,
  type InputLogEvent,
  type LogGroup as LogGroupShape,
  type LogStream as LogStreamShape,
  PutLogEventsCommand,
  PutRetentionPolicyCommand,
} from '@aws-sdk/client-cloudwatch-logs';
import { arns, parseArn } from '../../core/arns.js';
import { define, OperationTable } from '../../core/operation.js';
import { paginate } from '../../core/pagination.js';
import type { Scope } from '../../core/scope.js';
import { RegionalStores } from '../../core/stores.js';
import { AwsError } from '../../http/aws-error.js';
import type { JsonService } from '../../http/json-protocol.js';
import { screen } from './batch.js';
import { compileFilterPattern } from './filter-pattern.js';
import {
  checkGroupName,
  checkLimit,
  checkRetention,
  checkStreamName,
  invalid,
  notFound,
  validate,
} from './names.js';
import { filterEvents, readStream } from './reading.js';
import { expire, expireStream, type LogGroup, type LogStream, LogsStore, timeSpan } from './store.js';

export interface LogsOptions {
  /** The most events one stream keeps; the oldest go first (AWS keeps all, a laptop can't). */
  maxEventsPerStream?: number;
}

/**
 * CloudWatch Logs, in memory, one store per account and region: tasks',
 * builds', functions' and executions' output lands here and is read back
 * with GetLogEvents / FilterLogEvents as on AWS. Memory stays bounded: each
 * stream keeps its newest `maxEventsPerStream` events, and a group's
 * retention period expires older ones.
 */
export class Logs {
  readonly stores = new RegionalStores(() => new LogsStore());
  readonly maxEventsPerStream: number;

  constructor(options: LogsOptions = {}) {
    this.maxEventsPerStream = options.maxEventsPerStream ?? 10_000;
    if (!Number.isInteger(this.maxEventsPerStream) || this.maxEventsPerStream < 1)
      throw new Error(`maxEventsPerStream must be a positive integer (got ${options.maxEventsPerStream})`);
  }

  /**
   * Creates a group unless it exists (as provisioning and the services' own
   * log groups need). A retention given for an existing group is applied:
   * a function's group may exist before the template's AWS::Logs::LogGroup.
   */
  createGroup(scope: Scope, name: string, retentionInDays?: number): LogGroup {
    const store = this.stores.of(scope);
    if (retentionInDays !== undefined) checkRetention(retentionInDays);
    const existing = store.groups.get(name);
    if (existing) {
      if (retentionInDays !== undefined) {
        existing.retentionInDays = retentionInDays;
        expire(existing);
      }
      return existing;
    }
    checkGroupName(name);
    const group: LogGroup = {
      name,
      creationTime: Date.now(),
      ...(retentionInDays !== undefined ? { retentionInDays } : {}),
      logGroupClass: 'STANDARD',
      deletionProtectionEnabled: false,
      tags: {},
      streams: new Map(),
    };
    store.groups.set(name, group);
    return group;
  }

  hasGroup(scope: Scope, name: string): boolean {
    return this.stores.of(scope).groups.has(name);
  }

  /** Appends one line, creating the group and stream as the awslogs driver does. */
  put(scope: Scope, group: string, stream: string, message: string, timestamp = Date.now()): void {
    const g = this.createGroup(scope, group);
    let s = g.streams.get(stream);
    if (!s) {
      checkStreamName(stream);
      s = newStream(stream);
      g.streams.set(stream, s);
    }
    this.append(this.stores.of(scope), g, s, [{ timestamp, message }]);
  }

  /**
   * Splits a chunk of process output into log events, one per line. It runs
   * inside stream handlers, where a throw would take the cloud down, so
   * output a group or stream can't take (an invalid name) is dropped instead.
   */
  writer(scope: Scope, group: string, stream: string): (chunk: Buffer | string) => void {
    let pending = '';
    return (chunk) => {
      pending += chunk.toString();
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) {
        if (line === '') continue;
        try {
          this.put(scope, group, stream, line);
        } catch {
          return;
        }
      }
    };
  }

  private append(store: LogsStore, group: LogGroup, stream: LogStream, events: InputLogEvent[]): void {
    const ingestionTime = Date.now();
    for (const e of events) {
      const message = e.message ?? '';
      const timestamp = e.timestamp ?? 0;
      stream.events.push({ id: store.nextEventId(), timestamp, message, ingestionTime });
      stream.bytes += Buffer.byteLength(message);
      if (stream.oldest === undefined || timestamp < stream.oldest) stream.oldest = timestamp;
    }
    stream.lastIngestionTime = ingestionTime;
    const excess = stream.events.length - this.maxEventsPerStream;
    if (excess > 0) {
      for (const dropped of stream.events.splice(0, excess))
        stream.bytes -= Buffer.byteLength(dropped.message);
    }
    // Only this stream: scanning the whole group on every line would make chatty output quadratic.
    expireStream(group, stream, ingestionTime);
  }

  private group(scope: Scope, name: string): LogGroup {
    const group = this.stores.of(scope).groups.get(name);
    if (!group) throw notFound('The specified log group does not exist.');
    expire(group);
    return group;
  }

  /** The group a request names by `logGroupName` or `logGroupIdentifier` (its name or ARN), exactly one of them. */
  private identified(
    scope: Scope,
    input: { logGroupName?: string | undefined; logGroupIdentifier?: string | undefined },
  ): LogGroup {
    const { logGroupName, logGroupIdentifier } = input;
    if (logGroupName !== undefined && logGroupIdentifier !== undefined)
      throw invalid('LogGroup name and LogGroup identifier are mutually exclusive parameters.');
    if (logGroupName !== undefined) {
      validate.length('logGroupName', logGroupName, 1, 512);
      return this.group(scope, logGroupName);
    }
    if (logGroupIdentifier === undefined)
      throw invalid('Should provide either logGroupName or logGroupIdentifier.');
    const arn = parseArn(logGroupIdentifier);
    const name = arn ? /^log-group:(.+?)(:\*)?$/.exec(arn.resource)?.[1] : logGroupIdentifier;
    if (arn && (arn.service !== 'logs' || name === undefined))
      throw invalid(`Invalid logGroupIdentifier: ${logGroupIdentifier}`);
    return this.group(scope, name ?? '');
  }

  private stream(group: LogGroup, name: string): LogStream {
    const stream = group.streams.get(name);
    if (!stream) throw notFound('The specified log stream does not exist.');
    return stream;
  }

  private groupShape(scope: Scope, g: LogGroup): LogGroupShape {
    let storedBytes = 0;
    for (const s of g.streams.values()) storedBytes += s.bytes;
    return {
      logGroupName: g.name,
      creationTime: g.creationTime,
      ...(g.retentionInDays !== undefined ? { retentionInDays: g.retentionInDays } : {}),
      metricFilterCount: 0,
      arn: arns.logGroup(scope, g.name),
      storedBytes,
      ...(g.kmsKeyId ? { kmsKeyId: g.kmsKeyId } : {}),
      logGroupClass: g.logGroupClass,
      logGroupArn: arns.logGroupExact(scope, g.name),
      deletionProtectionEnabled: g.deletionProtectionEnabled,
    };
  }

  private streamShape(scope: Scope, group: LogGroup, s: LogStream): LogStreamShape {
    const span = timeSpan(s);
    return {
      logStreamName: s.name,
      creationTime: s.creationTime,
      ...(span ? { firstEventTimestamp: span.first, lastEventTimestamp: span.last } : {}),
      ...(s.lastIngestionTime !== undefined ? { lastIngestionTime: s.lastIngestionTime } : {}),
      uploadSequenceToken: String(s.events.at(-1)?.id ?? 0).padStart(56, '0'),
      arn: arns.logStream(scope, group.name, s.name),
      // AWS has reported 0 for streams since 2019 (groups still count).
      storedBytes: 0,
    };
  }

  private page<T>(items: T[], token: string | undefined, limit: number | undefined, context: string) {
    return paginate(items, {
      token,
      size: limit,
      defaultSize: 50,
      maxSize: 50,
      sizeMember: 'limit',
      context,
      invalidToken: () => invalid('The specified nextToken is invalid.'),
      invalidSize: (m) => invalid(m),
    });
  }

  readonly api: JsonService = {
    name: 'CloudWatch Logs',
    targetPrefix: 'Logs_20140328',
    jsonVersion: '1.1',
    codes: { missing: 'InvalidParameterException', wrongType: 'SerializationException' },
    operations: new OperationTable([
      define(CreateLogGroupCommand, (input, ctx) => {
        const name = input.logGroupName ?? '';
        checkGroupName(name);
        if (this.stores.of(ctx).groups.has(name))
          throw new AwsError('ResourceAlreadyExistsException', 'The specified log group already exists');
        if (input.logGroupClass !== undefined)
          validate.oneOf('logGroupClass', input.logGroupClass, ['STANDARD', 'INFREQUENT_ACCESS', 'DELIVERY']);
        const group = this.createGroup(ctx, name);
        if (input.logGroupClass) group.logGroupClass = input.logGroupClass;
        if (input.kmsKeyId) group.kmsKeyId = input.kmsKeyId;
        group.deletionProtectionEnabled = input.deletionProtectionEnabled ?? false;
        group.tags = input.tags ?? {};
        return {};
      }),
      define(DeleteLogGroupCommand, (input, ctx) => {
        const group = this.group(ctx, input.logGroupName ?? '');
        if (group.deletionProtectionEnabled)
          throw new AwsError(
            'ValidationException',
            'Deletion protection is enabled on this log group; disable it before deleting the group.',
          );
        this.stores.of(ctx).groups.delete(group.name);
        return {};
      }),
      define(CreateLogStreamCommand, (input, ctx) => {
        const name = input.logStreamName ?? '';
        checkGroupName(input.logGroupName ?? '');
        checkStreamName(name);
        const group = this.group(ctx, input.logGroupName ?? '');
        if (group.streams.has(name))
          throw new AwsError('ResourceAlreadyExistsException', 'The specified log stream already exists');
        group.streams.set(name, newStream(name));
        return {};
      }),
      define(DeleteLogStreamCommand, (input, ctx) => {
        const group = this.group(ctx, input.logGroupName ?? '');
        group.streams.delete(this.stream(group, input.logStreamName ?? '').name);
        return {};
      }),
      define(PutLogEventsCommand, (input, ctx) => {
        const events = input.logEvents ?? [];
        validate.length('logEvents', events, 1, 10_000);
        const group = this.group(ctx, input.logGroupName ?? '');
        const stream = this.stream(group, input.logStreamName ?? '');
        const { accepted, rejected } = screen(events, group, Date.now());
        this.append(this.stores.of(ctx), group, stream, accepted);
        return {
          nextSequenceToken: String(stream.events.at(-1)?.id ?? 0).padStart(56, '0'),
          ...(rejected ? { rejectedLogEventsInfo: rejected } : {}),
        };
      }),
      define(PutRetentionPolicyCommand, (input, ctx) => {
        const group = this.group(ctx, input.logGroupName ?? '');
        checkRetention(input.retentionInDays ?? 0);
        group.retentionInDays = input.retentionInDays;
        expire(group);
        return {};
      }),
      define(DeleteRetentionPolicyCommand, (input, ctx) => {
        delete this.group(ctx, input.logGroupName ?? '').retentionInDays;
        return {};
      }),
      define(DescribeLogGroupsCommand, (input, ctx) => {
        const { logGroupNamePrefix: prefix, logGroupNamePattern: pattern } = input;
        if (prefix !== undefined && pattern !== undefined)
          throw invalid('LogGroup name prefix and LogGroup name pattern are mutually exclusive parameters.');
        if (prefix !== undefined) validate.length('logGroupNamePrefix', prefix, 1, 512);
        const names = input.logGroupIdentifiers;
        const groups = [...this.stores.of(ctx).groups.values()]
          .filter(
            (g) =>
              (prefix === undefined || g.name.startsWith(prefix)) &&
              (pattern === undefined || g.name.includes(pattern)) &&
              (input.logGroupClass === undefined || g.logGroupClass === input.logGroupClass) &&
              (names === undefined ||
                names.some((n) => n === g.name || n === arns.logGroupExact(ctx, g.name))),
          )
          .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
        for (const g of groups) expire(g);
        const page = this.page(
          groups,
          input.nextToken,
          input.limit,
          `DescribeLogGroups:${JSON.stringify([prefix, pattern, input.logGroupClass, names])}`,
        );
        return {
          logGroups: page.items.map((g) => {
            const shape = this.groupShape(ctx, g);
            // With a pattern, AWS answers only these three members.
            return pattern === undefined
              ? shape
              : { logGroupName: shape.logGroupName, creationTime: shape.creationTime, arn: shape.arn };
          }),
          ...(page.nextToken ? { nextToken: page.nextToken } : {}),
        };
      }),
      define(DescribeLogStreamsCommand, (input, ctx) => {
        const group = this.identified(ctx, input);
        const orderBy = input.orderBy ?? 'LogStreamName';
        validate.oneOf('orderBy', orderBy, ['LogStreamName', 'LastEventTime']);
        const prefix = input.logStreamNamePrefix;
        if (prefix !== undefined && orderBy === 'LastEventTime')
          throw invalid('Cannot order by LastEventTime with a logStreamNamePrefix.');
        const latest = new Map([...group.streams.values()].map((s) => [s, timeSpan(s)?.last ?? -1]));
        const lastEvent = (s: LogStream) => latest.get(s) ?? -1;
        const streams = [...group.streams.values()]
          .filter((s) => prefix === undefined || s.name.startsWith(prefix))
          .sort((a, b) =>
            orderBy === 'LastEventTime'
              ? lastEvent(a) - lastEvent(b) || (a.name < b.name ? -1 : 1)
              : a.name < b.name
                ? -1
                : a.name > b.name
                  ? 1
                  : 0,
          );
        if (input.descending) streams.reverse();
        const page = this.page(
          streams,
          input.nextToken,
          input.limit,
          `DescribeLogStreams:${JSON.stringify([group.name, prefix, orderBy, input.descending === true])}`,
        );
        return {
          logStreams: page.items.map((s) => this.streamShape(ctx, group, s)),
          ...(page.nextToken ? { nextToken: page.nextToken } : {}),
        };
      }),
      define(GetLogEventsCommand, (input, ctx) => {
        const limit = input.limit ?? 10_000;
        checkLimit(limit);
        const group = this.identified(ctx, input);
        const stream = this.stream(group, input.logStreamName ?? '');
        return readStream(stream, {
          limit,
          startTime: input.startTime,
          endTime: input.endTime,
          nextToken: input.nextToken,
          startFromHead: input.startFromHead,
        });
      }),
      define(FilterLogEventsCommand, (input, ctx) => {
        checkLimit(input.limit ?? 10_000);
        const group = this.identified(ctx, input);
        if (input.logStreamNames !== undefined && input.logStreamNamePrefix !== undefined)
          throw invalid('logStreamNames and logStreamNamePrefix are mutually exclusive parameters.');
        if (input.logStreamNames !== undefined)
          validate.length('logStreamNames', input.logStreamNames, 1, 100);
        const limit = input.limit ?? 10_000;
        checkLimit(limit);
        const streams = [...group.streams.values()].filter(
          (s) =>
            (input.logStreamNames === undefined || input.logStreamNames.includes(s.name)) &&
            (input.logStreamNamePrefix === undefined || s.name.startsWith(input.logStreamNamePrefix)),
        );
        const page = filterEvents({
          streams,
          matches: compileFilterPattern(input.filterPattern),
          startTime: input.startTime,
          endTime: input.endTime,
          limit,
          nextToken: input.nextToken,
          context: JSON.stringify([
            group.name,
            input.logStreamNames,
            input.logStreamNamePrefix,
            input.filterPattern,
            input.startTime,
            input.endTime,
          ]),
        });
        return {
          events: page.events,
          searchedLogStreams: streams.map((s) => ({ logStreamName: s.name, searchedCompletely: true })),
          ...(page.nextToken ? { nextToken: page.nextToken } : {}),
        };
      }),
    ]),
  };
}

function newStream(name: string): LogStream {
  return { name, creationTime: Date.now(), events: [], bytes: 0 };
}
