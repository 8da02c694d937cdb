import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { JsonCodec } from '@aws-sdk/core/protocols';
import type { NormalizedSchema } from '@smithy/core/schema';
import type { OperationTable } from '../core/operation.js';
import type { RequestContext } from '../core/scope.js';
import { checkShape, type ValidationCodes } from '../core/shape-check.js';
import { AwsError, isOperationName, unsupported } from './aws-error.js';
import { jsonNestsDeeperThan, MAX_REQUEST_NESTING } from './json-depth.js';

export interface JsonService {
  /** Name used in messages ("ECS"). */
  name: string;
  /** The X-Amz-Target prefix ("AmazonEC2ContainerServiceV20141113"). */
  targetPrefix: string;
  /** "1.0" for DynamoDB/SFN, "1.1" for the others. */
  jsonVersion: '1.0' | '1.1';
  operations: OperationTable;
  /** How the service words a request its model refuses. */
  codes: ValidationCodes;
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

// Timestamps are epoch seconds on the JSON protocols (7 = TimestampEpochSecondsSchema).
const codec = new JsonCodec({ timestampFormat: { useTrait: true, default: 7 }, jsonName: false });

/**
 * One JSON-protocol request: the body checked against the operation's input
 * schema, deserialized by the SDK's own codec (timestamps to dates, unknown
 * members dropped), handled, and the result serialized by the codec against
 * the output schema — so only modeled members, in AWS's formats, go out.
 */
export async function handleJson(
  service: JsonService,
  operationName: string,
  req: IncomingMessage,
  res: ServerResponse,
  ctx: RequestContext,
): Promise<void> {
  const contentType = `application/x-amz-json-${service.jsonVersion}`;
  try {
    const operation = service.operations.get(operationName);
    if (!operation) throw unknownOperation(service.name, operationName);
    const parsed = parseJsonObject((await readBody(req)).toString('utf8'));
    checkShape(operation.input, parsed, service.codes);
    const input = await codec.createDeserializer().read(operation.input, JSON.stringify(parsed));
    const output = (await operation.handle(input ?? {}, ctx)) ?? {};
    const body = serializeOutput(operation.output, output);
    res.writeHead(200, { 'content-type': contentType, 'x-amzn-requestid': ctx.requestId }).end(body);
  } catch (err) {
    writeJsonError(res, contentType, err, ctx.requestId);
  }
}

/** AWS's answer to an operation name no service has; the local cloud's own to one it doesn't implement. */
export function unknownOperation(service: string, name: string): AwsError {
  if (!isOperationName(name))
    return new AwsError(
      'UnknownOperationException',
      `${service} has no operation ${JSON.stringify(name.slice(0, 64))}`,
    );
  return unsupported(service, name);
}

/** A request body as the JSON object it must be (empty is `{}`); anything else is SerializationException. */
export function parseJsonObject(raw: string): Record<string, unknown> {
  if (raw.trim() === '') return {};
  if (jsonNestsDeeperThan(raw, MAX_REQUEST_NESTING))
    throw new AwsError(
      'SerializationException',
      `The request body nests deeper than ${MAX_REQUEST_NESTING} levels`,
    );
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw new AwsError('SerializationException', 'The request body is not valid JSON');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    throw new AwsError('SerializationException', 'The request body must be a JSON object');
  return parsed as Record<string, unknown>;
}

/**
 * The response body of an output. An operation the model gives no output
 * (a unit, as CreateLogGroup) answers `{}`: the codec hands a unit's value
 * back unserialized, and nothing of it may go out.
 */
export function serializeOutput(schema: NormalizedSchema, output: unknown): string {
  if (!schema.isStructSchema()) return '{}';
  const serializer = codec.createSerializer();
  serializer.write(schema, output);
  const body = serializer.flush();
  return typeof body === 'string' && body !== '' ? body : '{}';
}

export function writeJsonError(
  res: ServerResponse,
  contentType: string,
  err: unknown,
  requestId: string = randomUUID(),
): void {
  const error =
    err instanceof AwsError
      ? err
      : new AwsError('InternalFailure', err instanceof Error ? err.message : String(err), 500);
  if (!res.headersSent) {
    res.writeHead(error.status, {
      'content-type': contentType,
      'x-amzn-errortype': error.code,
      'x-amzn-requestid': requestId,
    });
  }
  res.end(JSON.stringify({ __type: error.code, message: error.message }));
}
