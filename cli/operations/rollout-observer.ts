import { setTimeout as sleep } from 'node:timers/promises';
import type { ServiceModel } from '../../manifest/model.js';
import { revisionOf } from '../render/format.js';
import type { Session } from '../session.js';
import { describeEcsService } from './service-status.js';

/**
 * Watches a service's ECS deployments while a rollout runs and reports each
 * change in one line — new tasks starting while the old ones still serve,
 * then the old ones draining away: the zero-downtime rollout, visible.
 * Returns a function that stops it.
 */
export function observeRollout(
  session: Session,
  model: ServiceModel,
  onLine: (line: string) => void,
  pollMs = 500,
): () => Promise<void> {
  let running = true;
  const loop = (async () => {
    let last = '';
    while (running) {
      try {
        const service = await describeEcsService(session, model);
        const line = (service.deployments ?? [])
          .map((d) =>
            d.status === 'PRIMARY'
              ? `new ${revisionOf(d.taskDefinition)} ${d.runningCount ?? 0}/${d.desiredCount ?? 0} running${d.pendingCount ? `, ${d.pendingCount} starting` : ''} (${d.rolloutState})`
              : `old ${revisionOf(d.taskDefinition)} ${d.runningCount ?? 0} running`,
          )
          .join(' · ');
        if (line !== last) onLine(`  ↻ ${line}`);
        last = line;
      } catch {
        // A missed poll only delays the next line.
      }
      await sleep(pollMs);
    }
  })();
  return async () => {
    running = false;
    await loop;
  };
}
