import {
  CreateLogGroupCommand,
  CreateLogStreamCommand,
  DeleteLogGroupCommand,
  DescribeLogGroupsCommand,
  DescribeLogStreamsCommand,
  FilterLogEventsCommand,
  GetLogEventsCommand,
  PutLogEventsCommand,
  PutRetentionPolicyCommand,
} from '@aws-sdk/client-cloudwatch-logs';
import { arns } from '../../core/arns.js';
import type { Scope } from '../../core/scope.js';
import { check, named, type Rule, rule, ServiceRules, text } from './rules.js';

/** A group given by name, or by its ARN (`…:log-group:<name>` or `…:log-group:<name>:*`). */
const groupName = (identifier: string) => /:log-group:([^:]+)/.exec(identifier)?.[1] ?? identifier;

/**
 * What CloudWatch Logs authorizes a group-level action on: the group's
 * stream ARN with an empty stream name (`…:log-group:<g>:log-stream:`), as
 * its AccessDenied messages show; hence a grant on `…:log-group:<g>:*`
 * covers it.
 */
const groupResource = (scope: Scope, group: string) => arns.logStream(scope, group, '');

const onGroup = (command: Parameters<typeof rule>[0]): Rule =>
  rule(command, (input, scope, action) => {
    const request = input as { logGroupName?: unknown; logGroupIdentifier?: unknown };
    return named(request.logGroupName ?? request.logGroupIdentifier, (group) =>
      check(action, groupResource(scope, groupName(group))),
    );
  });

const onStream = (command: Parameters<typeof rule>[0]): Rule =>
  rule(command, (input, scope, action) => {
    const request = input as {
      logGroupName?: unknown;
      logGroupIdentifier?: unknown;
      logStreamName?: unknown;
    };
    const group = text(request.logGroupName) ?? text(request.logGroupIdentifier);
    const stream = text(request.logStreamName);
    return group && stream ? [check(action, arns.logStream(scope, groupName(group), stream))] : [];
  });

/** CloudWatch Logs: streams on the stream's ARN, groups as above, DescribeLogGroups on the account's groups. */
export const logsRules = new ServiceRules('logs', [
  ...[
    CreateLogGroupCommand,
    DeleteLogGroupCommand,
    DescribeLogStreamsCommand,
    FilterLogEventsCommand,
    PutRetentionPolicyCommand,
  ].map(onGroup),
  ...[CreateLogStreamCommand, PutLogEventsCommand, GetLogEventsCommand].map(onStream),
  rule(DescribeLogGroupsCommand, (_input, scope, action) => [check(action, groupResource(scope, ''))]),
]);
