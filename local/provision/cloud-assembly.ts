import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface CfnResource {
  Type: string;
  Properties?: Record<string, unknown>;
  DependsOn?: string | string[];
  Condition?: string;
}

export interface CfnTemplate {
  Description?: string;
  Parameters?: Record<string, { Type: string; Default?: string }>;
  Resources: Record<string, CfnResource>;
  Outputs?: Record<string, { Value: unknown; Description?: string; Export?: { Name: unknown } }>;
}

export interface StackArtifact {
  name: string;
  template: CfnTemplate;
  dependencies: string[];
}

/**
 * The stacks of a CDK cloud assembly (`cdk.out`), in deployment order
 * (each after the stacks it depends on).
 */
export function readAssembly(outdir: string): StackArtifact[] {
  const manifest = JSON.parse(readFileSync(join(outdir, 'manifest.json'), 'utf8')) as {
    artifacts: Record<
      string,
      { type: string; properties?: { templateFile?: string }; dependencies?: string[] }
    >;
  };
  const stacks = Object.entries(manifest.artifacts)
    .filter(([, a]) => a.type === 'aws:cloudformation:stack')
    .map(([name, a]) => ({
      name,
      template: JSON.parse(
        readFileSync(join(outdir, a.properties?.templateFile ?? `${name}.template.json`), 'utf8'),
      ) as CfnTemplate,
      dependencies: (a.dependencies ?? []).filter(
        (d) => manifest.artifacts[d]?.type === 'aws:cloudformation:stack',
      ),
    }));
  return topological(
    stacks,
    (s) => s.name,
    (s) => s.dependencies,
  );
}

/** Logical ids a value refers to through Ref, Fn::GetAtt and Fn::Sub. */
export function referencesIn(value: unknown, into = new Set<string>()): Set<string> {
  if (Array.isArray(value)) for (const v of value) referencesIn(v, into);
  else if (value && typeof value === 'object') {
    for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
      if (key === 'Ref' && typeof v === 'string') into.add(v);
      else if (key === 'Fn::GetAtt')
        into.add(Array.isArray(v) ? String(v[0]) : (String(v).split('.')[0] ?? ''));
      else if (key === 'Fn::Sub') {
        const template = Array.isArray(v) ? String(v[0]) : String(v);
        for (const m of template.matchAll(/\$\{([^!}][^}.]*)[^}]*\}/g)) into.add(m[1] ?? '');
        if (Array.isArray(v)) referencesIn(v[1], into);
      } else referencesIn(v, into);
    }
  }
  return into;
}

/** The template's resources, each after those it references or depends on. */
export function resourceOrder(template: CfnTemplate): string[] {
  const ids = Object.keys(template.Resources);
  const deps = (id: string) => {
    const r = template.Resources[id] as CfnResource;
    const refs = [...referencesIn(r.Properties)].filter((x) => x in template.Resources);
    const explicit =
      r.DependsOn === undefined ? [] : Array.isArray(r.DependsOn) ? r.DependsOn : [r.DependsOn];
    return [...refs, ...explicit];
  };
  return topological(ids, (id) => id, deps);
}

function topological<T>(items: T[], key: (t: T) => string, deps: (t: T) => string[]): T[] {
  const byKey = new Map(items.map((i) => [key(i), i]));
  const done = new Set<string>();
  const visiting = new Set<string>();
  const out: T[] = [];
  const visit = (k: string) => {
    if (done.has(k) || !byKey.has(k)) return;
    if (visiting.has(k)) throw new Error(`Circular dependency at ${k}`);
    visiting.add(k);
    for (const d of deps(byKey.get(k) as T)) visit(d);
    visiting.delete(k);
    done.add(k);
    out.push(byKey.get(k) as T);
  };
  for (const i of items) visit(key(i));
  return out;
}
