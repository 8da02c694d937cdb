import type { ContainerDefinition, Service, TaskDefinition } from '@aws-sdk/client-ecs';
import type { TargetGroup } from '@aws-sdk/client-elastic-load-balancing-v2';
import type { ServiceModel } from '../../manifest/model.js';

/** One setting that differs: what runs, and what the manifest (or a deployment) would make it. */
export interface Change {
  field: string;
  from: string;
  to: string;
}

/** What runs of a service, as its task definition, ECS service and target group say. */
export interface Running {
  service: Service;
  definition: TaskDefinition;
  container: ContainerDefinition | undefined;
  targetGroup?: TargetGroup;
  deregistrationDelaySeconds?: number;
}

/** Variables the stack sets on every container besides the manifest's: not the manifest's to remove. */
const STACK_VARIABLES = /^(PORT|AWS_REGION|TABLE_[A-Z0-9_]+)$/;

const text = (value: unknown): string => (value === undefined || value === null ? '—' : String(value));

/**
 * The manifest's settings against what runs: resources, port, environment,
 * secrets, stop timeout, desired count and health settings. The manifest's
 * `${loadBalancer.url}` and `${loadBalancer.dnsName}` are resolved as the
 * stack resolves them.
 */
export function manifestDrift(model: ServiceModel, running: Running, loadBalancerDnsName: string): Change[] {
  const { definition, container, service, targetGroup } = running;
  const hc = model.healthCheck;
  const pairs: [string, unknown, unknown][] = [
    ['cpu', definition.cpu, String(model.cpu)],
    ['memory', definition.memory, String(model.memory)],
    ['architecture', definition.runtimePlatform?.cpuArchitecture ?? 'X86_64', model.architecture],
    ['port', container?.portMappings?.[0]?.containerPort, model.port],
    ['stopTimeout', container?.stopTimeout, model.stopTimeoutSeconds],
    ['desiredCount', service.desiredCount, model.desiredCount],
    ['healthCheck.gracePeriod', service.healthCheckGracePeriodSeconds, hc.gracePeriodSeconds],
  ];
  if (targetGroup)
    pairs.push(
      ['healthCheck.path', targetGroup.HealthCheckPath, hc.path],
      ['healthCheck.interval', targetGroup.HealthCheckIntervalSeconds, hc.intervalSeconds],
      ['healthCheck.timeout', targetGroup.HealthCheckTimeoutSeconds, hc.timeoutSeconds],
      ['healthCheck.healthyThreshold', targetGroup.HealthyThresholdCount, hc.healthyThreshold],
      ['healthCheck.unhealthyThreshold', targetGroup.UnhealthyThresholdCount, hc.unhealthyThreshold],
      ['healthCheck.matcher', targetGroup.Matcher?.HttpCode, hc.matcher],
    );
  if (running.deregistrationDelaySeconds !== undefined)
    pairs.push(['deregistrationDelay', running.deregistrationDelaySeconds, model.deregistrationDelaySeconds]);
  const changes = pairs
    .filter(([, from, to]) => text(from) !== text(to))
    .map(([field, from, to]) => ({ field, from: text(from), to: text(to) }));
  return [
    ...changes,
    ...environmentDrift(model, container, loadBalancerDnsName),
    ...secretDrift(model, container),
  ];
}

function environmentDrift(
  model: ServiceModel,
  container: ContainerDefinition | undefined,
  dnsName: string,
): Change[] {
  const running = new Map((container?.environment ?? []).map((e) => [e.name ?? '', e.value ?? '']));
  const wanted = new Map(
    Object.entries(model.environment).map(([name, value]) => [
      name,
      value
        // biome-ignore lint/suspicious/noTemplateCurlyInString: the manifest's own reference syntax
        .replaceAll('${loadBalancer.url}', `http://${dnsName}`)
        // biome-ignore lint/suspicious/noTemplateCurlyInString: the manifest's own reference syntax
        .replaceAll('${loadBalancer.dnsName}', dnsName),
    ]),
  );
  const changes: Change[] = [];
  for (const [name, value] of wanted)
    if (running.get(name) !== value)
      changes.push({ field: `environment.${name}`, from: running.get(name) ?? '(unset)', to: value });
  for (const [name, value] of running)
    if (!wanted.has(name) && !STACK_VARIABLES.test(name))
      changes.push({ field: `environment.${name}`, from: value, to: '(unset)' });
  return changes;
}

function secretDrift(model: ServiceModel, container: ContainerDefinition | undefined): Change[] {
  const running = new Set((container?.secrets ?? []).map((s) => s.name ?? ''));
  const wanted = new Set(model.secrets.map((s) => s.name));
  return [
    ...[...wanted]
      .filter((n) => !running.has(n))
      .map((n) => ({ field: `secrets.${n}`, from: '(none)', to: 'from the manifest' })),
    ...[...running]
      .filter((n) => !wanted.has(n))
      .map((n) => ({ field: `secrets.${n}`, from: 'set', to: '(none)' })),
  ];
}
