import type { TargetTrackingScalingPolicyConfiguration } from '@aws-sdk/client-application-auto-scaling';
import type { Scope } from '../../core/scope.js';
import type { RegionalStores } from '../../core/stores.js';
import { type AutoScalingStore, recordActivity, type ScalableTarget } from './store.js';

/** What target tracking measures and moves: an ECS service's desired count, its tasks, its target group. */
export interface ScalableResources {
  /** The service's desired count, or undefined when it does not exist. */
  desiredCount(scope: Scope, resourceId: string): number | undefined;
  setDesiredCount(scope: Scope, resourceId: string, count: number): void;
  /** A deployment of the service is still rolling out (scale-in waits until it is done). */
  deploying(scope: Scope, resourceId: string): boolean;
  /** The service's average CPU and memory utilization (percent of what its tasks reserve), where measurable. */
  utilization(scope: Scope, resourceId: string): { cpu?: number; memory?: number };
  /** Requests forwarded to the target group `resourceLabel` names since the last call, per registered target. */
  requestsPerTarget(scope: Scope, resourceLabel: string): { requests: number; targets: number } | undefined;
}

export interface TargetTrackingOptions {
  /** How often policies are evaluated, and the window of each measurement (a minute on AWS). */
  periodSeconds: number;
  /** Consecutive periods over the target before scaling out (AWS's alarm: 3 of 1 minute). */
  scaleOutPeriods: number;
  /** Consecutive periods under it before scaling in (AWS's alarm: 15 of 1 minute). */
  scaleInPeriods: number;
}

export const AWS_TIMINGS: TargetTrackingOptions = {
  periodSeconds: 60,
  scaleOutPeriods: 3,
  scaleInPeriods: 15,
};

/**
 * Target tracking, as Application Auto Scaling does it for an ECS service:
 * each period every policy proposes ceil(capacity × metric / target); the
 * largest proposal wins (out if any policy wants out, in only when all do),
 * within the target's min and max, after its alarm's periods and outside the
 * policy's cooldowns; never in while a deployment of the service rolls out.
 * Requests per target are a per-minute rate of the period's count, so a
 * shortened period measures the same thing.
 */
export class TargetTracking {
  private timer: NodeJS.Timeout | undefined;
  private readonly streaks = new Map<string, { out: number; in: number }>();

  constructor(
    private readonly stores: RegionalStores<AutoScalingStore>,
    private readonly resources: ScalableResources,
    private readonly options: TargetTrackingOptions,
  ) {}

  start(): void {
    this.timer ??= setInterval(() => this.evaluateAll(), this.options.periodSeconds * 1000);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  evaluateAll(now = Date.now()): void {
    for (const [scope, store] of this.stores.entries())
      for (const [key, target] of store.targets) this.evaluate(scope, store, key, target, now);
  }

  private evaluate(
    scope: Scope,
    store: AutoScalingStore,
    key: string,
    target: ScalableTarget,
    now: number,
  ): void {
    const policies = [...(store.policies.get(key)?.values() ?? [])].filter(
      (p) => p.PolicyType === 'TargetTrackingScaling' && p.TargetTrackingScalingPolicyConfiguration,
    );
    const current = this.resources.desiredCount(scope, target.ResourceId);
    if (policies.length === 0 || current === undefined) return;
    const utilization = this.resources.utilization(scope, target.ResourceId);
    const proposals: { policy: string; desired: number; config: TargetTrackingScalingPolicyConfiguration }[] =
      [];
    for (const policy of policies) {
      const config =
        policy.TargetTrackingScalingPolicyConfiguration as TargetTrackingScalingPolicyConfiguration;
      const value = this.metric(scope, config, utilization);
      if (value === undefined || !config.TargetValue) continue;
      proposals.push({
        policy: policy.PolicyName,
        desired: Math.ceil((current * value) / config.TargetValue),
        config,
      });
    }
    if (proposals.length === 0) return;
    const winner = proposals.reduce((a, b) => (b.desired > a.desired ? b : a));
    const wanted = Math.min(target.MaxCapacity, Math.max(target.MinCapacity, winner.desired));
    const streak = this.streaks.get(key) ?? { out: 0, in: 0 };
    streak.out = wanted > current ? streak.out + 1 : 0;
    // Scale-in needs every policy to want it, none of them with scale-in disabled, and no deployment
    // rolling out: AWS holds scale-in back until it completes, as the old and new tasks share the load.
    const mayScaleIn =
      proposals.every((p) => p.desired < current && !p.config.DisableScaleIn) &&
      !this.resources.deploying(scope, target.ResourceId);
    streak.in = wanted < current && mayScaleIn ? streak.in + 1 : 0;
    this.streaks.set(key, streak);
    const since = (at: number | undefined) =>
      at === undefined ? Number.POSITIVE_INFINITY : (now - at) / 1000;
    if (
      streak.out >= this.options.scaleOutPeriods &&
      since(target.lastScaleOut) >= (winner.config.ScaleOutCooldown ?? 300)
    ) {
      target.lastScaleOut = now;
      streak.out = 0;
      this.scale(scope, store, target, current, wanted, winner.policy, now);
    } else if (
      streak.in >= this.options.scaleInPeriods &&
      since(target.lastScaleIn) >= (winner.config.ScaleInCooldown ?? 300) &&
      // A scale-in waits out the scale-out cooldown too, so a burst is not undone at once.
      since(target.lastScaleOut) >= (winner.config.ScaleOutCooldown ?? 300)
    ) {
      target.lastScaleIn = now;
      streak.in = 0;
      this.scale(scope, store, target, current, wanted, winner.policy, now);
    }
  }

  private metric(
    scope: Scope,
    config: TargetTrackingScalingPolicyConfiguration,
    utilization: { cpu?: number; memory?: number },
  ): number | undefined {
    const spec = config.PredefinedMetricSpecification;
    switch (spec?.PredefinedMetricType) {
      case 'ECSServiceAverageCPUUtilization':
        return utilization.cpu;
      case 'ECSServiceAverageMemoryUtilization':
        return utilization.memory;
      case 'ALBRequestCountPerTarget': {
        const measured = this.resources.requestsPerTarget(scope, spec.ResourceLabel ?? '');
        if (!measured || measured.targets === 0) return undefined;
        return (measured.requests / measured.targets) * (60 / this.options.periodSeconds);
      }
      default:
        return undefined; // Customized metrics need CloudWatch, which the local cloud does not serve.
    }
  }

  private scale(
    scope: Scope,
    store: AutoScalingStore,
    target: ScalableTarget,
    from: number,
    to: number,
    policy: string,
    now: number,
  ): void {
    this.resources.setDesiredCount(scope, target.ResourceId, to);
    recordActivity(
      store,
      target,
      to,
      `monitor alarm TargetTracking-${target.ResourceId}-${to > from ? 'AlarmHigh' : 'AlarmLow'} in state ALARM triggered policy ${policy}`,
      new Date(now),
    );
  }
}
