/**
 * Checks that relate several keys of a manifest: routing on the shared
 * listener, dependsOn, table references, network and domain, files on disk.
 */
import { checkCapacity, checkVerifiableCapacity } from './capacity-checks.js';
import type { Finding } from './errors.js';
import { deploymentOrder } from './order.js';
import type { ManifestParts, ServicePart } from './parts.js';
import { planRouting } from './routing.js';
import { checkService } from './service-checks.js';
import type { ParsedService } from './service-schema.js';
import { didYouMean } from './suggest.js';
import { checkVerification } from './verify.js';

const ROUTING_KEYS = ['path', 'priority', 'default'] as const;

export function crossCheck(parts: ManifestParts, root: string): Finding[] {
  // A service whose routing keys are broken would make the others look wrong: leave it out.
  const routable = parts.services.filter(({ broken }) => ROUTING_KEYS.every((key) => !broken.has(key)));
  const routing = planRouting(routable.map(({ name, service }) => routeRequest(name, service)));
  const order = deploymentOrder(
    parts.services.map(({ name, service }) => ({ name, dependsOn: service.dependsOn ?? [] })),
    parts.serviceNames,
  );
  // Only a listener known whole and without problems can tell where a request goes.
  const complete = routable.length === parts.serviceNames.length && routing.findings.length === 0;
  const routes = complete ? routing.routes : undefined;
  return [
    ...routing.findings,
    ...order.findings,
    ...parts.services.flatMap((part) => [
      ...checkService(part, { root, buildPlatforms: parts.deployment?.buildPlatforms }),
      ...checkTableAccess(part, parts.tableNames),
      ...checkVerification(part, routes, parts.tableNames),
      ...checkCapacity(part),
      ...checkVerifiableCapacity(part, parts.network?.mode),
    ]),
    ...checkTables(parts),
    ...checkNetwork(parts),
    ...checkDomain(parts),
  ];
}

export function routeRequest(name: string, service: Pick<ParsedService, 'path' | 'priority' | 'default'>) {
  return { name, paths: service.path, priority: service.priority, default: service.default };
}

function checkTableAccess({ name, service }: ServicePart, tableNames: readonly string[]): Finding[] {
  const known = tableNames.join(', ') || 'none; declare it under tables';
  return Object.keys(service.tables ?? {}).flatMap((table) =>
    tableNames.includes(table)
      ? []
      : [
          {
            path: ['services', name, 'tables', table],
            message: `names no table of the app${didYouMean(table, tableNames)} (tables: ${known})`,
          },
        ],
  );
}

function checkTables(parts: ManifestParts): Finding[] {
  const findings: Finding[] = [];
  const owners = new Map<string, string>();
  for (const [key, table] of parts.tables) {
    const physical = table.name ?? key;
    const owner = owners.get(physical);
    if (owner === undefined) owners.set(physical, key);
    else {
      findings.push({
        path: ['tables', key, ...(table.name ? ['name'] : [])],
        message: `is the DynamoDB table name of tables.${owner} too: each table needs its own name`,
      });
    }
  }
  return findings;
}

function checkNetwork({ network }: ManifestParts): Finding[] {
  if (network?.natGateways === undefined) return [];
  if (network.mode === 'public' && network.natGateways > 0) {
    return [
      {
        path: ['network', 'natGateways'],
        message: 'must be 0 in public mode: tasks reach the internet through their public IPs',
        showValue: true,
      },
    ];
  }
  if (network.mode === 'private' && network.natGateways === 0) {
    return [
      {
        path: ['network', 'natGateways'],
        message: 'must be 1 or 2 in private mode: tasks in private subnets pull images through NAT',
        showValue: true,
      },
    ];
  }
  return [];
}

/** A zone given by name must hold the domain's name; one given by id alone is assumed to be its parent. */
function checkDomain({ domain }: ManifestParts): Finding[] {
  if (!domain || typeof domain.hostedZone === 'string') return [];
  const { name } = domain;
  const zone = domain.hostedZone.name;
  if (name === zone || name.endsWith(`.${zone}`)) return [];
  return [
    {
      path: ['domain', 'hostedZone', 'name'],
      message: `must be ${name} or a parent domain of it, where its DNS record is created`,
      showValue: true,
    },
  ];
}
