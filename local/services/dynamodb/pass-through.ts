import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { crc32 } from 'node:zlib';
import * as dynamodb from '@aws-sdk/client-dynamodb';
import { JsonCodec } from '@aws-sdk/core/protocols';
import { NormalizedSchema } from '@smithy/core/schema';
import { AwsError } from '../../http/aws-error.js';
import { jsonNestsDeeperThan, MAX_REQUEST_NESTING } from '../../http/json-depth.js';
import { readBody, serializeOutput, writeJsonError } from '../../http/json-protocol.js';
import { replay } from '../../http/replay.js';
import { amendedError, refusalOf } from './amendments.js';

const CONTENT_TYPE = 'application/x-amz-json-1.0';
// Timestamps are epoch seconds on awsJson1_0 (7 = TimestampEpochSecondsSchema).
const codec = new JsonCodec({ timestampFormat: { useTrait: true, default: 7 }, jsonName: false });

/**
 * DynamoDB as dynalite serves it, with each successful response passed
 * through the SDK's JSON codec against the operation's output schema, so
 * members no model declares (dynalite adds some, e.g.
 * TableThroughputModeSummary) don't go out. Where dynalite answers other
 * than DynamoDB does, DynamoDB's answer goes out instead (amendments.ts).
 * The checksum DynamoDB clients verify is recomputed.
 */
export interface DynamoDbPassThrough {
  (req: IncomingMessage, res: ServerResponse): void;
  /**
   * Refuses new requests and waits (at most `timeoutMs`) for those under way:
   * requests reach dynalite past its server's own connection tracking, so
   * its database must not close while one is still reading it (dynalite
   * then throws outside any request, which would end the process).
   */
  quiesce(timeoutMs?: number): Promise<void>;
}

export function dynamodbPassThrough(db: Server): DynamoDbPassThrough {
  let inFlight = 0;
  let closing = false;
  let settled: (() => void) | undefined;
  const handler = (req: IncomingMessage, res: ServerResponse) => {
    if (closing) {
      req.resume();
      writeJsonError(
        res,
        CONTENT_TYPE,
        new AwsError('ServiceUnavailable', 'The local cloud is stopping', 503),
      );
      return;
    }
    inFlight++;
    // A request too large to read is answered as such; anything else that fails here is ours.
    serve(db, req, res)
      .catch((err: unknown) => writeJsonError(res, CONTENT_TYPE, err))
      .finally(() => {
        inFlight--;
        if (inFlight === 0) settled?.();
      });
  };
  return Object.assign(handler, {
    quiesce: async (timeoutMs = 5000) => {
      closing = true;
      if (inFlight === 0) return;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, timeoutMs);
        settled = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    },
  });
}

async function serve(db: Server, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const operation = String(req.headers['x-amz-target'] ?? '').split('.')[1] ?? '';
  const request = await readBody(req);
  if (jsonNestsDeeperThan(request.toString('utf8'), MAX_REQUEST_NESTING)) {
    writeJsonError(
      res,
      CONTENT_TYPE,
      new AwsError('SerializationException', `The request nests deeper than ${MAX_REQUEST_NESTING} levels`),
    );
    return;
  }
  const input = jsonObject(request);
  const refusal = refusalOf(operation, input);
  if (refusal) {
    writeJsonError(res, CONTENT_TYPE, refusal);
    return;
  }
  const captured = new CapturedResponse();
  db.emit('request', replay(req, request), captured);
  const body = await captured.finished;
  const answer =
    captured.statusCode === 200 ? await modeledOnly(operation, body) : amendedError(operation, input, body);
  const headers = Object.fromEntries(captured.headers);
  if (answer !== body) {
    headers['content-length'] = answer.length;
    headers['x-amz-crc32'] = crc32(answer);
  }
  res.writeHead(captured.statusCode, headers).end(answer);
}

/** The request as a JSON object; anything else is dynalite's to refuse, and asks for no amendment. */
function jsonObject(body: Buffer): Record<string, unknown> {
  try {
    const parsed: unknown = JSON.parse(body.toString('utf8'));
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)
      ? (parsed as Record<string, unknown>)
      : {};
  } catch {
    return {};
  }
}

/** The body re-serialized against the operation's output schema; unknown operations pass as they are. */
async function modeledOnly(operation: string, body: Buffer): Promise<Buffer> {
  const schema = operationSchema(operation);
  if (!schema || body.length === 0) return body;
  try {
    const output = NormalizedSchema.of(schema[5] as never);
    // dynalite answers `""` where the model has no output (TagResource): nothing of it may go out.
    if (!output.isStructSchema()) return Buffer.from('{}');
    const value = await codec.createDeserializer().read(output, body.toString('utf8'));
    return Buffer.from(serializeOutput(output, value ?? {}));
  } catch {
    // A response the codec can't read is better passed on than lost.
    return body;
  }
}

/** The SDK's schema of a DynamoDB operation (`ListTables$`), or undefined for names it doesn't model. */
function operationSchema(operation: string): unknown[] | undefined {
  if (!/^[A-Z][A-Za-z]+$/.test(operation)) return undefined;
  const schema: unknown = Object.hasOwn(dynamodb, `${operation}$`)
    ? (dynamodb as Record<string, unknown>)[`${operation}$`]
    : undefined;
  return Array.isArray(schema) && schema[0] === 9 ? schema : undefined;
}

/** What dynalite's request handler writes to: the status, headers and body, held until it ends. */
class CapturedResponse {
  statusCode = 200;
  /** dynalite sets these on the response it is given. */
  contentType?: string;
  shouldKeepAlive = true;
  readonly headers = new Map<string, string | number>();
  private done!: (body: Buffer) => void;
  readonly finished = new Promise<Buffer>((resolve) => {
    this.done = resolve;
  });

  setHeader(name: string, value: string | number): this {
    this.headers.set(name.toLowerCase(), value);
    return this;
  }

  end(chunk?: string | Buffer): this {
    this.done(chunk === undefined ? Buffer.alloc(0) : Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk));
    return this;
  }
}
