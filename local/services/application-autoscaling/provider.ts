import { randomUUID } from 'node:crypto';
import {
  DeleteScalingPolicyCommand,
  DeregisterScalableTargetCommand,
  DescribeScalableTargetsCommand,
  DescribeScalingActivitiesCommand,
  DescribeScalingPoliciesCommand,
  PutScalingPolicyCommand,
  type PutScalingPolicyRequest,
  RegisterScalableTargetCommand,
  type RegisterScalableTargetRequest,
} from '@aws-sdk/client-application-auto-scaling';
import { arns } from '../../core/arns.js';
import { define, OperationTable } from '../../core/operation.js';
import { paginate } from '../../core/pagination.js';
import type { Scope } from '../../core/scope.js';
import { RegionalStores } from '../../core/stores.js';
import { AwsError } from '../../http/aws-error.js';
import type { JsonService } from '../../http/json-protocol.js';
import {
  AutoScalingStore,
  recordActivity,
  type ScalableTarget,
  type ScalingPolicy,
  targetKey,
} from './store.js';
import {
  AWS_TIMINGS,
  type ScalableResources,
  TargetTracking,
  type TargetTrackingOptions,
} from './target-tracking.js';

const invalid = (message: string) => new AwsError('ValidationException', message);
/** The local cloud scales ECS services only: their desired count. */
const ECS_DIMENSION = 'ecs:service:DesiredCount';
const ECS_RESOURCE = /^service\/[A-Za-z0-9_-]{1,255}\/[A-Za-z0-9_-]{1,255}$/;
const POLICY_NAME = /^[\p{L}\p{N}_\-:/]{1,256}$/u;

/**
 * Application Auto Scaling for ECS services (awsJson1_1): scalable targets,
 * target tracking policies driven by the tasks' measured CPU and memory and
 * the load balancer's requests per target, and the scaling activities they
 * cause. Step scaling and scheduled actions are not emulated.
 */
export class ApplicationAutoScaling {
  readonly stores = new RegionalStores(() => new AutoScalingStore());
  readonly tracking: TargetTracking;

  constructor(
    private readonly resources: ScalableResources,
    timings: Partial<TargetTrackingOptions> = {},
  ) {
    this.tracking = new TargetTracking(this.stores, resources, { ...AWS_TIMINGS, ...timings });
  }

  // --- what provisioning calls --------------------------------------------------------------------

  registerScalableTarget(scope: Scope, input: RegisterScalableTargetRequest): ScalableTarget {
    const {
      ServiceNamespace: ns = '',
      ResourceId: resourceId = '',
      ScalableDimension: dimension = '',
    } = input;
    checkEcsTarget(ns, resourceId, dimension);
    const current = this.resources.desiredCount(scope, resourceId);
    if (current === undefined) throw invalid(`ECS service doesn't exist: ${resourceId}`);
    const store = this.stores.of(scope);
    const key = targetKey(ns, resourceId, dimension);
    const existing = store.targets.get(key);
    if (!existing && (input.MinCapacity === undefined || input.MaxCapacity === undefined))
      throw invalid('MinCapacity and MaxCapacity are required to register a new scalable target');
    const min = input.MinCapacity ?? existing?.MinCapacity ?? 0;
    const max = input.MaxCapacity ?? existing?.MaxCapacity ?? 0;
    if (min < 0 || max < 0) throw invalid('Capacities must be at least 0');
    if (min > max) throw invalid('Minimum capacity cannot be greater than maximum capacity');
    const target: ScalableTarget = {
      ...(existing ?? {}),
      ServiceNamespace: ns as ScalableTarget['ServiceNamespace'],
      ResourceId: resourceId,
      ScalableDimension: dimension as ScalableTarget['ScalableDimension'],
      MinCapacity: min,
      MaxCapacity: max,
      RoleARN:
        input.RoleARN ??
        existing?.RoleARN ??
        arns.iamRole(
          scope,
          'AWSServiceRoleForApplicationAutoScaling_ECSService',
          '/aws-service-role/ecs.application-autoscaling.amazonaws.com/',
        ),
      CreationTime: existing?.CreationTime ?? new Date(),
      ScalableTargetARN:
        existing?.ScalableTargetARN ?? arns.scalableTarget(scope, randomUUID().replaceAll('-', '')),
      SuspendedState: { ...existing?.SuspendedState, ...input.SuspendedState },
    };
    store.targets.set(key, target);
    // Registering moves the capacity into the new range at once, as AWS does.
    const clamped = Math.min(max, Math.max(min, current));
    if (clamped !== current) {
      this.resources.setDesiredCount(scope, resourceId, clamped);
      recordActivity(
        store,
        target,
        clamped,
        `${clamped > current ? 'minimum' : 'maximum'} capacity was set to ${clamped > current ? min : max}`,
        new Date(),
      );
    }
    return target;
  }

  putScalingPolicy(scope: Scope, input: PutScalingPolicyRequest): ScalingPolicy {
    const {
      ServiceNamespace: ns = '',
      ResourceId: resourceId = '',
      ScalableDimension: dimension = '',
    } = input;
    checkEcsTarget(ns, resourceId, dimension);
    const name = input.PolicyName ?? '';
    if (!POLICY_NAME.test(name))
      throw invalid(`Policy name '${name}' must be 1–256 characters without spaces`);
    const store = this.stores.of(scope);
    const key = targetKey(ns, resourceId, dimension);
    if (!store.targets.has(key))
      throw new AwsError(
        'ObjectNotFoundException',
        `No scalable target registered for service namespace: ${ns}, resource ID: ${resourceId}, scalable dimension: ${dimension}`,
      );
    const type = input.PolicyType ?? 'StepScaling';
    if (type !== 'TargetTrackingScaling')
      throw invalid(`The local cloud emulates TargetTrackingScaling policies, not ${type}`);
    const config = input.TargetTrackingScalingPolicyConfiguration;
    if (!config)
      throw invalid(
        'TargetTrackingScalingPolicyConfiguration is required for a TargetTrackingScaling policy',
      );
    if (!(config.TargetValue !== undefined && config.TargetValue > 0))
      throw invalid('TargetValue must be greater than 0');
    if (!config.PredefinedMetricSpecification && !config.CustomizedMetricSpecification)
      throw invalid(
        'A target tracking policy needs a PredefinedMetricSpecification or CustomizedMetricSpecification',
      );
    const policies = store.policies.get(key) ?? new Map<string, ScalingPolicy>();
    const existing = policies.get(name);
    const arn = existing?.PolicyARN ?? arns.scalingPolicy(scope, randomUUID(), ns, resourceId, name);
    const alarm = (side: string) => `TargetTracking-${resourceId}-${side}-${randomUUID()}`;
    const alarms =
      existing?.Alarms ??
      [alarm('AlarmHigh'), alarm('AlarmLow')].map((n) => ({
        AlarmName: n,
        AlarmARN: arns.cloudwatchAlarm(scope, n),
      }));
    const policy: ScalingPolicy = {
      PolicyARN: arn,
      PolicyName: name,
      ServiceNamespace: ns as ScalingPolicy['ServiceNamespace'],
      ResourceId: resourceId,
      ScalableDimension: dimension as ScalingPolicy['ScalableDimension'],
      PolicyType: type,
      TargetTrackingScalingPolicyConfiguration: config,
      Alarms: alarms,
      CreationTime: existing?.CreationTime ?? new Date(),
    };
    policies.set(name, policy);
    store.policies.set(key, policies);
    return policy;
  }

  // --- the API -------------------------------------------------------------------------------------

  readonly api: JsonService = {
    name: 'Application Auto Scaling',
    targetPrefix: 'AnyScaleFrontendService',
    jsonVersion: '1.1',
    codes: { missing: 'ValidationException', wrongType: 'ValidationException' },
    operations: new OperationTable([
      define(RegisterScalableTargetCommand, (input, ctx) => ({
        ScalableTargetARN: this.registerScalableTarget(ctx, input).ScalableTargetARN,
      })),
      define(DescribeScalableTargetsCommand, (input, ctx) => {
        const ids = input.ResourceIds ?? [];
        const matching = [...this.stores.of(ctx).targets.values()].filter(
          (t) =>
            t.ServiceNamespace === input.ServiceNamespace &&
            (ids.length === 0 || ids.includes(t.ResourceId)) &&
            (!input.ScalableDimension || t.ScalableDimension === input.ScalableDimension),
        );
        const page = this.page(
          matching,
          input,
          `DescribeScalableTargets:${JSON.stringify([input.ServiceNamespace, ids, input.ScalableDimension])}`,
        );
        return {
          ScalableTargets: page.items.map(({ lastScaleIn: _in, lastScaleOut: _out, ...t }) => t),
          ...(page.nextToken ? { NextToken: page.nextToken } : {}),
        };
      }),
      define(DeregisterScalableTargetCommand, (input, ctx) => {
        const store = this.stores.of(ctx);
        const key = this.existingTarget(
          store,
          input.ServiceNamespace,
          input.ResourceId,
          input.ScalableDimension,
        );
        store.targets.delete(key);
        // Its policies go with it, as on AWS.
        store.policies.delete(key);
        return {};
      }),
      define(PutScalingPolicyCommand, (input, ctx) => {
        const policy = this.putScalingPolicy(ctx, input);
        return { PolicyARN: policy.PolicyARN, Alarms: policy.Alarms ?? [] };
      }),
      define(DescribeScalingPoliciesCommand, (input, ctx) => {
        const names = input.PolicyNames ?? [];
        const matching = [...this.stores.of(ctx).policies.values()]
          .flatMap((byName) => [...byName.values()])
          .filter(
            (p) =>
              p.ServiceNamespace === input.ServiceNamespace &&
              (!input.ResourceId || p.ResourceId === input.ResourceId) &&
              (!input.ScalableDimension || p.ScalableDimension === input.ScalableDimension) &&
              (names.length === 0 || names.includes(p.PolicyName)),
          );
        const page = this.page(
          matching,
          input,
          `DescribeScalingPolicies:${JSON.stringify([input.ServiceNamespace, input.ResourceId, input.ScalableDimension, names])}`,
        );
        return { ScalingPolicies: page.items, ...(page.nextToken ? { NextToken: page.nextToken } : {}) };
      }),
      define(DeleteScalingPolicyCommand, (input, ctx) => {
        const store = this.stores.of(ctx);
        const key = targetKey(
          input.ServiceNamespace ?? '',
          input.ResourceId ?? '',
          input.ScalableDimension ?? '',
        );
        if (!store.policies.get(key)?.delete(input.PolicyName ?? ''))
          throw new AwsError(
            'ObjectNotFoundException',
            `No scaling policy found for service namespace: ${input.ServiceNamespace}, resource ID: ${input.ResourceId}, scalable dimension: ${input.ScalableDimension}, policy name: ${input.PolicyName}`,
          );
        return {};
      }),
      define(DescribeScalingActivitiesCommand, (input, ctx) => {
        const matching = this.stores
          .of(ctx)
          .activities.filter(
            (a) =>
              a.ServiceNamespace === input.ServiceNamespace &&
              (!input.ResourceId || a.ResourceId === input.ResourceId) &&
              (!input.ScalableDimension || a.ScalableDimension === input.ScalableDimension),
          );
        const page = this.page(
          matching,
          input,
          `DescribeScalingActivities:${JSON.stringify([input.ServiceNamespace, input.ResourceId, input.ScalableDimension])}`,
        );
        return { ScalingActivities: page.items, ...(page.nextToken ? { NextToken: page.nextToken } : {}) };
      }),
    ]),
  };

  private existingTarget(
    store: AutoScalingStore,
    ns: string | undefined,
    resourceId: string | undefined,
    dimension: string | undefined,
  ): string {
    const key = targetKey(ns ?? '', resourceId ?? '', dimension ?? '');
    if (!store.targets.has(key))
      throw new AwsError(
        'ObjectNotFoundException',
        `No scalable target registered for service namespace: ${ns}, resource ID: ${resourceId}, scalable dimension: ${dimension}`,
      );
    return key;
  }

  /** Application Auto Scaling's pages: 50 by default and at most. */
  private page<T>(items: T[], input: { NextToken?: string; MaxResults?: number }, context: string) {
    return paginate(items, {
      token: input.NextToken,
      size: input.MaxResults,
      defaultSize: 50,
      maxSize: 50,
      sizeMember: 'MaxResults',
      context,
      invalidToken: (m) => new AwsError('InvalidNextTokenException', m),
      invalidSize: invalid,
    });
  }
}

function checkEcsTarget(ns: string, resourceId: string, dimension: string): void {
  if (ns !== 'ecs')
    throw invalid(`The local cloud scales ECS services only (service namespace ecs), not ${ns}`);
  if (dimension !== ECS_DIMENSION)
    throw invalid(
      `Unsupported scalable dimension '${dimension}' for service namespace ecs: use ${ECS_DIMENSION}`,
    );
  if (!ECS_RESOURCE.test(resourceId))
    throw invalid(`Unsupported resource ID '${resourceId}': an ECS service is service/<cluster>/<service>`);
}
