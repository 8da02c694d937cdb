import type { IncomingHttpHeaders } from 'node:http';
import type { APIGatewayEventRequestContextV2, APIGatewayProxyEventV2WithRequestContext } from 'aws-lambda';

/** Who signed an IAM-authorized request, as `requestContext.authorizer.iam` names them. */
export interface IamIdentity {
  accessKey: string;
  accountId: string;
  callerId: string;
  principalOrgId: string | null;
  userArn: string;
  userId: string;
}

/** The event of payload format 2.0; `authorizer.iam` on routes authorized by IAM. */
export type ProxyEventV2 = APIGatewayProxyEventV2WithRequestContext<
  APIGatewayEventRequestContextV2 & { authorizer?: { iam: IamIdentity & { cognitoIdentity: null } } }
>;

/** What API Gateway knows of one request when it calls the integration. */
export interface ProxyRequest {
  method: string;
  /** The path as sent (percent-encoding kept), after the local invoke URL's prefix. */
  rawPath: string;
  /** The query string as sent, without `?`. */
  rawQueryString: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
  sourceIp: string;
  /** `HTTP/1.1` */
  protocol: string;
  requestId: string;
  receivedAt: Date;
}

export interface ProxyTarget {
  accountId: string;
  apiId: string;
  domainName: string;
  stage: string;
  stageVariables?: Record<string, string>;
  routeKey: string;
  pathParameters: Record<string, string>;
  iam?: IamIdentity;
}

/**
 * Content types API Gateway passes as text; any other body (form posts,
 * octet streams, no content type at all) reaches the function base64-encoded.
 */
const TEXT_TYPES = [/^text\//, /^application\/(json|javascript|xml)\b/, /\+(json|xml)\b/];

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** The Lambda proxy event of payload format 2.0, as API Gateway builds it for an HTTP API. */
export function proxyEventV2(request: ProxyRequest, target: ProxyTarget): ProxyEventV2 {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    if (value === undefined || name === 'cookie') continue;
    headers[name] = Array.isArray(value) ? value.join(',') : value;
  }
  const cookies = cookiesOf(request.headers.cookie);
  const query = queryParameters(request.rawQueryString);
  const contentType = (headers['content-type'] ?? '').toLowerCase();
  const text = TEXT_TYPES.some((t) => t.test(contentType));
  const userAgent = headers['user-agent'] ?? '';
  const requestContext: ProxyEventV2['requestContext'] = {
    accountId: target.accountId,
    apiId: target.apiId,
    ...(target.iam ? { authorizer: { iam: { ...target.iam, cognitoIdentity: null } } } : {}),
    domainName: target.domainName,
    domainPrefix: target.domainName.split('.')[0] ?? target.apiId,
    http: {
      method: request.method,
      path: decodedPath(request.rawPath),
      protocol: request.protocol,
      sourceIp: request.sourceIp,
      userAgent,
    },
    requestId: request.requestId,
    routeKey: target.routeKey,
    stage: target.stage,
    time: clfTime(request.receivedAt),
    timeEpoch: request.receivedAt.getTime(),
  };
  return {
    version: '2.0',
    routeKey: target.routeKey,
    rawPath: request.rawPath,
    rawQueryString: request.rawQueryString,
    ...(cookies.length > 0 ? { cookies } : {}),
    headers,
    ...(query ? { queryStringParameters: query } : {}),
    requestContext,
    ...(request.body.length > 0
      ? { body: text ? request.body.toString('utf8') : request.body.toString('base64') }
      : {}),
    ...(Object.keys(target.pathParameters).length > 0 ? { pathParameters: target.pathParameters } : {}),
    isBase64Encoded: request.body.length > 0 && !text,
    ...(target.stageVariables && Object.keys(target.stageVariables).length > 0
      ? { stageVariables: target.stageVariables }
      : {}),
  };
}

/** Repeated parameters are joined with commas, as format 2.0 does. */
function queryParameters(raw: string): Record<string, string> | undefined {
  if (raw === '') return undefined;
  const params: Record<string, string> = {};
  for (const pair of raw.split('&')) {
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    const name = decodedQuery(eq < 0 ? pair : pair.slice(0, eq));
    const value = decodedQuery(eq < 0 ? '' : pair.slice(eq + 1));
    params[name] = name in params ? `${params[name]},${value}` : value;
  }
  return Object.keys(params).length > 0 ? params : undefined;
}

function cookiesOf(header: string | undefined): string[] {
  if (!header) return [];
  return header
    .split(';')
    .map((c) => c.trim())
    .filter((c) => c !== '');
}

/** `12/Mar/2020:19:03:58 +0000`: the access log's (and the event's) request time. */
export function clfTime(date: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${pad(date.getUTCDate())}/${MONTHS[date.getUTCMonth()]}/${date.getUTCFullYear()}:${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())} +0000`;
}

function decodedPath(raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw;
  }
}

function decodedQuery(raw: string): string {
  try {
    return decodeURIComponent(raw.replaceAll('+', ' '));
  } catch {
    return raw;
  }
}
