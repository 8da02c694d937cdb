import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { XmlCodec } from '@aws-sdk/core/protocols';
import type { NormalizedSchema } from '@smithy/core/schema';
import { XMLBuilder } from 'fast-xml-parser';
import type { OperationTable } from '../core/operation.js';
import type { RequestContext } from '../core/scope.js';
import { checkShape } from '../core/shape-check.js';
import { AwsError, isOperationName, unsupported } from './aws-error.js';
import { readBody } from './json-protocol.js';

export interface QueryService {
  name: string;
  /** The XML namespace of responses (`http://elasticloadbalancing.amazonaws.com/doc/2015-12-01/`). */
  namespace: string;
  /** The API version clients send as `Version`. */
  version: string;
  operations: OperationTable;
}

const MAX_LIST_ITEMS = 10_000;

/**
 * awsQuery: the form parameters read into the operation's input by its
 * schema (`Names.member.1`, `Targets.member.1.Id`, `Attributes.entry.1.key`),
 * checked like the JSON protocols' bodies, and the result written as the
 * `<XResponse><XResult>` document by the SDK's own XML codec, so only
 * modeled members go out, lists as `<member>`, timestamps in ISO 8601.
 */
export async function handleQuery(
  service: QueryService,
  req: IncomingMessage,
  res: ServerResponse,
  ctx: RequestContext,
  body?: Buffer,
): Promise<void> {
  try {
    const form = new URLSearchParams((body ?? (await readBody(req, 1024 * 1024))).toString('utf8'));
    const action = form.get('Action') ?? '';
    if (action === '') throw new AwsError('MissingAction', 'The request must contain the parameter Action');
    const operation = service.operations.get(action);
    if (!operation && !isOperationName(action))
      throw new AwsError(
        'InvalidAction',
        `The action ${JSON.stringify(action.slice(0, 64))} is not valid for this endpoint`,
      );
    if (!operation) throw unsupported(service.name, action);
    const version = form.get('Version');
    if (version !== null && version !== service.version)
      throw new AwsError(
        'InvalidAction',
        `Could not find operation ${action} for version ${version} (this endpoint serves ${service.version})`,
      );
    const input = readStruct(operation.input, form, '');
    checkShape(operation.input, input, { missing: 'ValidationError', wrongType: 'ValidationError' });
    const output = await operation.handle(input, ctx);
    res
      .writeHead(200, { 'content-type': 'text/xml', 'x-amzn-requestid': ctx.requestId })
      .end(resultDocument(service, action, operation.output, output ?? {}, ctx.requestId));
  } catch (err) {
    writeQueryError(res, service.namespace, err, ctx.requestId);
  }
}

const errorBuilder = new XMLBuilder({ ignoreAttributes: false, format: false });

export function writeQueryError(
  res: ServerResponse,
  namespace: string,
  err: unknown,
  requestId: string = randomUUID(),
): void {
  const error = err instanceof AwsError ? err : new AwsError('InternalFailure', String(err), 500);
  const xml = errorBuilder.build({
    ErrorResponse: {
      '@_xmlns': namespace,
      Error: { Type: error.fault, Code: error.code, Message: error.message },
      RequestId: requestId,
    },
  });
  if (!res.headersSent) res.writeHead(error.status, { 'content-type': 'text/xml' });
  res.end(xml);
}

function resultDocument(
  service: QueryService,
  action: string,
  schema: NormalizedSchema,
  output: unknown,
  requestId: string,
): string {
  const metadata = `<ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata>`;
  // An operation the model gives no output (CloudFormation's DeleteStack) answers the metadata alone.
  if (!schema.isStructSchema())
    return `<?xml version="1.0" encoding="UTF-8"?><${action}Response xmlns="${service.namespace}">${metadata}</${action}Response>`;
  const codec = new XmlCodec({
    timestampFormat: { useTrait: true, default: 5 },
    httpBindings: false,
    xmlNamespace: service.namespace,
    serviceNamespace: '',
  });
  const serializer = codec.createSerializer();
  serializer.write(schema, output);
  const flushed = serializer.flush();
  const document = typeof flushed === 'string' ? flushed : Buffer.from(flushed).toString('utf8');
  // The codec names the root after the output shape; awsQuery wraps the members in <XResult>.
  const inner = /^<[^>]*?\/>$/.test(document)
    ? ''
    : document.replace(/^<[^>]*>/, '').replace(/<\/[^>]*>$/, '');
  return `<?xml version="1.0" encoding="UTF-8"?><${action}Response xmlns="${service.namespace}"><${action}Result>${inner}</${action}Result>${metadata}</${action}Response>`;
}

/** The members of a structure at `prefix` (`''` for the input itself). */
function readStruct(ns: NormalizedSchema, form: URLSearchParams, prefix: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, member] of ns.structIterator()) {
    const key = prefix ? `${prefix}.${name}` : name;
    const value = readValue(member, form, key);
    if (value !== undefined) out[name] = value;
  }
  return out;
}

function readValue(ns: NormalizedSchema, form: URLSearchParams, key: string): unknown {
  if (ns.isStructSchema()) return hasPrefix(form, `${key}.`) ? readStruct(ns, form, key) : undefined;
  if (ns.isListSchema()) {
    // An empty list is sent as the bare name with no value.
    if (form.get(key) === '') return [];
    const items: unknown[] = [];
    for (let i = 1; i <= MAX_LIST_ITEMS; i++) {
      const item = readValue(ns.getValueSchema(), form, `${key}.member.${i}`);
      if (item === undefined) break;
      items.push(item);
    }
    return items.length > 0 ? items : undefined;
  }
  if (ns.isMapSchema()) {
    const entries: Record<string, unknown> = {};
    for (let i = 1; i <= MAX_LIST_ITEMS; i++) {
      const k = form.get(`${key}.entry.${i}.key`);
      if (k === null) break;
      entries[k] = readValue(ns.getValueSchema(), form, `${key}.entry.${i}.value`);
    }
    return Object.keys(entries).length > 0 ? entries : undefined;
  }
  const raw = form.get(key);
  if (raw === null) return undefined;
  if (ns.isBooleanSchema()) {
    if (raw !== 'true' && raw !== 'false')
      throw new AwsError('ValidationError', `${key} must be true or false, got "${clip(raw)}"`);
    return raw === 'true';
  }
  if (ns.isNumericSchema()) {
    const n = Number(raw);
    if (raw.trim() === '' || !Number.isFinite(n))
      throw new AwsError('ValidationError', `${key} must be a number, got "${clip(raw)}"`);
    return n;
  }
  if (ns.isTimestampSchema()) {
    const date = new Date(raw);
    if (Number.isNaN(date.getTime()))
      throw new AwsError('ValidationError', `${key} must be an ISO 8601 timestamp, got "${clip(raw)}"`);
    return date;
  }
  return raw;
}

function hasPrefix(form: URLSearchParams, prefix: string): boolean {
  for (const key of form.keys()) if (key.startsWith(prefix)) return true;
  return false;
}

const clip = (s: string) => (s.length > 40 ? `${s.slice(0, 40)}…` : s);
