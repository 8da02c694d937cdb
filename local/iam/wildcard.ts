/**
 * IAM's wildcard matching. `*` matches any run of characters and `?` any one
 * character; nothing else is special (IAM has no character classes), so every
 * other character is matched literally.
 */

/**
 * What a policy variable puts into a pattern is matched literally (`${*}` is
 * an asterisk, not a wildcard): substitution writes these stand-ins, which
 * the matchers read as the plain characters.
 */
const LITERAL_STAR = '\uE000';
const LITERAL_QUESTION = '\uE001';

/** `text` as it must be matched inside a pattern: its `*` and `?` taken literally. */
export function literal(text: string): string {
  return text.replaceAll('*', LITERAL_STAR).replaceAll('?', LITERAL_QUESTION);
}

const cache = new Map<string, RegExp>();
const MAX_CACHED = 4096;

function compile(
  pattern: string,
  ignoreCase: boolean,
  star: (next: string | undefined) => string,
  one = '.',
): RegExp {
  let source = '^';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i] as string;
    if (c === '*') source += star(pattern[i + 1]);
    else if (c === '?') source += one;
    else if (c === LITERAL_STAR) source += '\\*';
    else if (c === LITERAL_QUESTION) source += '\\?';
    else source += c.replace(/[\\^$.|+()[\]{}]/g, '\\$&');
  }
  return new RegExp(`${source}$`, ignoreCase ? 'is' : 's');
}

function cached(key: string, make: () => RegExp): RegExp {
  let re = cache.get(key);
  if (!re) {
    if (cache.size >= MAX_CACHED) cache.clear();
    re = make();
    cache.set(key, re);
  }
  return re;
}

/** `StringLike`'s and the Action element's matching: `*` and `?` anywhere, over the whole value. */
export function globMatch(pattern: string, value: string, ignoreCase = false): boolean {
  return cached(`g${ignoreCase ? 'i' : 's'}:${pattern}`, () => compile(pattern, ignoreCase, () => '.*')).test(
    value,
  );
}

/** An action (`ecs:UpdateService`) against an Action element's entry: case-insensitive. */
export function actionMatches(pattern: string, action: string): boolean {
  return pattern === '*' || globMatch(pattern, action, true);
}

/**
 * A resource ARN against a Resource element's entry, case-sensitively. As
 * IAM documents it, wildcards stay within the colon-separated segment they
 * are in, except a `*` that ends a segment, which may expand past colons
 * (so `…:log-group:web:*` covers `…:log-group:web:log-stream:x`).
 */
export function resourceMatches(pattern: string, resource: string): boolean {
  if (pattern === '*') return true;
  return cached(`r:${pattern}`, () =>
    compile(pattern, false, (next) => (next === undefined || next === ':' ? '.*' : '[^:]*'), '[^:]'),
  ).test(resource);
}

/** The six colon-separated parts of an ARN (the last one keeps its colons), or undefined for anything else. */
export function arnParts(value: string): string[] | undefined {
  const parts = value.split(':');
  if (parts.length < 6 || parts[0] !== 'arn') return undefined;
  return [...parts.slice(0, 5), parts.slice(5).join(':')];
}

/**
 * `ArnLike`/`ArnEquals`: each of the six parts is matched separately, with
 * wildcards allowed in any of them; a value that is not an ARN never matches.
 */
export function arnMatches(pattern: string, value: string): boolean {
  const want = arnParts(pattern);
  const have = arnParts(value);
  if (!want || !have) return false;
  return want.every((part, i) => globMatch(part, have[i] as string));
}
