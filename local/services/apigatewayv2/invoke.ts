import { randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { formatArn } from '../../core/arns.js';
import { AwsError } from '../../http/aws-error.js';
import type { RestHandler } from '../../http/endpoint.js';
import { readBody } from '../../http/json-protocol.js';
import type { Iam } from '../../iam/provider.js';
import type { Lambda } from '../lambda/provider.js';
import type { Logs } from '../logs/provider.js';
import { authorizeIam, type InvokeKeys } from './iam-authorization.js';
import { type Outcome, writeAccessLog } from './invoke-log.js';
import {
  forwardedHeaders,
  type Peer,
  peerOf,
  rawPathOf,
  rawQueryOf,
  requestContextOf,
  stageOf,
} from './invoke-request.js';
import { awsApiHost, invokeTarget } from './invoke-url.js';
import { callLambdaIntegration } from './lambda-integration.js';
import type { IamIdentity, ProxyRequest } from './proxy-event.js';
import { forbidden, gatewayAnswer, internalServerError, notFound } from './proxy-response.js';
import { DEFAULT_ROUTE, selectRoute } from './routes.js';
import type { HttpApi } from './store.js';

export interface ExecuteApiDeps {
  findApi(apiId: string, region?: string): HttpApi | undefined;
  lambda: Lambda;
  iam: Iam;
  keys: InvokeKeys;
  logs: Logs;
}

/** HTTP APIs take request bodies up to 10 MB. */
const MAX_BODY_BYTES = 10 * 1024 * 1024;

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

async function serve(
  deps: ExecuteApiDeps,
  req: IncomingMessage,
  url: URL,
  { requestId, receivedAt, peer }: { requestId: string; receivedAt: Date; peer: Peer },
): Promise<Outcome> {
  const target = invokeTarget(req, url);
  const api = target ? deps.findApi(target.apiId, target.region) : undefined;
  // No API by that id, or its default endpoint turned off: API Gateway's 403, the same for both, so
  // an invoke URL tells nobody which ids exist.
  if (!target || !api || api.api.DisableExecuteApiEndpoint) {
    req.resume();
    return { answer: forbidden(), ...(api ? { api } : {}) };
  }
  if (api.api.ProtocolType !== 'HTTP') {
    req.resume();
    return { answer: notFound(), api };
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
    const authorized = await authorizeIam(received, resource, api.scope, deps, peer.sourceIp);
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
