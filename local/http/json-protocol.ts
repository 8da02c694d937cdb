import type { IncomingMessage, ServerResponse } from 'node:http';
import { AwsError, unsupported } from './aws-error.js';

/** One JSON-protocol operation: the parsed request body in, the response body out. */
export type JsonOperation = (input: Record<string, unknown>) => unknown | Promise<unknown>;

export interface JsonService {
  /** Name used in messages ("ECS"). */
  name: string;
  /** The X-Amz-Target prefix ("AmazonEC2ContainerServiceV20141113"). */
  targetPrefix: string;
  /** "1.0" for DynamoDB/SFN, "1.1" for the others. */
  jsonVersion: '1.0' | '1.1';
  operations: Record<string, JsonOperation>;
}

export async function readBody(req: IncomingMessage, limit = 16 * 1024 * 1024): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) throw new AwsError('RequestEntityTooLarge', `Request body exceeds ${limit} bytes`, 413);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/** Dates become epoch seconds (fractions allowed), as the JSON protocols put timestamps on the wire. */
function serialize(value: unknown): string {
  return JSON.stringify(value, function replacer(this: unknown, key: string, v: unknown) {
    const original = (this as Record<string, unknown>)[key];
    return original instanceof Date ? original.getTime() / 1000 : v;
  });
}

export async function handleJson(
  service: JsonService,
  operation: string,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const contentType = `application/x-amz-json-${service.jsonVersion}`;
  try {
    const handler = service.operations[operation];
    if (!handler) throw unsupported(service.name, operation);
    const raw = (await readBody(req)).toString('utf8');
    let input: unknown;
    try {
      input = raw.trim() === '' ? {} : JSON.parse(raw);
    } catch {
      throw new AwsError('SerializationException', 'The request body is not valid JSON');
    }
    if (typeof input !== 'object' || input === null || Array.isArray(input)) {
      throw new AwsError('SerializationException', 'The request body must be a JSON object');
    }
    const output = (await handler(input as Record<string, unknown>)) ?? {};
    res.writeHead(200, { 'content-type': contentType }).end(serialize(output));
  } catch (err) {
    writeJsonError(res, contentType, err);
  }
}

export function writeJsonError(res: ServerResponse, contentType: string, err: unknown): void {
  const error =
    err instanceof AwsError
      ? err
      : new AwsError('InternalFailure', err instanceof Error ? err.message : String(err), 500);
  if (!res.headersSent) {
    res.writeHead(error.status, { 'content-type': contentType, 'x-amzn-errortype': error.code });
  }
  res.end(JSON.stringify({ __type: error.code, message: error.message }));
}
