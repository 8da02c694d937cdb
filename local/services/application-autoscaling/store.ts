import { randomUUID } from 'node:crypto';
import type {
  ScalableTarget as ScalableTargetShape,
  ScalingActivity,
  ScalingPolicy as ScalingPolicyShape,
} from '@aws-sdk/client-application-auto-scaling';

/** The SDK's shape with these members always set (its members are all `… | undefined`). */
type WithMembers<T, K extends keyof T> = Omit<T, K> & { [P in K]-?: NonNullable<T[P]> };

export type ScalableTarget = WithMembers<
  ScalableTargetShape,
  | 'ServiceNamespace'
  | 'ResourceId'
  | 'ScalableDimension'
  | 'MinCapacity'
  | 'MaxCapacity'
  | 'RoleARN'
  | 'CreationTime'
  | 'ScalableTargetARN'
  | 'SuspendedState'
> & {
  /** When it last scaled out and in: cooldowns count from these. */
  lastScaleOut?: number;
  lastScaleIn?: number;
};

export type ScalingPolicy = WithMembers<
  ScalingPolicyShape,
  | 'PolicyARN'
  | 'PolicyName'
  | 'PolicyType'
  | 'CreationTime'
  | 'ResourceId'
  | 'ServiceNamespace'
  | 'ScalableDimension'
>;

/** A scalable target's identity: namespace, resource and dimension. */
export const targetKey = (ns: string, resourceId: string, dimension: string) =>
  `${ns}|${resourceId}|${dimension}`;

/** Application Auto Scaling's state in one account and region. */
export class AutoScalingStore {
  readonly targets = new Map<string, ScalableTarget>();
  /** By target key, then policy name. */
  readonly policies = new Map<string, Map<string, ScalingPolicy>>();
  /** Newest first. */
  readonly activities: ScalingActivity[] = [];
}

/** Records a change of the target's capacity, newest first (the last thousand are kept). */
export function recordActivity(
  store: AutoScalingStore,
  target: ScalableTarget,
  to: number,
  cause: string,
  startedAt: Date,
): void {
  store.activities.unshift({
    ActivityId: randomUUID(),
    ServiceNamespace: target.ServiceNamespace,
    ResourceId: target.ResourceId,
    ScalableDimension: target.ScalableDimension,
    Description: `Setting desired count to ${to}.`,
    Cause: cause,
    StartTime: startedAt,
    EndTime: new Date(),
    StatusCode: 'Successful',
    StatusMessage: `Successfully set desired count to ${to}. Change successfully fulfilled by ecs.`,
  });
  store.activities.length = Math.min(store.activities.length, 1000);
}
