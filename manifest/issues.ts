/**
 * zod's issues, turned into findings a user can act on: one per unknown key
 * (with "did you mean"), the branch of a union the value was meant for, and
 * "is required" for a missing key.
 */
import { z } from 'zod';
import type { Finding, KeyPath } from './errors.js';
import { didYouMean } from './suggest.js';
import { valueAt } from './yaml-source.js';

type Issue = z.core.$ZodIssue;

/** The per-parse fallback for the few schemas that carry no message of their own. */
export const fallbackMessage: z.core.$ZodErrorMap = (issue) =>
  issue.code === 'invalid_type'
    ? `must be ${issue.expected === 'object' ? 'a map' : issue.expected}`
    : undefined;

export function findingsOf(issues: readonly Issue[], schema: z.ZodType, document: unknown): Finding[] {
  return issues.flatMap((issue) => findingsOfIssue(issue, [], schema, document));
}

function findingsOfIssue(issue: Issue, base: KeyPath, schema: z.ZodType, document: unknown): Finding[] {
  const path = [...base, ...issue.path.map(asKey)];
  switch (issue.code) {
    case 'unrecognized_keys': {
      const known = knownKeysAt(schema, path);
      return issue.keys.map((key) => ({
        path: [...path, key],
        message: `unknown key${didYouMean(key, known)} (allowed here: ${known.join(', ')})`,
      }));
    }
    case 'invalid_key': {
      const reason = issue.issues[0]?.message ?? 'is not allowed';
      return [{ path, message: `name ${reason} (got ${JSON.stringify(path.at(-1))})` }];
    }
    case 'invalid_union': {
      const meant = branchMeant(issue.errors);
      if (meant) return meant.flatMap((inner) => findingsOfIssue(inner, path, schema, document));
      break;
    }
  }
  if (valueAt(document, path) === undefined && parentExists(document, path)) {
    return [{ path, message: issue.message.replace(/^must be /, 'is required: ') }];
  }
  return [{ path, message: issue.message, showValue: true }];
}

/**
 * When every branch of a union failed, the value was meant for the one
 * branch whose problems all lie inside it (its type matched): `path: ['/a', 5]`
 * is a list with a bad item, not a bad string.
 */
function branchMeant(branches: readonly Issue[][]): Issue[] | undefined {
  const inside = branches.filter((issues) => issues.length > 0 && issues.every((i) => i.path.length > 0));
  return inside.length === 1 ? inside[0] : undefined;
}

function parentExists(document: unknown, path: KeyPath): boolean {
  const parent = path.length === 0 ? undefined : valueAt(document, path.slice(0, -1));
  return parent !== null && typeof parent === 'object';
}

function asKey(segment: PropertyKey): string | number {
  return typeof segment === 'number' ? segment : String(segment);
}

/** The keys the schema allows in the map at path (through optional, default, pipe and union wrappers). */
export function knownKeysAt(schema: z.ZodType, path: KeyPath): string[] {
  let candidates = expand(schema);
  for (const segment of path) {
    candidates = candidates.flatMap((candidate) => {
      if (candidate instanceof z.ZodObject) {
        const child = (candidate.shape as Record<string, z.ZodType>)[String(segment)];
        return child ? expand(child) : [];
      }
      if (candidate instanceof z.ZodRecord) return expand(candidate.valueType as z.ZodType);
      if (candidate instanceof z.ZodArray) return expand(candidate.element as z.ZodType);
      return [];
    });
  }
  return [...new Set(candidates.flatMap((c) => (c instanceof z.ZodObject ? Object.keys(c.shape) : [])))];
}

/** The schemas a value is checked against, wrappers removed and unions opened. */
function expand(schema: z.ZodType): z.ZodType[] {
  if (
    schema instanceof z.ZodOptional ||
    schema instanceof z.ZodDefault ||
    schema instanceof z.ZodPrefault ||
    schema instanceof z.ZodNullable
  ) {
    return expand(schema.unwrap() as z.ZodType);
  }
  if (schema instanceof z.ZodPipe) return expand(schema.in as z.ZodType);
  if (schema instanceof z.ZodUnion) return (schema.options as z.ZodType[]).flatMap(expand);
  return [schema];
}
