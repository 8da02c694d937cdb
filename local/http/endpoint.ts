import { randomUUID } from 'node:crypto';
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import type { RequestContext, Scope } from '../core/scope.js';
import { AwsError } from './aws-error.js';
import { type GuardPolicy, refusal } from './guard.js';
import { handleJson, type JsonService, writeJsonError } from './json-protocol.js';
import { handleQuery, type QueryService } from './query-protocol.js';
import { requestUrl } from './request-url.js';
import type { SignatureCheck } from './signature-check.js';
import { writeSignatureFault } from './signature-faults.js';

/** A handler for a REST-style service (Lambda, S3), given the request as is. */
export type RestHandler = (
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  ctx: RequestContext,
) => Promise<void>;

export interface EndpointServices {
  /** Which Host headers the endpoint answers (see guard.ts). */
  guard: GuardPolicy;
  /** The scope of requests that name none (unsigned, or signed for no region). */
  defaults: Scope;
  json: JsonService[];
  query: Record<string, QueryService>;
  /** Raw handlers keyed by the SigV4 scope's service name ("lambda", "s3"). */
  rest: Record<string, RestHandler>;
  /** The container registry API (`/v2/…`), for Docker. */
  registry?: RestHandler;
  /** The read-only deployment console (`/_stepship/console/…`), for a browser. */
  console?: RestHandler;
  /** HTTP APIs' invoke URLs, which API Gateway authorizes route by route (before the endpoint's IAM step). */
  executeApi?: { claims(req: IncomingMessage, url: URL): boolean; handle: RestHandler };
  /** Strict mode: every signed request's signature is checked against the keys the local cloud issued. */
  signatures?: SignatureCheck;
  /** DynamoDB is served by dynalite as is. */
  passThrough: Record<string, (req: IncomingMessage, res: ServerResponse) => void>;
  /**
   * IAM for the local cloud's own principals (local/iam/request-screen.ts):
   * the request to dispatch (re-readable when its body was read), or
   * undefined when it was refused and answered with AccessDenied.
   */
  iam?: {
    screen(
      req: IncomingMessage,
      res: ServerResponse,
      url: URL,
      ctx: RequestContext,
    ): Promise<IncomingMessage | undefined>;
  };
}

interface CredentialScope {
  accessKeyId: string;
  region: string;
  service: string;
}

/** The request's path exactly as sent (what SigV4 signed), without its query. */
function rawPath(req: IncomingMessage): string {
  const url = req.url ?? '/';
  const query = url.indexOf('?');
  return query < 0 ? url : url.slice(0, query);
}

/**
 * The SigV4 credential scope: `Credential=AKID/20261123/us-east-1/ecs/aws4_request`
 * in the Authorization header, or a presigned URL's `X-Amz-Credential`.
 */
export function credentialScope(req: IncomingMessage): CredentialScope | undefined {
  const auth = req.headers.authorization;
  const match =
    typeof auth === 'string'
      ? /Credential=([^/\s,]+)\/\d{8}\/([^/]+)\/([^/]+)\/aws4_request/.exec(auth)
      : /^([^/]+)\/\d{8}\/([^/]+)\/([^/]+)\/aws4_request$/.exec(presignedCredential(req) ?? '');
  if (!match) return undefined;
  const [, accessKeyId = '', region = '', service = ''] = match;
  return { accessKeyId, region, service };
}

function presignedCredential(req: IncomingMessage): string | undefined {
  const url = req.url ?? '';
  const query = url.indexOf('?');
  if (query < 0) return undefined;
  return new URLSearchParams(url.slice(query + 1)).get('X-Amz-Credential') ?? undefined;
}

/** The service named in a SigV4 credential scope. */
export function signingService(req: IncomingMessage): string | undefined {
  return credentialScope(req)?.service;
}

/**
 * The request's scope: the region it was signed for, and the account its
 * access key names when that is a 12-digit account id (as LocalStack lets
 * one endpoint serve several accounts), else the defaults.
 */
export function requestContext(req: IncomingMessage, defaults: Scope): RequestContext {
  const scope = credentialScope(req);
  const accountId = scope && /^\d{12}$/.test(scope.accessKeyId) ? scope.accessKeyId : defaults.accountId;
  const region = scope && /^[a-z]{2}(-[a-z]+)+-\d$/.test(scope.region) ? scope.region : defaults.region;
  return {
    accountId,
    region,
    requestId: randomUUID(),
    ...(scope ? { accessKeyId: scope.accessKeyId } : {}),
  };
}

/**
 * The one endpoint: refuses what a web page could send (guard.ts), checks
 * what the local cloud's own roles send against their policies (`iam`), then
 * dispatches by `X-Amz-Target` (JSON protocols) or the SigV4 scope (awsQuery,
 * REST). What it can't place gets a clear error, never a silent success.
 */
export function endpointHandler(services: EndpointServices): RequestListener {
  const byPrefix = new Map(services.json.map((s) => [s.targetPrefix, s]));
  const rest = new Map(Object.entries(services.rest));
  const query = new Map(Object.entries(services.query));

  /** How the service a request is for words its errors. */
  const protocolOf = (req: IncomingMessage): Parameters<typeof writeSignatureFault>[2] => {
    if (typeof req.headers['x-amz-target'] === 'string') return { kind: 'json' };
    const service = signingService(req) ?? '';
    if (service === 's3') return { kind: 's3' };
    const queryService = query.get(service);
    return queryService ? { kind: 'query', namespace: queryService.namespace } : { kind: 'json' };
  };
  return (req, res) => {
    dispatch(req, res).catch((err) => writeJsonError(res, 'application/json', err));
  };

  async function dispatch(received: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = requestUrl(received);
    if (!url) {
      received.resume();
      throw new AwsError('InvalidURI', "Couldn't parse the request target as a URI.");
    }
    const refused = refusal(received, url, services.guard);
    if (refused) {
      received.resume();
      throw refused;
    }
    const ctx = requestContext(received, services.defaults);
    if (url.pathname === '/_stepship/health') {
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"running"}');
      return;
    }
    if (
      services.console &&
      (url.pathname === '/_stepship/console' || url.pathname.startsWith('/_stepship/console/'))
    ) {
      await services.console(received, res, url, ctx);
      return;
    }
    // API Gateway's management API lives under /v2/ too (its API version): requests signed for it are its, Docker's never are.
    if (
      services.registry &&
      (url.pathname === '/v2' || url.pathname.startsWith('/v2/')) &&
      signingService(received) !== 'apigateway'
    ) {
      await services.registry(received, res, url, ctx);
      return;
    }
    // API Gateway checks an invoke request's signature itself, with the same canonical request,
    // and answers a refusal as it does (403 `{"message": …}`), strict or not.
    if (services.executeApi?.claims(received, url)) {
      await services.executeApi.handle(received, res, url, ctx);
      return;
    }
    let signed = received;
    if (services.signatures) {
      const verdict = await services.signatures.verify(received, rawPath(received));
      if (!verdict.ok) {
        received.resume();
        writeSignatureFault(res, verdict.fault, protocolOf(received), ctx.requestId);
        return;
      }
      signed = verdict.request;
    }
    const req = services.iam ? await services.iam.screen(signed, res, url, ctx) : signed;
    if (!req) return;
    const target = req.headers['x-amz-target'];
    if (typeof target === 'string') {
      const dot = target.indexOf('.');
      const [prefix, operation] = dot < 0 ? [target, ''] : [target.slice(0, dot), target.slice(dot + 1)];
      if (prefix === 'DynamoDB_20120810' && services.passThrough.dynamodb) {
        services.passThrough.dynamodb(req, res);
        return;
      }
      const service = byPrefix.get(prefix);
      if (!service) {
        req.resume();
        throw new AwsError(
          'UnknownOperationException',
          `The local cloud does not serve X-Amz-Target "${target.slice(0, 128)}"`,
          400,
        );
      }
      await handleJson(service, operation, req, res, ctx);
      return;
    }
    const scope = signingService(req);
    const restHandler = scope ? rest.get(scope) : undefined;
    if (restHandler) {
      await restHandler(req, res, url, ctx);
      return;
    }
    const queryService = scope ? query.get(scope) : undefined;
    if (queryService) {
      await handleQuery(queryService, req, res, ctx);
      return;
    }
    throw new AwsError(
      'UnknownService',
      `The local cloud could not tell which service this request is for (${req.method} ${url.pathname}); sign it with SigV4 or set X-Amz-Target`,
      400,
    );
  }
}
