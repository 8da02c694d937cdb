import type { Template } from 'aws-cdk-lib/assertions';

type Resources = Record<string, { Type: string; Properties?: unknown; DependsOn?: string | string[] }>;

/** The logical ids a resource needs first: its DependsOn, and every Ref and Fn::GetAtt in its properties. */
function directDependencies(resources: Resources, id: string): Set<string> {
  const resource = resources[id];
  const found = new Set<string>([resource?.DependsOn ?? []].flat());
  const visit = (value: unknown): void => {
    if (Array.isArray(value)) value.forEach(visit);
    else if (value !== null && typeof value === 'object') {
      for (const [key, inner] of Object.entries(value)) {
        if (key === 'Ref' && typeof inner === 'string' && inner in resources) found.add(inner);
        else if (key === 'Fn::GetAtt' && Array.isArray(inner) && String(inner[0]) in resources)
          found.add(String(inner[0]));
        else visit(inner);
      }
    }
  };
  visit(resource?.Properties);
  return found;
}

/**
 * Whether CloudFormation creates `dependency` before `dependent` — and so
 * deletes it after — following DependsOn, Ref and Fn::GetAtt transitively.
 */
export function dependsOn(template: Template, dependent: string, dependency: string): boolean {
  const resources = template.toJSON().Resources as Resources;
  const seen = new Set<string>();
  const stack = [dependent];
  while (stack.length > 0) {
    const id = stack.pop() as string;
    for (const next of directDependencies(resources, id)) {
      if (next === dependency) return true;
      if (!seen.has(next)) {
        seen.add(next);
        stack.push(next);
      }
    }
  }
  return false;
}

/** The one resource of a type (whose logical id matches `id`, when given). */
export function only(template: Template, type: string, id?: RegExp): [string, Record<string, unknown>] {
  const found = Object.entries(template.findResources(type)).filter(([key]) => !id || id.test(key));
  if (found.length !== 1)
    throw new Error(`Expected one ${type}${id ? ` matching ${id}` : ''}, found ${found.length}`);
  return found[0] as [string, Record<string, unknown>];
}
