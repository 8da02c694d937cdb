import {
  type Container,
  type ContainerDefinition,
  type Deployment,
  DescribeClustersCommand,
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  DescribeTasksCommand,
  type DesiredStatus,
  paginateListClusters,
  paginateListServices,
  paginateListTasks,
  type Service,
  type Task,
} from '@aws-sdk/client-ecs';
import { DescribeTargetHealthCommand } from '@aws-sdk/client-elastic-load-balancing-v2';
import type { ConsoleClients } from './clients.js';

export interface LogStreamRef {
  group: string;
  stream: string;
}

export interface TaskView {
  id: string;
  taskArn: string;
  lastStatus?: string;
  desiredStatus?: string;
  healthStatus?: string;
  privateIp?: string;
  taskDefinitionArn?: string;
  /** `family:revision`. */
  revision?: string;
  startedAt?: Date;
  stoppedAt?: Date;
  stoppedReason?: string;
  /** Where the awslogs driver sends each container's output. */
  logs: LogStreamRef[];
}

export interface TargetView {
  id: string;
  port?: number;
  state?: string;
  reason?: string;
  description?: string;
}

export interface TargetGroupView {
  arn: string;
  targets: TargetView[];
  /** Why the targets could not be read (the group was deleted…). */
  error?: string;
}

export interface ServiceView {
  cluster: string;
  name: string;
  status?: string;
  desiredCount?: number;
  runningCount?: number;
  pendingCount?: number;
  taskDefinition?: string;
  deployments: Deployment[];
  /** The service's newest events first, as ECS keeps them. */
  events: { createdAt?: Date; message?: string }[];
  tasks: TaskView[];
  stoppedTasks: TaskView[];
  targetGroups: TargetGroupView[];
}

export interface ClusterView {
  name: string;
  arn: string;
  services: ServiceView[];
}

/** Task definitions never change once registered, so one read per ARN is enough. */
export class TaskDefinitionCache {
  private readonly containers = new Map<string, ContainerDefinition[]>();
  constructor(private readonly limit = 500) {}

  async containersOf(clients: ConsoleClients, taskDefinition: string): Promise<ContainerDefinition[]> {
    const known = this.containers.get(taskDefinition);
    if (known) return known;
    const out = await clients.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition }));
    const containers = out.taskDefinition?.containerDefinitions ?? [];
    if (this.containers.size >= this.limit) this.containers.clear();
    this.containers.set(taskDefinition, containers);
    return containers;
  }
}

const STOPPED_SHOWN = 5;

export async function readClusters(
  clients: ConsoleClients,
  definitions: TaskDefinitionCache,
): Promise<ClusterView[]> {
  const arns: string[] = [];
  for await (const page of paginateListClusters({ client: clients.ecs }, {}))
    arns.push(...(page.clusterArns ?? []));
  if (arns.length === 0) return [];
  const clusters: ClusterView[] = [];
  for (const batch of chunks(arns, 100)) {
    const out = await clients.ecs.send(new DescribeClustersCommand({ clusters: batch }));
    for (const cluster of out.clusters ?? []) {
      const arn = cluster.clusterArn ?? '';
      clusters.push({
        name: cluster.clusterName ?? arn,
        arn,
        services: await readServices(clients, arn, definitions),
      });
    }
  }
  return clusters.sort((a, b) => a.name.localeCompare(b.name));
}

async function readServices(
  clients: ConsoleClients,
  cluster: string,
  definitions: TaskDefinitionCache,
): Promise<ServiceView[]> {
  const arns: string[] = [];
  for await (const page of paginateListServices({ client: clients.ecs }, { cluster }))
    arns.push(...(page.serviceArns ?? []));
  const services: Service[] = [];
  for (const batch of chunks(arns, 10)) {
    const out = await clients.ecs.send(new DescribeServicesCommand({ cluster, services: batch }));
    services.push(...(out.services ?? []));
  }
  return Promise.all(
    services.map(async (service): Promise<ServiceView> => {
      const name = service.serviceName ?? '';
      const [tasks, stopped, targetGroups] = await Promise.all([
        readTasks(clients, cluster, name, 'RUNNING', definitions),
        readTasks(clients, cluster, name, 'STOPPED', definitions),
        readTargetGroups(clients, service),
      ]);
      return {
        cluster,
        name,
        status: service.status,
        desiredCount: service.desiredCount,
        runningCount: service.runningCount,
        pendingCount: service.pendingCount,
        taskDefinition: service.taskDefinition,
        deployments: service.deployments ?? [],
        events: (service.events ?? []).slice(0, 10),
        tasks,
        stoppedTasks: stopped
          .sort((a, b) => (b.stoppedAt?.getTime() ?? 0) - (a.stoppedAt?.getTime() ?? 0))
          .slice(0, STOPPED_SHOWN),
        targetGroups,
      };
    }),
  );
}

async function readTasks(
  clients: ConsoleClients,
  cluster: string,
  serviceName: string,
  desiredStatus: DesiredStatus,
  definitions: TaskDefinitionCache,
): Promise<TaskView[]> {
  const arns: string[] = [];
  for await (const page of paginateListTasks(
    { client: clients.ecs },
    { cluster, serviceName, desiredStatus },
  ))
    arns.push(...(page.taskArns ?? []));
  const tasks: Task[] = [];
  for (const batch of chunks(arns, 100)) {
    const out = await clients.ecs.send(new DescribeTasksCommand({ cluster, tasks: batch }));
    tasks.push(...(out.tasks ?? []));
  }
  return Promise.all(
    tasks.map(async (task) => taskView(task, await containersOf(clients, task, definitions))),
  );
}

async function containersOf(
  clients: ConsoleClients,
  task: Task,
  definitions: TaskDefinitionCache,
): Promise<ContainerDefinition[]> {
  if (!task.taskDefinitionArn) return [];
  // A deregistered definition still describes; one that cannot be read only costs the log links.
  return definitions.containersOf(clients, task.taskDefinitionArn).catch(() => []);
}

export function taskView(task: Task, containers: ContainerDefinition[]): TaskView {
  const taskArn = task.taskArn ?? '';
  const id = taskArn.split('/').pop() ?? taskArn;
  const definition = task.taskDefinitionArn;
  return {
    id,
    taskArn,
    lastStatus: task.lastStatus,
    desiredStatus: task.desiredStatus,
    healthStatus: task.healthStatus,
    privateIp: privateIpOf(task),
    taskDefinitionArn: definition,
    revision: definition?.split('/').pop(),
    startedAt: task.startedAt,
    stoppedAt: task.stoppedAt,
    stoppedReason: task.stoppedReason,
    logs: containers.flatMap((c) => logStreamOf(c, id)),
  };
}

function privateIpOf(task: Task): string | undefined {
  for (const attachment of task.attachments ?? [])
    for (const detail of attachment.details ?? [])
      if (detail.name === 'privateIPv4Address' && detail.value) return detail.value;
  return task.containers?.flatMap((c: Container) => c.networkInterfaces ?? [])[0]?.privateIpv4Address;
}

/** The awslogs driver's stream: `<prefix>/<container>/<task id>` (no prefix, no stream ECS can name). */
function logStreamOf(container: ContainerDefinition, taskId: string): LogStreamRef[] {
  const config = container.logConfiguration;
  const group = config?.options?.['awslogs-group'];
  const prefix = config?.options?.['awslogs-stream-prefix'];
  if (config?.logDriver !== 'awslogs' || !group || !prefix || !container.name) return [];
  return [{ group, stream: `${prefix}/${container.name}/${taskId}` }];
}

async function readTargetGroups(clients: ConsoleClients, service: Service): Promise<TargetGroupView[]> {
  const arns = [...new Set((service.loadBalancers ?? []).flatMap((lb) => lb.targetGroupArn ?? []))];
  return Promise.all(
    arns.map(async (arn): Promise<TargetGroupView> => {
      try {
        const out = await clients.elbv2.send(new DescribeTargetHealthCommand({ TargetGroupArn: arn }));
        return {
          arn,
          targets: (out.TargetHealthDescriptions ?? []).map((d) => ({
            id: d.Target?.Id ?? '',
            port: d.Target?.Port,
            state: d.TargetHealth?.State,
            reason: d.TargetHealth?.Reason,
            description: d.TargetHealth?.Description,
          })),
        };
      } catch (err) {
        return {
          arn,
          targets: [],
          error: err instanceof Error ? `${err.name}: ${err.message}` : String(err),
        };
      }
    }),
  );
}

function chunks<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
