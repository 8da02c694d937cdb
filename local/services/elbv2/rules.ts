import type { Action, RuleCondition } from '@aws-sdk/client-elastic-load-balancing-v2';

/** What a listener rule needs to route a request. */
export interface RoutableRule {
  /** A number, or "default" for the listener's default actions (evaluated last). */
  priority: number | 'default';
  conditions: RuleCondition[];
  actions: Action[];
}

export interface RequestFacts {
  path: string;
  host: string;
  method: string;
  query: URLSearchParams;
  headers: Record<string, string | string[] | undefined>;
}

/**
 * The rule an ALB applies to a request: rules in ascending priority, the
 * first whose every condition matches, else the default rule.
 */
export function chooseRule<R extends RoutableRule>(
  rules: readonly R[],
  request: RequestFacts,
): R | undefined {
  const ordered = [...rules].sort((a, b) => rank(a) - rank(b));
  return ordered.find((rule) => rule.conditions.every((c) => conditionMatches(c, request)));
}

const rank = (rule: RoutableRule) => (rule.priority === 'default' ? Number.POSITIVE_INFINITY : rule.priority);

function conditionMatches(condition: RuleCondition, request: RequestFacts): boolean {
  switch (condition.Field) {
    case 'path-pattern': {
      const patterns = condition.PathPatternConfig?.Values ?? condition.Values ?? [];
      return patterns.some((p) => wildcardMatches(p, request.path, true));
    }
    case 'host-header': {
      const patterns = condition.HostHeaderConfig?.Values ?? condition.Values ?? [];
      const host = request.host.replace(/:\d+$/, '');
      return patterns.some((p) => wildcardMatches(p, host, false));
    }
    case 'http-request-method':
      return (condition.HttpRequestMethodConfig?.Values ?? []).includes(request.method);
    case 'http-header': {
      const name = (condition.HttpHeaderConfig?.HttpHeaderName ?? '').toLowerCase();
      const raw = request.headers[name];
      const values = Array.isArray(raw) ? raw : raw === undefined ? [] : [raw];
      return (condition.HttpHeaderConfig?.Values ?? []).some((p) =>
        values.some((v) => wildcardMatches(p, v, false)),
      );
    }
    case 'query-string':
      return (condition.QueryStringConfig?.Values ?? []).some((pair) =>
        [...request.query.entries()].some(
          ([k, v]) =>
            (pair.Key === undefined || wildcardMatches(pair.Key, k, false)) &&
            wildcardMatches(pair.Value ?? '', v, false),
        ),
      );
    default:
      // source-ip and anything newer: not evaluated locally, so never matched.
      return false;
  }
}

/**
 * ALB wildcards: `*` matches any run of characters (including none), `?`
 * exactly one. Paths compare case-sensitively, host names and headers not.
 */
export function wildcardMatches(pattern: string, value: string, caseSensitive: boolean): boolean {
  const source = pattern
    .split('')
    .map((ch) => (ch === '*' ? '.*' : ch === '?' ? '.' : ch.replace(/[.+^${}()|[\]\\/]/g, '\\$&')))
    .join('');
  return new RegExp(`^${source}$`, caseSensitive ? 's' : 'is').test(value);
}
