import {
  CloudWatchLogsClient,
  CreateLogGroupCommand,
  CreateLogStreamCommand,
  DescribeLogGroupsCommand,
  DescribeLogStreamsCommand,
  FilterLogEventsCommand,
  GetLogEventsCommand,
  PutLogEventsCommand,
} from '@aws-sdk/client-cloudwatch-logs';
import { expect } from '@jest/globals';
import { caseBuilders } from '../case-builders.js';
import { type ClientClass, type ServiceCatalogue, tableOperations } from '../suite.js';

const GROUP = '/conf/a';
const STREAM = 's1';
const MESSAGES = ['one', 'two', 'three', 'four', 'five'];
// A known violation (listed in the conformance report), fixed by Logs' move onto the typed core.
const LOGS_PAGES = 'Logs-3: limit is ignored, no nextToken is answered, and a forged nextToken is ignored';

const { custom, fails, known, ok, paginates } = caseBuilders<Record<string, never>>();

export const logs: ServiceCatalogue<Record<string, never>> = {
  model: 'logs',
  client: CloudWatchLogsClient as unknown as ClientClass,
  emulated: (cloud) => tableOperations(cloud.logs.api),

  async setup({ prepare }) {
    for (const group of [GROUP, '/conf/b', '/conf/c'])
      await prepare(CreateLogGroupCommand, { logGroupName: group });
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
    ...known(
      'Logs-1: log group names outside the model’s pattern [.\\-_/#A-Za-z0-9]+ are accepted',
      fails(CreateLogGroupCommand, 'a name with a space', { logGroupName: '/conf/bad name' }, [
        'InvalidParameterException',
        'ValidationException',
      ]),
    ),
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
    ...known(
      'Logs-2: PutLogEvents to a missing stream creates it instead of answering ResourceNotFoundException',
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
    ),
    ok(DescribeLogGroupsCommand, 'describes groups by prefix', { logGroupNamePrefix: '/conf/' }, (out) =>
      expect(out.logGroups?.map((g) => g.logGroupName)).toEqual(expect.arrayContaining([GROUP, '/conf/b'])),
    ),
    ...known(LOGS_PAGES, ...paginates(DescribeLogGroupsCommand, { logGroupNamePrefix: '/conf/' })),
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
    ...known(LOGS_PAGES, ...paginates(DescribeLogStreamsCommand, { logGroupName: GROUP })),
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
    ...known(
      'Logs-4: GetLogEvents reads a forged nextToken as an offset instead of refusing it',
      fails(
        GetLogEventsCommand,
        'a token it never issued',
        { logGroupName: GROUP, logStreamName: STREAM, nextToken: 'f/not-a-token' },
        'InvalidParameterException',
      ),
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
    ...known(
      'Logs-5: FilterLogEvents honours limit but answers no nextToken, so later events cannot be reached; a forged nextToken is ignored',
      ...paginates(FilterLogEventsCommand, { logGroupName: GROUP, logStreamNames: [STREAM] }),
    ),
  ],
};
