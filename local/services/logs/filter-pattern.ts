import { AwsError } from '../../http/aws-error.js';

/**
 * CloudWatch Logs' term filter patterns: every plain term must occur, a
 * `-term` must not, and when `?term`s are given at least one of them must;
 * quoted terms are matched as written (case-sensitive, as AWS matches).
 * JSON (`{ $.x = … }`), space-delimited (`[a, b]`) and regular-expression
 * (`%…%`) patterns are refused with a clear error rather than misread.
 */
export function compileFilterPattern(pattern: string | undefined): (message: string) => boolean {
  const text = (pattern ?? '').trim();
  if (text === '') return () => true;
  if (/^[{[%]/.test(text))
    throw new AwsError(
      'InvalidParameterException',
      'The local cloud matches term filter patterns only (terms, "quoted phrases", ?any-of, -excluded); JSON, space-delimited and regular-expression patterns are not emulated.',
    );
  const required: string[] = [];
  const excluded: string[] = [];
  const anyOf: string[] = [];
  for (const match of text.matchAll(/([?-]?)(?:"((?:[^"\\]|\\.)*)"|(\S+))/g)) {
    const [, sign = '', quoted, bare] = match;
    const term = quoted !== undefined ? quoted.replace(/\\(.)/g, '$1') : (bare ?? '');
    if (term === '') continue;
    if (sign === '?') anyOf.push(term);
    else if (sign === '-') excluded.push(term);
    else required.push(term);
  }
  return (message) =>
    required.every((t) => message.includes(t)) &&
    !excluded.some((t) => message.includes(t)) &&
    (anyOf.length === 0 || anyOf.some((t) => message.includes(t)));
}
