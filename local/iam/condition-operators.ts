import { BlockList, isIP } from 'node:net';
import { arnMatches, globMatch } from './wildcard.js';

/** A request's condition keys: one value, or a set of values (`aws:TagKeys`); an empty set counts as absent. */
export type ContextValue = string | readonly string[];

/** One key of a Condition block: `"StringEquals": { "iam:PassedToService": ["ecs-tasks.amazonaws.com"] }`. */
export interface ConditionClause {
  /** As written, qualifiers included: `ForAnyValue:StringLikeIfExists`. */
  operator: string;
  key: string;
  /** The policy's values, as strings (IAM compares numbers and booleans by their text). */
  values: string[];
}

interface BaseOperator {
  /** The `…Not…` operators hold when no policy value matches, and when the key is absent. */
  negated: boolean;
  /** Does one request value match one policy value (the positive sense, for negated operators too)? */
  match: (value: string, pattern: string) => boolean;
  /** Whether the policy values are patterns (policy variables then substitute literally). */
  patterns?: boolean;
}

const numeric = (test: (a: number, b: number) => boolean) => (value: string, pattern: string) => {
  const a = Number(value);
  const b = Number(pattern);
  return (
    value.trim() !== '' && pattern.trim() !== '' && Number.isFinite(a) && Number.isFinite(b) && test(a, b)
  );
};

/** IAM accepts dates in ISO 8601 or as epoch seconds. */
function dateOf(text: string): number {
  return /^\d+$/.test(text) ? Number(text) * 1000 : Date.parse(text);
}
const date = (test: (a: number, b: number) => boolean) => (value: string, pattern: string) => {
  const a = dateOf(value);
  const b = dateOf(pattern);
  return Number.isFinite(a) && Number.isFinite(b) && test(a, b);
};

function ipMatches(value: string, pattern: string): boolean {
  const family = isIP(value);
  if (family === 0) return false;
  const [address = '', bits] = pattern.split('/');
  const patternFamily = isIP(address);
  if (patternFamily === 0) return false;
  const type = patternFamily === 4 ? 'ipv4' : 'ipv6';
  const prefix = bits === undefined ? (patternFamily === 4 ? 32 : 128) : Number(bits);
  if (!Number.isInteger(prefix) || prefix < 0 || prefix > (patternFamily === 4 ? 32 : 128)) return false;
  const list = new BlockList();
  list.addSubnet(address, prefix, type);
  return list.check(value, family === 4 ? 'ipv4' : 'ipv6');
}

const equals = (a: string, b: string) => a === b;
const equalsIgnoreCase = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();
const like = (value: string, pattern: string) => globMatch(pattern, value);

/** IAM's condition operators (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html). */
const OPERATORS: ReadonlyMap<string, BaseOperator> = new Map<string, BaseOperator>([
  ['StringEquals', { negated: false, match: equals }],
  ['StringNotEquals', { negated: true, match: equals }],
  ['StringEqualsIgnoreCase', { negated: false, match: equalsIgnoreCase }],
  ['StringNotEqualsIgnoreCase', { negated: true, match: equalsIgnoreCase }],
  ['StringLike', { negated: false, match: like, patterns: true }],
  ['StringNotLike', { negated: true, match: like, patterns: true }],
  ['NumericEquals', { negated: false, match: numeric((a, b) => a === b) }],
  ['NumericNotEquals', { negated: true, match: numeric((a, b) => a === b) }],
  ['NumericLessThan', { negated: false, match: numeric((a, b) => a < b) }],
  ['NumericLessThanEquals', { negated: false, match: numeric((a, b) => a <= b) }],
  ['NumericGreaterThan', { negated: false, match: numeric((a, b) => a > b) }],
  ['NumericGreaterThanEquals', { negated: false, match: numeric((a, b) => a >= b) }],
  ['DateEquals', { negated: false, match: date((a, b) => a === b) }],
  ['DateNotEquals', { negated: true, match: date((a, b) => a === b) }],
  ['DateLessThan', { negated: false, match: date((a, b) => a < b) }],
  ['DateLessThanEquals', { negated: false, match: date((a, b) => a <= b) }],
  ['DateGreaterThan', { negated: false, match: date((a, b) => a > b) }],
  ['DateGreaterThanEquals', { negated: false, match: date((a, b) => a >= b) }],
  ['Bool', { negated: false, match: equalsIgnoreCase }],
  ['BinaryEquals', { negated: false, match: equals }],
  ['IpAddress', { negated: false, match: ipMatches }],
  ['NotIpAddress', { negated: true, match: ipMatches }],
  ['ArnEquals', { negated: false, match: (v, p) => arnMatches(p, v), patterns: true }],
  ['ArnLike', { negated: false, match: (v, p) => arnMatches(p, v), patterns: true }],
  ['ArnNotEquals', { negated: true, match: (v, p) => arnMatches(p, v), patterns: true }],
  ['ArnNotLike', { negated: true, match: (v, p) => arnMatches(p, v), patterns: true }],
]);

interface ParsedOperator {
  set?: 'ForAnyValue' | 'ForAllValues';
  base: 'Null' | BaseOperator;
  ifExists: boolean;
}

/** An operator name split into its set qualifier, base operator and `IfExists`; undefined when IAM has no such operator. */
export function parseOperator(name: string): ParsedOperator | undefined {
  const qualified = /^(ForAnyValue|ForAllValues):(.+)$/.exec(name);
  const set = qualified?.[1] as ParsedOperator['set'];
  let rest = qualified?.[2] ?? name;
  if (rest === 'Null') return set ? undefined : { base: 'Null', ifExists: false };
  const ifExists = rest.endsWith('IfExists');
  if (ifExists) rest = rest.slice(0, -'IfExists'.length);
  const base = OPERATORS.get(rest);
  if (!base) return undefined;
  return { ...(set ? { set } : {}), base, ifExists };
}

/** Whether the operator compares against patterns (so policy variables must substitute literally). */
export function takesPatterns(operator: string): boolean {
  const base = parseOperator(operator)?.base;
  return typeof base === 'object' && base.patterns === true;
}

/**
 * Whether one condition clause holds for a request's value of its key, as
 * IAM evaluates it: any policy value may match (OR); `…IfExists` holds when
 * the key is absent; the negated operators hold when it is absent;
 * `ForAllValues` holds when every request value matches (and when there are
 * none), `ForAnyValue` when at least one does. A key with several values and
 * no set qualifier is treated as `ForAnyValue` (negated: no value matches).
 */
export function clauseHolds(clause: ConditionClause, requestValue: ContextValue | undefined): boolean {
  const operator = parseOperator(clause.operator);
  if (!operator) return false;
  const values =
    requestValue === undefined ? [] : typeof requestValue === 'string' ? [requestValue] : requestValue;
  if (operator.base === 'Null') {
    const absent = values.length === 0;
    return clause.values.some((v) => (v.toLowerCase() === 'true') === absent);
  }
  const { negated, match } = operator.base;
  if (values.length === 0) {
    if (operator.ifExists || operator.set === 'ForAllValues') return true;
    if (operator.set === 'ForAnyValue') return false;
    return negated;
  }
  const passes = (value: string) =>
    negated ? clause.values.every((p) => !match(value, p)) : clause.values.some((p) => match(value, p));
  if (operator.set === 'ForAllValues') return values.every(passes);
  if (operator.set === 'ForAnyValue') return values.some(passes);
  return negated ? values.every(passes) : values.some(passes);
}
