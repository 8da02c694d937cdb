import type { EcsStore } from './store.js';

/** How long a stopped task stays visible to DescribeTasks and ListTasks (AWS: about an hour). */
export const STOPPED_TASK_RETENTION_MS = 60 * 60 * 1000;

/**
 * Forgets the tasks that stopped longer ago than `retentionMs`, as ECS does,
 * so a service that keeps replacing tasks doesn't grow the store without end.
 */
export function forgetStoppedTasks(
  store: EcsStore,
  now: number,
  retentionMs = STOPPED_TASK_RETENTION_MS,
): void {
  for (const [arn, task] of store.tasks) {
    if (task.lastStatus === 'STOPPED' && task.stoppedAt && now - task.stoppedAt.getTime() > retentionMs) {
      store.tasks.delete(arn);
      store.tags.delete(arn);
    }
  }
}
