import { describe, expect, it } from '@jest/globals';
import { ApplicationAutoScaling } from '../../local/services/application-autoscaling/provider.js';
import type { ScalableResources } from '../../local/services/application-autoscaling/target-tracking.js';

const scope = { accountId: '000000000000', region: 'us-east-1' };
const RESOURCE = 'service/app/web';
const LABEL = 'app/lb/0123456789abcdef/targetgroup/web/0123456789abcdef';

/** One service at 4 tasks, a request rate the test sets, and a deployment it starts and ends. */
function world(requestsPerPeriod: number) {
  const state = { desired: 4, requests: requestsPerPeriod, deploying: false };
  const resources: ScalableResources = {
    desiredCount: () => state.desired,
    setDesiredCount: (_scope, _id, count) => {
      state.desired = count;
    },
    deploying: () => state.deploying,
    utilization: () => ({}),
    requestsPerTarget: () => ({ requests: state.requests, targets: state.desired }),
  };
  const scaling = new ApplicationAutoScaling(resources, {
    periodSeconds: 60,
    scaleOutPeriods: 1,
    scaleInPeriods: 2,
  });
  scaling.registerScalableTarget(scope, {
    ServiceNamespace: 'ecs',
    ResourceId: RESOURCE,
    ScalableDimension: 'ecs:service:DesiredCount',
    MinCapacity: 2,
    MaxCapacity: 8,
  });
  scaling.putScalingPolicy(scope, {
    ServiceNamespace: 'ecs',
    ResourceId: RESOURCE,
    ScalableDimension: 'ecs:service:DesiredCount',
    PolicyName: 'requests',
    PolicyType: 'TargetTrackingScaling',
    TargetTrackingScalingPolicyConfiguration: {
      TargetValue: 100,
      PredefinedMetricSpecification: {
        PredefinedMetricType: 'ALBRequestCountPerTarget',
        ResourceLabel: LABEL,
      },
      ScaleInCooldown: 0,
      ScaleOutCooldown: 0,
    },
  });
  let now = Date.now();
  /** `periods` evaluations, a minute apart. */
  const evaluate = (periods: number) => {
    for (let i = 0; i < periods; i++) {
      now += 60_000;
      scaling.tracking.evaluateAll(now);
    }
  };
  return { state, evaluate };
}

describe('target tracking while a deployment of the service rolls out', () => {
  it('holds scale-in back until the deployment completes, then scales in', () => {
    // 200 requests a period over 4 tasks is 50 a task against a target of 100: it wants 2.
    const { state, evaluate } = world(200);
    state.deploying = true;
    evaluate(5);
    expect(state.desired).toBe(4);
    state.deploying = false;
    evaluate(2);
    expect(state.desired).toBe(2);
  });

  it('still scales out meanwhile', () => {
    // 800 over 4 is 200 a task against 100: it wants 8.
    const { state, evaluate } = world(800);
    state.deploying = true;
    evaluate(1);
    expect(state.desired).toBe(8);
  });
});
