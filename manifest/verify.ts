/** What verification requests after a rollout, and whether those requests can reach the service. */
import type { Finding, KeyPath } from './errors.js';
import type { HttpCheckModel, JsonExpectation, RoutingModel } from './model.js';
import type { ServicePart } from './parts.js';
import { referencesIn, tableReferenced } from './references.js';
import { serviceReached } from './routing.js';
import type { ParsedService } from './service-schema.js';
import { didYouMean } from './suggest.js';

/**
 * The declared checks, or by default one request of the health-check path
 * expecting its matcher's first code (none while the health check is unknown).
 */
export function checksOf(
  verify: ParsedService['verify'],
  healthCheck: ParsedService['healthCheck'] | undefined,
): HttpCheckModel[] {
  if (verify?.checks) return verify.checks;
  if (!healthCheck) return [];
  const firstCode = Number(/\d{3}/.exec(healthCheck.matcher)?.[0] ?? 200);
  return [{ path: healthCheck.path, status: firstCode, json: {} }];
}

/** `routes` is undefined when the listener is not known for sure: then no route is judged. */
export function checkVerification(
  { name, service, broken }: ServicePart,
  routes: Map<string, RoutingModel> | undefined,
  tableNames: readonly string[],
): Finding[] {
  const at = (...keys: (string | number)[]): KeyPath => ['services', name, ...keys];
  const findings: Finding[] = [];
  const { verify, healthCheck } = service;
  if (broken.has('verify')) return findings;
  const declared = verify?.checks !== undefined;
  checksOf(verify, healthCheck).forEach((check, index) => {
    const where = declared ? at('verify', 'checks', index) : at('healthCheck', 'path');
    if (routes) {
      const problem = misrouted(check.path, name, routes);
      if (problem) {
        const why = declared
          ? ''
          : ' (verification requests the health-check path when verify.checks is not given)';
        findings.push({ path: declared ? [...where, 'path'] : where, message: `${problem}${why}` });
      }
    }
    for (const [field, expectation] of Object.entries(check.json)) {
      for (const reference of referencesOf(expectation)) {
        const message = referenceProblem(reference, tableNames);
        if (message) findings.push({ path: [...where, 'json', field], message });
      }
    }
  });
  const identity = verify?.identity;
  if (identity && routes) {
    const problem = misrouted(identity.path, name, routes);
    if (problem) findings.push({ path: at('verify', 'identity', 'path'), message: problem });
  }
  return findings;
}

function misrouted(path: string, name: string, routes: Map<string, RoutingModel>): string | undefined {
  const reached = serviceReached(path, routes);
  if (reached === name) return undefined;
  const own = routes.get(name)?.paths ?? [];
  const patterns = own.length > 0 ? `; ${name}'s path patterns are ${own.join(', ')}` : '';
  return reached === undefined
    ? `must be a path the load balancer routes to ${name}: ${path} matches no rule and there is no default service${patterns}`
    : `must be a path the load balancer routes to ${name}: ${path} reaches services.${reached}${patterns}`;
}

function referencesOf(expectation: JsonExpectation): string[] {
  const text = typeof expectation === 'object' && expectation !== null ? expectation.contains : expectation;
  return typeof text === 'string' ? referencesIn(text) : [];
}

function referenceProblem(reference: string, tableNames: readonly string[]): string | undefined {
  const table = tableReferenced(reference);
  if (table === undefined) return `\${${reference}} is not a known reference (known: \${table:<name>})`;
  if (tableNames.includes(table)) return undefined;
  const known = tableNames.join(', ') || 'none';
  return `\${table:${table}} names no table${didYouMean(table, tableNames)} (tables: ${known})`;
}
