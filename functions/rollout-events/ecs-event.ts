import * as z from 'zod/mini';
import { ECS_EVENTS } from '../contract/ecs-events.js';

/** What an ECS event says about a service's rollout, reduced to what the wait needs. */
export type RolloutSignal =
  | { kind: 'deployment'; cluster: string; service: string; deploymentId: string; eventName: string }
  | { kind: 'task'; cluster: string; service: string; lastStatus: string };

const deploymentEvent = z.object({
  source: z.literal(ECS_EVENTS.source),
  'detail-type': z.literal(ECS_EVENTS.deploymentStateChange),
  resources: z.array(z.string()).check(z.minLength(1)),
  detail: z.object({ eventName: z.string(), deploymentId: z.string().check(z.minLength(1)) }),
});

const taskEvent = z.object({
  source: z.literal(ECS_EVENTS.source),
  'detail-type': z.literal(ECS_EVENTS.taskStateChange),
  detail: z.object({ clusterArn: z.string(), group: z.optional(z.string()), lastStatus: z.string() }),
});

/** `arn:aws:ecs:<region>:<account>:service/<cluster>/<service>` (the ARN format ECS has used since 2021). */
const SERVICE_ARN = /^arn:[\w-]+:ecs:[\w-]*:\d*:service\/([^/]+)\/([^/]+)$/;
const CLUSTER_ARN = /^arn:[\w-]+:ecs:[\w-]*:\d*:cluster\/([^/]+)$/;
const SERVICE_GROUP = /^service:(.+)$/;

/**
 * The rollout signal in an EventBridge event, or undefined for anything else:
 * another source or detail type, a task that no service started, a
 * malformed event. Such an event changes nothing, so it is not an error
 * (an error would only make EventBridge deliver it again).
 */
export function rolloutSignalOf(event: unknown): RolloutSignal | undefined {
  const deployment = deploymentEvent.safeParse(event);
  if (deployment.success) {
    const [, cluster, service] = SERVICE_ARN.exec(deployment.data.resources[0] ?? '') ?? [];
    if (!cluster || !service) return undefined;
    const { deploymentId, eventName } = deployment.data.detail;
    return { kind: 'deployment', cluster, service, deploymentId, eventName };
  }
  const task = taskEvent.safeParse(event);
  if (task.success) {
    const [, cluster] = CLUSTER_ARN.exec(task.data.detail.clusterArn) ?? [];
    const [, service] = SERVICE_GROUP.exec(task.data.detail.group ?? '') ?? [];
    if (!cluster || !service) return undefined;
    return { kind: 'task', cluster, service, lastStatus: task.data.detail.lastStatus };
  }
  return undefined;
}
