import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { XMLBuilder } from 'fast-xml-parser';
import { AwsError, unsupported } from './aws-error.js';
import { readBody } from './json-protocol.js';

/** One awsQuery operation: the flattened form parameters in, the `<XResult>` content out. */
export type QueryOperation = (
  params: QueryParams,
) => Record<string, unknown> | Promise<Record<string, unknown>>;

export interface QueryService {
  name: string;
  namespace: string;
  operations: Record<string, QueryOperation>;
}

/** Form parameters with helpers for awsQuery's `Name.member.N` lists. */
export class QueryParams {
  constructor(private readonly form: URLSearchParams) {}

  get(name: string): string | undefined {
    return this.form.get(name) ?? undefined;
  }

  require(name: string): string {
    const value = this.get(name);
    if (!value) throw new AwsError('ValidationError', `${name} is required`);
    return value;
  }

  /** `Names.member.1`, `Names.member.2`, … */
  list(name: string): string[] {
    const values: string[] = [];
    for (let i = 1; this.form.has(`${name}.member.${i}`); i++)
      values.push(this.form.get(`${name}.member.${i}`) ?? '');
    return values;
  }

  /** `Targets.member.1.Id`, `Targets.member.1.Port`, … as objects. */
  structs(name: string): Record<string, string>[] {
    const items: Record<string, string>[] = [];
    for (let i = 1; ; i++) {
      const prefix = `${name}.member.${i}.`;
      const item: Record<string, string> = {};
      for (const [key, value] of this.form)
        if (key.startsWith(prefix)) item[key.slice(prefix.length)] = value;
      if (Object.keys(item).length === 0) return items;
      items.push(item);
    }
  }
}

const builder = new XMLBuilder({ ignoreAttributes: false, suppressEmptyNode: false, format: false });

/** Lists are `<member>` elements in awsQuery; dates are ISO 8601. */
function toXmlShape(value: unknown): unknown {
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return { member: value.map(toXmlShape) };
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>)
        .filter(([, v]) => v !== undefined)
        .map(([k, v]) => [k, toXmlShape(v)]),
    );
  }
  return value;
}

export async function handleQuery(
  service: QueryService,
  req: IncomingMessage,
  res: ServerResponse,
  body?: Buffer,
): Promise<void> {
  const requestId = randomUUID();
  try {
    const form = new URLSearchParams((body ?? (await readBody(req))).toString('utf8'));
    const action = form.get('Action') ?? '';
    const operation = service.operations[action];
    if (!operation) throw unsupported(service.name, action || '(no Action)');
    const result = await operation(new QueryParams(form));
    const xml = builder.build({
      [`${action}Response`]: {
        '@_xmlns': service.namespace,
        [`${action}Result`]: toXmlShape(result),
        ResponseMetadata: { RequestId: requestId },
      },
    });
    res.writeHead(200, { 'content-type': 'text/xml' }).end(`<?xml version="1.0" encoding="UTF-8"?>${xml}`);
  } catch (err) {
    const error = err instanceof AwsError ? err : new AwsError('InternalFailure', String(err), 500);
    const xml = builder.build({
      ErrorResponse: {
        '@_xmlns': service.namespace,
        Error: { Type: error.fault, Code: error.code, Message: error.message },
        RequestId: requestId,
      },
    });
    res.writeHead(error.status, { 'content-type': 'text/xml' }).end(xml);
  }
}
