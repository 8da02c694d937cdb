import { DescribeTasksCommand, type ECSClient, ListTasksCommand, type Service } from '@aws-sdk/client-ecs';

const MAX_LINES = 5;
const MAX_CAUSE_CHARS = 3000;

/**
 * Why a rollout failed, in ECS's own words: the service events since the
 * rollout began (newest first) and the stopped reasons of the tasks this
 * deployment started. This is what users of other deployers go looking for.
 */
export async function diagnose(
  ecs: ECSClient,
  cluster: string,
  service: Service,
  deploymentId: string,
  since: number,
): Promise<string> {
  const events = (service.events ?? [])
    .filter((e) => (e.createdAt ? e.createdAt.getTime() >= since - 1000 : true))
    .slice(0, MAX_LINES)
    .map((e) => `  - ${e.message}`);
  const stopped = await stoppedTaskReasons(ecs, cluster, service.serviceName ?? '', deploymentId);
  const parts = [
    events.length > 0 ? `Service events:\n${events.join('\n')}` : '',
    stopped.length > 0 ? `Stopped tasks:\n${stopped.map((s) => `  - ${s}`).join('\n')}` : '',
  ].filter(Boolean);
  const text = parts.join('\n');
  return text.length > MAX_CAUSE_CHARS ? `${text.slice(0, MAX_CAUSE_CHARS)}…` : text;
}

async function stoppedTaskReasons(
  ecs: ECSClient,
  cluster: string,
  serviceName: string,
  deploymentId: string,
) {
  const listed = await ecs.send(
    new ListTasksCommand({ cluster, serviceName, desiredStatus: 'STOPPED', maxResults: 100 }),
  );
  const arns = listed.taskArns ?? [];
  if (arns.length === 0) return [];
  const described = await ecs.send(new DescribeTasksCommand({ cluster, tasks: arns }));
  return (described.tasks ?? [])
    .filter((t) => t.startedBy === deploymentId)
    .slice(0, MAX_LINES)
    .map((t) => {
      const id = t.taskArn?.split('/').pop() ?? 'task';
      const containers = (t.containers ?? [])
        .filter((c) => c.reason || c.exitCode !== undefined)
        .map((c) => {
          const exit = c.exitCode !== undefined ? `(exit code ${c.exitCode})` : undefined;
          return `${c.name}: ${[c.reason, exit].filter(Boolean).join(' ')}`;
        });
      return [`task ${id}: ${t.stoppedReason ?? 'stopped'}`, ...containers].join('; ');
    });
}
