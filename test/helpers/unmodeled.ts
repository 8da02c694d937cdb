import { NormalizedSchema } from '@smithy/core/schema';

/**
 * The paths of members in a raw JSON response that the SDK's schema of the
 * response doesn't declare (recursively), so a test can hold the local
 * cloud to the model: the SDK itself silently drops such members.
 */
export function unmodeledMembers(schema: unknown, value: unknown, path = '$'): string[] {
  return walk(NormalizedSchema.of(schema as never), value, path);
}

function walk(ns: NormalizedSchema, value: unknown, path: string): string[] {
  if (value === null || value === undefined) return [];
  if (ns.isStructSchema() || ns.isUnionSchema()) {
    if (typeof value !== 'object' || Array.isArray(value)) return [];
    const members = new Map([...ns.structIterator()]);
    return Object.entries(value as Record<string, unknown>).flatMap(([key, v]) => {
      const member = members.get(key);
      return member ? walk(member, v, `${path}.${key}`) : [`${path}.${key}`];
    });
  }
  if (ns.isListSchema() && Array.isArray(value))
    return value.flatMap((item, i) => walk(ns.getValueSchema(), item, `${path}[${i}]`));
  if (ns.isMapSchema() && typeof value === 'object')
    return Object.entries(value as Record<string, unknown>).flatMap(([k, v]) =>
      walk(ns.getValueSchema(), v, `${path}.${k}`),
    );
  return [];
}
