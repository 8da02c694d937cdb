import { randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { formatArn, parseArn, scopeOfArn } from '../../core/arns.js';
import { AwsError } from '../../http/aws-error.js';
import type { RestHandler } from '../../http/endpoint.js';
import { readBody } from '../../http/json-protocol.js';
import type { Iam } from '../../iam/provider.js';
import type { Lambda } from '../lambda/provider.js';
import type { Logs } from '../logs/provider.js';
import { type AccessLogContext, formatAccessLog, logGroupOfDestination } from './access-log.js';
import { authorizeIam } from './iam-authorization.js';
import { awsApiHost, invokeTarget } from './invoke-url.js';
import { callLambdaIntegration, type IntegrationOutcome } from './lambda-integration.js';
import { clfTime, type IamIdentity, type ProxyRequest } from './proxy-event.js';
import { gatewayAnswer, type HttpAnswer, internalServerError, notFound } from './proxy-response.js';
import { DEFAULT_ROUTE, selectRoute } from './routes.js';
import type { HttpApi } from './store.js';

export interface ExecuteApiDeps {
  findApi(apiId: string, region?: string): HttpApi | undefined;
  lambda: Lambda;
  iam: Iam;
  logs: Logs;
}

/** HTTP APIs take request bodies up to 10 MB. */
const MAX_BODY_BYTES = 10 * 1024 * 1024;

type Stage = HttpApi['stages'] extends Map<string, infer S> ? S : never;

/** Where a request got to, for its answer and its access log line. */
interface Outcome extends Partial<IntegrationOutcome> {
  answer: HttpAnswer;
  api?: HttpApi;
  stage?: Stage;
  routeKey?: string;
  identity?: IamIdentity;
}

/**
 * Serves the invoke URLs of HTTP APIs: the stage the path names (or
 * `$default`), the route the method and path select, the route's
 * authorization (AWS_IAM: SigV4 and IAM), then its integration; each
 * request gets API Gateway's request id (`apigw-requestid`) and, when the
 * stage logs access, one line in its log group.
 */
export function executeApiHandler(deps: ExecuteApiDeps): RestHandler {
  return async (req, res, url) => {
    const receivedAt = new Date();
    const started = performance.now();
    const requestId = randomBytes(10).toString('base64');
    // Read now: a request whose body is refused has its socket destroyed before it is answered.
    const peer = peerOf(req);
    let outcome: Outcome;
    try {
      outcome = await serve(deps, req, url, { requestId, receivedAt, peer });
    } catch (err) {
      outcome = {
        answer: internalServerError(),
        errorMessage: err instanceof Error ? err.message : String(err),
      };
    }
    const { answer } = outcome;
    if (!res.headersSent)
      res.writeHead(answer.status, {
        ...answer.headers,
        'content-length': String(answer.body.length),
        'apigw-requestid': requestId,
      });
    res.end(req.method === 'HEAD' ? undefined : answer.body);
    writeAccessLog(deps.logs, outcome, {
      ...requestContextOf(req, url, requestId, receivedAt, peer),
      status: answer.status,
      responseLatency: Math.round(performance.now() - started),
      responseLength: answer.body.length,
    });
  };
}

/** The client's end of the connection, as API Gateway reports it (`sourceIp`, `X-Forwarded-*`). */
interface Peer {
  sourceIp: string;
  port: number;
  secure: boolean;
}

function peerOf(req: IncomingMessage): Peer {
  const socket = req.socket as (IncomingMessage['socket'] & { encrypted?: boolean }) | null;
  const secure = socket?.encrypted === true;
  return {
    sourceIp: (socket?.remoteAddress ?? '').replace(/^::ffff:/, ''),
    port: socket?.localPort ?? (secure ? 443 : 80),
    secure,
  };
}

async function serve(
  deps: ExecuteApiDeps,
  req: IncomingMessage,
  url: URL,
  { requestId, receivedAt, peer }: { requestId: string; receivedAt: Date; peer: Peer },
): Promise<Outcome> {
  const target = invokeTarget(req, url);
  const api = target ? deps.findApi(target.apiId, target.region) : undefined;
  if (!target || !api || api.api.ProtocolType !== 'HTTP') {
    req.resume();
    return { answer: notFound() };
  }
  if (api.api.DisableExecuteApiEndpoint) {
    req.resume();
    return { answer: gatewayAnswer(403, 'Forbidden', 'ForbiddenException'), api };
  }
  const staged = stageOf(api, target.path);
  if (!staged) {
    req.resume();
    return { answer: notFound(), api };
  }
  const { stage, routePath } = staged;
  let body: Buffer;
  try {
    body = await readBody(req, MAX_BODY_BYTES);
  } catch (err) {
    if (err instanceof AwsError && err.status === 413)
      return { answer: gatewayAnswer(413, 'Request Entity Too Large'), api, stage };
    throw err;
  }
  const method = req.method ?? 'GET';
  const match = selectRoute(api.routes.values(), method, routePath);
  if (!match) return { answer: notFound(), api, stage };
  const { route } = match;
  const reached = { api, stage, routeKey: route.RouteKey };
  const { accountId, region } = api.scope;
  const rawQuery = rawQueryOf(req);
  // The signature covers the request as the client sent it, the local invoke URL's prefix included.
  const received = {
    method,
    rawPath: (req.url ?? '/').split('?')[0] ?? '/',
    rawQuery,
    headers: req.headers,
    body,
  };

  let identity: IamIdentity | undefined;
  const authorizationType = route.AuthorizationType ?? 'NONE';
  if (authorizationType === 'AWS_IAM') {
    const resource = formatArn(
      api.scope,
      'execute-api',
      `${api.api.ApiId}/${stage.StageName}/${method}/${routePath.replace(/^\//, '')}`,
    );
    const authorized = await authorizeIam(received, resource, api.scope, deps.iam, peer.sourceIp);
    if ('refusal' in authorized) return { ...reached, answer: authorized.refusal };
    identity = authorized.identity;
  } else if (authorizationType !== 'NONE') {
    return {
      ...reached,
      answer: internalServerError(),
      errorMessage: `The local cloud does not run ${authorizationType} authorizers; use AWS_IAM or NONE.`,
    };
  }

  const integrationId = /^integrations\/(.+)$/.exec(route.Target ?? '')?.[1];
  const integration = integrationId ? api.integrations.get(integrationId) : undefined;
  if (!integration) return { ...reached, identity, answer: notFound() };
  if (integration.IntegrationType !== 'AWS_PROXY')
    return {
      ...reached,
      identity,
      answer: internalServerError(),
      errorMessage: `The local cloud does not call ${integration.IntegrationType} integrations; only Lambda proxy (AWS_PROXY).`,
    };
  const request: ProxyRequest = {
    method,
    rawPath: rawPathOf(req, target.path),
    rawQueryString: rawQuery,
    headers: forwardedHeaders(req, peer, receivedAt),
    body,
    sourceIp: peer.sourceIp,
    protocol: `HTTP/${req.httpVersion}`,
    requestId,
    receivedAt,
  };
  const routeArnPath =
    route.RouteKey === DEFAULT_ROUTE
      ? DEFAULT_ROUTE
      : `${method}${route.RouteKey.slice(route.RouteKey.indexOf(' ') + 1)}`;
  const outcome = await callLambdaIntegration(deps.lambda, api.scope, integration, {
    request,
    target: {
      accountId,
      apiId: api.api.ApiId,
      domainName: target.host ?? awsApiHost(api.api.ApiId, region),
      stage: stage.StageName,
      ...(stage.StageVariables ? { stageVariables: stage.StageVariables } : {}),
      routeKey: route.RouteKey,
      pathParameters: match.pathParameters,
      ...(identity ? { iam: identity } : {}),
    },
    sourceArn: formatArn(api.scope, 'execute-api', `${api.api.ApiId}/${stage.StageName}/${routeArnPath}`),
  });
  return { ...reached, identity, ...outcome };
}

/** The stage a path names by its first segment, else `$default` (served from the root), with the path left for routing. */
function stageOf(api: HttpApi, path: string): { stage: Stage; routePath: string } | undefined {
  const [, first = '', ...rest] = path.split('/');
  const named = first !== '' && first !== DEFAULT_ROUTE ? api.stages.get(decoded(first)) : undefined;
  if (named) return { stage: named, routePath: `/${rest.join('/')}` };
  const fallback = api.stages.get(DEFAULT_ROUTE);
  return fallback ? { stage: fallback, routePath: path } : undefined;
}

/** The path as the client sent it, relative to the API (the local path form's prefix taken off). */
function rawPathOf(req: IncomingMessage, targetPath: string): string {
  const raw = (req.url ?? '/').split('?')[0] ?? '/';
  const at = raw.indexOf('/_aws/execute-api/');
  if (at !== 0) return raw;
  const rest = raw.slice('/_aws/execute-api/'.length);
  const slash = rest.indexOf('/');
  return slash < 0 ? targetPath : rest.slice(slash);
}

function rawQueryOf(req: IncomingMessage): string {
  const raw = req.url ?? '';
  const q = raw.indexOf('?');
  return q < 0 ? '' : raw.slice(q + 1);
}

/** The headers the integration sees: the client's, with what API Gateway adds in front of it. */
function forwardedHeaders(req: IncomingMessage, peer: Peer, receivedAt: Date): IncomingMessage['headers'] {
  const trace = `Root=1-${Math.floor(receivedAt.getTime() / 1000).toString(16)}-${randomBytes(12).toString('hex')}`;
  return {
    ...req.headers,
    'x-forwarded-for': peer.sourceIp,
    'x-forwarded-port': String(peer.port),
    'x-forwarded-proto': peer.secure ? 'https' : 'http',
    'x-amzn-trace-id': req.headers['x-amzn-trace-id'] ?? trace,
  };
}

function requestContextOf(
  req: IncomingMessage,
  url: URL,
  requestId: string,
  receivedAt: Date,
  peer: Peer,
): AccessLogContext {
  return {
    requestId,
    extendedRequestId: requestId,
    httpMethod: req.method,
    path: url.pathname,
    protocol: `HTTP/${req.httpVersion}`,
    requestTime: clfTime(receivedAt),
    requestTimeEpoch: receivedAt.getTime(),
    'identity.sourceIp': peer.sourceIp,
    'identity.userAgent': req.headers['user-agent'],
  };
}

/** One line in the stage's access log group, when it has one; a destination the local cloud can't write is skipped. */
function writeAccessLog(logs: Logs, outcome: Outcome, base: AccessLogContext): void {
  const { api, stage, identity, answer } = outcome;
  const settings = stage?.AccessLogSettings;
  if (!api || !stage || !settings?.DestinationArn || !settings.Format) return;
  const group = logGroupOfDestination(settings.DestinationArn);
  const arn = parseArn(settings.DestinationArn);
  if (!group || !arn) return;
  const gatewayMessage = answer.gatewayError;
  const context: AccessLogContext = {
    ...base,
    apiId: api.api.ApiId,
    accountId: api.scope.accountId,
    stage: stage.StageName,
    routeKey: outcome.routeKey,
    domainName: awsApiHost(api.api.ApiId, api.scope.region),
    domainPrefix: api.api.ApiId,
    integrationStatus: outcome.integrationStatus,
    integrationLatency: outcome.integrationLatency,
    integrationErrorMessage: outcome.errorMessage,
    'integration.status': outcome.integrationStatus,
    'integration.latency': outcome.integrationLatency,
    'integration.error': outcome.errorMessage,
    'error.message': gatewayMessage,
    'error.messageString': gatewayMessage === undefined ? undefined : JSON.stringify(gatewayMessage),
    'identity.accountId': identity?.accountId,
    'identity.caller': identity?.callerId,
    'identity.user': identity?.userId,
    'identity.userArn': identity?.userArn,
    'identity.accessKey': identity?.accessKey,
  };
  try {
    logs.put(
      scopeOfArn(arn, api.scope),
      group,
      `${api.api.ApiId}_${stage.StageName}`,
      formatAccessLog(settings.Format, context),
    );
  } catch {
    return;
  }
}

function decoded(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
