import {
  DeleteRuleCommand,
  DescribeRuleCommand,
  DisableRuleCommand,
  EnableRuleCommand,
  EventBridgeClient,
  ListRulesCommand,
  ListTargetsByRuleCommand,
  PutEventsCommand,
  PutRuleCommand,
  PutTargetsCommand,
  RemoveTargetsCommand,
} from '@aws-sdk/client-eventbridge';
import { expect } from '@jest/globals';
import { caseBuilders } from '../case-builders.js';
import { type ClientClass, type ServiceCatalogue, tableOperations } from '../suite.js';

const PATTERN = JSON.stringify({ source: ['conf.test'], 'detail-type': ['Conformance'] });
const RULE = 'conf-r1';
// Functions that don't exist: delivery to them fails quietly, which is all these cases need.
const target = (n: number) => ({
  Id: `t${n}`,
  Arn: `arn:aws:lambda:us-east-1:000000000000:function:conf-${n}`,
});

const { custom, fails, ok, paginates } = caseBuilders<Record<string, never>>();

export const events: ServiceCatalogue<Record<string, never>> = {
  model: 'events',
  client: EventBridgeClient as unknown as ClientClass,
  emulated: (cloud) => tableOperations(cloud.events.api),

  async setup({ prepare }) {
    for (const name of [RULE, 'conf-r2', 'conf-r3'])
      await prepare(PutRuleCommand, { Name: name, EventPattern: PATTERN });
    await prepare(PutTargetsCommand, { Rule: RULE, Targets: [target(1), target(2), target(3)] });
    return {};
  },

  cases: [
    ok(PutRuleCommand, 'puts a rule', { Name: 'conf-new', EventPattern: PATTERN, State: 'ENABLED' }, (out) =>
      expect(out.RuleArn).toMatch(/:rule\/conf-new$/),
    ),
    fails(
      PutRuleCommand,
      'a pattern that is not JSON',
      { Name: 'conf-bad', EventPattern: '{not json' },
      'InvalidEventPatternException',
    ),
    fails(PutRuleCommand, 'no name', { EventPattern: PATTERN } as never, 'ValidationException'),
    ok(PutTargetsCommand, 'puts a target', { Rule: 'conf-r2', Targets: [target(9)] }, (out) =>
      expect(out.FailedEntryCount).toBe(0),
    ),
    fails(
      PutTargetsCommand,
      'an unknown rule',
      { Rule: 'conf-absent', Targets: [target(9)] },
      'ResourceNotFoundException',
    ),
    ok(ListRulesCommand, 'lists rules by prefix', { NamePrefix: 'conf-r' }, (out) =>
      expect(out.Rules?.map((r) => r.Name)).toEqual([RULE, 'conf-r2', 'conf-r3']),
    ),
    ...paginates(ListRulesCommand, { NamePrefix: 'conf-r' }),
    ok(ListTargetsByRuleCommand, 'lists a rule’s targets', { Rule: RULE }, (out) =>
      expect(out.Targets?.map((t) => t.Id)).toEqual(['t1', 't2', 't3']),
    ),
    fails(ListTargetsByRuleCommand, 'an unknown rule', { Rule: 'conf-absent' }, 'ResourceNotFoundException'),
    ...paginates(ListTargetsByRuleCommand, { Rule: RULE }),
    ok(
      PutEventsCommand,
      'puts events, a malformed one as a failed entry',
      {
        Entries: [
          { Source: 'conf.test', DetailType: 'Conformance', Detail: '{"n":1}' },
          { Source: 'conf.test', DetailType: 'Conformance', Detail: '{broken' },
        ],
      },
      (out) => {
        expect(out.FailedEntryCount).toBe(1);
        expect(out.Entries?.[0]?.EventId).toBeTruthy();
        expect(out.Entries?.[1]?.ErrorCode).toBeTruthy();
      },
    ),
    fails(PutEventsCommand, 'no entries', { Entries: [] }, 'ValidationException'),
    ok(DescribeRuleCommand, 'describes a rule', { Name: RULE }, (out) =>
      expect(out).toMatchObject({
        Name: RULE,
        EventPattern: PATTERN,
        State: 'ENABLED',
        EventBusName: 'default',
      }),
    ),
    fails(DescribeRuleCommand, 'an unknown rule', { Name: 'conf-absent' }, 'ResourceNotFoundException'),
    fails(
      DescribeRuleCommand,
      'a name outside the model’s pattern',
      { Name: 'conf bad' },
      'ValidationException',
    ),
    fails(
      DescribeRuleCommand,
      'an unknown event bus',
      { Name: RULE, EventBusName: 'conf-absent-bus' },
      'ResourceNotFoundException',
    ),
    custom('DisableRule', 'disables a rule', async (w) => {
      await w.prepare(PutRuleCommand, { Name: 'conf-toggle', EventPattern: PATTERN });
      await w.send(DisableRuleCommand, { Name: 'conf-toggle' });
      expect((await w.prepare(DescribeRuleCommand, { Name: 'conf-toggle' })).State).toBe('DISABLED');
    }),
    fails(DisableRuleCommand, 'an unknown rule', { Name: 'conf-absent' }, 'ResourceNotFoundException'),
    custom('EnableRule', 'enables a disabled rule', async (w) => {
      await w.prepare(PutRuleCommand, { Name: 'conf-toggle', EventPattern: PATTERN, State: 'DISABLED' });
      await w.send(EnableRuleCommand, { Name: 'conf-toggle' });
      expect((await w.prepare(DescribeRuleCommand, { Name: 'conf-toggle' })).State).toBe('ENABLED');
    }),
    fails(EnableRuleCommand, 'an unknown rule', { Name: 'conf-absent' }, 'ResourceNotFoundException'),
    custom('RemoveTargets', 'removes a rule’s targets by id', async (w) => {
      await w.prepare(PutRuleCommand, { Name: 'conf-untarget', EventPattern: PATTERN });
      await w.prepare(PutTargetsCommand, { Rule: 'conf-untarget', Targets: [target(1), target(2)] });
      const out = await w.send(RemoveTargetsCommand, { Rule: 'conf-untarget', Ids: ['t1'] });
      expect(out.FailedEntryCount).toBe(0);
      const left = await w.prepare(ListTargetsByRuleCommand, { Rule: 'conf-untarget' });
      expect(left.Targets?.map((t) => t.Id)).toEqual(['t2']);
    }),
    fails(
      RemoveTargetsCommand,
      'an unknown rule',
      { Rule: 'conf-absent', Ids: ['t1'] },
      'ResourceNotFoundException',
    ),
    fails(RemoveTargetsCommand, 'no ids', { Rule: RULE, Ids: [] }, 'ValidationException'),
    custom('DeleteRule', 'deletes a rule without targets', async (w) => {
      await w.prepare(PutRuleCommand, { Name: 'conf-doomed', EventPattern: PATTERN });
      await w.send(DeleteRuleCommand, { Name: 'conf-doomed' });
      const gone = await w.sendExpectingError(DescribeRuleCommand, { Name: 'conf-doomed' });
      expect(gone.code).toBe('ResourceNotFoundException');
    }),
    // AWS documents that deleting a rule that is not there succeeds.
    ok(DeleteRuleCommand, 'a rule that is not there', { Name: 'conf-never-was' }),
    fails(DeleteRuleCommand, 'a rule that still has targets', { Name: RULE }, 'ValidationException'),
  ],
};
