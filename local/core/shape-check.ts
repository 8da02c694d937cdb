import type { NormalizedSchema } from '@smithy/core/schema';
import { AwsError } from '../http/aws-error.js';

/** How a service words a request that breaks its model (its codes differ: ClientException, ValidationException…). */
export interface ValidationCodes {
  /** A required member is missing. */
  missing: string;
  /** A member has the wrong type (AWS's JSON services answer SerializationException). */
  wrongType: string;
}

const MAX_DEPTH = 32;

/**
 * Checks a request against the SDK's own model of the operation's input:
 * every member's type, recursively, and that required members are present.
 * Unknown members are left for the codec to drop, as AWS ignores them. The
 * first problem is answered as the service would, naming where it is.
 */
export function checkShape(
  schema: NormalizedSchema,
  value: unknown,
  codes: ValidationCodes,
  path = '',
  options: ShapeCheckOptions = {},
): void {
  check(schema, value, { ...codes, jsonName: options.jsonName === true }, path, 0);
}

export interface ShapeCheckOptions {
  /** Members go by their `jsonName` on the wire (REST-JSON: `apiId` for ApiId), not by their model names. */
  jsonName?: boolean;
}

type Checking = ValidationCodes & { jsonName: boolean };

function check(ns: NormalizedSchema, value: unknown, codes: Checking, path: string, depth: number): void {
  if (value === undefined || value === null) return;
  if (depth > MAX_DEPTH)
    throw new AwsError(codes.wrongType, `The request nests deeper than ${MAX_DEPTH} levels`);
  const at = path || 'the request body';
  const wrong = (expected: string): never => {
    throw new AwsError(codes.wrongType, `Expected ${expected} at '${at}', got ${describe(value)}`);
  };
  if (ns.isStructSchema() || ns.isUnionSchema()) {
    if (!isObject(value)) wrong('a structure');
    const object = value as Record<string, unknown>;
    const wire = (name: string) => (codes.jsonName ? wireName(ns, name) : name);
    for (const name of requiredMembers(ns).map(wire)) {
      if (object[name] === undefined || object[name] === null) {
        throw new AwsError(
          codes.missing,
          `1 validation error detected: Value null at '${join(path, name)}' failed to satisfy constraint: Member must not be null`,
        );
      }
    }
    for (const [member, schema] of ns.structIterator()) {
      const name = wire(member);
      if (Object.hasOwn(object, name)) check(schema, object[name], codes, join(path, name), depth + 1);
    }
    return;
  }
  if (ns.isListSchema()) {
    if (!Array.isArray(value)) wrong('a list');
    const member = ns.getValueSchema();
    (value as unknown[]).forEach((item, i) => {
      check(member, item, codes, `${join(path, String(i + 1))}.member`, depth + 1);
    });
    return;
  }
  if (ns.isMapSchema()) {
    if (!isObject(value)) wrong('a map');
    const member = ns.getValueSchema();
    for (const [key, item] of Object.entries(value as Record<string, unknown>))
      check(member, item, codes, join(path, key), depth + 1);
    return;
  }
  if (ns.isDocumentSchema()) return;
  if (ns.isBooleanSchema()) {
    if (typeof value !== 'boolean') wrong('a boolean');
    return;
  }
  if (ns.isNumericSchema() || ns.isBigIntegerSchema() || ns.isBigDecimalSchema()) {
    if (typeof value !== 'number' || !Number.isFinite(value)) wrong('a number');
    return;
  }
  if (ns.isTimestampSchema()) {
    if (typeof value !== 'number' && typeof value !== 'string') wrong('a timestamp');
    return;
  }
  if (ns.isBlobSchema() || ns.isStringSchema()) {
    if (typeof value !== 'string') wrong('a string');
  }
}

/** A member's name on the wire under `jsonName` (its model name when it has none). */
function wireName(ns: NormalizedSchema, member: string): string {
  const jsonName = ns.getMemberSchema(member).getMergedTraits().jsonName;
  return typeof jsonName === 'string' ? jsonName : member;
}

/** The members the model marks required: static structure schemas list them first and count them. */
function requiredMembers(ns: NormalizedSchema): string[] {
  const raw = ns.getSchema() as unknown;
  if (!Array.isArray(raw) || raw[0] !== 3) return [];
  const names = raw[4] as string[];
  const count = typeof raw[6] === 'number' ? raw[6] : 0;
  return names.slice(0, count);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function join(path: string, name: string): string {
  return path ? `${path}.${name}` : name;
}

function describe(value: unknown): string {
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a structure';
  const text = JSON.stringify(value) ?? String(value);
  return `${typeof value} ${text.length > 40 ? `${text.slice(0, 40)}…` : text}`;
}
