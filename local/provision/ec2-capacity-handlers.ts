import type { ResourceHandler } from './resource-handlers.js';

const str = (v: unknown): string => (v === undefined || v === null ? '' : String(v));

/**
 * EC2 capacity from the template: launch templates (their instance type),
 * Auto Scaling groups (how many instances), ECS capacity providers over
 * them, and their association with a cluster, which is when the group's
 * local instances register with it (services/ecs/ec2-capacity.ts).
 */
export const EC2_CAPACITY_HANDLERS: Record<string, ResourceHandler> = {
  'AWS::EC2::LaunchTemplate': (p, ctx) => {
    const data = (p.LaunchTemplateData ?? {}) as { InstanceType?: unknown };
    const id = `lt-${Buffer.from(`${ctx.stackName}/${ctx.logicalId}`).toString('hex').slice(-17)}`;
    ctx.services.ecs.capacity.launchTemplate(ctx.scope, id, str(data.InstanceType) || 't3.small');
    return {
      ref: id,
      attributes: { LaunchTemplateId: id, LatestVersionNumber: '1', DefaultVersionNumber: '1' },
    };
  },

  'AWS::AutoScaling::AutoScalingGroup': (p, ctx) => {
    const name =
      str(p.AutoScalingGroupName) ||
      `${ctx.stackName}-${ctx.logicalId}-${Buffer.from(ctx.logicalId).toString('hex').slice(-12).toUpperCase()}`;
    const template = (p.LaunchTemplate ?? {}) as { LaunchTemplateId?: unknown };
    const mixed = p.MixedInstancesPolicy as
      | { LaunchTemplate?: { Overrides?: { InstanceType?: unknown }[] } }
      | undefined;
    const subnets = Array.isArray(p.VPCZoneIdentifier) ? p.VPCZoneIdentifier.length : 2;
    const desired = Number(p.DesiredCapacity ?? p.MinSize ?? 0);
    const override = mixed?.LaunchTemplate?.Overrides?.[0]?.InstanceType;
    ctx.services.ecs.capacity.autoScalingGroup(ctx.scope, {
      name,
      ...(template.LaunchTemplateId ? { launchTemplateId: str(template.LaunchTemplateId) } : {}),
      ...(override ? { instanceType: str(override) } : {}),
      desired: Number.isFinite(desired) ? desired : 0,
      zones: Array.from({ length: Math.max(1, subnets) }, (_, i) => `${ctx.region}${'abcdef'[i % 6]}`),
    });
    return { ref: name };
  },

  'AWS::ECS::CapacityProvider': (p, ctx) => {
    const group = (p.AutoScalingGroupProvider ?? {}) as Record<string, unknown>;
    const scaling = (group.ManagedScaling ?? {}) as { Status?: unknown; TargetCapacity?: unknown };
    const name =
      str(p.Name) ||
      `${ctx.stackName}-${ctx.logicalId}-${Buffer.from(ctx.logicalId).toString('hex').slice(-12).toUpperCase()}`;
    const provider = ctx.services.ecs.capacity.createCapacityProvider(ctx.scope, {
      name,
      autoScalingGroupArn: str(group.AutoScalingGroupArn),
      managedScaling: {
        status: str(scaling.Status) || 'ENABLED',
        targetCapacity: Number(scaling.TargetCapacity ?? 100),
      },
      managedTerminationProtection: str(group.ManagedTerminationProtection) || 'DISABLED',
      managedDraining: str(group.ManagedDraining) || 'ENABLED',
      tags: ((p.Tags as { Key: string; Value: unknown }[] | undefined) ?? []).map((t) => ({
        key: t.Key,
        value: str(t.Value),
      })),
    });
    return { ref: provider.name, attributes: { Arn: provider.arn } };
  },

  'AWS::ECS::ClusterCapacityProviderAssociations': (p, ctx) => {
    const providers = (Array.isArray(p.CapacityProviders) ? p.CapacityProviders : []).map(str);
    ctx.services.ecs.capacity.associate(ctx.scope, str(p.Cluster), providers);
    return { ref: str(p.Cluster) };
  },
};
