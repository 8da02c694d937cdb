import { remaining, taskRequirements, tasksOn } from './container-instances.js';
import type { ContainerInstance, EcsStore, Service, TaskDefinition } from './store.js';

export type PlacementResult =
  | { instance: ContainerInstance }
  /** The service event ECS writes; for RunTask's failures, the instance that came closest and what it lacked. */
  | { unplaced: string; closest?: { arn: string; lacking: 'CPU' | 'MEMORY' } };

/** Whose task is placed: a service's (spread among its own tasks), or RunTask's (none to spread among). */
export type Owner = Pick<Service, 'clusterArn'> & { serviceArn?: string };

/**
 * Where an EC2 task of `service` goes: among the cluster's instances of
 * `capacityProvider` (any of the cluster's instances for launch type EC2)
 * with CPU and memory left for it, the one that spreads the service most:
 * the availability zone holding fewest of the service's tasks, then the
 * instance holding fewest of them, then fewest tasks of all. That is ECS's
 * default spread for services (by zone, then by instance), simplified.
 * When none has room, the reason is the event ECS writes.
 */
export function placeTask(
  store: EcsStore,
  service: Owner,
  definition: TaskDefinition,
  capacityProvider: string | undefined,
  definitionOf: (arn: string) => TaskDefinition | undefined,
): PlacementResult {
  const candidates = [...store.containerInstances.values()].filter(
    (i) =>
      i.clusterArn === service.clusterArn &&
      (capacityProvider === undefined || i.capacityProviderName === capacityProvider),
  );
  const unable = `was unable to place a task because no container instance met all of its requirements.`;
  if (candidates.length === 0)
    return {
      unplaced: `${unable} Reason: No Container Instances were found in your capacity provider. For more information, see the Troubleshooting section of the Amazon ECS Developer Guide.`,
    };
  const needs = taskRequirements(definition);
  const withRoom = candidates.map((i) => ({ instance: i, left: remaining(store, i, definitionOf) }));
  const fitting = withRoom.filter((c) => c.left.cpu >= needs.cpu && c.left.memory >= needs.memory);
  if (fitting.length === 0) {
    const closest = withRoom.reduce((best, c) => (c.left.memory > best.left.memory ? c : best));
    const lacking = closest.left.memory < needs.memory ? 'MEMORY' : 'CPU';
    return {
      unplaced: `${unable} The closest matching (container-instance ${closest.instance.arn.split('/').pop()}) has insufficient ${lacking === 'MEMORY' ? 'memory' : 'CPU'} available. For more information, see the Troubleshooting section of the Amazon ECS Developer Guide.`,
      closest: { arn: closest.instance.arn, lacking },
    };
  }
  const ofService = (i: ContainerInstance) =>
    tasksOn(store, i).filter(
      (t) =>
        service.serviceArn !== undefined &&
        t.serviceArn === service.serviceArn &&
        t.desiredStatus === 'RUNNING',
    ).length;
  const perZone = new Map<string, number>();
  for (const i of candidates)
    perZone.set(i.availabilityZone, (perZone.get(i.availabilityZone) ?? 0) + ofService(i));
  const score = (i: ContainerInstance) => [
    perZone.get(i.availabilityZone) ?? 0,
    ofService(i),
    tasksOn(store, i).length,
  ];
  const best = fitting
    .map((c) => c.instance)
    .sort((a, b) => {
      const [sa, sb] = [score(a), score(b)];
      for (let k = 0; k < sa.length; k++) if (sa[k] !== sb[k]) return (sa[k] ?? 0) - (sb[k] ?? 0);
      return a.arn.localeCompare(b.arn);
    })[0] as ContainerInstance;
  return { instance: best };
}
