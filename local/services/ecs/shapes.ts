import type {
  Cluster as ClusterShape,
  Service as ServiceShape,
  Task as TaskShape,
} from '@aws-sdk/client-ecs';
import type { Cluster, EcsStore, Service, Task, TaskDefinition } from './store.js';

const STARTING = new Set(['PROVISIONING', 'PENDING', 'ACTIVATING']);

/** A cluster as DescribeClusters answers it: its counts are always there, zero or not. */
export function clusterShape(store: EcsStore, c: Cluster): ClusterShape {
  const tasks = [...store.tasks.values()].filter((t) => t.clusterArn === c.clusterArn);
  return {
    clusterArn: c.clusterArn,
    clusterName: c.clusterName,
    status: c.status,
    registeredContainerInstancesCount: [...store.containerInstances.values()].filter(
      (i) => i.clusterArn === c.clusterArn,
    ).length,
    runningTasksCount: tasks.filter((t) => t.lastStatus === 'RUNNING').length,
    pendingTasksCount: tasks.filter((t) => STARTING.has(t.lastStatus)).length,
    activeServicesCount: [...store.services.values()].filter(
      (s) => s.clusterArn === c.clusterArn && s.status === 'ACTIVE',
    ).length,
    statistics: [],
    tags: c.tags,
    settings: c.settings,
    capacityProviders: c.capacityProviders ?? [],
    defaultCapacityProviderStrategy: [],
  };
}

/**
 * CreateService's answer. Its API reference: "If a service is using the ECS
 * deployment controller, the deploymentController and taskSets parameters
 * will not be returned" (DescribeServices does return the controller).
 */
export function createdServiceShape(s: Service): ServiceShape {
  const { deploymentController: _notReturned, ...shape } = serviceShape(s);
  return shape;
}

export function serviceShape(s: Service): ServiceShape {
  const running = s.deployments.reduce((n, d) => n + d.runningCount, 0);
  const pending = s.deployments.reduce((n, d) => n + d.pendingCount, 0);
  return {
    serviceArn: s.serviceArn,
    serviceName: s.serviceName,
    clusterArn: s.clusterArn,
    loadBalancers: s.loadBalancers,
    serviceRegistries: [],
    status: s.status,
    desiredCount: s.desiredCount,
    runningCount: running,
    pendingCount: pending,
    // A service placed by a capacity provider strategy has that instead of a launch type.
    ...(s.capacityProviderStrategy
      ? { capacityProviderStrategy: s.capacityProviderStrategy }
      : { launchType: s.launchType ?? 'FARGATE' }),
    platformVersion: s.platformVersion,
    platformFamily: 'Linux',
    taskDefinition: s.taskDefinition,
    deploymentConfiguration: s.deploymentConfiguration,
    deployments: s.deployments.map((d) => ({
      ...d,
      platformVersion: s.platformVersion,
      platformFamily: 'Linux',
      networkConfiguration: s.networkConfiguration,
    })),
    events: s.events,
    createdAt: s.createdAt,
    placementConstraints: [],
    placementStrategy: [],
    networkConfiguration: s.networkConfiguration,
    healthCheckGracePeriodSeconds: s.healthCheckGracePeriodSeconds,
    schedulingStrategy: 'REPLICA',
    deploymentController: { type: 'ECS' },
    createdBy: s.createdBy,
    enableECSManagedTags: s.enableECSManagedTags,
    propagateTags: s.propagateTags as ServiceShape['propagateTags'],
    enableExecuteCommand: s.enableExecuteCommand,
    availabilityZoneRebalancing: 'ENABLED',
  };
}

export function taskShape(t: Task, definition: TaskDefinition | undefined): TaskShape {
  const shape = fargateTaskShape(t, definition);
  return t.launchType === 'EC2' ? onInstance(shape, t) : shape;
}

/**
 * An EC2 task in bridge mode: on its container instance, its ports in
 * networkBindings, no network interface of its own (so no ENI attachment),
 * no Fargate platform version.
 */
function onInstance(shape: TaskShape, t: Task): TaskShape {
  const { attachments: _none, platformVersion: _fargateOnly, ...rest } = shape;
  return {
    ...rest,
    launchType: 'EC2',
    ...(t.containerInstanceArn ? { containerInstanceArn: t.containerInstanceArn } : {}),
    attachments: [],
    containers: (shape.containers ?? []).map(({ networkInterfaces: _own, ...c }) => ({
      ...c,
      networkBindings: t.lastStatus === 'STOPPED' ? [] : (t.networkBindings ?? []),
      networkInterfaces: [],
    })),
  };
}

function fargateTaskShape(t: Task, definition: TaskDefinition | undefined): TaskShape {
  const eni = `eni-${t.id.slice(0, 17)}`;
  return {
    taskArn: t.taskArn,
    clusterArn: t.clusterArn,
    taskDefinitionArn: t.taskDefinitionArn,
    group: t.group,
    ...(t.startedBy ? { startedBy: t.startedBy } : {}),
    lastStatus: t.lastStatus,
    desiredStatus: t.desiredStatus,
    healthStatus: t.healthStatus,
    launchType: 'FARGATE',
    ...(t.capacityProviderName ? { capacityProviderName: t.capacityProviderName } : {}),
    platformVersion: '1.4.0',
    platformFamily: 'Linux',
    cpu: definition?.cpu,
    memory: definition?.memory,
    availabilityZone: `${t.scope.region}a`,
    connectivity: t.lastStatus === 'STOPPED' ? 'DISCONNECTED' : 'CONNECTED',
    createdAt: t.createdAt,
    pullStartedAt: t.pullStartedAt,
    pullStoppedAt: t.pullStoppedAt,
    startedAt: t.startedAt,
    stoppingAt: t.stoppingAt,
    stoppedAt: t.stoppedAt,
    stoppedReason: t.stoppedReason,
    stopCode: t.stopCode as TaskShape['stopCode'],
    version: t.version ?? versionOf(t),
    enableExecuteCommand: false,
    overrides: {
      containerOverrides: t.containers.map(
        (c) => t.overrides?.find((o) => o.name === c.name) ?? { name: c.name },
      ),
      inferenceAcceleratorOverrides: [],
    },
    attributes: [
      {
        name: 'ecs.cpu-architecture',
        value: definition?.runtimePlatform?.cpuArchitecture === 'ARM64' ? 'arm64' : 'x86_64',
      },
    ],
    containers: t.containers.map((c) => ({
      ...c,
      taskArn: t.taskArn,
      imageDigest: t.imageDigest,
      runtimeId: `${t.id}-${c.name}`,
      healthStatus: 'UNKNOWN',
      cpu: '0',
      networkBindings: [],
      networkInterfaces: [{ attachmentId: eni, privateIpv4Address: t.ip }],
    })),
    attachments: [
      {
        id: eni,
        type: 'ElasticNetworkInterface',
        status: t.lastStatus === 'STOPPED' ? 'DELETED' : 'ATTACHED',
        details: [
          { name: 'subnetId', value: 'subnet-local' },
          { name: 'networkInterfaceId', value: eni },
          { name: 'privateIPv4Address', value: t.ip },
        ],
      },
    ],
  };
}

/** ECS bumps a task's version with each status change; for a task that doesn't count them, the lifecycle's position stands in. */
function versionOf(t: Task): number {
  const order = [
    'PROVISIONING',
    'PENDING',
    'ACTIVATING',
    'RUNNING',
    'DEACTIVATING',
    'STOPPING',
    'DEPROVISIONING',
    'STOPPED',
  ];
  return order.indexOf(t.lastStatus) + 1;
}

/** The task metadata endpoint v4's documents for a task (reference/demo-app.md's shapes). */
export function metadataDocuments(task: Task, definition: TaskDefinition | undefined) {
  const c = task.containers[0];
  const container = {
    DockerId: task.id,
    Name: c?.name,
    DockerName: `ecs-${definition?.family}-${definition?.revision}-${c?.name}`,
    Image: c?.image,
    ImageID: task.imageDigest,
    Labels: {
      'com.amazonaws.ecs.cluster': task.clusterArn,
      'com.amazonaws.ecs.container-name': c?.name,
      'com.amazonaws.ecs.task-arn': task.taskArn,
      'com.amazonaws.ecs.task-definition-family': definition?.family,
      'com.amazonaws.ecs.task-definition-version': String(definition?.revision),
    },
    DesiredStatus: task.desiredStatus,
    KnownStatus: task.lastStatus,
    Limits: { CPU: Number(definition?.cpu ?? 256), Memory: Number(definition?.memory ?? 512) },
    CreatedAt: task.createdAt.toISOString(),
    StartedAt: task.startedAt?.toISOString(),
    Type: 'NORMAL',
    Networks: [
      {
        NetworkMode: definition?.networkMode ?? 'awsvpc',
        IPv4Addresses: [task.ip],
        AttachmentIndex: 0,
        IPv4SubnetCIDRBlock: '127.0.0.0/8',
        PrivateDNSName: `ip-${task.ip.replaceAll('.', '-')}.local`,
      },
    ],
  };
  return {
    container,
    task: {
      Cluster: task.clusterArn,
      TaskARN: task.taskArn,
      Family: definition?.family,
      Revision: String(definition?.revision),
      DesiredStatus: task.desiredStatus,
      KnownStatus: task.lastStatus,
      Containers: [container],
      AvailabilityZone: `${task.scope.region}a`,
      LaunchType: task.launchType ?? 'FARGATE',
    },
  };
}
