import type { IncomingMessage } from 'node:http';

/**
 * Where an API is invoked. On AWS that is `https://{apiId}.execute-api.{region}.amazonaws.com/`,
 * a name no resolver on this machine knows; locally each API is served on
 * the endpoint under a path of its own (as LocalStack's `/_aws/execute-api/`),
 * which any client reaches without DNS or TLS set-up. Requests that name
 * the AWS host (tasks reach AWS's names through the local CA's TLS endpoint)
 * are served too.
 */
export const EXECUTE_API_PREFIX = '/_aws/execute-api/';

const API_ID = /^[a-z0-9]{10}$/;
const EXECUTE_API_HOST = /^([a-z0-9]{10})\.execute-api\.([a-z0-9-]+)\.amazonaws\.com(\.cn)?(:\d+)?$/;

/** The API a request is aimed at, and the path it asks for on it (raw, as sent, without the query). */
export interface InvokeTarget {
  apiId: string;
  /** The region the host names; undefined for the path form, which names none. */
  region?: string;
  path: string;
  /** What `requestContext.domainName` is on AWS, `{apiId}.execute-api.{region}.amazonaws.com`. */
  host?: string;
}

/** The API's base URL on the local endpoint (`ApiEndpoint`): routes are appended to it, `$ApiUrl/deployments`. */
export function localApiEndpoint(endpointUrl: string, apiId: string): string {
  return `${endpointUrl}${EXECUTE_API_PREFIX}${apiId}`;
}

export function awsApiHost(apiId: string, region: string): string {
  return `${apiId}.execute-api.${region}.${region.startsWith('cn-') ? 'amazonaws.com.cn' : 'amazonaws.com'}`;
}

/** The API a request invokes, by the path form or the AWS host name; undefined for any other request. */
export function invokeTarget(req: IncomingMessage, url: URL): InvokeTarget | undefined {
  const host = (req.headers.host ?? '').toLowerCase();
  const named = EXECUTE_API_HOST.exec(host);
  if (named) {
    const [, apiId = '', region = ''] = named;
    return { apiId, region, path: url.pathname, host: host.replace(/:\d+$/, '') };
  }
  if (!url.pathname.startsWith(EXECUTE_API_PREFIX)) return undefined;
  const rest = url.pathname.slice(EXECUTE_API_PREFIX.length);
  const slash = rest.indexOf('/');
  const apiId = slash < 0 ? rest : rest.slice(0, slash);
  if (!API_ID.test(apiId)) return { apiId, path: '/' };
  return { apiId, path: slash < 0 ? '/' : rest.slice(slash) };
}

/** Whether a request is for an API's invoke URL: API Gateway, not the endpoint, decides how it is authorized. */
export function isInvokeRequest(req: IncomingMessage, url: URL): boolean {
  return invokeTarget(req, url) !== undefined;
}
