import { createHash, randomUUID } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  type FunctionConfiguration,
  FunctionConfiguration$,
  type GetFunctionRequest,
  type GetFunctionResponse,
  GetFunctionResponse$,
  GetPolicyResponse$,
  type InvocationRequest,
  type ListFunctionsRequest,
  type ListFunctionsResponse,
  ListFunctionsResponse$,
} from '@aws-sdk/client-lambda';
import { JsonCodec } from '@aws-sdk/core/protocols';
import { NormalizedSchema } from '@smithy/core/schema';
import { paginate } from '../../core/pagination.js';
import type { RequestContext } from '../../core/scope.js';
import { AwsError, unsupported } from '../../http/aws-error.js';
import type { RestHandler } from '../../http/endpoint.js';
import { readBody } from '../../http/json-protocol.js';
import { Constraints } from '../constraints.js';
import { type Lambda, notFound } from './provider.js';
import { policyDocument } from './resource-policy.js';
import { LATEST, type LambdaFunction } from './store.js';
import { FunctionError } from './warm-function.js';

const validate = new Constraints('ValidationException');
/** Invoke's payload limits: 6 MB answered synchronously, 1 MB queued (Event). */
const SYNC_PAYLOAD_LIMIT = 6 * 1024 * 1024;
const ASYNC_PAYLOAD_LIMIT = 1024 * 1024;
const INVOCATION_TYPES = ['Event', 'RequestResponse', 'DryRun'] as const;
const codec = new JsonCodec({ timestampFormat: { useTrait: true, default: 7 }, jsonName: true });

/**
 * Lambda's REST API (restJson1) for what the local cloud serves: Invoke,
 * ListFunctions, GetFunction and GetFunctionConfiguration, typed by the
 * SDK's request and response types and serialized against its schemas.
 * Errors are Lambda's: the HTTP status the model gives the error, its code
 * in `x-amzn-errortype`, and `{Type, Message}` in the body.
 */
export function lambdaRest(lambda: Lambda): RestHandler {
  return async (req, res, url, ctx) => {
    try {
      await route(lambda, req, res, url, ctx);
    } catch (err) {
      writeLambdaError(res, err, ctx.requestId);
    }
  };
}

/** One route of the REST API: the operation it serves, and how its requests look. */
interface Route {
  operation: string;
  method: string;
  /** The path, with the function's name (if any) as its first group. */
  path: RegExp;
  serve(request: RouteRequest): Promise<void> | void;
}

interface RouteRequest {
  lambda: Lambda;
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
  ctx: RequestContext;
  /** The function named in the path (URL-decoded), for routes that name one. */
  name: string;
}

const FUNCTION = '/2015-03-31/functions/([^/]+)';

const ROUTES: Route[] = [
  {
    operation: 'ListFunctions',
    method: 'GET',
    path: /^\/2015-03-31\/functions\/?$/,
    serve: ({ lambda, res, url, ctx }) => {
      const maxItems = url.searchParams.get('MaxItems');
      const input: ListFunctionsRequest = {
        Marker: url.searchParams.get('Marker') ?? undefined,
        MaxItems: maxItems === null ? undefined : integer('maxItems', maxItems),
        FunctionVersion: (url.searchParams.get('FunctionVersion') ?? undefined) as 'ALL' | undefined,
        MasterRegion: url.searchParams.get('MasterRegion') ?? undefined,
      };
      writeJson(res, ListFunctionsResponse$, listFunctions(lambda, ctx, input), ctx.requestId);
    },
  },
  {
    operation: 'Invoke',
    method: 'POST',
    path: new RegExp(`^${FUNCTION}/invocations/?$`),
    serve: ({ lambda, req, res, url, ctx, name }) =>
      invoke(lambda, req, res, ctx, {
        FunctionName: name,
        InvocationType: header(req, 'x-amz-invocation-type') as InvocationRequest['InvocationType'],
        LogType: header(req, 'x-amz-log-type') as InvocationRequest['LogType'],
        Qualifier: url.searchParams.get('Qualifier') ?? undefined,
      }),
  },
  {
    operation: 'GetFunctionConfiguration',
    method: 'GET',
    path: new RegExp(`^${FUNCTION}/configuration/?$`),
    serve: ({ lambda, res, url, ctx, name }) => {
      const fn = lambda.resolve(ctx, name, url.searchParams.get('Qualifier') ?? undefined);
      writeJson(res, FunctionConfiguration$, configuration(fn, true), ctx.requestId);
    },
  },
  {
    operation: 'GetPolicy',
    method: 'GET',
    path: new RegExp(`^${FUNCTION}/policy/?$`),
    serve: ({ lambda, res, url, ctx, name }) => {
      const fn = lambda.resolve(ctx, name, url.searchParams.get('Qualifier') ?? undefined);
      if (fn.policy.length === 0) throw notFound('The resource you requested does not exist.');
      writeJson(
        res,
        GetPolicyResponse$,
        { Policy: policyDocument(fn.policy), RevisionId: fn.revisionId },
        ctx.requestId,
      );
    },
  },
  {
    operation: 'GetFunction',
    method: 'GET',
    path: new RegExp(`^${FUNCTION}/?$`),
    serve: ({ lambda, res, url, ctx, name }) => {
      const input: GetFunctionRequest = {
        FunctionName: name,
        Qualifier: url.searchParams.get('Qualifier') ?? undefined,
      };
      const fn = lambda.resolve(ctx, input.FunctionName ?? '', input.Qualifier);
      writeJson(res, GetFunctionResponse$, getFunction(fn), ctx.requestId);
    },
  },
];

/** The operations the REST API serves, by their model names. */
export const LAMBDA_OPERATIONS: readonly string[] = ROUTES.map((r) => r.operation);

async function route(
  lambda: Lambda,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  ctx: RequestContext,
): Promise<void> {
  for (const r of ROUTES) {
    const match = r.method === req.method ? r.path.exec(url.pathname) : null;
    if (match) {
      await r.serve({ lambda, req, res, url, ctx, name: decode(match[1] ?? '') });
      return;
    }
  }
  throw unsupported('Lambda', `${req.method} ${url.pathname}`);
}

function listFunctions(
  lambda: Lambda,
  ctx: RequestContext,
  input: ListFunctionsRequest,
): ListFunctionsResponse {
  if (input.MasterRegion !== undefined)
    validate.pattern(
      'masterRegion',
      input.MasterRegion,
      /^(ALL|[a-z]{2}(-gov)?-[a-z]+-\d{1})$/,
      'ALL|[a-z]{2}(-gov)?-[a-z]+-\\d{1}',
    );
  if (input.FunctionVersion !== undefined) validate.oneOf('functionVersion', input.FunctionVersion, ['ALL']);
  const page = paginate(lambda.list(ctx), {
    token: input.Marker,
    size: input.MaxItems,
    defaultSize: 50,
    maxSize: 10_000,
    sizeMember: 'MaxItems',
    context: `ListFunctions:${input.FunctionVersion}:${input.MasterRegion}`,
    invalidToken: () => new AwsError('InvalidParameterValueException', 'Invalid Marker.'),
    invalidSize: (m) => new AwsError('ValidationException', m),
  });
  return {
    Functions: page.items.map((fn) => configuration(fn, false)),
    ...(page.nextToken ? { NextMarker: page.nextToken } : {}),
  };
}

async function invoke(
  lambda: Lambda,
  req: IncomingMessage,
  res: ServerResponse,
  ctx: RequestContext,
  input: InvocationRequest,
): Promise<void> {
  const type = input.InvocationType ?? 'RequestResponse';
  validate.oneOf('invocationType', type, INVOCATION_TYPES);
  if (input.LogType !== undefined) validate.oneOf('logType', input.LogType, ['None', 'Tail']);
  const fn = lambda.resolve(ctx, input.FunctionName ?? '', input.Qualifier);
  const limit = type === 'Event' ? ASYNC_PAYLOAD_LIMIT : SYNC_PAYLOAD_LIMIT;
  const raw = await readBody(req, limit).catch((err: unknown) => {
    if (err instanceof AwsError && err.status === 413)
      throw new AwsError(
        'RequestTooLargeException',
        `Request must be smaller than ${limit} bytes for the InvokeFunction operation`,
        413,
      );
    throw err;
  });
  let event: unknown = {};
  if (raw.length > 0) {
    try {
      event = JSON.parse(raw.toString('utf8'));
    } catch (err) {
      throw new AwsError(
        'InvalidRequestContentException',
        `Could not parse request body into json: ${err instanceof Error ? err.message : String(err)}`,
        400,
      );
    }
  }
  const headers = { 'x-amzn-requestid': ctx.requestId };
  if (type === 'DryRun') {
    res.writeHead(204, headers).end();
    return;
  }
  if (type === 'Event') {
    // Queued: the caller has its 202; a failure is logged by the function's runtime, never thrown here.
    lambda.invoke(ctx, fn.arn, event).catch(() => undefined);
    res.writeHead(202, headers).end();
    return;
  }
  const answer = { ...headers, 'content-type': 'application/json', 'x-amz-executed-version': LATEST };
  let payload: string;
  try {
    payload = JSON.stringify((await lambda.invoke(ctx, fn.arn, event)) ?? null);
  } catch (err) {
    if (err instanceof AwsError) throw err;
    const error = err instanceof FunctionError ? err : new FunctionError('Error', String(err));
    res
      .writeHead(200, { ...answer, 'x-amz-function-error': 'Unhandled' })
      .end(JSON.stringify(error.toPayload()));
    return;
  }
  if (Buffer.byteLength(payload) > SYNC_PAYLOAD_LIMIT) {
    const error = new FunctionError(
      'Function.ResponseSizeTooLarge',
      `Response payload size exceeded maximum allowed payload size (${SYNC_PAYLOAD_LIMIT} bytes).`,
    );
    res
      .writeHead(200, { ...answer, 'x-amz-function-error': 'Unhandled' })
      .end(JSON.stringify(error.toPayload()));
    return;
  }
  res.writeHead(200, answer).end(payload);
}

/** FunctionConfiguration as Lambda answers it; ListFunctions leaves out the state members (GetFunction has them). */
function configuration(fn: LambdaFunction, withState: boolean): FunctionConfiguration {
  const d = fn.definition;
  const code = codeOf(d.bundle);
  return {
    FunctionName: d.name,
    FunctionArn: fn.arn,
    Runtime: (d.runtime ?? 'nodejs24.x') as FunctionConfiguration['Runtime'],
    Role: d.role ?? `arn:aws:iam::${fn.scope.accountId}:role/${d.name}`,
    Handler: d.handler ?? `index.${d.handlerName}`,
    CodeSize: code.size,
    Description: d.description ?? '',
    Timeout: d.timeoutSeconds,
    MemorySize: d.memorySize ?? 128,
    LastModified: fn.lastModified,
    CodeSha256: code.sha256,
    Version: LATEST,
    ...(d.variables && Object.keys(d.variables).length > 0
      ? { Environment: { Variables: d.variables } }
      : {}),
    TracingConfig: { Mode: 'PassThrough' },
    RevisionId: fn.revisionId,
    PackageType: 'Zip',
    Architectures: d.architectures ?? ['x86_64'],
    EphemeralStorage: { Size: 512 },
    SnapStart: { ApplyOn: 'None', OptimizationStatus: 'Off' },
    LoggingConfig: { LogFormat: 'Text', LogGroup: d.logGroup },
    ...(withState ? { State: 'Active', LastUpdateStatus: 'Successful' } : {}),
  };
}

function getFunction(fn: LambdaFunction): GetFunctionResponse {
  return { Configuration: configuration(fn, true), Code: { RepositoryType: 'S3' } };
}

const codeCache = new Map<string, { size: number; sha256: string; mtimeMs: number }>();

/** The bundle's size and base64 SHA-256, as CodeSize and CodeSha256 report the deployment package. */
function codeOf(bundle: string): { size: number; sha256: string } {
  try {
    const stat = statSync(bundle);
    const cached = codeCache.get(bundle);
    if (cached && cached.mtimeMs === stat.mtimeMs) return cached;
    const entry = {
      size: stat.size,
      sha256: createHash('sha256').update(readFileSync(bundle)).digest('base64'),
      mtimeMs: stat.mtimeMs,
    };
    codeCache.set(bundle, entry);
    return entry;
  } catch {
    return { size: 0, sha256: '' };
  }
}

function writeJson(res: ServerResponse, schema: unknown, value: unknown, requestId: string): void {
  const serializer = codec.createSerializer();
  serializer.write(NormalizedSchema.of(schema as never), value);
  const body = serializer.flush();
  res
    .writeHead(200, { 'content-type': 'application/json', 'x-amzn-requestid': requestId })
    .end(body === '' ? '{}' : body);
}

/** Lambda's error answer: `x-amzn-errortype` names the code, the body says who is at fault and why. */
export function writeLambdaError(res: ServerResponse, err: unknown, requestId: string = randomUUID()): void {
  const error =
    err instanceof AwsError
      ? err
      : new AwsError('ServiceException', err instanceof Error ? err.message : String(err), 500);
  if (!res.headersSent)
    res.writeHead(error.status, {
      'content-type': 'application/json',
      'x-amzn-errortype': error.code,
      'x-amzn-requestid': requestId,
    });
  res.end(JSON.stringify({ Type: error.status >= 500 ? 'Service' : 'User', Message: error.message }));
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function decode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw new AwsError(
      'ValidationException',
      `The function name in the path is not valid URL encoding: ${segment}`,
    );
  }
}

function integer(member: string, raw: string): number {
  const value = Number(raw);
  if (!/^-?\d+$/.test(raw) || !Number.isSafeInteger(value))
    throw new AwsError(
      'ValidationException',
      `1 validation error detected: Value '${raw}' at '${member}' failed to satisfy constraint: Member must be an integer`,
    );
  return value;
}
