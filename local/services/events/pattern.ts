import { AwsError } from '../../http/aws-error.js';

/**
 * EventBridge event patterns: validated as PutRule validates them, and
 * matched against events. Leaves are lists of exact values (strings,
 * numbers, booleans, null) or of match objects: `prefix`, `suffix`,
 * `anything-but` (values, or a prefix, suffix, equals-ignore-case or
 * wildcard), `numeric`, `exists`, `equals-ignore-case` and `wildcard`;
 * `$or` at any level: a list of patterns at that level, of which one must
 * match besides the keys beside it. `cidr` is refused as not emulated
 * rather than misread.
 */
export type Pattern = { [key: string]: Pattern | unknown[] };

const OPERATORS = new Set([
  'prefix',
  'suffix',
  'anything-but',
  'numeric',
  'exists',
  'equals-ignore-case',
  'wildcard',
]);
const NUMERIC = new Set(['<', '<=', '=', '>=', '>']);
const MAX_PATTERN = 4096;

const invalid = (reason: string) =>
  new AwsError('InvalidEventPatternException', `Event pattern is not valid. Reason: ${reason}`);

/** Parses and checks a pattern, answering InvalidEventPatternException as PutRule does. */
export function parsePattern(text: string): Pattern {
  if (text.length > MAX_PATTERN) throw invalid(`the pattern is longer than ${MAX_PATTERN} characters`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw invalid('Filter is not valid JSON');
  }
  if (!isObject(parsed)) throw invalid('Filter is not an object');
  checkObject(parsed, '');
  return parsed as Pattern;
}

function checkObject(pattern: Record<string, unknown>, path: string): void {
  if (Object.keys(pattern).length === 0) throw invalid(`Empty objects are not allowed${at(path)}`);
  for (const [key, rule] of Object.entries(pattern)) {
    const where = path ? `${path}.${key}` : key;
    if (key === 'cidr') throw invalid(`"${key}" is not emulated by the local cloud${at(where)}`);
    if (key === '$or') checkAlternatives(rule, path);
    else if (isObject(rule)) checkObject(rule, where);
    else if (Array.isArray(rule)) {
      if (rule.length === 0) throw invalid(`Empty arrays are not allowed${at(where)}`);
      for (const candidate of rule) checkCandidate(candidate, where);
    } else throw invalid(`Match value must be String, number, true, false, or null${at(where)}`);
  }
}

function checkAlternatives(rule: unknown, path: string): void {
  const where = path ? `${path}.$or` : '$or';
  if (!Array.isArray(rule) || rule.length === 0 || !rule.every(isObject))
    throw invalid(`$or must be a list of patterns${at(where)}`);
  for (const alternative of rule) checkObject(alternative, path);
}

function checkCandidate(candidate: unknown, where: string): void {
  if (!isObject(candidate)) {
    if (Array.isArray(candidate)) throw invalid(`Nested arrays are not allowed${at(where)}`);
    return;
  }
  const keys = Object.keys(candidate);
  const [operator] = keys;
  if (keys.length !== 1 || operator === undefined || !OPERATORS.has(operator))
    throw invalid(`Unrecognized match type ${keys.join(', ') || '(none)'}${at(where)}`);
  const value = candidate[operator];
  switch (operator) {
    case 'exists':
      if (typeof value !== 'boolean')
        throw invalid(`exists match pattern must be either true or false${at(where)}`);
      return;
    case 'numeric':
      checkNumeric(value, where);
      return;
    case 'prefix':
    case 'suffix':
      if (typeof value === 'string') return;
      if (isObject(value) && typeof value['equals-ignore-case'] === 'string') return;
      throw invalid(`${operator} match pattern must be a string${at(where)}`);
    case 'equals-ignore-case':
    case 'wildcard':
      if (typeof value !== 'string') throw invalid(`${operator} match pattern must be a string${at(where)}`);
      return;
    case 'anything-but':
      if (isObject(value)) checkCandidate(value, where);
      else if (Array.isArray(value) && value.some((v) => isObject(v) || Array.isArray(v)))
        throw invalid(`Inside anything but list, start|null|boolean is not supported${at(where)}`);
      return;
  }
}

function checkNumeric(value: unknown, where: string): void {
  if (!Array.isArray(value) || value.length === 0 || value.length % 2 !== 0 || value.length > 4)
    throw invalid(`Value of numeric must be an array of one or two comparisons${at(where)}`);
  for (let i = 0; i < value.length; i += 2) {
    if (!NUMERIC.has(String(value[i])) || typeof value[i + 1] !== 'number')
      throw invalid(`Unrecognized numeric range operator: ${String(value[i])}${at(where)}`);
  }
}

const at = (path: string) => (path ? ` at ${path}` : '');

/** Whether `event` matches `pattern`: every key of the pattern, recursively. */
export function matches(pattern: unknown, event: unknown): boolean {
  if (!isObject(pattern)) return false;
  return Object.entries(pattern).every(([key, rule]) => {
    if (key === '$or') return Array.isArray(rule) && rule.some((alternative) => matches(alternative, event));
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
  const [operator] = Object.keys(candidate);
  const operand = operator === undefined ? undefined : candidate[operator];
  switch (operator) {
    case 'prefix':
      return values.some((v) => typeof v === 'string' && affix(v, operand, 'prefix'));
    case 'suffix':
      return values.some((v) => typeof v === 'string' && affix(v, operand, 'suffix'));
    case 'equals-ignore-case':
      return values.some((v) => typeof v === 'string' && v.toLowerCase() === String(operand).toLowerCase());
    case 'wildcard':
      return values.some((v) => typeof v === 'string' && wildcard(String(operand), v));
    case 'numeric':
      return values.some((v) => typeof v === 'number' && numeric(operand as unknown[], v));
    case 'anything-but': {
      if (isObject(operand)) return values.every((v) => !matchesValue(operand, v));
      const excluded = Array.isArray(operand) ? operand : [operand];
      return values.every((v) => !excluded.includes(v));
    }
    default:
      return false;
  }
}

function affix(value: string, operand: unknown, kind: 'prefix' | 'suffix'): boolean {
  const ignoreCase = isObject(operand);
  const wanted = String(ignoreCase ? operand['equals-ignore-case'] : operand);
  const [v, w] = ignoreCase ? [value.toLowerCase(), wanted.toLowerCase()] : [value, wanted];
  return kind === 'prefix' ? v.startsWith(w) : v.endsWith(w);
}

/** `*` matches any run of characters; backtracks only to the last star, so it stays linear-ish (no regex to blow up). */
function wildcard(pattern: string, value: string): boolean {
  let p = 0;
  let v = 0;
  let star = -1;
  let resume = 0;
  while (v < value.length) {
    if (p < pattern.length && pattern[p] === '*') {
      star = p++;
      resume = v;
    } else if (p < pattern.length && pattern[p] === value[v]) {
      p++;
      v++;
    } else if (star >= 0) {
      p = star + 1;
      v = ++resume;
    } else return false;
  }
  while (p < pattern.length && pattern[p] === '*') p++;
  return p === pattern.length;
}

function numeric(comparisons: unknown[], value: number): boolean {
  for (let i = 0; i < comparisons.length; i += 2) {
    const bound = comparisons[i + 1] as number;
    const ok = {
      '<': value < bound,
      '<=': value <= bound,
      '=': value === bound,
      '>=': value >= bound,
      '>': value > bound,
    }[String(comparisons[i]) as '<'];
    if (!ok) return false;
  }
  return true;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
