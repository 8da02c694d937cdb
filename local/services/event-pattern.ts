/**
 * EventBridge event-pattern matching, for the pattern forms stepship's rules
 * use and their common neighbours: exact values, `prefix`, `suffix`,
 * `anything-but` (values, prefix or suffix), `exists`, and nesting.
 */
export function matches(pattern: unknown, event: unknown): boolean {
  if (!isObject(pattern)) return false;
  return Object.entries(pattern).every(([key, rule]) => {
    const value = isObject(event) ? event[key] : undefined;
    if (isObject(rule)) return matches(rule, value);
    if (!Array.isArray(rule)) return false;
    return rule.some((candidate) => matchesValue(candidate, value));
  });
}

function matchesValue(candidate: unknown, value: unknown): boolean {
  const values = Array.isArray(value) ? value : [value];
  if (!isObject(candidate)) return value !== undefined && values.some((v) => v === candidate);
  if ('exists' in candidate) return candidate.exists ? value !== undefined : value === undefined;
  if (value === undefined) return false;
  if ('prefix' in candidate)
    return values.some((v) => typeof v === 'string' && v.startsWith(String(candidate.prefix)));
  if ('suffix' in candidate)
    return values.some((v) => typeof v === 'string' && v.endsWith(String(candidate.suffix)));
  if ('anything-but' in candidate) {
    const but = candidate['anything-but'];
    if (isObject(but)) return !matchesValue(but, value);
    const excluded = Array.isArray(but) ? but : [but];
    return values.every((v) => !excluded.includes(v));
  }
  return false;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
