/**
 * HTTP API route keys (`GET /deployments/{id}`, `ANY /{proxy+}`, `$default`)
 * and route selection as API Gateway does it for the route selection
 * expression `$request.method $request.path`.
 */

export const DEFAULT_ROUTE = '$default';
export const ROUTE_METHODS = ['ANY', 'DELETE', 'GET', 'HEAD', 'OPTIONS', 'PATCH', 'POST', 'PUT'] as const;

type Segment =
  | { kind: 'literal'; text: string }
  | { kind: 'param'; name: string }
  /** `{proxy+}`: one or more segments, only last. */
  | { kind: 'greedy'; name: string };

export interface ParsedRouteKey {
  method: (typeof ROUTE_METHODS)[number];
  segments: Segment[];
}

const PARAM = /^\{([A-Za-z0-9._-]+)(\+?)\}$/;

/**
 * A route key's method and path template, `$default` as undefined; a key
 * API Gateway refuses (no method, a path not starting with `/`, a greedy
 * variable not last, a variable used twice) throws a message saying why.
 */
export function parseRouteKey(key: string): ParsedRouteKey | undefined {
  if (key === DEFAULT_ROUTE) return undefined;
  const space = key.indexOf(' ');
  const method = key.slice(0, space);
  const path = key.slice(space + 1);
  if (space < 0 || !(ROUTE_METHODS as readonly string[]).includes(method))
    throw new Error(`the method must be one of ${ROUTE_METHODS.join(', ')}, followed by a space and a path`);
  if (!path.startsWith('/')) throw new Error('the path must start with /');
  const parts = path === '/' ? [''] : path.slice(1).split('/');
  const names = new Set<string>();
  const segments = parts.map((part, i): Segment => {
    const param = PARAM.exec(part);
    if (!param) {
      if (/[{}]/.test(part))
        throw new Error(`"${part}" is not a path variable of the form {name} or {name+}`);
      return { kind: 'literal', text: part };
    }
    const name = param[1] ?? '';
    if (names.has(name)) throw new Error(`the path variable {${name}} is used twice`);
    names.add(name);
    if (param[2] !== '+') return { kind: 'param', name };
    if (i !== parts.length - 1) throw new Error('a greedy path variable {name+} must be the last segment');
    return { kind: 'greedy', name };
  });
  return { method: method as ParsedRouteKey['method'], segments };
}

export interface RouteMatch<R> {
  route: R;
  /** The path variables' values, URL-decoded; empty for routes without any. */
  pathParameters: Record<string, string>;
}

/**
 * The route a request selects: of the routes whose method (or ANY) and path
 * template match, the most specific — a literal segment over a variable at
 * the first place they differ, any non-greedy route over a greedy one, an
 * explicit method over ANY — else the `$default` route, else none.
 */
export function selectRoute<R extends { RouteKey: string }>(
  routes: Iterable<R>,
  method: string,
  path: string,
): RouteMatch<R> | undefined {
  const segments = path === '/' ? [''] : path.replace(/^\//, '').split('/');
  let best: { match: RouteMatch<R>; rank: number[] } | undefined;
  let fallback: R | undefined;
  for (const route of routes) {
    if (route.RouteKey === DEFAULT_ROUTE) {
      fallback = route;
      continue;
    }
    let key: ParsedRouteKey | undefined;
    try {
      key = parseRouteKey(route.RouteKey);
    } catch {
      continue;
    }
    if (!key || (key.method !== 'ANY' && key.method !== method)) continue;
    const pathParameters = matchPath(key.segments, segments);
    if (!pathParameters) continue;
    const rank = rankOf(key);
    if (!best || compare(rank, best.rank) < 0) best = { match: { route, pathParameters }, rank };
  }
  if (best) return best.match;
  return fallback ? { route: fallback, pathParameters: {} } : undefined;
}

function matchPath(template: Segment[], path: string[]): Record<string, string> | undefined {
  const values: Record<string, string> = {};
  for (const [i, segment] of template.entries()) {
    if (segment.kind === 'greedy') {
      const rest = path.slice(i).join('/');
      if (rest === '') return undefined;
      values[segment.name] = decoded(rest);
      return values;
    }
    const part = path[i];
    if (part === undefined) return undefined;
    if (segment.kind === 'literal') {
      if (part !== segment.text) return undefined;
    } else {
      if (part === '') return undefined;
      values[segment.name] = decoded(part);
    }
  }
  return template.length === path.length ? values : undefined;
}

/** Lower ranks are more specific: greedy last, then literal-before-variable place by place, then ANY last. */
function rankOf(key: ParsedRouteKey): number[] {
  const greedy = key.segments.some((s) => s.kind === 'greedy') ? 1 : 0;
  const places = key.segments.map((s) => (s.kind === 'literal' ? 0 : s.kind === 'param' ? 1 : 2));
  return [greedy, ...places, key.method === 'ANY' ? 1 : 0];
}

function compare(a: number[], b: number[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const d = (a[i] ?? -1) - (b[i] ?? -1);
    if (d !== 0) return d;
  }
  return 0;
}

function decoded(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
