import {
  DescribeCapacityProvidersCommand,
  DescribeContainerInstancesCommand,
  type Failure,
  ListContainerInstancesCommand,
  type Tag,
} from '@aws-sdk/client-ecs';
import { arns, lastSegment } from '../../core/arns.js';
import { define, type Operation } from '../../core/operation.js';
import { paginate } from '../../core/pagination.js';
import type { Scope } from '../../core/scope.js';
import { AwsError } from '../../http/aws-error.js';
import { capacityProviderShape, containerInstanceShape, registerInstances } from './container-instances.js';
import type { Ecs } from './provider.js';
import type { CapacityProvider } from './store.js';

const invalid = (message: string) => new AwsError('InvalidParameterException', message);
const FARGATE_PROVIDERS = ['FARGATE', 'FARGATE_SPOT'];

export interface CapacityProviderInput {
  name: string;
  autoScalingGroupArn: string;
  managedScaling?: { status?: string; targetCapacity?: number };
  managedTerminationProtection?: string;
  managedDraining?: string;
  tags?: Tag[];
}

/**
 * EC2 capacity: Auto Scaling groups of local "instances" behind ECS
 * capacity providers. What CloudFormation creates (launch templates, groups,
 * providers, their association with a cluster) goes through here; the
 * instances register with the cluster when their provider is associated
 * with it, as the ECS agent on a real instance registers with the cluster
 * its user data names. No managed scaling: the group's desired (else
 * minimum) count is what runs.
 */
export class Ec2Capacity {
  constructor(
    private readonly ecs: Ecs,
    private readonly allocateAddress: () => string,
  ) {}

  launchTemplate(scope: Scope, id: string, instanceType: string): void {
    this.ecs.stores.of(scope).launchTemplates.set(id, { instanceType });
  }

  /** An Auto Scaling group: its instance type from its launch template (or its own override). */
  autoScalingGroup(
    scope: Scope,
    group: {
      name: string;
      launchTemplateId?: string;
      instanceType?: string;
      desired: number;
      zones: string[];
    },
  ): string {
    const store = this.ecs.stores.of(scope);
    const instanceType =
      group.instanceType ??
      (group.launchTemplateId
        ? store.launchTemplates.get(group.launchTemplateId)?.instanceType
        : undefined) ??
      't3.small';
    const arn = arns.autoScalingGroup(scope, group.name);
    store.autoScalingGroups.set(group.name, {
      name: group.name,
      arn,
      instanceType,
      desired: group.desired,
      zones: group.zones.length > 0 ? group.zones : [`${scope.region}a`, `${scope.region}b`],
    });
    return arn;
  }

  createCapacityProvider(scope: Scope, input: CapacityProviderInput): CapacityProvider {
    const store = this.ecs.stores.of(scope);
    if (FARGATE_PROVIDERS.includes(input.name) || /^(aws|ecs|fargate)/i.test(input.name))
      throw invalid(`The capacity provider name may not begin with "aws", "ecs" or "fargate".`);
    const groupName = lastSegment(input.autoScalingGroupArn.replace(/:autoScalingGroupName\//, '/'));
    const provider: CapacityProvider = {
      name: input.name,
      arn: arns.ecsCapacityProvider(scope, input.name),
      autoScalingGroupArn: store.autoScalingGroups.get(groupName)?.arn ?? input.autoScalingGroupArn,
      autoScalingGroupName: groupName,
      managedScaling: {
        status: input.managedScaling?.status === 'DISABLED' ? 'DISABLED' : 'ENABLED',
        targetCapacity: input.managedScaling?.targetCapacity ?? 100,
      },
      managedTerminationProtection: input.managedTerminationProtection === 'ENABLED' ? 'ENABLED' : 'DISABLED',
      managedDraining: input.managedDraining === 'DISABLED' ? 'DISABLED' : 'ENABLED',
      tags: input.tags ?? [],
    };
    store.capacityProviders.set(provider.name, provider);
    return provider;
  }

  /** A cluster's capacity providers; the EC2 ones' instances register with it. */
  associate(scope: Scope, clusterRef: string, providers: string[]): void {
    const store = this.ecs.stores.of(scope);
    const cluster = this.ecs.cluster(store, clusterRef);
    for (const name of providers)
      if (!FARGATE_PROVIDERS.includes(name) && !store.capacityProviders.has(name))
        throw invalid(`The specified capacity provider '${name}' does not exist.`);
    cluster.capacityProviders = providers;
    for (const name of providers) {
      const provider = store.capacityProviders.get(name);
      if (provider) registerInstances(store, scope, cluster, provider, this.allocateAddress);
    }
  }

  /** The address of a running instance by its EC2 instance id (what an instance target is reached at). */
  instanceAddress(ec2InstanceId: string, scope: Scope): string | undefined {
    for (const i of this.ecs.stores.of(scope).containerInstances.values())
      if (i.ec2InstanceId === ec2InstanceId) return i.address;
    return undefined;
  }

  readonly operations: Operation[] = [
    define(ListContainerInstancesCommand, (input, ctx) => {
      const store = this.ecs.stores.of(ctx);
      const cluster = this.ecs.cluster(store, input.cluster);
      const filter = parseFilter(input.filter);
      const status = input.status ?? 'ACTIVE';
      const all = [...store.containerInstances.values()]
        .filter((i) => i.clusterArn === cluster.clusterArn && status === 'ACTIVE')
        .filter(
          (i) =>
            !filter ||
            (filter.attribute === 'ecs.instance-type' ? i.instanceType : i.availabilityZone) === filter.value,
        )
        .map((i) => i.arn);
      const page = paginate(all, {
        token: input.nextToken,
        size: input.maxResults,
        defaultSize: 100,
        maxSize: 100,
        sizeMember: 'maxResults',
        context: `ListContainerInstances:${cluster.clusterArn}:${status}:${input.filter}`,
        invalidToken: (m) => invalid(m),
        invalidSize: (m) => invalid(m),
      });
      return { containerInstanceArns: page.items, ...(page.nextToken ? { nextToken: page.nextToken } : {}) };
    }),
    define(DescribeContainerInstancesCommand, (input, ctx) => {
      const store = this.ecs.stores.of(ctx);
      const cluster = this.ecs.cluster(store, input.cluster);
      const refs = input.containerInstances ?? [];
      if (refs.length === 0) throw invalid('ContainerInstances cannot be empty.');
      if (refs.length > 100) throw invalid('At most 100 container instances can be described at once.');
      const found = refs.map((r) =>
        [...store.containerInstances.values()].find(
          (i) =>
            i.clusterArn === cluster.clusterArn && (i.arn === r || lastSegment(i.arn) === lastSegment(r)),
        ),
      );
      const definitionOf = (arn: string) => this.ecs.findTaskDefinition(ctx, arn);
      const failures: Failure[] = refs
        .filter((_, i) => !found[i])
        .map((r) => ({
          arn: r.startsWith('arn:') ? r : arns.ecsContainerInstance(ctx, cluster.clusterName, r),
          reason: 'MISSING',
        }));
      return {
        containerInstances: found.flatMap((i) => (i ? [containerInstanceShape(store, i, definitionOf)] : [])),
        failures,
      };
    }),
    define(DescribeCapacityProvidersCommand, (input, ctx) => {
      const store = this.ecs.stores.of(ctx);
      const fargate = FARGATE_PROVIDERS.map((name) => ({
        capacityProviderArn: arns.ecsCapacityProvider(ctx, name),
        name,
        status: 'ACTIVE' as const,
        tags: [],
      }));
      const own = [...store.capacityProviders.values()].map(capacityProviderShape);
      const every = [...fargate, ...own];
      const refs = input.capacityProviders;
      if (refs && refs.length > 100)
        throw invalid('At most 100 capacity providers can be described at once.');
      const asked = refs?.length
        ? refs.map((r) => every.find((p) => p.name === lastSegment(r) || p.capacityProviderArn === r))
        : every;
      const failures: Failure[] = (refs ?? [])
        .filter((_, i) => !asked[i])
        .map((r) => ({
          arn: r.startsWith('arn:') ? r : arns.ecsCapacityProvider(ctx, r),
          reason: 'MISSING',
        }));
      const page = paginate(
        asked.filter((p) => p !== undefined),
        {
          token: input.nextToken,
          size: input.maxResults,
          defaultSize: 10,
          maxSize: 10,
          sizeMember: 'maxResults',
          context: `DescribeCapacityProviders:${JSON.stringify(refs ?? [])}`,
          invalidToken: (m) => invalid(m),
          invalidSize: (m) => invalid(m),
        },
      );
      const withTags = input.include?.includes('TAGS') ?? false;
      return {
        capacityProviders: page.items.map(({ tags, ...p }) => (withTags ? { ...p, tags } : p)),
        failures,
        ...(page.nextToken ? { nextToken: page.nextToken } : {}),
      };
    }),
  ];
}

/** The cluster query language, as far as it's served: `attribute:ecs.instance-type == t3.small` (or availability-zone). */
function parseFilter(filter: string | undefined): { attribute: string; value: string } | undefined {
  if (!filter) return undefined;
  const match = /^\s*attribute:(ecs\.instance-type|ecs\.availability-zone)\s*==\s*(\S+)\s*$/.exec(filter);
  if (!match)
    throw invalid(
      `The local cloud filters container instances by attribute:ecs.instance-type or attribute:ecs.availability-zone (==) only.`,
    );
  return { attribute: match[1] as string, value: match[2] as string };
}
