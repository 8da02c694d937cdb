import type { CapacityProviderStrategyItem } from '@aws-sdk/client-ecs';
import type { Task } from './store.js';

/** How many of these tasks (those not stopping) each capacity provider holds. */
export function tasksPerProvider(tasks: Iterable<Task>): Map<string, number> {
  const counts = new Map<string, number>();
  for (const t of tasks)
    if (t.capacityProviderName && t.desiredStatus === 'RUNNING')
      counts.set(t.capacityProviderName, (counts.get(t.capacityProviderName) ?? 0) + 1);
  return counts;
}

/**
 * The capacity provider ECS places a service's next task on: each
 * provider's base first (in the strategy's order), then the one furthest
 * below its weight's share of the tasks beyond the bases. `counts` are the
 * service's running tasks per provider.
 */
export function nextCapacityProvider(
  strategy: CapacityProviderStrategyItem[],
  counts: ReadonlyMap<string, number>,
): string | undefined {
  const items = strategy.filter((s) => s.capacityProvider);
  for (const item of items) {
    const name = item.capacityProvider as string;
    if ((counts.get(name) ?? 0) < (item.base ?? 0)) return name;
  }
  const weighted = items.filter((s) => (s.weight ?? 0) > 0);
  let best: { name: string; load: number } | undefined;
  for (const item of weighted) {
    const name = item.capacityProvider as string;
    const beyondBase = Math.max(0, (counts.get(name) ?? 0) - (item.base ?? 0));
    // The share each provider would hold after taking this task, relative to its weight: the smallest wins.
    const load = (beyondBase + 1) / (item.weight as number);
    if (!best || load < best.load) best = { name, load };
  }
  return best?.name ?? items[0]?.capacityProvider;
}
