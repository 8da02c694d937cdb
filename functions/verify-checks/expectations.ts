import type { HttpCheckModel, JsonExpectation } from '../../manifest/model.js';
import { VerificationError } from '../commons/errors.js';
import type { HttpAnswer } from '../commons/http.js';

const TABLE_REFERENCE = /\$\{table:([^}]*)\}/g;

/** `${table:<name>}` replaced by that table's physical name; a name the service can't reach is a VerificationError. */
export function substituteTables(text: string, tables: Record<string, string>): string {
  return text.replace(TABLE_REFERENCE, (_, name: string) => {
    const physical = Object.hasOwn(tables, name) ? tables[name] : undefined;
    if (physical === undefined) {
      const known = Object.keys(tables).join(', ') || 'none';
      throw new VerificationError(
        `A check refers to \${table:${name}}, but the service has no such table (it has: ${known})`,
      );
    }
    return physical;
  });
}

/** The value at a dotted path (`a.b.0`) of a JSON value; undefined when any step is missing. */
export function valueAt(json: unknown, path: string): unknown {
  let value = json;
  for (const key of path.split('.')) {
    if (typeof value !== 'object' || value === null || !Object.hasOwn(value, key)) return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}

const show = (value: unknown): string => {
  const text = value === undefined ? 'missing' : JSON.stringify(value);
  return text.length > 120 ? `${text.slice(0, 120)}…` : text;
};

function expectationProblem(
  field: string,
  expectation: JsonExpectation,
  actual: unknown,
  tables: Record<string, string>,
): string | undefined {
  const resolve = (v: string | number | boolean | null) =>
    typeof v === 'string' ? substituteTables(v, tables) : v;
  if (typeof expectation === 'object' && expectation !== null) {
    const wanted = resolve(expectation.contains);
    if (!Array.isArray(actual))
      return `${field} is ${show(actual)}, expected a list containing ${show(wanted)}`;
    return actual.includes(wanted)
      ? undefined
      : `${field} (${show(actual)}) does not contain ${show(wanted)}`;
  }
  const wanted = resolve(expectation);
  return actual === wanted ? undefined : `${field} is ${show(actual)}, expected ${show(wanted)}`;
}

/** What is wrong with an answer to a declared check: its status, then each JSON expectation; empty when it passes. */
export function problemsWith(
  answer: HttpAnswer,
  check: HttpCheckModel,
  tables: Record<string, string>,
): string[] {
  if (answer.status !== check.status) {
    const body = answer.text.trim().slice(0, 300);
    return [`answered ${answer.status}, expected ${check.status}${body ? `: ${body}` : ''}`];
  }
  const expectations = Object.entries(check.json);
  if (expectations.length > 0 && answer.json === undefined) {
    return [`answered ${answer.status} without a JSON body: ${answer.text.trim().slice(0, 300)}`];
  }
  return expectations
    .map(([field, expectation]) =>
      expectationProblem(field, expectation, valueAt(answer.json, field), tables),
    )
    .filter((p): p is string => p !== undefined);
}
