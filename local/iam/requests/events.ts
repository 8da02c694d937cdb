import {
  DeleteRuleCommand,
  DescribeRuleCommand,
  DisableRuleCommand,
  EnableRuleCommand,
  ListTargetsByRuleCommand,
  PutEventsCommand,
  PutRuleCommand,
  PutTargetsCommand,
  RemoveTargetsCommand,
} from '@aws-sdk/client-eventbridge';
import { arns, lastSegment, parseArn } from '../../core/arns.js';
import type { Scope } from '../../core/scope.js';
import { check, named, type Rule, rule, ServiceRules, text } from './rules.js';

const busName = (bus: unknown) => lastSegment(text(bus) ?? 'default');
const bus = (scope: Scope, name: unknown) => {
  const ref = text(name) ?? 'default';
  return parseArn(ref) ? ref : arns.eventsBus(scope, ref);
};

const onRule =
  (member: 'Name' | 'Rule') =>
  (command: Parameters<typeof rule>[0]): Rule =>
    rule(command, (input, scope, action) => {
      const request = input as Record<string, unknown>;
      return named(request[member], (name) =>
        check(action, arns.eventsRule(scope, name, busName(request.EventBusName))),
      );
    });

/** EventBridge: rules on the rule's ARN (on its bus), PutEvents on each entry's bus with its source and detail-type. */
export const eventsRules = new ServiceRules('events', [
  ...[PutRuleCommand, DescribeRuleCommand, DeleteRuleCommand, EnableRuleCommand, DisableRuleCommand].map(
    onRule('Name'),
  ),
  ...[PutTargetsCommand, RemoveTargetsCommand, ListTargetsByRuleCommand].map(onRule('Rule')),
  rule(PutEventsCommand, (input, scope, action) =>
    (input.Entries ?? []).map((entry) =>
      check(action, bus(scope, entry.EventBusName), {
        'events:source': text(entry.Source),
        'events:detail-type': text(entry.DetailType),
      }),
    ),
  ),
]);
