import {
  CreateListenerCommand,
  CreateLoadBalancerCommand,
  CreateRuleCommand,
  CreateTargetGroupCommand,
  DeleteListenerCommand,
  DeleteLoadBalancerCommand,
  DeleteRuleCommand,
  DeleteTargetGroupCommand,
  DeregisterTargetsCommand,
  ModifyListenerCommand,
  ModifyRuleCommand,
  ModifyTargetGroupAttributesCommand,
  ModifyTargetGroupCommand,
  RegisterTargetsCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { arns } from '../../core/arns.js';
import { check, named, rule, ServiceRules } from './rules.js';

/**
 * Elastic Load Balancing v2: writes on the ARN they name (a new load
 * balancer or target group on its name, its id not yet known); every
 * Describe* is on `*`, as ELB has no resource-level permissions for them.
 */
export const elbv2Rules = new ServiceRules('elasticloadbalancing', [
  ...[
    RegisterTargetsCommand,
    DeregisterTargetsCommand,
    ModifyTargetGroupCommand,
    ModifyTargetGroupAttributesCommand,
    DeleteTargetGroupCommand,
  ].map((command) =>
    rule(command, (input, _scope, action) =>
      named((input as { TargetGroupArn?: unknown }).TargetGroupArn, (arn) => check(action, arn)),
    ),
  ),
  rule(CreateRuleCommand, (input, _scope, action) => named(input.ListenerArn, (arn) => check(action, arn))),
  rule(ModifyRuleCommand, (input, _scope, action) => named(input.RuleArn, (arn) => check(action, arn))),
  rule(DeleteRuleCommand, (input, _scope, action) => named(input.RuleArn, (arn) => check(action, arn))),
  rule(CreateListenerCommand, (input, _scope, action) =>
    named(input.LoadBalancerArn, (arn) => check(action, arn)),
  ),
  rule(ModifyListenerCommand, (input, _scope, action) =>
    named(input.ListenerArn, (arn) => check(action, arn)),
  ),
  rule(DeleteListenerCommand, (input, _scope, action) =>
    named(input.ListenerArn, (arn) => check(action, arn)),
  ),
  rule(DeleteLoadBalancerCommand, (input, _scope, action) =>
    named(input.LoadBalancerArn, (arn) => check(action, arn)),
  ),
  rule(CreateTargetGroupCommand, (input, scope, action) =>
    named(input.Name, (name) => check(action, arns.elbTargetGroup(scope, name, '*'))),
  ),
  rule(CreateLoadBalancerCommand, (input, scope, action) =>
    named(input.Name, (name) => check(action, arns.elbLoadBalancer(scope, name, '*'))),
  ),
]);
