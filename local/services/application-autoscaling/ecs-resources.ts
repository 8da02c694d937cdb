import { arns } from '../../core/arns.js';
import type { Scope } from '../../core/scope.js';
import type { Ecs } from '../ecs/provider.js';
import type { Elbv2 } from '../elbv2/provider.js';
import type { ScalableResources } from './target-tracking.js';
import { ProcessMeter } from './task-metrics.js';

/** Fargate's CPU units: 1024 to a vCPU. */
const UNITS_PER_VCPU = 1024;

/**
 * What target tracking measures and moves, in the local cloud: an ECS
 * service (`service/<cluster>/<name>`), its running task processes' CPU and
 * memory against what their task definition reserves, and its target
 * group's forwarded requests.
 */
export function ecsResources(ecs: Ecs, elbv2: Elbv2): ScalableResources {
  const meter = new ProcessMeter();
  const seen = new Map<string, number>();
  const find = (scope: Scope, resourceId: string) => {
    const [, cluster = '', name = ''] = resourceId.split('/');
    const service = ecs.stores.of(scope).services.get(arns.ecsService(scope, cluster, name));
    return service?.status === 'ACTIVE' ? service : undefined;
  };
  return {
    desiredCount: (scope, resourceId) => find(scope, resourceId)?.desiredCount,
    setDesiredCount: (scope, resourceId, count) => {
      const [, cluster = '', name = ''] = resourceId.split('/');
      ecs.updateService(scope, { cluster, service: name, desiredCount: count });
    },
    deploying: (scope, resourceId) =>
      find(scope, resourceId)?.deployments.some((d) => d.rolloutState === 'IN_PROGRESS') ?? false,
    utilization: (scope, resourceId) => {
      const service = find(scope, resourceId);
      if (!service) return {};
      const cpu: number[] = [];
      const memory: number[] = [];
      for (const task of ecs.stores.of(scope).tasks.values()) {
        const pid = task.process?.pid;
        if (task.serviceArn !== service.serviceArn || task.lastStatus !== 'RUNNING' || pid === undefined)
          continue;
        const definition = ecs.findTaskDefinition(scope, task.taskDefinitionArn);
        const cores = meter.cpuCores(pid);
        const used = meter.memoryMiB(pid);
        const units = Number(definition?.cpu ?? 0);
        const reserved = Number(definition?.memory ?? 0);
        if (cores !== undefined && units > 0) cpu.push((cores / (units / UNITS_PER_VCPU)) * 100);
        if (used !== undefined && reserved > 0) memory.push((used / reserved) * 100);
      }
      return {
        ...(cpu.length ? { cpu: average(cpu) } : {}),
        ...(memory.length ? { memory: average(memory) } : {}),
      };
    },
    requestsPerTarget: (scope, resourceLabel) => {
      // app/<lb>/<lb id>/targetgroup/<name>/<id>: the target group's ARN ends with its last three parts.
      const suffix = resourceLabel.split('/').slice(3).join('/');
      if (!suffix.startsWith('targetgroup/')) return undefined;
      const entry = [...elbv2.stores.of(scope).targetGroups.values()].find((e) =>
        e.group.arn.endsWith(`:${suffix}`),
      );
      if (!entry) return undefined;
      const group = entry.group;
      const requests = group.forwarded - (seen.get(group.arn) ?? group.forwarded);
      seen.set(group.arn, group.forwarded);
      const targets = [...group.targets.values()].filter(
        (t) => t.state !== 'draining' && t.state !== 'unused',
      );
      return { requests, targets: targets.length };
    },
  };
}

function average(values: number[]): number {
  return values.reduce((a, b) => a + b, 0) / values.length;
}
