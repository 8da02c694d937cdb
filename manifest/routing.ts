/**
 * The shared listener: which service is the default, each path rule's
 * priority, and which service a request path reaches (as the ALB decides).
 */
import type { Finding } from './errors.js';
import type { RoutingModel } from './model.js';

export interface RouteRequest {
  name: string;
  paths?: string[];
  priority?: number;
  default?: boolean;
}

export interface RoutingPlan {
  routes: Map<string, RoutingModel>;
  findings: Finding[];
}

/** Rules given no priority get 10, 20, 30… in manifest order, skipping the given ones. */
const PRIORITY_STEP = 10;

export function planRouting(services: readonly RouteRequest[]): RoutingPlan {
  const findings: Finding[] = [];
  const at = (name: string, ...keys: string[]) => ['services', name, ...keys];

  const declaredDefaults = services.filter((s) => s.default === true);
  for (const extra of declaredDefaults.slice(1)) {
    findings.push({
      path: at(extra.name, 'default'),
      message: `only one service can be the default, and services.${declaredDefaults[0]?.name} already is`,
    });
  }
  const pathless = services.filter((s) => s.paths === undefined && s.default !== true);
  const implicit = pathless.filter((s) => s.default !== false);
  const defaultName = declaredDefaults[0]?.name ?? (implicit.length === 1 ? implicit[0]?.name : undefined);
  for (const service of pathless) {
    if (service.name === defaultName) continue;
    findings.push({ path: at(service.name), message: unreachable(service, defaultName) });
  }

  const taken = new Map<number, string>();
  for (const service of services) {
    if (service.priority === undefined) continue;
    if (service.paths === undefined) {
      findings.push({
        path: at(service.name, 'priority'),
        message: 'applies to a path rule: add path, or remove priority',
      });
      continue;
    }
    const owner = taken.get(service.priority);
    if (owner !== undefined) {
      findings.push({
        path: at(service.name, 'priority'),
        message: `must be unique on the listener: services.${owner} has priority ${service.priority} too`,
        showValue: true,
      });
    } else {
      taken.set(service.priority, service.name);
    }
  }

  const routes = new Map<string, RoutingModel>();
  let next = 0;
  for (const service of services) {
    let priority = 0;
    if (service.paths !== undefined) {
      if (service.priority !== undefined) priority = service.priority;
      else {
        do next += PRIORITY_STEP;
        while (taken.has(next));
        priority = next;
      }
    }
    routes.set(service.name, {
      isDefault: service.name === defaultName,
      paths: service.paths ?? [],
      priority,
    });
  }
  return { routes, findings };
}

function unreachable(service: RouteRequest, defaultName: string | undefined): string {
  const example = `path: /${service.name}/*`;
  if (service.default === false)
    return `has no path and is not the default, so no request reaches it: add ${example}`;
  if (defaultName !== undefined) {
    return `needs a path (e.g. ${example}): services.${defaultName} already takes the requests no path rule matches`;
  }
  return `needs a path (e.g. ${example}) or default: true: several services have no path, and only one can take the requests no path rule matches`;
}

/** The service the listener sends a request path to: rules by ascending priority, then the default. */
export function serviceReached(requestPath: string, routes: Map<string, RoutingModel>): string | undefined {
  const path = requestPath.split('?')[0] ?? requestPath;
  const rules = [...routes]
    .filter(([, route]) => route.paths.length > 0)
    .sort(([, a], [, b]) => a.priority - b.priority);
  for (const [name, route] of rules) {
    if (route.paths.some((pattern) => matchesPathPattern(pattern, path))) return name;
  }
  return [...routes].find(([, route]) => route.isDefault)?.[0];
}

/** ALB path patterns: case-sensitive, whole path, `*` any characters, `?` exactly one. */
export function matchesPathPattern(pattern: string, path: string): boolean {
  const source = [...pattern]
    .map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[\\^$.|+()[\]{}]/g, '\\$&')))
    .join('');
  return new RegExp(`^${source}$`).test(path);
}
