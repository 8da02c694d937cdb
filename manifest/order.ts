/** The order services deploy in: after what they depend on, otherwise as written. */
import type { Finding } from './errors.js';
import { didYouMean } from './suggest.js';

export interface Dependencies {
  name: string;
  dependsOn: string[];
}

export interface DeploymentOrder {
  order: string[];
  findings: Finding[];
}

/**
 * `declared` names every service of the manifest, also those that failed to
 * parse, so that depending on one of them is not reported as unknown.
 */
export function deploymentOrder(
  services: readonly Dependencies[],
  declared: readonly string[],
): DeploymentOrder {
  const findings: Finding[] = [];
  const known = new Set(services.map((s) => s.name));
  const edges = new Map<string, string[]>();
  for (const service of services) {
    const valid: string[] = [];
    service.dependsOn.forEach((dependency, index) => {
      const path = ['services', service.name, 'dependsOn', index];
      if (dependency === service.name) {
        findings.push({ path, message: 'a service cannot depend on itself', showValue: true });
      } else if (!declared.includes(dependency)) {
        findings.push({
          path,
          message: `names no service${didYouMean(dependency, declared)} (services: ${declared.join(', ')})`,
          showValue: true,
        });
      } else if (known.has(dependency)) {
        valid.push(dependency);
      }
    });
    edges.set(service.name, valid);
  }

  const order: string[] = [];
  const placed = new Set<string>();
  // Kahn's algorithm, always taking the first ready service in manifest order.
  for (;;) {
    const ready = services.find(
      (s) => !placed.has(s.name) && (edges.get(s.name) ?? []).every((dependency) => placed.has(dependency)),
    );
    if (!ready) break;
    order.push(ready.name);
    placed.add(ready.name);
  }
  findings.push(...cycleFindings(services, edges, placed));
  return { order, findings };
}

/** Every service left unplaced depends, at some remove, on a cycle: name each cycle once. */
function cycleFindings(
  services: readonly Dependencies[],
  edges: Map<string, string[]>,
  placed: Set<string>,
): Finding[] {
  const findings: Finding[] = [];
  const reported = new Set<string>();
  const position = (name: string) => services.findIndex((s) => s.name === name);
  for (const service of services) {
    if (placed.has(service.name)) continue;
    const walk: string[] = [];
    let current = service.name;
    while (!walk.includes(current)) {
      walk.push(current);
      current = (edges.get(current) ?? []).find((dependency) => !placed.has(dependency)) ?? current;
    }
    const cycle = walk.slice(walk.indexOf(current));
    const key = [...cycle].sort().join(' ');
    if (reported.has(key)) continue;
    reported.add(key);
    // Start where the manifest first mentions the cycle, so the message reads in file order.
    const first = cycle.reduce((a, b) => (position(b) < position(a) ? b : a));
    const rotated = [...cycle.slice(cycle.indexOf(first)), ...cycle.slice(0, cycle.indexOf(first)), first];
    findings.push({
      path: ['services', first, 'dependsOn'],
      message: `forms a cycle: ${rotated.join(' → ')}; each service must be deployed after the ones it depends on`,
    });
  }
  return findings;
}
