import {
  DescribeContainerInstancesCommand,
  DescribeTasksCommand,
  type ECSClient,
  paginateListTasks,
  type Task,
} from '@aws-sdk/client-ecs';
import {
  DescribeTargetHealthCommand,
  type ElasticLoadBalancingV2Client,
  type TargetDescription,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { describeService } from '../commons/ecs-service.js';
import { TargetsNotReadyError } from '../commons/errors.js';
import type { DeployTarget, NewTask, PreparedDeployment, Rollout, Verification } from '../contract/shapes.js';

export interface VerifyTargetsInput {
  deployment: PreparedDeployment;
  rollout: Rollout;
}

export interface VerifyTargetsDeps {
  ecs: ECSClient;
  elb: ElasticLoadBalancingV2Client;
}

/** DescribeTasks and DescribeContainerInstances take at most this many ARNs per call. */
const DESCRIBE_LIMIT = 100;

/** A new task, and how the target group knows it: its IP, or `<instance id>:<host port>` in bridge mode. */
interface PlacedTask {
  task: NewTask;
  target: string;
}

/**
 * As many running tasks of the new revision as the service wants *now*
 * (its desired count at verification time, which scaling may have changed
 * since the template was written), each healthy in the target group: by its
 * own IP, or in bridge mode by its instance and host port. Not all there or
 * healthy yet is TargetsNotReadyError, which the state machine retries a few
 * times before it counts as a failed verification.
 */
export async function verifyTargets(
  input: VerifyTargetsInput,
  deps: VerifyTargetsDeps,
): Promise<Verification> {
  const { rollout } = input;
  const target = input.deployment.target;
  const service = await describeService(deps.ecs, target.cluster, target.service);
  const desiredCount = service.desiredCount ?? 0;
  const tasks = (await runningTasks(deps.ecs, target.cluster, target.service)).filter(
    (t) => t.taskDefinitionArn === rollout.taskDefinitionArn && t.lastStatus === 'RUNNING',
  );
  const placed = (await placedTasks(deps.ecs, target, tasks)).sort((a, b) =>
    a.target.localeCompare(b.target),
  );
  if (placed.length < desiredCount) {
    throw new TargetsNotReadyError(
      `${placed.length} of ${desiredCount} tasks of ${rollout.taskDefinitionArn} are running with an address`,
    );
  }
  const health = await deps.elb.send(
    new DescribeTargetHealthCommand({ TargetGroupArn: target.targetGroupArn }),
  );
  const byTarget = new Map(
    (health.TargetHealthDescriptions ?? []).map((d) => [d.Target && targetKey(d.Target), d.TargetHealth]),
  );
  const targets = placed.map((p) => p.target);
  const notHealthy = targets.filter((key) => byTarget.get(key)?.State !== 'healthy');
  if (notHealthy.length > 0) {
    const states = notHealthy.map((key) => {
      const h = byTarget.get(key);
      return `${key} ${h?.State ?? 'not registered'}${h?.Reason ? ` (${h.Reason})` : ''}`;
    });
    throw new TargetsNotReadyError(`New tasks not healthy in the target group: ${states.join(', ')}`);
  }
  return { desiredCount, newTasks: placed.map((p) => p.task), healthyTargets: targets };
}

/** Tasks with an IP are ip targets; the others (bridge mode) are targets by their instance's id and host port. */
async function placedTasks(ecs: ECSClient, target: DeployTarget, tasks: Task[]): Promise<PlacedTask[]> {
  const onInstances = tasks.filter((t) => !privateIp(t) && t.containerInstanceArn);
  const instances = await instanceIds(
    ecs,
    target.cluster,
    onInstances.map((t) => t.containerInstanceArn ?? ''),
  );
  return tasks.flatMap((t): PlacedTask[] => {
    if (!t.taskArn) return [];
    const ip = privateIp(t);
    if (ip) return [{ task: { taskArn: t.taskArn, ip }, target: ip }];
    const instanceId = instances.get(t.containerInstanceArn ?? '');
    const hostPort = t.containers
      ?.find((c) => c.name === target.containerName)
      ?.networkBindings?.find((b) => b.containerPort === target.containerPort)?.hostPort;
    return instanceId && hostPort
      ? [{ task: { taskArn: t.taskArn }, target: `${instanceId}:${hostPort}` }]
      : [];
  });
}

async function instanceIds(ecs: ECSClient, cluster: string, arns: string[]): Promise<Map<string, string>> {
  const unique = [...new Set(arns)];
  const ids = new Map<string, string>();
  for (let i = 0; i < unique.length; i += DESCRIBE_LIMIT) {
    const chunk = unique.slice(i, i + DESCRIBE_LIMIT);
    const out = await ecs.send(new DescribeContainerInstancesCommand({ cluster, containerInstances: chunk }));
    for (const instance of out.containerInstances ?? []) {
      if (instance.containerInstanceArn && instance.ec2InstanceId)
        ids.set(instance.containerInstanceArn, instance.ec2InstanceId);
    }
  }
  return ids;
}

/** An ip target by its IP; an instance target by instance and port, since one instance holds several tasks. */
function targetKey(target: TargetDescription): string | undefined {
  return target.Id?.startsWith('i-') ? `${target.Id}:${target.Port}` : target.Id;
}

async function runningTasks(ecs: ECSClient, cluster: string, serviceName: string): Promise<Task[]> {
  const arns: string[] = [];
  const pages = paginateListTasks(
    { client: ecs, pageSize: 100 },
    { cluster, serviceName, desiredStatus: 'RUNNING' },
  );
  for await (const page of pages) arns.push(...(page.taskArns ?? []));
  const tasks: Task[] = [];
  for (let i = 0; i < arns.length; i += DESCRIBE_LIMIT) {
    const chunk = arns.slice(i, i + DESCRIBE_LIMIT);
    tasks.push(...((await ecs.send(new DescribeTasksCommand({ cluster, tasks: chunk }))).tasks ?? []));
  }
  return tasks;
}

/** An awsvpc task's private IP, from its ENI attachment or its container's network interface. */
export function privateIp(task: Task): string | undefined {
  for (const attachment of task.attachments ?? []) {
    const ip = attachment.details?.find((d) => d.name === 'privateIPv4Address')?.value;
    if (ip) return ip;
  }
  return task.containers?.flatMap((c) => c.networkInterfaces ?? []).find((n) => n.privateIpv4Address)
    ?.privateIpv4Address;
}
