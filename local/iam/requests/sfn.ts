import {
  CreateStateMachineCommand,
  DeleteStateMachineCommand,
  DescribeExecutionCommand,
  DescribeStateMachineCommand,
  GetExecutionHistoryCommand,
  ListExecutionsCommand,
  StartExecutionCommand,
  StartSyncExecutionCommand,
  StopExecutionCommand,
  UpdateStateMachineCommand,
} from '@aws-sdk/client-sfn';
import { arns } from '../../core/arns.js';
import { check, named, rule, ServiceRules, text } from './rules.js';

const onMember = (member: string) => (command: Parameters<typeof rule>[0]) =>
  rule(command, (input, _scope, action) =>
    named((input as Record<string, unknown>)[member], (arn) => check(action, arn)),
  );

/** Step Functions: state machine operations on the machine's ARN, execution operations on the execution's. */
export const sfnRules = new ServiceRules('states', [
  ...[
    StartExecutionCommand,
    StartSyncExecutionCommand,
    ListExecutionsCommand,
    DescribeStateMachineCommand,
    DeleteStateMachineCommand,
    UpdateStateMachineCommand,
  ].map(onMember('stateMachineArn')),
  ...[DescribeExecutionCommand, GetExecutionHistoryCommand, StopExecutionCommand].map(
    onMember('executionArn'),
  ),
  rule(CreateStateMachineCommand, (input, scope, action) => {
    const name = text(input.name);
    if (!name) return [];
    const role = text(input.roleArn);
    return [
      check(action, arns.stateMachine(scope, name)),
      ...(role ? [check('iam:PassRole', role, { 'iam:PassedToService': 'states.amazonaws.com' })] : []),
    ];
  }),
]);
