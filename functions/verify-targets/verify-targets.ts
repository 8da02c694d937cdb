import { DescribeTasksCommand, type ECSClient, paginateListTasks, type Task } from '@aws-sdk/client-ecs';
import {
  DescribeTargetHealthCommand,
  type ElasticLoadBalancingV2Client,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { describeService } from '../commons/ecs-service.js';
import { TargetsNotReadyError } from '../commons/errors.js';
import type { NewTask, PreparedDeployment, Rollout, Verification } from '../contract/shapes.js';

export interface VerifyTargetsInput {
  deployment: PreparedDeployment;
  rollout: Rollout;
}

export interface VerifyTargetsDeps {
  ecs: ECSClient;
  elb: ElasticLoadBalancingV2Client;
}

/** DescribeTasks takes at most this many task ARNs per call. */
const DESCRIBE_TASKS_LIMIT = 100;

/**
 * As many running tasks of the new revision as the service wants *now*
 * (its desired count at verification time, which scaling may have changed
 * since the template was written), each healthy in the target group by its
 * own IP. Not all there or healthy yet is TargetsNotReadyError, which the
 * state machine retries a few times before it counts as a failed verification.
 */
export async function verifyTargets(
  input: VerifyTargetsInput,
  deps: VerifyTargetsDeps,
): Promise<Verification> {
  const { rollout } = input;
  const target = input.deployment.target;
  const service = await describeService(deps.ecs, target.cluster, target.service);
  const desiredCount = service.desiredCount ?? 0;
  const tasks = await runningTasks(deps.ecs, target.cluster, target.service);
  const newTasks = tasks
    .filter((t) => t.taskDefinitionArn === rollout.taskDefinitionArn && t.lastStatus === 'RUNNING')
    .map((t): NewTask | undefined => {
      const ip = privateIp(t);
      return ip && t.taskArn ? { taskArn: t.taskArn, ip } : undefined;
    })
    .filter((t): t is NewTask => t !== undefined)
    .sort((a, b) => a.ip.localeCompare(b.ip));
  if (newTasks.length < desiredCount) {
    throw new TargetsNotReadyError(
      `${newTasks.length} of ${desiredCount} tasks of ${rollout.taskDefinitionArn} are running with an IP`,
    );
  }
  const health = await deps.elb.send(
    new DescribeTargetHealthCommand({ TargetGroupArn: target.targetGroupArn }),
  );
  const byIp = new Map((health.TargetHealthDescriptions ?? []).map((d) => [d.Target?.Id, d.TargetHealth]));
  const ips = newTasks.map((t) => t.ip);
  const notHealthy = ips.filter((ip) => byIp.get(ip)?.State !== 'healthy');
  if (notHealthy.length > 0) {
    const states = notHealthy.map((ip) => {
      const h = byIp.get(ip);
      return `${ip} ${h?.State ?? 'not registered'}${h?.Reason ? ` (${h.Reason})` : ''}`;
    });
    throw new TargetsNotReadyError(`New tasks not healthy in the target group: ${states.join(', ')}`);
  }
  return { desiredCount, newTasks, healthyTargets: ips };
}

async function runningTasks(ecs: ECSClient, cluster: string, serviceName: string): Promise<Task[]> {
  const arns: string[] = [];
  const pages = paginateListTasks(
    { client: ecs, pageSize: 100 },
    { cluster, serviceName, desiredStatus: 'RUNNING' },
  );
  for await (const page of pages) arns.push(...(page.taskArns ?? []));
  const tasks: Task[] = [];
  for (let i = 0; i < arns.length; i += DESCRIBE_TASKS_LIMIT) {
    const chunk = arns.slice(i, i + DESCRIBE_TASKS_LIMIT);
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
