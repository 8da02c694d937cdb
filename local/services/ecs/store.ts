import type {
  CapacityProviderStrategyItem,
  Cluster as ClusterShape,
  ContainerOverride,
  Deployment as DeploymentShape,
  LoadBalancer,
  NetworkConfiguration,
  Tag,
  TaskDefinition as TaskDefinitionShape,
} from '@aws-sdk/client-ecs';
import type { Scope } from '../../core/scope.js';
import type { TaskRuntimeProcess } from '../../runtime/task-process.js';

export type TaskStatus =
  | 'PROVISIONING'
  | 'PENDING'
  | 'ACTIVATING'
  | 'RUNNING'
  | 'DEACTIVATING'
  | 'STOPPING'
  | 'DEPROVISIONING'
  | 'STOPPED';

/** A registered task definition, as DescribeTaskDefinition returns it, with its key fields always set. */
export type TaskDefinition = TaskDefinitionShape &
  Required<
    Pick<TaskDefinitionShape, 'taskDefinitionArn' | 'family' | 'revision' | 'status' | 'containerDefinitions'>
  >;

export type ContainerDefinition = TaskDefinition['containerDefinitions'][number];

export interface Container {
  containerArn: string;
  name: string;
  image: string;
  lastStatus: string;
  exitCode?: number;
  reason?: string;
}

export interface Task {
  scope: Scope;
  taskArn: string;
  id: string;
  clusterArn: string;
  taskDefinitionArn: string;
  group: string;
  /** A service's deployment id, or what RunTask's caller gave ('' when nothing). */
  startedBy: string;
  /** The ARN of the service that started it; absent for a task RunTask started. */
  serviceArn?: string;
  /** RunTask's container overrides (command, environment), as DescribeTasks reports them. */
  overrides?: ContainerOverride[];
  lastStatus: TaskStatus;
  desiredStatus: 'RUNNING' | 'STOPPED';
  healthStatus: 'UNKNOWN' | 'HEALTHY' | 'UNHEALTHY';
  createdAt: Date;
  pullStartedAt?: Date;
  pullStoppedAt?: Date;
  startedAt?: Date;
  stoppingAt?: Date;
  stoppedAt?: Date;
  stoppedReason?: string;
  stopCode?: string;
  /** The capacity provider it was placed on, when its service has a strategy (FARGATE_SPOT can be interrupted). */
  capacityProviderName?: string;
  /** Its own loopback address (a Fargate task's private IP; a bridge task's container address on its instance). */
  ip: string;
  /** EC2 or FARGATE: where it runs. */
  launchType?: 'EC2' | 'FARGATE';
  /** The container instance an EC2 task was placed on. */
  containerInstanceArn?: string;
  /** An EC2 task's instance: its id (the target group's target) and its address (where host ports are). */
  host?: { ec2InstanceId: string; address: string };
  /** A bridge task's published ports: its container ports on dynamic host ports of its instance. */
  networkBindings?: NetworkBinding[];
  containers: Container[];
  process?: TaskRuntimeProcess;
  imageDigest?: string;
  /** Set once the failure of this task has been counted against its deployment. */
  failureCounted?: boolean;
  /** Goes up with each change of lastStatus or desiredStatus, as DescribeTasks and the task's events report it. */
  version?: number;
}

export interface NetworkBinding {
  bindIP: string;
  containerPort: number;
  hostPort: number;
  protocol: 'tcp' | 'udp';
}

export type Deployment = Required<
  Pick<
    DeploymentShape,
    | 'id'
    | 'taskDefinition'
    | 'desiredCount'
    | 'pendingCount'
    | 'runningCount'
    | 'failedTasks'
    | 'rolloutStateReason'
    | 'createdAt'
    | 'updatedAt'
  >
> &
  Pick<DeploymentShape, 'launchType' | 'capacityProviderStrategy'> & {
    status: 'PRIMARY' | 'ACTIVE' | 'INACTIVE';
    rolloutState: 'IN_PROGRESS' | 'COMPLETED' | 'FAILED';
  };

export interface ServiceEvent {
  id: string;
  createdAt: Date;
  message: string;
}

export interface Service {
  scope: Scope;
  serviceArn: string;
  serviceName: string;
  clusterArn: string;
  status: 'ACTIVE' | 'DRAINING' | 'INACTIVE';
  taskDefinition: string;
  desiredCount: number;
  /** Absent when a capacity provider strategy places its tasks (as ECS answers). */
  launchType?: 'FARGATE' | 'EC2';
  /** Where its tasks go instead of a launch type (FARGATE, FARGATE_SPOT, an EC2 provider). */
  capacityProviderStrategy?: CapacityProviderStrategyItem[];
  platformVersion: string;
  deploymentConfiguration: {
    minimumHealthyPercent: number;
    maximumPercent: number;
    deploymentCircuitBreaker: { enable: boolean; rollback: boolean };
  };
  loadBalancers: (LoadBalancer & { targetGroupArn: string; containerName: string; containerPort: number })[];
  healthCheckGracePeriodSeconds: number;
  networkConfiguration?: NetworkConfiguration;
  propagateTags: string;
  enableECSManagedTags: boolean;
  enableExecuteCommand: boolean;
  deployments: Deployment[];
  events: ServiceEvent[];
  createdAt: Date;
  createdBy: string;
}

export type Cluster = Required<Pick<ClusterShape, 'clusterArn' | 'clusterName' | 'status'>> & {
  settings: { name: 'containerInsights'; value: string }[];
  tags: Tag[];
  /** The capacity providers associated with it (ClusterCapacityProviderAssociations). */
  capacityProviders?: string[];
};

export interface AutoScalingGroup {
  name: string;
  arn: string;
  instanceType: string;
  /** DesiredCapacity, else MinSize: how many instances exist (no managed scaling locally). */
  desired: number;
  /** The subnets' availability zones, which its instances take in turn. */
  zones: string[];
}

export interface CapacityProvider {
  name: string;
  arn: string;
  autoScalingGroupArn: string;
  autoScalingGroupName: string;
  managedScaling: { status: 'ENABLED' | 'DISABLED'; targetCapacity: number };
  managedTerminationProtection: 'ENABLED' | 'DISABLED';
  managedDraining: 'ENABLED' | 'DISABLED';
  tags: Tag[];
}

/** A local "instance": a loopback address standing for an EC2 instance that registered with a cluster. */
export interface ContainerInstance {
  arn: string;
  clusterArn: string;
  ec2InstanceId: string;
  /** Its loopback address, where its tasks' host ports are published. */
  address: string;
  instanceType: string;
  availabilityZone: string;
  capacityProviderName: string;
  registeredCpu: number;
  registeredMemory: number;
  /** Host ports its tasks hold (the ports ECS reserves for the agent and Docker count too). */
  hostPortsInUse: Set<number>;
  registeredAt: Date;
  version: number;
}

/** ECS's state in one account and region: what the API answers and the scheduler works on. */
export class EcsStore {
  /** By cluster name. */
  readonly clusters = new Map<string, Cluster>();
  /** Revisions by family, revision n at index n − 1. */
  readonly taskDefinitions = new Map<string, TaskDefinition[]>();
  /** By service ARN (cluster and name), so services of the same name in two clusters stay apart. */
  readonly services = new Map<string, Service>();
  /** By task ARN. */
  readonly tasks = new Map<string, Task>();
  /** Tags by resource ARN. */
  readonly tags = new Map<string, Tag[]>();
  /** EC2 capacity providers by name (Auto Scaling group providers; FARGATE and FARGATE_SPOT are built in). */
  readonly capacityProviders = new Map<string, CapacityProvider>();
  /** The local "instances" registered with clusters, by container instance ARN. */
  readonly containerInstances = new Map<string, ContainerInstance>();
  /** Auto Scaling groups by name: what the local instances are started from. */
  readonly autoScalingGroups = new Map<string, AutoScalingGroup>();
  /** EC2 launch templates by id: only what an instance needs of one, its instance type. */
  readonly launchTemplates = new Map<string, { instanceType: string }>();
}

/** The circuit breaker's threshold: half the desired count, at least 3, at most 200. */
export function circuitBreakerThreshold(desiredCount: number): number {
  return Math.min(200, Math.max(3, Math.ceil(desiredCount / 2)));
}
