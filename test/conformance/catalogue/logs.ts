import {
  CloudWatchLogsClient,
  CreateLogGroupCommand,
  CreateLogStreamCommand,
  DeleteLogGroupCommand,
  DeleteLogStreamCommand,
  DeleteRetentionPolicyCommand,
  DescribeLogGroupsCommand,
  DescribeLogStreamsCommand,
  FilterLogEventsCommand,
  GetLogEventsCommand,
  PutLogEventsCommand,
  PutRetentionPolicyCommand,
} from '@aws-sdk/client-cloudwatch-logs';
import { expect } from '@jest/globals';
import { caseBuilders } from '../case-builders.js';
import { type ClientClass, type ServiceCatalogue, tableOperations } from '../suite.js';

const GROUP = '/conf/a';
const STREAM = 's1';
const MESSAGES = ['one', 'two', 'three', 'four', 'five'];

const { custom, fails, ok, paginates } = caseBuilders<Record<string, never>>();

export const logs: ServiceCatalogue<Record<string, never>> = {
  model: 'logs',
  client: CloudWatchLogsClient as unknown as ClientClass,
  emulated: (cloud) => tableOperations(cloud.logs.api),

  async setup({ prepare }) {
    for (const group of [GROUP, '/conf/b', '/conf/c'])
      await prepare(CreateLogGroupCommand, { logGroupName: group });
    await prepare(CreateLogGroupCommand, {
      logGroupName: '/conf-protected',
      deletionProtectionEnabled: true,
    });
    for (const stream of [STREAM, 's2', 's3'])
      await prepare(CreateLogStreamCommand, { logGroupName: GROUP, logStreamName: stream });
    const start = Date.now() - MESSAGES.length * 1000;
    await prepare(PutLogEventsCommand, {
      logGroupName: GROUP,
      logStreamName: STREAM,
      logEvents: MESSAGES.map((message, i) => ({ timestamp: start + i * 1000, message })),
    });
    return {};
  },

  cases: [
    ok(CreateLogGroupCommand, 'creates a log group', { logGroupName: '/conf/new' }),
    fails(
      CreateLogGroupCommand,
      'a group that exists',
      { logGroupName: GROUP },
      'ResourceAlreadyExistsException',
    ),
    fails(CreateLogGroupCommand, 'a name with a space', { logGroupName: '/conf/bad name' }, [
      'InvalidParameterException',
      'ValidationException',
    ]),
    ok(CreateLogStreamCommand, 'creates a log stream', { logGroupName: GROUP, logStreamName: 'new' }),
    fails(
      CreateLogStreamCommand,
      'a stream that exists',
      { logGroupName: GROUP, logStreamName: STREAM },
      'ResourceAlreadyExistsException',
    ),
    fails(
      CreateLogStreamCommand,
      'an unknown group',
      { logGroupName: '/conf/absent', logStreamName: 'x' },
      'ResourceNotFoundException',
    ),
    ok(PutLogEventsCommand, 'puts events', {
      logGroupName: GROUP,
      logStreamName: 's2',
      logEvents: [{ timestamp: Date.now(), message: 'hello' }],
    }),
    fails(
      PutLogEventsCommand,
      'an unknown stream',
      {
        logGroupName: GROUP,
        logStreamName: 'absent-put',
        logEvents: [{ timestamp: Date.now(), message: 'x' }],
      },
      'ResourceNotFoundException',
    ),
    ok(DescribeLogGroupsCommand, 'describes groups by prefix', { logGroupNamePrefix: '/conf/' }, (out) =>
      expect(out.logGroups?.map((g) => g.logGroupName)).toEqual(expect.arrayContaining([GROUP, '/conf/b'])),
    ),
    ...paginates(DescribeLogGroupsCommand, { logGroupNamePrefix: '/conf/' }),
    ok(DescribeLogStreamsCommand, 'describes a group’s streams', { logGroupName: GROUP }, (out) =>
      expect(out.logStreams?.map((s) => s.logStreamName)).toEqual(
        expect.arrayContaining([STREAM, 's2', 's3']),
      ),
    ),
    fails(
      DescribeLogStreamsCommand,
      'an unknown group',
      { logGroupName: '/conf/absent' },
      'ResourceNotFoundException',
    ),
    ...paginates(DescribeLogStreamsCommand, { logGroupName: GROUP }),
    ok(
      GetLogEventsCommand,
      'gets a stream’s events from the head',
      { logGroupName: GROUP, logStreamName: STREAM, startFromHead: true },
      (out) => expect(out.events?.map((e) => e.message)).toEqual(MESSAGES),
    ),
    custom('GetLogEvents', 'pages of 2 forward join up, the same token at the end', async (w) => {
      const request = { logGroupName: GROUP, logStreamName: STREAM, startFromHead: true, limit: 2 };
      const messages: (string | undefined)[] = [];
      let token: string | undefined;
      for (let page = 1; page <= 10; page++) {
        const out = await w.send(GetLogEventsCommand, { ...request, ...(token ? { nextToken: token } : {}) });
        const events = out.events ?? [];
        if (events.length > 2) throw new Error(`page ${page} of limit=2 holds ${events.length} events`);
        messages.push(...events.map((e) => e.message));
        // "If you have reached the end of the stream, it returns the same token you passed in."
        if (out.nextForwardToken === token) break;
        token = out.nextForwardToken;
      }
      expect(messages).toEqual(MESSAGES);
    }),
    fails(
      GetLogEventsCommand,
      'a token it never issued',
      { logGroupName: GROUP, logStreamName: STREAM, nextToken: 'f/not-a-token' },
      'InvalidParameterException',
    ),
    fails(
      GetLogEventsCommand,
      'an unknown stream',
      { logGroupName: GROUP, logStreamName: 'absent' },
      'ResourceNotFoundException',
    ),
    ok(
      FilterLogEventsCommand,
      'filters a group’s events by a term',
      { logGroupName: GROUP, filterPattern: 'three' },
      (out) => expect(out.events?.map((e) => e.message)).toEqual(['three']),
    ),
    fails(
      FilterLogEventsCommand,
      'an unknown group',
      { logGroupName: '/conf/absent' },
      'ResourceNotFoundException',
    ),
    ...paginates(FilterLogEventsCommand, { logGroupName: GROUP, logStreamNames: [STREAM] }),
    custom('PutRetentionPolicy', 'sets a group’s retention', async (w) => {
      await w.send(PutRetentionPolicyCommand, { logGroupName: '/conf/b', retentionInDays: 7 });
      const { logGroups } = await w.prepare(DescribeLogGroupsCommand, { logGroupNamePrefix: '/conf/b' });
      expect(logGroups?.[0]?.retentionInDays).toBe(7);
    }),
    fails(
      PutRetentionPolicyCommand,
      'a period CloudWatch Logs does not offer',
      { logGroupName: '/conf/b', retentionInDays: 2 },
      'InvalidParameterException',
    ),
    fails(
      PutRetentionPolicyCommand,
      'an unknown group',
      { logGroupName: '/conf/absent', retentionInDays: 7 },
      'ResourceNotFoundException',
    ),
    custom('DeleteRetentionPolicy', 'removes a group’s retention', async (w) => {
      await w.prepare(PutRetentionPolicyCommand, { logGroupName: '/conf/c', retentionInDays: 14 });
      await w.send(DeleteRetentionPolicyCommand, { logGroupName: '/conf/c' });
      const { logGroups } = await w.prepare(DescribeLogGroupsCommand, { logGroupNamePrefix: '/conf/c' });
      expect(logGroups?.[0]?.retentionInDays).toBeUndefined();
    }),
    fails(
      DeleteRetentionPolicyCommand,
      'an unknown group',
      { logGroupName: '/conf/absent' },
      'ResourceNotFoundException',
    ),
    custom('DeleteLogStream', 'deletes a stream', async (w) => {
      await w.prepare(CreateLogStreamCommand, { logGroupName: GROUP, logStreamName: 'doomed' });
      await w.send(DeleteLogStreamCommand, { logGroupName: GROUP, logStreamName: 'doomed' });
      const { logStreams } = await w.prepare(DescribeLogStreamsCommand, {
        logGroupName: GROUP,
        logStreamNamePrefix: 'doomed',
      });
      expect(logStreams).toEqual([]);
    }),
    fails(
      DeleteLogStreamCommand,
      'an unknown stream',
      { logGroupName: GROUP, logStreamName: 'absent' },
      'ResourceNotFoundException',
    ),
    fails(
      DeleteLogStreamCommand,
      'an unknown group',
      { logGroupName: '/conf/absent', logStreamName: STREAM },
      'ResourceNotFoundException',
    ),
    custom('DeleteLogGroup', 'deletes a group with its streams', async (w) => {
      await w.prepare(CreateLogGroupCommand, { logGroupName: '/conf-doomed' });
      await w.prepare(CreateLogStreamCommand, { logGroupName: '/conf-doomed', logStreamName: 's' });
      await w.send(DeleteLogGroupCommand, { logGroupName: '/conf-doomed' });
      const { logGroups } = await w.prepare(DescribeLogGroupsCommand, { logGroupNamePrefix: '/conf-doomed' });
      expect(logGroups).toEqual([]);
    }),
    fails(
      DeleteLogGroupCommand,
      'an unknown group',
      { logGroupName: '/conf/absent' },
      'ResourceNotFoundException',
    ),
    fails(
      DeleteLogGroupCommand,
      'a group with deletion protection',
      { logGroupName: '/conf-protected' },
      'ValidationException',
    ),
  ],
};
