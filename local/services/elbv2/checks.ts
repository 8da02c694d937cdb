import type {
  Action,
  CreateTargetGroupInput,
  TargetDescription,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { AwsError } from '../../http/aws-error.js';
import { checkInstanceTargets } from './instance-targets.js';

// What ELBv2 checks in a request before anything changes, answered with its own error codes.

export const validation = (message: string) => new AwsError('ValidationError', message);

/** ELB's quota of targets per target group (and what keeps one group's health state bounded). */
export const MAX_TARGETS_PER_GROUP = 1000;
/** The attribute keys an ALB target group has; only the deregistration delay changes what the local one does. */
export const TARGET_GROUP_ATTRIBUTES = new Set([
  'deregistration_delay.timeout_seconds',
  'deregistration_delay.connection_termination.enabled',
  'stickiness.enabled',
  'stickiness.type',
  'stickiness.lb_cookie.duration_seconds',
  'stickiness.app_cookie.cookie_name',
  'stickiness.app_cookie.duration_seconds',
  'load_balancing.algorithm.type',
  'load_balancing.algorithm.anomaly_mitigation',
  'load_balancing.cross_zone.enabled',
  'slow_start.duration_seconds',
  'target_group_health.dns_failover.minimum_healthy_targets.count',
  'target_group_health.dns_failover.minimum_healthy_targets.percentage',
  'target_group_health.unhealthy_state_routing.minimum_healthy_targets.count',
  'target_group_health.unhealthy_state_routing.minimum_healthy_targets.percentage',
  'target_health_state.unhealthy.connection_termination.enabled',
  'target_health_state.unhealthy.draining_interval_seconds',
]);

export const NAME = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,30}[A-Za-z0-9])?$/;
const HTTP_CODES = /^\d{3}(?:-\d{3})?(?:,\d{3}(?:-\d{3})?)*$/;

/** A listener's or rule's actions as AWS checks them; `targetGroup` throws for a group that doesn't exist. */
export function checkActions(actions: Action[], targetGroup: (arn: string) => unknown): void {
  if (actions.length === 0) throw validation('At least one action must be given');
  for (const action of actions) {
    switch (action.Type) {
      case 'forward': {
        const groups = forwardTargets(action);
        if (groups.length === 0) throw validation('A forward action needs a target group');
        for (const arn of groups) targetGroup(arn);
        break;
      }
      case 'fixed-response':
        if (!/^(2|4|5)\d\d$/.test(action.FixedResponseConfig?.StatusCode ?? ''))
          throw validation('A fixed-response action needs a StatusCode of 2XX, 4XX or 5XX');
        break;
      case 'redirect':
        if (!['HTTP_301', 'HTTP_302'].includes(action.RedirectConfig?.StatusCode ?? ''))
          throw validation('A redirect action needs a StatusCode of HTTP_301 or HTTP_302');
        break;
      default:
        throw new AwsError(
          'InvalidConfigurationRequest',
          `The local cloud does not run ${action.Type} actions`,
        );
    }
  }
}

/** A target group's settings as AWS checks them: name, type, port, health-check timings, thresholds, matcher, path. */
export function checkTargetGroup<T extends CreateTargetGroupInput>(input: T): T {
  const name = input.Name ?? '';
  if (!NAME.test(name))
    throw validation(
      `Target group name '${name}' must be 1–32 letters, digits and hyphens, not starting or ending with a hyphen`,
    );
  const targetType = input.TargetType ?? 'instance';
  if (!['ip', 'instance'].includes(targetType))
    throw validation(`The local cloud serves target types ip and instance, not ${targetType}`);
  checkRange('Port', input.Port ?? 80, 1, 65535);
  const interval = input.HealthCheckIntervalSeconds ?? 30;
  const timeout = input.HealthCheckTimeoutSeconds ?? 5;
  checkRange('HealthCheckIntervalSeconds', interval, 5, 300);
  checkRange('HealthCheckTimeoutSeconds', timeout, 2, 120);
  if (timeout >= interval)
    throw validation('Health check timeout must be smaller than the health check interval');
  checkRange('HealthyThresholdCount', input.HealthyThresholdCount ?? 5, 2, 10);
  checkRange('UnhealthyThresholdCount', input.UnhealthyThresholdCount ?? 2, 2, 10);
  const matcher = input.Matcher?.HttpCode ?? '200';
  if (!HTTP_CODES.test(matcher))
    throw validation(`Matcher HttpCode '${matcher}' must be codes like 200, 200-299 or 200,302`);
  const path = input.HealthCheckPath ?? '/';
  if (!path.startsWith('/') || path.length > 1024)
    throw validation('HealthCheckPath must start with "/" (at most 1024 characters)');
  return input;
}

export function forwardTargets(action: Action): string[] {
  if (action.Type !== 'forward') return [];
  const weighted = action.ForwardConfig?.TargetGroups?.map((t) => t.TargetGroupArn ?? '') ?? [];
  return [...(action.TargetGroupArn ? [action.TargetGroupArn] : []), ...weighted].filter(Boolean);
}

export function checkRange(member: string, value: number, min: number, max: number): void {
  if (!Number.isInteger(value) || value < min || value > max)
    throw validation(`${member} must be an integer from ${min} to ${max} (got ${value})`);
}

/** Targets as AWS checks them: at least one, each an IPv4 address (ip targets) or an instance id, with a port in range. */
export function checkTargets(
  targets: TargetDescription[] | undefined,
  targetType: string,
): TargetDescription[] {
  if (!targets?.length) throw validation('Targets must name at least one target');
  if (targetType === 'instance') return checkInstanceTargets(targets);
  for (const t of targets) {
    if (
      !/^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.test(t.Id ?? '') ||
      (t.Id ?? '').split('.').some((o) => Number(o) > 255)
    )
      throw new AwsError('InvalidTarget', `The IP address '${t.Id}' is not a valid IPv4 address`);
    if (t.Port !== undefined) checkRange('Port', t.Port, 1, 65535);
  }
  return targets;
}
