import {
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  DescribeTasksCommand,
  ListTasksCommand,
  type Service,
} from '@aws-sdk/client-ecs';
import { DescribeTargetHealthCommand } from '@aws-sdk/client-elastic-load-balancing-v2';
import type { DeploymentRecord } from '../../functions/commons/records.js';
import type { ServiceModel } from '../../manifest/model.js';
import { CommandFailedError } from '../errors.js';
import { digestOf } from '../render/format.js';
import type { Session } from '../session.js';
import { lastDeployment } from './records.js';

export interface RolloutSummary {
  id: string;
  status: string;
  taskDefinition: string;
  rolloutState: string;
  rolloutStateReason?: string;
  running: number;
  desired: number;
  pending: number;
  failedTasks: number;
}

export interface TargetSummary {
  target: string;
  state: string;
  reason?: string;
}

/** What `stepship status` reports of one service. */
export interface ServiceStatus {
  service: string;
  cluster: string;
  taskDefinitionArn: string;
  image: string;
  imageDigest?: string;
  desiredCount: number;
  runningCount: number;
  pendingCount: number;
  /** Newest first; more than one while a rollout is under way. */
  deployments: RolloutSummary[];
  targets: TargetSummary[];
  lastDeployment?: DeploymentRecord;
  /** The latest service events (newest first), which say why tasks stop. */
  events: string[];
}

/** The ECS service of a manifest service, as DescribeServices answers it (an absent one fails the command). */
export async function describeEcsService(session: Session, model: ServiceModel): Promise<Service> {
  const { cluster, services } = session.resources;
  const name = services[model.name]?.serviceName ?? model.name;
  const out = await session.clients.ecs.send(new DescribeServicesCommand({ cluster, services: [name] }));
  const service = out.services?.find((s) => s.status !== 'INACTIVE');
  if (!service)
    throw new CommandFailedError(
      `The ECS service ${name} is not in cluster ${cluster} (${out.failures?.[0]?.reason ?? 'INACTIVE'}): the stack says it should be. Deploy the stacks again.`,
    );
  return service;
}

export async function serviceStatus(session: Session, model: ServiceModel): Promise<ServiceStatus> {
  const { clients, resources } = session;
  const service = await describeEcsService(session, model);
  const taskDefinitionArn = service.taskDefinition ?? '';
  const [definition, targets, last, runningDigest] = await Promise.all([
    clients.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: taskDefinitionArn })),
    targetHealth(session, service),
    lastDeployment(clients.dynamodb, resources.recordsTable, model.name),
    runningImageDigest(session, service),
  ]);
  const container =
    definition.taskDefinition?.containerDefinitions?.find((c) => c.name === model.name) ??
    definition.taskDefinition?.containerDefinitions?.[0];
  const image = container?.image ?? '';
  const imageDigest = digestOf(image) ?? runningDigest;
  return {
    service: model.name,
    cluster: resources.cluster,
    taskDefinitionArn,
    image,
    ...(imageDigest ? { imageDigest } : {}),
    desiredCount: service.desiredCount ?? 0,
    runningCount: service.runningCount ?? 0,
    pendingCount: service.pendingCount ?? 0,
    deployments: (service.deployments ?? []).map((d) => ({
      id: d.id ?? '',
      status: d.status ?? '',
      taskDefinition: d.taskDefinition ?? '',
      rolloutState: d.rolloutState ?? '',
      ...(d.rolloutStateReason ? { rolloutStateReason: d.rolloutStateReason } : {}),
      running: d.runningCount ?? 0,
      desired: d.desiredCount ?? 0,
      pending: d.pendingCount ?? 0,
      failedTasks: d.failedTasks ?? 0,
    })),
    targets,
    ...(last ? { lastDeployment: last } : {}),
    events: (service.events ?? []).slice(0, 5).map((e) => e.message ?? ''),
  };
}

async function targetHealth(session: Session, service: Service): Promise<TargetSummary[]> {
  const groups = [...new Set((service.loadBalancers ?? []).flatMap((lb) => lb.targetGroupArn ?? []))];
  const answers = await Promise.all(
    groups.map((TargetGroupArn) =>
      session.clients.elbv2.send(new DescribeTargetHealthCommand({ TargetGroupArn })),
    ),
  );
  return answers.flatMap((a) =>
    (a.TargetHealthDescriptions ?? []).map((t) => ({
      target: `${t.Target?.Id}:${t.Target?.Port}`,
      state: t.TargetHealth?.State ?? 'unknown',
      ...(t.TargetHealth?.Reason ? { reason: t.TargetHealth.Reason } : {}),
    })),
  );
}

/** What a running task reports it pulled, when the task definition names its image by tag. */
async function runningImageDigest(session: Session, service: Service): Promise<string | undefined> {
  const { taskArns = [] } = await session.clients.ecs.send(
    new ListTasksCommand({ cluster: service.clusterArn, serviceName: service.serviceName, maxResults: 1 }),
  );
  if (taskArns.length === 0) return undefined;
  const { tasks = [] } = await session.clients.ecs.send(
    new DescribeTasksCommand({ cluster: service.clusterArn, tasks: taskArns }),
  );
  return tasks[0]?.containers?.[0]?.imageDigest;
}
