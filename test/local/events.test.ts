import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CloudWatchLogsClient,
  CreateLogGroupCommand,
  FilterLogEventsCommand,
} from '@aws-sdk/client-cloudwatch-logs';
import {
  DeleteRuleCommand,
  DescribeRuleCommand,
  DisableRuleCommand,
  EventBridgeClient,
  InvalidEventPatternException,
  LimitExceededException,
  ListRulesCommand,
  ListTargetsByRuleCommand,
  PutEventsCommand,
  PutRuleCommand,
  PutTargetsCommand,
  RemoveTargetsCommand,
  ResourceNotFoundException,
} from '@aws-sdk/client-eventbridge';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { LOCAL_CREDENTIALS, LocalCloud } from '../../local/cloud.js';
import { eventually } from '../helpers/eventually.js';
import { createFunction } from './local-functions.js';

let cloud: LocalCloud;
let events: EventBridgeClient;
let config: { endpoint: string; region: string; credentials: typeof LOCAL_CREDENTIALS };
const echoArn = () => `arn:aws:lambda:us-east-1:${cloud.accountId}:function:echo`;

beforeAll(async () => {
  cloud = await LocalCloud.start({
    endpointPort: 0,
    loadBalancerPort: 0,
    stateDir: mkdtempSync(join(tmpdir(), 'stepship-events-')),
  });
  config = { endpoint: cloud.endpointUrl, region: cloud.region, credentials: LOCAL_CREDENTIALS };
  events = new EventBridgeClient(config);
  createFunction(cloud, 'echo', 'echo');
}, 30_000);
afterAll(() => cloud.stop());

const validationError = expect.objectContaining({ name: 'ValidationException' });

describe('rules', () => {
  it('are described with their Arn, EventBusName and what they were given', async () => {
    const pattern = '{"source":["my.app"]}';
    const { RuleArn } = await events.send(
      new PutRuleCommand({ Name: 'described.rule_1', EventPattern: pattern, Description: 'for the test' }),
    );
    expect(RuleArn).toBe(`arn:aws:events:us-east-1:${cloud.accountId}:rule/described.rule_1`);
    const described = await events.send(new DescribeRuleCommand({ Name: 'described.rule_1' }));
    expect(described).toMatchObject({
      Name: 'described.rule_1',
      Arn: RuleArn,
      EventPattern: pattern,
      State: 'ENABLED',
      Description: 'for the test',
      EventBusName: 'default',
      CreatedBy: cloud.accountId,
    });
    const [listed] = (await events.send(new ListRulesCommand({ NamePrefix: 'described.' }))).Rules ?? [];
    expect(listed).toEqual({
      Name: 'described.rule_1',
      Arn: RuleArn,
      EventPattern: pattern,
      State: 'ENABLED',
      Description: 'for the test',
      EventBusName: 'default',
    });
  });

  it('may have only a ScheduleExpression (stored and described)', async () => {
    await events.send(new PutRuleCommand({ Name: 'nightly', ScheduleExpression: 'cron(0 3 * * ? *)' }));
    await events.send(new PutRuleCommand({ Name: 'every-5', ScheduleExpression: 'rate(5 minutes)' }));
    expect(await events.send(new DescribeRuleCommand({ Name: 'nightly' }))).toMatchObject({
      ScheduleExpression: 'cron(0 3 * * ? *)',
      EventBusName: 'default',
    });
    expect((await events.send(new DescribeRuleCommand({ Name: 'every-5' }))).EventPattern).toBeUndefined();
  });

  it.each([
    ['a space in the name', { Name: 'has space', EventPattern: '{"source":["x"]}' }],
    ['a slash in the name', { Name: 'a/b', EventPattern: '{"source":["x"]}' }],
    ['a name over 64 characters', { Name: 'x'.repeat(65), EventPattern: '{"source":["x"]}' }],
    ['neither a pattern nor a schedule', { Name: 'empty' }],
    ['a zero rate', { Name: 'r', ScheduleExpression: 'rate(0 minutes)' }],
    ['a plural unit for 1', { Name: 'r', ScheduleExpression: 'rate(1 minutes)' }],
    ['a schedule that is neither rate nor cron', { Name: 'r', ScheduleExpression: 'every day' }],
    ['an unknown state', { Name: 'r', EventPattern: '{"source":["x"]}', State: 'PAUSED' as 'ENABLED' }],
  ])('refuse %s with ValidationException', async (_, input) => {
    await expect(events.send(new PutRuleCommand(input))).rejects.toEqual(validationError);
  });

  it.each([
    ['not JSON', '{source'],
    ['not an object', '["aws.ecr"]'],
    ['a leaf that is not a list', '{"source":"aws.ecr"}'],
    ['an unknown match type', '{"source":[{"startsWith":"aws"}]}'],
    ['an empty list', '{"source":[]}'],
    ['a numeric match without a number', '{"detail":{"n":[{"numeric":[">","1"]}]}}'],
  ])('refuse a pattern that is %s with InvalidEventPatternException', async (_, pattern) => {
    await expect(
      events.send(new PutRuleCommand({ Name: 'bad-pattern', EventPattern: pattern })),
    ).rejects.toBeInstanceOf(InvalidEventPatternException);
  });

  it('are named on the default bus only (another bus does not exist here)', async () => {
    await expect(
      events.send(
        new PutRuleCommand({ Name: 'r', EventPattern: '{"source":["x"]}', EventBusName: 'custom' }),
      ),
    ).rejects.toBeInstanceOf(ResourceNotFoundException);
    await expect(events.send(new DescribeRuleCommand({ Name: 'never-made' }))).rejects.toBeInstanceOf(
      ResourceNotFoundException,
    );
  });

  it('are listed a page (Limit) at a time, and a foreign NextToken is refused', async () => {
    for (const n of [3, 1, 5, 2, 4])
      await events.send(new PutRuleCommand({ Name: `paged-${n}`, EventPattern: '{"source":["p"]}' }));
    const seen: string[] = [];
    let NextToken: string | undefined;
    let pages = 0;
    do {
      const page = await events.send(new ListRulesCommand({ NamePrefix: 'paged-', Limit: 2, NextToken }));
      seen.push(...(page.Rules ?? []).map((r) => r.Name ?? ''));
      NextToken = page.NextToken;
      pages++;
    } while (NextToken && pages < 10);
    expect(pages).toBe(3);
    expect(seen).toEqual(['paged-1', 'paged-2', 'paged-3', 'paged-4', 'paged-5']);
    const first = await events.send(new ListRulesCommand({ NamePrefix: 'paged-', Limit: 2 }));
    await expect(
      events.send(new ListRulesCommand({ NamePrefix: 'described', NextToken: first.NextToken })),
    ).rejects.toEqual(validationError);
    await expect(events.send(new ListRulesCommand({ Limit: 101 }))).rejects.toEqual(validationError);
  });

  it("can't be deleted while they have targets; deleting a missing rule succeeds", async () => {
    await events.send(new PutRuleCommand({ Name: 'doomed', EventPattern: '{"source":["d"]}' }));
    await events.send(new PutTargetsCommand({ Rule: 'doomed', Targets: [{ Id: 't', Arn: echoArn() }] }));
    await expect(events.send(new DeleteRuleCommand({ Name: 'doomed' }))).rejects.toEqual(validationError);
    await events.send(new RemoveTargetsCommand({ Rule: 'doomed', Ids: ['t'] }));
    await events.send(new DeleteRuleCommand({ Name: 'doomed' }));
    await events.send(new DeleteRuleCommand({ Name: 'doomed' }));
    await expect(events.send(new DescribeRuleCommand({ Name: 'doomed' }))).rejects.toBeInstanceOf(
      ResourceNotFoundException,
    );
  });
});

describe('targets', () => {
  it('are listed a page at a time, at most five per rule', async () => {
    await events.send(new PutRuleCommand({ Name: 'many-targets', EventPattern: '{"source":["m"]}' }));
    await events.send(
      new PutTargetsCommand({
        Rule: 'many-targets',
        Targets: ['a', 'b', 'c'].map((Id) => ({ Id, Arn: echoArn() })),
      }),
    );
    const first = await events.send(new ListTargetsByRuleCommand({ Rule: 'many-targets', Limit: 2 }));
    const second = await events.send(
      new ListTargetsByRuleCommand({ Rule: 'many-targets', Limit: 2, NextToken: first.NextToken }),
    );
    expect([...(first.Targets ?? []), ...(second.Targets ?? [])].map((t) => t.Id)).toEqual(['a', 'b', 'c']);
    expect(second.NextToken).toBeUndefined();
    await expect(
      events.send(
        new PutTargetsCommand({
          Rule: 'many-targets',
          Targets: ['d', 'e', 'f'].map((Id) => ({ Id, Arn: echoArn() })),
        }),
      ),
    ).rejects.toBeInstanceOf(LimitExceededException);
    await expect(
      events.send(new PutTargetsCommand({ Rule: 'ghost-rule', Targets: [{ Id: 'a', Arn: echoArn() }] })),
    ).rejects.toBeInstanceOf(ResourceNotFoundException);
    await expect(
      events.send(
        new PutTargetsCommand({ Rule: 'many-targets', Targets: [{ Id: 'bad id!', Arn: echoArn() }] }),
      ),
    ).rejects.toEqual(validationError);
  });
});

describe('PutEvents and delivery', () => {
  beforeAll(async () => {
    await events.send(
      new PutRuleCommand({
        Name: 'orders',
        EventPattern: JSON.stringify({
          source: ['my.shop'],
          detail: { tag: [{ 'anything-but': { prefix: 'stepship-' } }] },
        }),
      }),
    );
    await events.send(new PutTargetsCommand({ Rule: 'orders', Targets: [{ Id: 'echo', Arn: echoArn() }] }));
  });

  it('delivers matching events to the rule target, and not others', async () => {
    const before = cloud.events.delivered.length;
    const put = await events.send(
      new PutEventsCommand({
        Entries: [
          { Source: 'my.shop', DetailType: 'Order', Detail: JSON.stringify({ tag: 'v9' }) },
          { Source: 'my.shop', DetailType: 'Order', Detail: JSON.stringify({ tag: 'stepship-build' }) },
          { Source: 'other.app', DetailType: 'Order', Detail: JSON.stringify({ tag: 'v9' }) },
        ],
      }),
    );
    expect(put.FailedEntryCount).toBe(0);
    expect(put.Entries?.every((e) => e.EventId)).toBe(true);
    expect(cloud.events.delivered.slice(before).map((d) => d.event.detail)).toEqual([{ tag: 'v9' }]);
    const found = await eventually('the event in the function log', async () => {
      const out = await new CloudWatchLogsClient(config).send(
        new FilterLogEventsCommand({ logGroupName: '/aws/lambda/echo', filterPattern: '"tag":"v9"' }),
      );
      return out.events?.length ? out.events : undefined;
    });
    expect(found[0]?.message).toContain('"detail":{"tag":"v9"}');
    await eventually('the delivery to be recorded as done', async () =>
      cloud.events.delivered.at(-1)?.status === 'delivered' ? true : undefined,
    );
  });

  it('fails entries as AWS does: aws.* sources, malformed detail, missing members', async () => {
    const put = await events.send(
      new PutEventsCommand({
        Entries: [
          { Source: 'aws.ecr', DetailType: 'ECR Image Action', Detail: '{}' },
          { Source: 'my.shop', DetailType: 'Order', Detail: '[1, 2]' },
          { Source: 'my.shop', Detail: '{}' },
          { Source: 'my.shop', DetailType: 'Order', Detail: '{}' },
        ],
      }),
    );
    expect(put.FailedEntryCount).toBe(3);
    expect(put.Entries?.map((e) => e.ErrorCode)).toEqual([
      'NotAuthorizedForSourceException',
      'MalformedDetail',
      'InvalidArgument',
      undefined,
    ]);
    expect(put.Entries?.[3]?.EventId).toEqual(expect.any(String));
    await expect(events.send(new PutEventsCommand({ Entries: [{ Source: 'my.shop' }] }))).rejects.toEqual(
      validationError,
    );
  });

  it('delivers what the local services publish (an ECR push), shaped as AWS shapes it', async () => {
    await events.send(
      new PutRuleCommand({ Name: 'pushes', EventPattern: JSON.stringify({ source: ['aws.ecr'] }) }),
    );
    await events.send(
      new PutTargetsCommand({
        Rule: 'pushes',
        Targets: [{ Id: 'tag-only', Arn: echoArn(), InputPath: '$.detail' }],
      }),
    );
    const before = cloud.events.delivered.length;
    cloud.events.publish(cloud.scope, {
      source: 'aws.ecr',
      'detail-type': 'ECR Image Action',
      detail: { 'repository-name': 'web', 'image-tag': 'v2' },
    });
    const [delivery] = cloud.events.delivered.slice(before);
    expect(delivery?.event).toEqual({
      version: '0',
      id: expect.any(String),
      'detail-type': 'ECR Image Action',
      source: 'aws.ecr',
      account: cloud.accountId,
      time: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/),
      region: 'us-east-1',
      resources: [],
      detail: { 'repository-name': 'web', 'image-tag': 'v2' },
    });
    await eventually('the InputPath payload in the function log', async () => {
      const out = await new CloudWatchLogsClient(config).send(
        new FilterLogEventsCommand({ logGroupName: '/aws/lambda/echo', filterPattern: '"image-tag":"v2"' }),
      );
      // With InputPath $.detail the function gets the detail alone.
      return out.events?.some((e) => e.message?.includes('event {"repository-name":"web"'))
        ? true
        : undefined;
    });
  });

  it('records a delivery that fails with its reason, and keeps serving', async () => {
    await events.send(
      new PutRuleCommand({ Name: 'broken-targets', EventPattern: '{"source":["my.broken"]}' }),
    );
    await events.send(
      new PutTargetsCommand({
        Rule: 'broken-targets',
        Targets: [
          { Id: 'gone', Arn: `arn:aws:lambda:us-east-1:${cloud.accountId}:function:no-such-function` },
          { Id: 'queue', Arn: `arn:aws:sqs:us-east-1:${cloud.accountId}:a-queue` },
        ],
      }),
    );
    const before = cloud.events.delivered.length;
    await events.send(
      new PutEventsCommand({ Entries: [{ Source: 'my.broken', DetailType: 'x', Detail: '{}' }] }),
    );
    const failures = await eventually('both deliveries to fail', async () => {
      const recent = cloud.events.delivered.slice(before);
      return recent.length === 2 && recent.every((d) => d.status === 'failed') ? recent : undefined;
    });
    expect(failures.map((d) => d.error)).toEqual([
      expect.stringMatching(/^ResourceNotFoundException: Function not found/),
      expect.stringMatching(/delivers to Lambda functions, state machines and log groups only/),
    ]);
    expect((await events.send(new ListRulesCommand({ NamePrefix: 'broken' }))).Rules).toHaveLength(1);
  });

  it('writes an event to a log group target as one JSON log event; a group that does not exist fails the delivery', async () => {
    const logs = new CloudWatchLogsClient(config);
    await logs.send(new CreateLogGroupCommand({ logGroupName: '/aws/events/my-audit' }));
    await events.send(new PutRuleCommand({ Name: 'audit', EventPattern: '{"source":["my.audit"]}' }));
    await events.send(
      new PutTargetsCommand({
        Rule: 'audit',
        Targets: [
          { Id: 'log', Arn: `arn:aws:logs:us-east-1:${cloud.accountId}:log-group:/aws/events/my-audit:*` },
          { Id: 'missing', Arn: `arn:aws:logs:us-east-1:${cloud.accountId}:log-group:/aws/events/missing` },
        ],
      }),
    );
    const before = cloud.events.delivered.length;
    const put = await events.send(
      new PutEventsCommand({ Entries: [{ Source: 'my.audit', DetailType: 'Audited', Detail: '{"n":1}' }] }),
    );
    const written = await eventually('the event in the log group', async () => {
      const out = await logs.send(new FilterLogEventsCommand({ logGroupName: '/aws/events/my-audit' }));
      return out.events?.length ? out.events : undefined;
    });
    expect(JSON.parse(written[0]?.message ?? '{}')).toMatchObject({
      id: put.Entries?.[0]?.EventId,
      source: 'my.audit',
      'detail-type': 'Audited',
      detail: { n: 1 },
    });
    expect(written[0]?.logStreamName).toBe(put.Entries?.[0]?.EventId);
    const missing = await eventually('the delivery to the missing group to fail', async () =>
      cloud.events.delivered
        .slice(before)
        .find((d) => d.target.endsWith('/aws/events/missing') && d.status === 'failed'),
    );
    expect(missing.error).toMatch(/log group \/aws\/events\/missing does not exist/);
  });

  it('does not deliver for a disabled rule', async () => {
    await events.send(new PutRuleCommand({ Name: 'quiet', EventPattern: '{"source":["my.quiet"]}' }));
    await events.send(new PutTargetsCommand({ Rule: 'quiet', Targets: [{ Id: 'echo', Arn: echoArn() }] }));
    await events.send(new DisableRuleCommand({ Name: 'quiet' }));
    const before = cloud.events.delivered.length;
    await events.send(
      new PutEventsCommand({ Entries: [{ Source: 'my.quiet', DetailType: 'x', Detail: '{}' }] }),
    );
    expect(cloud.events.delivered.length).toBe(before);
  });
});
