import type { IncomingMessage, ServerResponse } from 'node:http';
import { JsonCodec } from '@aws-sdk/core/protocols';
import type { NormalizedSchema } from '@smithy/core/schema';
import type { HttpBinding, Operation, OperationTable } from '../core/operation.js';
import type { RequestContext } from '../core/scope.js';
import { checkShape, type ValidationCodes } from '../core/shape-check.js';
import { AwsError, unsupported } from './aws-error.js';
import type { RestHandler } from './endpoint.js';
import { readBody } from './json-protocol.js';

/** A service on the REST-JSON protocol (restJson1), its operations defined by their SDK commands. */
export interface RestJsonService {
  /** Name used in messages ("ApiGatewayV2"). */
  name: string;
  operations: OperationTable;
  /** How the service words a request its model refuses. */
  codes: ValidationCodes;
}

// Timestamps without a format trait are epoch seconds on restJson1; jsonName renames members on the wire.
const codec = new JsonCodec({ timestampFormat: { useTrait: true, default: 7 }, jsonName: true });

interface Route {
  operation: Operation;
  binding: HttpBinding;
  pattern: RegExp;
  /** The input members the path's labels fill, in the order of the pattern's groups. */
  labels: string[];
}

/**
 * The server side of restJson1, read off the SDK's own schemas: each
 * operation is found by its `http` trait (method and path template), its
 * input gathered from path labels, query parameters, headers and the JSON
 * body as the member traits bind them, checked against the input schema, and
 * its output serialized by the SDK's codec (members by their `jsonName`).
 * Errors carry their code in `x-amzn-errortype` and `{"message"}` in the body.
 */
export function restJsonHandler(service: RestJsonService): RestHandler {
  const routes = service.operations
    .names()
    .map((name) => service.operations.get(name))
    .filter((op): op is Operation => op !== undefined)
    .map(compileRoute)
    // A literal segment wins over a label where two templates could both match.
    .sort((a, b) => a.labels.length - b.labels.length || b.binding.path.length - a.binding.path.length);
  return async (req, res, url, ctx) => {
    try {
      const found = match(routes, req.method ?? 'GET', url.pathname);
      if (!found) throw unsupported(service.name, `${req.method} ${url.pathname}`);
      await serve(service, found.route, found.values, req, res, url, ctx);
    } catch (err) {
      writeRestJsonError(res, err, ctx.requestId);
    }
  };
}

function compileRoute(operation: Operation): Route {
  const binding = operation.http;
  if (!binding) throw new Error(`${operation.name} has no http binding: it is not a REST operation`);
  for (const [member, schema] of operation.input.structIterator()) {
    if (schema.getMergedTraits().httpPayload)
      throw new Error(
        `${operation.name}.${member} is an HTTP payload, which restJsonHandler does not bind yet`,
      );
  }
  const labels: string[] = [];
  const [path = ''] = binding.path.split('?');
  const source = path.replace(/\{([^}]+)\}|[^{]+/g, (whole, label: string | undefined) => {
    if (label === undefined) return whole.replace(/[\\^$.|?*+()[\]{}]/g, '\\$&');
    const greedy = label.endsWith('+');
    labels.push(greedy ? label.slice(0, -1) : label);
    return greedy ? '(.+)' : '([^/]+)';
  });
  return { operation, binding, labels, pattern: new RegExp(`^${source}/?$`) };
}

function match(
  routes: Route[],
  method: string,
  pathname: string,
): { route: Route; values: string[] } | undefined {
  for (const route of routes) {
    if (route.binding.method !== method) continue;
    const found = route.pattern.exec(pathname);
    if (found) return { route, values: found.slice(1).map((v) => decodeLabel(v ?? '')) };
  }
  return undefined;
}

async function serve(
  service: RestJsonService,
  route: Route,
  labelValues: string[],
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  ctx: RequestContext,
): Promise<void> {
  const { operation } = route;
  const text = (await readBody(req)).toString('utf8');
  let body: unknown = {};
  if (text.trim() !== '') {
    try {
      body = JSON.parse(text);
    } catch {
      throw new AwsError(service.codes.wrongType, 'The request body is not valid JSON');
    }
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw new AwsError(service.codes.wrongType, 'The request body must be a JSON object');

  const bound: Record<string, unknown> = {};
  for (const [member, schema] of operation.input.structIterator()) {
    const traits = schema.getMergedTraits();
    let raw: unknown;
    if (traits.httpLabel) raw = labelValues[route.labels.indexOf(member)];
    else if (typeof traits.httpQuery === 'string') {
      const values = url.searchParams.getAll(traits.httpQuery);
      raw = schema.isListSchema() ? (values.length > 0 ? values : undefined) : values[0];
    } else if (typeof traits.httpHeader === 'string') {
      const value = req.headers[traits.httpHeader.toLowerCase()];
      raw = schema.isListSchema() && typeof value === 'string' ? value.split(/,\s*/) : value;
    } else if (traits.httpQueryParams) raw = Object.fromEntries(url.searchParams);
    else continue;
    if (raw !== undefined) bound[member] = typed(schema, raw, member, service.codes);
  }
  const wire = { ...(body as Record<string, unknown>), ...mapValues(bound, forWire) };
  checkShape(operation.input, wire, service.codes, '', { jsonName: true });
  const fromBody = (await codec.createDeserializer().read(operation.input, JSON.stringify(body))) ?? {};
  const input = { ...(fromBody as Record<string, unknown>), ...bound };

  const output = ((await operation.handle(input, ctx)) ?? {}) as Record<string, unknown>;
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'x-amzn-requestid': ctx.requestId,
  };
  const payload: Record<string, unknown> = {};
  for (const [member, schema] of operation.output.isStructSchema() ? operation.output.structIterator() : []) {
    const value = output[member];
    if (value === undefined) continue;
    const header = schema.getMergedTraits().httpHeader;
    if (typeof header === 'string') headers[header.toLowerCase()] = String(value);
    else payload[member] = value;
  }
  res.writeHead(route.binding.code, headers).end(serializeBody(operation.output, payload));
}

function serializeBody(schema: NormalizedSchema, value: Record<string, unknown>): string {
  if (!schema.isStructSchema()) return '{}';
  const serializer = codec.createSerializer();
  serializer.write(schema, value);
  const body = serializer.flush();
  return typeof body === 'string' && body !== '' ? body : '{}';
}

/** A bound string (or strings) as the member's type; what can't be one is the caller's mistake. */
function typed(schema: NormalizedSchema, raw: unknown, member: string, codes: ValidationCodes): unknown {
  const wrong = (expected: string): never => {
    throw new AwsError(
      codes.wrongType,
      `Expected ${expected} for '${member}', got "${String(raw).slice(0, 40)}"`,
    );
  };
  if (Array.isArray(raw)) {
    const item = schema.isListSchema() ? schema.getValueSchema() : schema;
    return raw.map((r) => typed(item, r, member, codes));
  }
  if (typeof raw === 'object' && raw !== null) return raw;
  const text = String(raw);
  if (schema.isNumericSchema()) {
    const n = Number(text);
    return text.trim() === '' || !Number.isFinite(n) ? wrong('a number') : n;
  }
  if (schema.isBooleanSchema())
    return text === 'true' ? true : text === 'false' ? false : wrong('true or false');
  if (schema.isTimestampSchema()) {
    const date = /^\d+(\.\d+)?$/.test(text) ? new Date(Number(text) * 1000) : new Date(text);
    return Number.isNaN(date.getTime()) ? wrong('a timestamp') : date;
  }
  return text;
}

/** What the shape check sees of a bound value: timestamps as the strings they arrived as. */
function forWire(value: unknown): unknown {
  if (value instanceof Date) return value.toISOString();
  return Array.isArray(value) ? value.map(forWire) : value;
}

function mapValues(object: Record<string, unknown>, f: (v: unknown) => unknown): Record<string, unknown> {
  return Object.fromEntries(Object.entries(object).map(([k, v]) => [k, f(v)]));
}

function decodeLabel(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/** restJson1's error answer: the code in `x-amzn-errortype` (which the SDK maps to its class), the message in the body. */
export function writeRestJsonError(res: ServerResponse, err: unknown, requestId: string): void {
  const error =
    err instanceof AwsError
      ? err
      : new AwsError('InternalFailure', err instanceof Error ? err.message : String(err), 500);
  if (!res.headersSent)
    res.writeHead(error.status, {
      'content-type': 'application/json',
      'x-amzn-errortype': error.code,
      'x-amzn-requestid': requestId,
    });
  res.end(JSON.stringify({ message: error.message }));
}
