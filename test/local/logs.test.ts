import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CloudWatchLogsClient,
  CreateLogGroupCommand,
  CreateLogStreamCommand,
  DescribeLogGroupsCommand,
  DescribeLogStreamsCommand,
  FilterLogEventsCommand,
  GetLogEventsCommand,
  InvalidParameterException,
  PutLogEventsCommand,
  PutRetentionPolicyCommand,
  ResourceAlreadyExistsException,
  ResourceNotFoundException,
} from '@aws-sdk/client-cloudwatch-logs';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { LOCAL_CREDENTIALS, LocalCloud } from '../../local/cloud.js';

const CAP = 5;
const DAY = 24 * 60 * 60 * 1000;
let cloud: LocalCloud;
let logs: CloudWatchLogsClient;

beforeAll(async () => {
  cloud = await LocalCloud.start({
    endpointPort: 0,
    loadBalancerPort: 0,
    stateDir: mkdtempSync(join(tmpdir(), 'stepship-logs-')),
    logEventsPerStream: CAP,
  });
  logs = new CloudWatchLogsClient({
    endpoint: cloud.endpointUrl,
    region: cloud.region,
    credentials: LOCAL_CREDENTIALS,
  });
}, 30_000);
afterAll(() => cloud.stop());

async function streamWith(group: string, stream: string, messages: string[], start = Date.now() - 60_000) {
  await logs.send(new CreateLogGroupCommand({ logGroupName: group }));
  await logs.send(new CreateLogStreamCommand({ logGroupName: group, logStreamName: stream }));
  await logs.send(
    new PutLogEventsCommand({
      logGroupName: group,
      logStreamName: stream,
      logEvents: messages.map((message, i) => ({ message, timestamp: start + i })),
    }),
  );
}

describe('log groups', () => {
  it('are described with every member AWS returns', async () => {
    await logs.send(new CreateLogGroupCommand({ logGroupName: '/shape/app' }));
    const [group] =
      (await logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: '/shape/' }))).logGroups ?? [];
    expect(group).toEqual({
      logGroupName: '/shape/app',
      creationTime: expect.any(Number),
      metricFilterCount: 0,
      arn: `arn:aws:logs:us-east-1:${cloud.accountId}:log-group:/shape/app:*`,
      logGroupArn: `arn:aws:logs:us-east-1:${cloud.accountId}:log-group:/shape/app`,
      storedBytes: 0,
      logGroupClass: 'STANDARD',
      deletionProtectionEnabled: false,
    });
    await expect(logs.send(new CreateLogGroupCommand({ logGroupName: '/shape/app' }))).rejects.toBeInstanceOf(
      ResourceAlreadyExistsException,
    );
  });

  it.each([
    ['a space', 'has space'],
    ['a colon', 'a:b'],
    ['an asterisk', 'a*'],
    ['513 characters', 'x'.repeat(513)],
    ['the reserved AWS/ prefix', 'aws/mine'],
  ])('refuse a name with %s (InvalidParameterException)', async (_, name) => {
    await expect(logs.send(new CreateLogGroupCommand({ logGroupName: name }))).rejects.toBeInstanceOf(
      InvalidParameterException,
    );
  });

  it('accept every character the pattern allows', async () => {
    await logs.send(new CreateLogGroupCommand({ logGroupName: '/ok.name-with_all#chars/0' }));
    const described = await logs.send(
      new DescribeLogGroupsCommand({ logGroupNamePattern: 'with_all#chars' }),
    );
    // With a pattern, AWS answers only the name, creation time and ARN.
    expect(described.logGroups).toEqual([
      {
        logGroupName: '/ok.name-with_all#chars/0',
        creationTime: expect.any(Number),
        arn: expect.stringMatching(/:log-group:\/ok\.name-with_all#chars\/0:\*$/),
      },
    ]);
  });

  it('are paged by limit, in name order, and a foreign token is refused', async () => {
    const names = ['/paged/e', '/paged/a', '/paged/d', '/paged/b', '/paged/c'];
    for (const name of names) await logs.send(new CreateLogGroupCommand({ logGroupName: name }));
    const seen: string[] = [];
    let nextToken: string | undefined;
    let pages = 0;
    do {
      const page = await logs.send(
        new DescribeLogGroupsCommand({ logGroupNamePrefix: '/paged/', limit: 2, nextToken }),
      );
      expect(page.logGroups?.length).toBeLessThanOrEqual(2);
      seen.push(...(page.logGroups ?? []).map((g) => g.logGroupName ?? ''));
      nextToken = page.nextToken;
      pages++;
    } while (nextToken);
    expect(pages).toBe(3);
    expect(seen).toEqual([...names].sort());

    const first = await logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: '/paged/', limit: 2 }));
    await expect(
      logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: '/other/', nextToken: first.nextToken })),
    ).rejects.toBeInstanceOf(InvalidParameterException);
    await expect(
      logs.send(new DescribeLogGroupsCommand({ nextToken: 'not-a-token' })),
    ).rejects.toBeInstanceOf(InvalidParameterException);
    await expect(logs.send(new DescribeLogGroupsCommand({ limit: 51 }))).rejects.toBeInstanceOf(
      InvalidParameterException,
    );
  });

  it('honour retentionInDays: older events expire, and only CloudWatch values are accepted', async () => {
    cloud.logs.put(cloud.scope, '/retained', 'old-and-new', 'ten days old', Date.now() - 10 * DAY);
    cloud.logs.put(cloud.scope, '/retained', 'old-and-new', 'fresh');
    const read = async () =>
      (
        await logs.send(new GetLogEventsCommand({ logGroupName: '/retained', logStreamName: 'old-and-new' }))
      ).events?.map((e) => e.message);
    expect(await read()).toEqual(['ten days old', 'fresh']);
    await expect(
      logs.send(new PutRetentionPolicyCommand({ logGroupName: '/retained', retentionInDays: 2 })),
    ).rejects.toBeInstanceOf(InvalidParameterException);
    await logs.send(new PutRetentionPolicyCommand({ logGroupName: '/retained', retentionInDays: 7 }));
    expect(await read()).toEqual(['fresh']);
    const [group] =
      (await logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: '/retained' }))).logGroups ?? [];
    expect(group).toMatchObject({ retentionInDays: 7, storedBytes: Buffer.byteLength('fresh') });

    // Written into a group with retention, an event already past it is gone at once.
    cloud.logs.put(cloud.scope, '/retained', 'late', 'eight days old', Date.now() - 8 * DAY);
    expect(
      (await logs.send(new GetLogEventsCommand({ logGroupName: '/retained', logStreamName: 'late' }))).events,
    ).toEqual([]);
  });
});

describe('log streams', () => {
  it('are described with arn, creationTime, storedBytes and event times, ordered as asked', async () => {
    await logs.send(new CreateLogGroupCommand({ logGroupName: '/streams' }));
    for (const [name, at] of [
      ['b', 3000],
      ['a', 1000],
      ['c', 2000],
    ] as const) {
      await logs.send(new CreateLogStreamCommand({ logGroupName: '/streams', logStreamName: name }));
      await logs.send(
        new PutLogEventsCommand({
          logGroupName: '/streams',
          logStreamName: name,
          logEvents: [{ message: name, timestamp: Date.now() - 10_000 + at }],
        }),
      );
    }
    const byName = await logs.send(new DescribeLogStreamsCommand({ logGroupName: '/streams' }));
    expect(byName.logStreams?.map((s) => s.logStreamName)).toEqual(['a', 'b', 'c']);
    expect(byName.logStreams?.[0]).toEqual({
      logStreamName: 'a',
      creationTime: expect.any(Number),
      firstEventTimestamp: expect.any(Number),
      lastEventTimestamp: expect.any(Number),
      lastIngestionTime: expect.any(Number),
      uploadSequenceToken: expect.any(String),
      arn: `arn:aws:logs:us-east-1:${cloud.accountId}:log-group:/streams:log-stream:a`,
      storedBytes: 0,
    });
    const byTime = await logs.send(
      new DescribeLogStreamsCommand({ logGroupName: '/streams', orderBy: 'LastEventTime', descending: true }),
    );
    expect(byTime.logStreams?.map((s) => s.logStreamName)).toEqual(['b', 'c', 'a']);
    const descending = await logs.send(
      new DescribeLogStreamsCommand({ logGroupName: '/streams', descending: true }),
    );
    expect(descending.logStreams?.map((s) => s.logStreamName)).toEqual(['c', 'b', 'a']);

    const first = await logs.send(new DescribeLogStreamsCommand({ logGroupName: '/streams', limit: 2 }));
    expect(first.logStreams?.map((s) => s.logStreamName)).toEqual(['a', 'b']);
    const second = await logs.send(
      new DescribeLogStreamsCommand({ logGroupName: '/streams', limit: 2, nextToken: first.nextToken }),
    );
    expect(second.logStreams?.map((s) => s.logStreamName)).toEqual(['c']);
    expect(second.nextToken).toBeUndefined();

    await expect(
      logs.send(
        new DescribeLogStreamsCommand({
          logGroupName: '/streams',
          orderBy: 'LastEventTime',
          logStreamNamePrefix: 'a',
        }),
      ),
    ).rejects.toBeInstanceOf(InvalidParameterException);
    await expect(
      logs.send(new DescribeLogStreamsCommand({ logGroupName: '/streams', nextToken: 'garbage' })),
    ).rejects.toBeInstanceOf(InvalidParameterException);
    await expect(logs.send(new DescribeLogStreamsCommand({ logGroupName: '/nope' }))).rejects.toBeInstanceOf(
      ResourceNotFoundException,
    );
  });

  it.each([
    ['a colon', 'a:b'],
    ['an asterisk', 'a*b'],
    ['no characters', ''],
  ])('refuse a name with %s', async (_, name) => {
    await logs
      .send(new CreateLogGroupCommand({ logGroupName: `/stream-names-${name.length}` }))
      .catch(() => undefined);
    await expect(
      logs.send(
        new CreateLogStreamCommand({ logGroupName: `/stream-names-${name.length}`, logStreamName: name }),
      ),
    ).rejects.toBeInstanceOf(InvalidParameterException);
  });
});

describe('PutLogEvents', () => {
  it('answers ResourceNotFoundException for a missing stream, and creates none', async () => {
    await logs.send(new CreateLogGroupCommand({ logGroupName: '/put' }));
    await expect(
      logs.send(
        new PutLogEventsCommand({
          logGroupName: '/put',
          logStreamName: 'never-created',
          logEvents: [{ message: 'x', timestamp: Date.now() }],
        }),
      ),
    ).rejects.toBeInstanceOf(ResourceNotFoundException);
    expect((await logs.send(new DescribeLogStreamsCommand({ logGroupName: '/put' }))).logStreams).toEqual([]);
    await expect(
      logs.send(
        new PutLogEventsCommand({
          logGroupName: '/no-group',
          logStreamName: 's',
          logEvents: [{ message: 'x', timestamp: Date.now() }],
        }),
      ),
    ).rejects.toBeInstanceOf(ResourceNotFoundException);
  });

  it('refuses a batch out of order, and rejects events too old or too new while keeping the rest', async () => {
    await logs.send(new CreateLogStreamCommand({ logGroupName: '/put', logStreamName: 'batch' }));
    const now = Date.now();
    await expect(
      logs.send(
        new PutLogEventsCommand({
          logGroupName: '/put',
          logStreamName: 'batch',
          logEvents: [
            { message: 'second', timestamp: now },
            { message: 'first', timestamp: now - 1000 },
          ],
        }),
      ),
    ).rejects.toBeInstanceOf(InvalidParameterException);
    const put = await logs.send(
      new PutLogEventsCommand({
        logGroupName: '/put',
        logStreamName: 'batch',
        logEvents: [
          { message: 'fifteen days old', timestamp: now - 15 * DAY },
          { message: 'now', timestamp: now },
          { message: 'three hours ahead', timestamp: now + 3 * 60 * 60 * 1000 },
        ],
      }),
    );
    expect(put.rejectedLogEventsInfo).toEqual({ tooOldLogEventEndIndex: 0, tooNewLogEventStartIndex: 2 });
    const events = await logs.send(
      new GetLogEventsCommand({ logGroupName: '/put', logStreamName: 'batch', startFromHead: true }),
    );
    expect(events.events?.map((e) => e.message)).toEqual(['now']);
  });

  it(`keeps only the newest ${CAP} events of a stream (the cap this cloud was started with)`, async () => {
    await streamWith('/capped', 's', ['1', '2', '3', '4', '5', '6', '7', '8']);
    const events = await logs.send(
      new GetLogEventsCommand({ logGroupName: '/capped', logStreamName: 's', startFromHead: true }),
    );
    expect(events.events?.map((e) => e.message)).toEqual(['4', '5', '6', '7', '8']);
  });
});

describe('GetLogEvents', () => {
  const read = (input: Partial<ConstructorParameters<typeof GetLogEventsCommand>[0]>) =>
    logs.send(new GetLogEventsCommand({ logGroupName: '/get', logStreamName: 's', ...input }));

  beforeAll(() => streamWith('/get', 's', ['e1', 'e2', 'e3', 'e4', 'e5']));

  it('returns the newest events unless startFromHead, oldest first within a page', async () => {
    expect((await read({ limit: 2 })).events?.map((e) => e.message)).toEqual(['e4', 'e5']);
    expect((await read({ limit: 2, startFromHead: true })).events?.map((e) => e.message)).toEqual([
      'e1',
      'e2',
    ]);
    expect((await read({})).events?.map((e) => e.message)).toEqual(['e1', 'e2', 'e3', 'e4', 'e5']);
  });

  it('reads forward with nextForwardToken until the token comes back unchanged', async () => {
    const seen: string[] = [];
    let page = await read({ limit: 2, startFromHead: true });
    for (let i = 0; i < 10; i++) {
      seen.push(...(page.events ?? []).map((e) => e.message ?? ''));
      const next = await read({ limit: 2, startFromHead: true, nextToken: page.nextForwardToken });
      if (next.nextForwardToken === page.nextForwardToken && next.events?.length === 0) break;
      page = next;
    }
    expect(seen).toEqual(['e1', 'e2', 'e3', 'e4', 'e5']);
  });

  it('reads backward with nextBackwardToken from the newest', async () => {
    const newest = await read({ limit: 2 });
    const earlier = await read({ limit: 2, nextToken: newest.nextBackwardToken });
    expect(earlier.events?.map((e) => e.message)).toEqual(['e2', 'e3']);
    const earliest = await read({ limit: 2, nextToken: earlier.nextBackwardToken });
    expect(earliest.events?.map((e) => e.message)).toEqual(['e1']);
    const beyond = await read({ limit: 2, nextToken: earliest.nextBackwardToken });
    expect(beyond.events).toEqual([]);
    expect(beyond.nextBackwardToken).toBe(earliest.nextBackwardToken);
  });

  it('honours startTime (inclusive) and endTime (exclusive)', async () => {
    const all = (await read({ startFromHead: true })).events ?? [];
    const from = all[1]?.timestamp ?? 0;
    const to = all[3]?.timestamp ?? 0;
    expect(
      (await read({ startTime: from, endTime: to, startFromHead: true })).events?.map((e) => e.message),
    ).toEqual(['e2', 'e3']);
  });

  it.each([
    ['a malformed token', { nextToken: 'f/123/s' }],
    ['a limit of 0', { limit: 0 }],
    ['a limit over 10,000', { limit: 10_001 }],
  ])('refuses %s', async (_, input) => {
    await expect(read(input)).rejects.toBeInstanceOf(InvalidParameterException);
  });

  it('answers ResourceNotFoundException for a missing stream', async () => {
    await expect(read({ logStreamName: 'ghost' })).rejects.toBeInstanceOf(ResourceNotFoundException);
  });
});

describe('FilterLogEvents', () => {
  const start = Date.now() - 60_000;
  beforeAll(async () => {
    await streamWith(
      '/filter',
      'one',
      ['ERROR disk full', 'INFO started', 'ERROR timeout', 'WARN slow'],
      start,
    );
    await logs.send(new CreateLogStreamCommand({ logGroupName: '/filter', logStreamName: 'two' }));
    await logs.send(
      new PutLogEventsCommand({
        logGroupName: '/filter',
        logStreamName: 'two',
        logEvents: [{ message: 'ERROR from two', timestamp: start + 1 }],
      }),
    );
  });
  const filter = (input: Partial<ConstructorParameters<typeof FilterLogEventsCommand>[0]>) =>
    logs.send(new FilterLogEventsCommand({ logGroupName: '/filter', ...input }));

  it('matches term patterns across streams, in time order', async () => {
    expect(
      (await filter({ filterPattern: 'ERROR' })).events?.map((e) => [e.logStreamName, e.message]),
    ).toEqual([
      ['one', 'ERROR disk full'],
      ['two', 'ERROR from two'],
      ['one', 'ERROR timeout'],
    ]);
    expect((await filter({ filterPattern: 'ERROR -timeout' })).events?.map((e) => e.message)).toEqual([
      'ERROR disk full',
      'ERROR from two',
    ]);
    expect((await filter({ filterPattern: '?WARN ?INFO' })).events?.map((e) => e.message)).toEqual([
      'INFO started',
      'WARN slow',
    ]);
    expect((await filter({ filterPattern: '"disk full"' })).events?.map((e) => e.message)).toEqual([
      'ERROR disk full',
    ]);
    expect((await filter({ logStreamNames: ['two'] })).events?.map((e) => e.message)).toEqual([
      'ERROR from two',
    ]);
  });

  it('pages by limit with nextToken, the pages joining up to the whole result', async () => {
    const seen: string[] = [];
    let nextToken: string | undefined;
    let pages = 0;
    do {
      const page = await filter({ limit: 2, nextToken });
      seen.push(...(page.events ?? []).map((e) => e.message ?? ''));
      nextToken = page.nextToken;
      pages++;
    } while (nextToken && pages < 10);
    expect(pages).toBe(3);
    expect(seen).toEqual(((await filter({})).events ?? []).map((e) => e.message));
    expect(seen).toHaveLength(5);
    const first = await filter({ limit: 2 });
    await expect(
      filter({ limit: 2, filterPattern: 'ERROR', nextToken: first.nextToken }),
    ).rejects.toBeInstanceOf(InvalidParameterException);
  });

  it.each([
    ['both logStreamNames and logStreamNamePrefix', { logStreamNames: ['one'], logStreamNamePrefix: 'o' }],
    ['a token it never issued', { nextToken: 'garbage' }],
    ['a JSON pattern it does not emulate', { filterPattern: '{ $.level = "error" }' }],
  ])('refuses %s with InvalidParameterException', async (_, input) => {
    await expect(filter(input)).rejects.toBeInstanceOf(InvalidParameterException);
  });
});

describe('output written by the local services', () => {
  it('creates the group and stream as the awslogs driver does, and never throws for names AWS refuses', () => {
    const write = cloud.logs.writer(cloud.scope, '/tasks/web', 'ecs/web/1');
    write('first line\nsecond ');
    write('line\n');
    const stream = cloud.logs.stores.of(cloud.scope).groups.get('/tasks/web')?.streams.get('ecs/web/1');
    expect(stream?.events.map((e) => e.message)).toEqual(['first line', 'second line']);
    const invalid = cloud.logs.writer(cloud.scope, 'not a valid group', 's');
    expect(() => invalid('dropped\n')).not.toThrow();
    expect(cloud.logs.stores.of(cloud.scope).groups.has('not a valid group')).toBe(false);
  });
});

describe('groups provisioned from a template', () => {
  it('take the template retention even when a service created the group first', () => {
    cloud.logs.createGroup(cloud.scope, '/aws/lambda/early');
    cloud.logs.createGroup(cloud.scope, '/aws/lambda/early', 14);
    expect(cloud.logs.stores.of(cloud.scope).groups.get('/aws/lambda/early')?.retentionInDays).toBe(14);
    expect(() => cloud.logs.createGroup(cloud.scope, '/aws/lambda/early', 2)).toThrow(/retentionInDays/);
  });
});
