/** A validated manifest, turned into the app model: defaults filled, references resolved, services in order. */
import { resolve } from 'node:path';
import { taskCount } from './capacity-checks.js';
import type { ParsedCapacity, ParsedScaling } from './capacity-schema.js';
import { routeRequest } from './cross-checks.js';
import type {
  AppModel,
  BuildArgValue,
  CapacityModel,
  DomainModel,
  ImageSource,
  NetworkModel,
  RoutingModel,
  ScalingModel,
  ServiceModel,
  TableModel,
} from './model.js';
import { deploymentOrder } from './order.js';
import { isAppOutput, referencesIn } from './references.js';
import { planRouting } from './routing.js';
import type { ParsedManifest } from './schema.js';
import { buildSpec, type ParsedService } from './service-schema.js';
import { checksOf } from './verify.js';

/** Only for a manifest that passed every check: it does not check again. */
export function buildModel(manifest: ParsedManifest, root: string, file: string): AppModel {
  const services = Object.entries(manifest.services);
  const { routes } = planRouting(services.map(([name, service]) => routeRequest(name, service)));
  const { order } = deploymentOrder(
    services.map(([name, service]) => ({ name, dependsOn: service.dependsOn })),
    services.map(([name]) => name),
  );
  const byName = new Map(services);
  return {
    name: manifest.app,
    root,
    file,
    region: manifest.region,
    services: order.map((name) => serviceModel(name, byName.get(name) as ParsedService, routes, root)),
    tables: Object.entries(manifest.tables).map(
      ([name, table]): TableModel => ({
        name,
        // Created tables are named after the app too, so two apps' `orders` tables don't meet in one account.
        physicalName: table.name ?? (table.existing ? name : `${manifest.app}-${name}`),
        create: !table.existing,
        partitionKey: table.partitionKey,
        ...(table.sortKey ? { sortKey: table.sortKey } : {}),
      }),
    ),
    network: networkModel(manifest.network),
    ...(manifest.domain ? { domain: domainModel(manifest.domain) } : {}),
    deployment: {
      rolloutTimeoutSeconds: manifest.deployment.rolloutTimeout,
      buildPlatforms: manifest.deployment.buildPlatforms,
      ...(manifest.deployment.notifications ? { notifications: manifest.deployment.notifications } : {}),
    },
    logRetentionDays: manifest.logRetentionDays,
  };
}

function serviceModel(
  name: string,
  service: ParsedService,
  routes: Map<string, RoutingModel>,
  root: string,
): ServiceModel {
  const { healthCheck } = service;
  return {
    name,
    image: imageSource(service, root),
    port: service.port,
    routing: routes.get(name) ?? { isDefault: false, paths: [], priority: 0 },
    healthCheck: {
      path: healthCheck.path,
      intervalSeconds: healthCheck.interval,
      timeoutSeconds: healthCheck.timeout,
      healthyThreshold: healthCheck.healthyThreshold,
      unhealthyThreshold: healthCheck.unhealthyThreshold,
      matcher: healthCheck.matcher,
      gracePeriodSeconds: healthCheck.gracePeriod,
    },
    desiredCount: taskCount(service),
    ...(service.scaling ? { scaling: scalingModel(service.scaling) } : {}),
    capacity: capacityModel(service.capacity),
    cpu: service.cpu,
    memory: service.memory,
    architecture: service.architecture,
    environment: service.environment,
    secrets: Object.entries(service.secrets).map(([secret, source]) => ({ name: secret, ...source })),
    tableAccess: Object.entries(service.tables).map(([table, access]) => ({
      table,
      read: access.includes('read'),
      write: access.includes('write'),
      list: access.includes('list'),
    })),
    dependsOn: service.dependsOn,
    verify: {
      checks: checksOf(service.verify, service.healthCheck),
      ...(service.verify?.identity ? { identity: service.verify.identity } : {}),
    },
    deregistrationDelaySeconds: service.deregistrationDelay,
    stopTimeoutSeconds: service.stopTimeout,
  };
}

function imageSource(service: ParsedService, root: string): ImageSource {
  if (service.build === undefined) return { kind: 'image', reference: service.image ?? '' };
  const spec = buildSpec(service.build);
  const args = Object.fromEntries(
    Object.entries(spec.args).map(([arg, template]): [string, BuildArgValue] => [
      arg,
      { template, references: [...new Set(referencesIn(template).filter(isAppOutput))] },
    ]),
  );
  return { kind: 'build', context: resolve(root, spec.context), dockerfile: spec.dockerfile, args };
}

function networkModel(network: ParsedManifest['network']): NetworkModel {
  return { mode: network.mode, natGateways: network.natGateways ?? (network.mode === 'private' ? 1 : 0) };
}

function domainModel(domain: NonNullable<ParsedManifest['domain']>): DomainModel {
  const { name, hostedZone } = domain;
  return typeof hostedZone === 'string'
    ? { name, hostedZoneId: hostedZone, hostedZoneName: defaultZoneName(name) }
    : { name, hostedZoneId: hostedZone.id, hostedZoneName: hostedZone.name };
}

/** The zone named only by its id is the name minus its first label, unless that leaves a bare top-level domain. */
export function defaultZoneName(name: string): string {
  const labels = name.split('.');
  return labels.length > 2 ? labels.slice(1).join('.') : name;
}

function scalingModel(scaling: ParsedScaling): ScalingModel {
  return {
    min: scaling.min,
    max: scaling.max,
    ...(scaling.cpu !== undefined ? { cpuPercent: scaling.cpu } : {}),
    ...(scaling.memory !== undefined ? { memoryPercent: scaling.memory } : {}),
    ...(scaling.requestsPerTarget !== undefined ? { requestsPerTarget: scaling.requestsPerTarget } : {}),
    scaleInCooldownSeconds: scaling.scaleInCooldown,
    scaleOutCooldownSeconds: scaling.scaleOutCooldown,
  };
}

function capacityModel(capacity: ParsedCapacity | undefined): CapacityModel {
  if (capacity === undefined) return { kind: 'fargate', providers: [] };
  if (Array.isArray(capacity)) return { kind: 'fargate', providers: capacity };
  const { instanceType, min, max } = capacity.ec2;
  return { kind: 'ec2', instanceType, minInstances: min, maxInstances: max };
}
