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

export interface ContainerDefinition {
  name: string;
  image: string;
  command?: string[];
  entryPoint?: string[];
  environment?: { name: string; value: string }[];
  portMappings?: { containerPort: number; hostPort?: number; protocol?: string; name?: string }[];
  essential?: boolean;
  stopTimeout?: number;
  dockerLabels?: Record<string, string>;
  logConfiguration?: { logDriver: string; options?: Record<string, string> };
  [other: string]: unknown;
}

export interface TaskDefinition {
  taskDefinitionArn: string;
  family: string;
  revision: number;
  status: 'ACTIVE' | 'INACTIVE';
  containerDefinitions: ContainerDefinition[];
  cpu?: string;
  memory?: string;
  networkMode?: string;
  requiresCompatibilities?: string[];
  taskRoleArn?: string;
  executionRoleArn?: string;
  registeredAt: Date;
  deregisteredAt?: Date;
  [other: string]: unknown;
}

export interface Container {
  containerArn: string;
  name: string;
  image: string;
  lastStatus: string;
  exitCode?: number;
  reason?: string;
}

export interface Task {
  taskArn: string;
  id: string;
  clusterArn: string;
  taskDefinitionArn: string;
  group: string;
  startedBy: string;
  serviceName: string;
  lastStatus: TaskStatus;
  desiredStatus: 'RUNNING' | 'STOPPED';
  healthStatus: 'UNKNOWN' | 'HEALTHY' | 'UNHEALTHY';
  createdAt: Date;
  startedAt?: Date;
  stoppingAt?: Date;
  stoppedAt?: Date;
  stoppedReason?: string;
  stopCode?: string;
  ip: string;
  containers: Container[];
  process?: TaskRuntimeProcess;
  imageDigest?: string;
  /** Set once the failure of this task has been counted against its deployment. */
  failureCounted?: boolean;
}

export interface Deployment {
  id: string;
  status: 'PRIMARY' | 'ACTIVE' | 'INACTIVE';
  taskDefinition: string;
  desiredCount: number;
  pendingCount: number;
  runningCount: number;
  failedTasks: number;
  rolloutState: 'IN_PROGRESS' | 'COMPLETED' | 'FAILED';
  rolloutStateReason: string;
  createdAt: Date;
  updatedAt: Date;
  launchType: 'FARGATE';
}

export interface ServiceLoadBalancer {
  targetGroupArn: string;
  containerName: string;
  containerPort: number;
}

export interface Service {
  serviceArn: string;
  serviceName: string;
  clusterArn: string;
  status: 'ACTIVE' | 'DRAINING' | 'INACTIVE';
  taskDefinition: string;
  desiredCount: number;
  launchType: 'FARGATE';
  deploymentConfiguration: {
    minimumHealthyPercent: number;
    maximumPercent: number;
    deploymentCircuitBreaker: { enable: boolean; rollback: boolean };
  };
  loadBalancers: ServiceLoadBalancer[];
  healthCheckGracePeriodSeconds: number;
  networkConfiguration?: unknown;
  deployments: Deployment[];
  events: { id: string; createdAt: Date; message: string }[];
  createdAt: Date;
}

export interface Cluster {
  clusterArn: string;
  clusterName: string;
  status: 'ACTIVE';
  settings: { name: string; value: string }[];
}

/** The circuit breaker's threshold: half the desired count, at least 3, at most 200. */
export function circuitBreakerThreshold(desiredCount: number): number {
  return Math.min(200, Math.max(3, Math.ceil(desiredCount / 2)));
}
