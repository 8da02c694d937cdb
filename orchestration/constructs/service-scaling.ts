import { Duration } from 'aws-cdk-lib';
import type * as ecs from 'aws-cdk-lib/aws-ecs';
import type * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import type { ScalingModel } from '../../manifest/model.js';

/**
 * Application Auto Scaling of a service's task count: a scalable target from
 * min to max and one target-tracking policy per declared target. The service
 * itself declares no DesiredCount (see AppService), so neither a stack update
 * nor a deployment resets the count these policies chose. Call it once the
 * target group is on the listener: the request-count policy names the load
 * balancer and target group.
 */
export function scaleTaskCount(
  service: ecs.BaseService,
  scaling: ScalingModel,
  targetGroup: elbv2.ApplicationTargetGroup,
): ecs.ScalableTaskCount {
  const taskCount = service.autoScaleTaskCount({ minCapacity: scaling.min, maxCapacity: scaling.max });
  const cooldowns = {
    scaleInCooldown: Duration.seconds(scaling.scaleInCooldownSeconds),
    scaleOutCooldown: Duration.seconds(scaling.scaleOutCooldownSeconds),
  };
  if (scaling.cpuPercent !== undefined) {
    taskCount.scaleOnCpuUtilization('Cpu', { targetUtilizationPercent: scaling.cpuPercent, ...cooldowns });
  }
  if (scaling.memoryPercent !== undefined) {
    taskCount.scaleOnMemoryUtilization('Memory', {
      targetUtilizationPercent: scaling.memoryPercent,
      ...cooldowns,
    });
  }
  if (scaling.requestsPerTarget !== undefined) {
    // The task count is the service's child, so it shares the service's dependency on the target
    // group's attachment to the listener, which Application Auto Scaling needs to see for this policy.
    taskCount.scaleOnRequestCount('Requests', {
      requestsPerTarget: scaling.requestsPerTarget,
      targetGroup,
      ...cooldowns,
    });
  }
  return taskCount;
}
