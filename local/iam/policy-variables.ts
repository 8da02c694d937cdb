import type { ContextValue } from './condition-operators.js';
import { literal } from './wildcard.js';

const VARIABLE = /\$\{([^}]*)\}/g;
const ESCAPES: Record<string, string> = { '*': '*', '?': '?', $: '$' };

/**
 * A Resource or condition value with its policy variables (`${aws:username}`,
 * `${aws:PrincipalTag/team, 'none'}`, `${*}`) replaced from the request, as
 * IAM does under policy version 2012-10-17. What a variable brings in is
 * matched literally by the wildcard matchers when `forPattern` is set.
 * Undefined when a variable has no single value and no default: IAM then
 * treats the element as not matching.
 */
export function substituteVariables(
  text: string,
  contextValue: (key: string) => ContextValue | undefined,
  forPattern: boolean,
): string | undefined {
  if (!text.includes('${')) return text;
  let missing = false;
  const result = text.replace(VARIABLE, (_whole, body: string) => {
    const inner = body.trim();
    const escaped = ESCAPES[inner];
    const withDefault = /^(.+?)\s*,\s*'([^']*)'$/.exec(inner);
    const key = withDefault ? (withDefault[1] as string) : inner;
    const value = escaped ?? contextValue(key);
    const resolved = typeof value === 'string' ? value : withDefault?.[2];
    if (resolved === undefined) {
      missing = true;
      return '';
    }
    return forPattern ? literal(resolved) : resolved;
  });
  return missing ? undefined : result;
}
