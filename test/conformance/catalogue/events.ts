import {
  EventBridgeClient,
  ListRulesCommand,
  ListTargetsByRuleCommand,
  PutEventsCommand,
  PutRuleCommand,
  PutTargetsCommand,
} from '@aws-sdk/client-eventbridge';
import { expect } from '@jest/globals';
import { caseBuilders } from '../case-builders.js';
import { type ClientClass, type ServiceCatalogue, tableOperations } from '../suite.js';

const PATTERN = JSON.stringify({ source: ['conf.test'], 'detail-type': ['Conformance'] });
const RULE = 'conf-r1';
// A known violation (listed in the conformance report), fixed by EventBridge's move onto the typed core.
const EB_PAGES =
  'EventBridge-1: Limit is ignored, no NextToken is answered, and a forged NextToken is ignored';
// Functions that don't exist: delivery to them fails quietly, which is all these cases need.
const target = (n: number) => ({
  Id: `t${n}`,
  Arn: `arn:aws:lambda:us-east-1:000000000000:function:conf-${n}`,
});

const { fails, known, ok, paginates } = caseBuilders<Record<string, never>>();

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
    ...known(EB_PAGES, ...paginates(ListRulesCommand, { NamePrefix: 'conf-r' })),
    ok(ListTargetsByRuleCommand, 'lists a rule’s targets', { Rule: RULE }, (out) =>
      expect(out.Targets?.map((t) => t.Id)).toEqual(['t1', 't2', 't3']),
    ),
    fails(ListTargetsByRuleCommand, 'an unknown rule', { Rule: 'conf-absent' }, 'ResourceNotFoundException'),
    ...known(EB_PAGES, ...paginates(ListTargetsByRuleCommand, { Rule: RULE })),
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
    ...known(
      'EventBridge-2: an empty Entries list is answered (the model requires at least one)',
      fails(PutEventsCommand, 'no entries', { Entries: [] }, 'ValidationException'),
    ),
  ],
};
