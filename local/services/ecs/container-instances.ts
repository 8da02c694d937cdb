import { randomBytes, randomUUID } from 'node:crypto';
import type {
  CapacityProvider as CapacityProviderShape,
  ContainerInstance as ContainerInstanceShape,
} from '@aws-sdk/client-ecs';
import { arns } from '../../core/arns.js';
import type { Scope } from '../../core/scope.js';
import { instanceResources } from './instance-types.js';
import type { CapacityProvider, Cluster, ContainerInstance, EcsStore, TaskDefinition } from './store.js';

/** Host ports the ECS agent reserves on every container instance (SSH, Docker, the agent, its introspection). */
export const RESERVED_PORTS = [22, 2375, 2376, 51678, 51679];

/** An EC2 instance id: `i-` and 17 hex digits. */
export function ec2InstanceId(): string {
  return `i-${randomBytes(9).toString('hex').slice(0, 17)}`;
}

/**
 * What a task reserves on an instance: the task's own cpu and memory when
 * set, else the sum of its containers' (memoryReservation before memory),
 * as ECS computes it for placement.
 */
export function taskRequirements(definition: TaskDefinition): { cpu: number; memory: number } {
  const containers = definition.containerDefinitions;
  const cpu = Number(definition.cpu ?? 0) || containers.reduce((n, c) => n + (c.cpu ?? 0), 0);
  const memory =
    Number(definition.memory ?? 0) ||
    containers.reduce((n, c) => n + (c.memoryReservation ?? c.memory ?? 0), 0);
  return { cpu, memory };
}

/** The tasks an instance holds: every task placed on it that has not yet STOPPED. */
export function tasksOn(store: EcsStore, instance: ContainerInstance) {
  return [...store.tasks.values()].filter(
    (t) => t.containerInstanceArn === instance.arn && t.lastStatus !== 'STOPPED',
  );
}

/** CPU and memory not yet reserved by the instance's tasks. */
export function remaining(
  store: EcsStore,
  instance: ContainerInstance,
  definitionOf: (arn: string) => TaskDefinition | undefined,
): { cpu: number; memory: number } {
  let cpu = instance.registeredCpu;
  let memory = instance.registeredMemory;
  for (const task of tasksOn(store, instance)) {
    const definition = definitionOf(task.taskDefinitionArn);
    if (!definition) continue;
    const needs = taskRequirements(definition);
    cpu -= needs.cpu;
    memory -= needs.memory;
  }
  return { cpu, memory };
}

/**
 * The instances of a capacity provider's Auto Scaling group join a cluster
 * (what their user data's ECS_CLUSTER does on AWS): as many as the group's
 * desired count, each on a loopback address of its own.
 */
export function registerInstances(
  store: EcsStore,
  scope: Scope,
  cluster: Cluster,
  provider: CapacityProvider,
  allocateAddress: () => string,
): ContainerInstance[] {
  const group = store.autoScalingGroups.get(provider.autoScalingGroupName);
  if (!group) return [];
  const existing = [...store.containerInstances.values()].filter(
    (i) => i.clusterArn === cluster.clusterArn && i.capacityProviderName === provider.name,
  );
  // A size outside the table registers as a t3.small would (docs/local-cloud.md says so).
  const resources = instanceResources(group.instanceType) ?? { cpu: 2048, memory: 1996 };
  const added: ContainerInstance[] = [];
  for (let n = existing.length; n < group.desired; n++) {
    const instance: ContainerInstance = {
      arn: arns.ecsContainerInstance(scope, cluster.clusterName, randomUUID().replaceAll('-', '')),
      clusterArn: cluster.clusterArn,
      ec2InstanceId: ec2InstanceId(),
      address: allocateAddress(),
      instanceType: group.instanceType,
      availabilityZone: group.zones[n % group.zones.length] ?? `${scope.region}a`,
      capacityProviderName: provider.name,
      registeredCpu: resources.cpu,
      registeredMemory: resources.memory,
      hostPortsInUse: new Set(),
      registeredAt: new Date(),
      version: 1,
    };
    store.containerInstances.set(instance.arn, instance);
    added.push(instance);
  }
  return added;
}

/** A container instance as DescribeContainerInstances answers it. */
export function containerInstanceShape(
  store: EcsStore,
  instance: ContainerInstance,
  definitionOf: (arn: string) => TaskDefinition | undefined,
): ContainerInstanceShape {
  const tasks = tasksOn(store, instance);
  const left = remaining(store, instance, definitionOf);
  const ports = [...RESERVED_PORTS, ...instance.hostPortsInUse].map(String);
  const resources = (cpu: number, memory: number, portList: string[]) => [
    { name: 'CPU', type: 'INTEGER', integerValue: cpu, doubleValue: 0, longValue: 0 },
    { name: 'MEMORY', type: 'INTEGER', integerValue: memory, doubleValue: 0, longValue: 0 },
    {
      name: 'PORTS',
      type: 'STRINGSET',
      stringSetValue: portList,
      doubleValue: 0,
      longValue: 0,
      integerValue: 0,
    },
    {
      name: 'PORTS_UDP',
      type: 'STRINGSET',
      stringSetValue: [],
      doubleValue: 0,
      longValue: 0,
      integerValue: 0,
    },
  ];
  return {
    containerInstanceArn: instance.arn,
    ec2InstanceId: instance.ec2InstanceId,
    capacityProviderName: instance.capacityProviderName,
    version: instance.version,
    versionInfo: { agentVersion: '1.89.0', agentHash: 'local', dockerVersion: 'DockerVersion: 25.0.8' },
    status: 'ACTIVE',
    agentConnected: true,
    runningTasksCount: tasks.filter((t) => t.lastStatus === 'RUNNING').length,
    pendingTasksCount: tasks.filter((t) => t.lastStatus !== 'RUNNING').length,
    registeredResources: resources(
      instance.registeredCpu,
      instance.registeredMemory,
      RESERVED_PORTS.map(String),
    ),
    remainingResources: resources(left.cpu, left.memory, ports),
    attributes: [
      { name: 'ecs.instance-type', value: instance.instanceType },
      { name: 'ecs.availability-zone', value: instance.availabilityZone },
      { name: 'ecs.os-type', value: 'linux' },
      { name: 'ecs.cpu-architecture', value: /^[a-z]+\dg/.test(instance.instanceType) ? 'arm64' : 'x86_64' },
      { name: 'com.amazonaws.ecs.capability.docker-remote-api.1.44' },
    ],
    registeredAt: instance.registeredAt,
    attachments: [],
    tags: [],
  };
}

/** An Auto Scaling group capacity provider as DescribeCapacityProviders answers it. */
export function capacityProviderShape(provider: CapacityProvider): CapacityProviderShape {
  return {
    capacityProviderArn: provider.arn,
    name: provider.name,
    status: 'ACTIVE',
    autoScalingGroupProvider: {
      autoScalingGroupArn: provider.autoScalingGroupArn,
      managedScaling: {
        status: provider.managedScaling.status,
        targetCapacity: provider.managedScaling.targetCapacity,
        minimumScalingStepSize: 1,
        maximumScalingStepSize: 10000,
        instanceWarmupPeriod: 300,
      },
      managedTerminationProtection: provider.managedTerminationProtection,
      managedDraining: provider.managedDraining,
    },
    tags: provider.tags,
  };
}
