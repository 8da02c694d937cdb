import type { LocalCloud } from '../../local/cloud.js';

/**
 * A target group with quick health checks (every second, two checks either
 * way) behind a new load balancer whose HTTP listener on port 80 forwards to
 * it: where the local-cloud tests that run a service behind a load balancer
 * start.
 */
export async function quickGroupBehindLoadBalancer(
  cloud: LocalCloud,
  name: string,
  options: {
    targetType?: 'ip' | 'instance';
    healthCheckPath?: string;
    deregistrationDelaySeconds?: number;
  } = {},
) {
  const group = cloud.elbv2.createTargetGroup(cloud.scope, {
    Name: name,
    Port: 3000,
    TargetType: options.targetType ?? 'ip',
    ...(options.healthCheckPath ? { HealthCheckPath: options.healthCheckPath } : {}),
    HealthCheckIntervalSeconds: 1,
    HealthCheckTimeoutSeconds: 1,
    HealthyThresholdCount: 2,
    UnhealthyThresholdCount: 2,
    DeregistrationDelaySeconds: options.deregistrationDelaySeconds ?? 1,
  }).group;
  const lb = await cloud.elbv2.createLoadBalancer(cloud.scope, { Name: name });
  cloud.elbv2.createListener(cloud.scope, {
    LoadBalancerArn: lb.arn,
    Port: 80,
    Protocol: 'HTTP',
    DefaultActions: [{ Type: 'forward', TargetGroupArn: group.arn }],
  });
  return { group, lb };
}
