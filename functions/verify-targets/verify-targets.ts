import { DescribeTasksCommand, type ECSClient, ListTasksCommand, type Task } from '@aws-sdk/client-ecs';
import {
  DescribeTargetHealthCommand,
  type ElasticLoadBalancingV2Client,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { TargetsNotReadyError } from '../commons/errors.js';
import type { PreparedDeployment, Rollout, Verification } from '../commons/types.js';

export interface VerifyTargetsInput {
  deployment: PreparedDeployment;
  rollout: Rollout;
}

export interface VerifyTargetsDeps {
  ecs: ECSClient;
  elb: ElasticLoadBalancingV2Client;
}

/**
 * The running tasks of the new revision, each healthy in the target group by
 * its own IP. Not all healthy yet is TargetsNotReadyError, which the state
 * machine retries a few times before it counts as a failed verification.
 */
export async function verifyTargets(
  input: VerifyTargetsInput,
  deps: VerifyTargetsDeps,
): Promise<Verification> {
  const { deployment, rollout } = input;
  const tasks = await runningTasks(deps.ecs, deployment.cluster, deployment.service);
  const newTaskIps = tasks
    .filter((t) => t.taskDefinitionArn === rollout.taskDefinitionArn && t.lastStatus === 'RUNNING')
    .map(privateIp)
    .filter((ip): ip is string => ip !== undefined)
    .sort();
  const expected = deployment.desiredCount;
  if (newTaskIps.length < expected) {
    throw new TargetsNotReadyError(
      `${newTaskIps.length} of ${expected} tasks of ${rollout.taskDefinitionArn} are running with an IP`,
    );
  }
  const health = await deps.elb.send(
    new DescribeTargetHealthCommand({ TargetGroupArn: deployment.targetGroupArn }),
  );
  const byIp = new Map((health.TargetHealthDescriptions ?? []).map((d) => [d.Target?.Id, d.TargetHealth]));
  const notHealthy = newTaskIps.filter((ip) => byIp.get(ip)?.State !== 'healthy');
  if (notHealthy.length > 0) {
    const states = notHealthy.map((ip) => {
      const h = byIp.get(ip);
      return `${ip} ${h?.State ?? 'not registered'}${h?.Reason ? ` (${h.Reason})` : ''}`;
    });
    throw new TargetsNotReadyError(`New tasks not healthy in the target group: ${states.join(', ')}`);
  }
  return { newTaskIps, healthyTargets: newTaskIps };
}

async function runningTasks(ecs: ECSClient, cluster: string, serviceName: string): Promise<Task[]> {
  const listed = await ecs.send(
    new ListTasksCommand({ cluster, serviceName, desiredStatus: 'RUNNING', maxResults: 100 }),
  );
  const arns = listed.taskArns ?? [];
  if (arns.length === 0) return [];
  return (await ecs.send(new DescribeTasksCommand({ cluster, tasks: arns }))).tasks ?? [];
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
