import type { IncomingMessage } from 'node:http';
import { AwsError } from './aws-error.js';

/**
 * What keeps web pages from driving the local cloud. Browsers can reach
 * loopback, so a page the user visits could otherwise POST a form to the
 * endpoint (CreateService with a `node -e` command runs anything as the
 * user), or reach it through DNS rebinding. SDKs and CLIs never send
 * `Origin` or `Sec-Fetch-Site`, always sign, and name the endpoint's own
 * address in `Host`; pages cannot sign, cannot hide their origin, and under
 * DNS rebinding carry a foreign `Host`.
 */
export interface GuardPolicy {
  /** `host:port` values (lowercase) this endpoint answers to. */
  isAllowedHost(host: string): boolean;
  /**
   * Requests a service authorizes by itself, signed or not (an HTTP API's
   * invoke URL: each route says whether it needs SigV4, and API Gateway
   * answers its own 403s). The Host, Sec-Fetch-Site and Origin checks hold.
   */
  authorizesItself?(req: IncomingMessage, url: URL): boolean;
}

/** `127.0.0.1:4566`, `localhost:4566` and `[::1]:4566` for an endpoint on that port. */
export function loopbackHosts(port: number): string[] {
  return [`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`];
}

/**
 * Paths served without SigV4: the health probe, the registry (which has
 * Docker's own auth), and the read-only console (a browser cannot sign; the
 * Host, Sec-Fetch-Site and Origin checks above still hold, so only the
 * user's own browser, at the endpoint's own address, is answered).
 */
const UNSIGNED_PATHS = [/^\/_stepship\/health$/, /^\/v2(\/|$)/, /^\/_stepship\/console(\/|$)/];

/** Why the request is refused, as the AWS error to answer, or undefined when it may proceed. */
export function refusal(req: IncomingMessage, url: URL, policy: GuardPolicy): AwsError | undefined {
  const host = (req.headers.host ?? '').toLowerCase();
  if (!policy.isAllowedHost(host))
    return new AwsError(
      'AccessDeniedException',
      `The local cloud answers only requests addressed to itself (Host "${host.slice(0, 100)}" is not): this protects it from DNS rebinding.`,
      403,
    );
  const site = req.headers['sec-fetch-site'];
  if (site === 'cross-site' || site === 'same-site')
    return new AwsError(
      'AccessDeniedException',
      'Requests from web pages are refused by the local cloud.',
      403,
    );
  const origin = req.headers.origin;
  if (
    origin !== undefined &&
    origin.toLowerCase() !== `http://${host}` &&
    origin.toLowerCase() !== `https://${host}`
  )
    return new AwsError(
      'AccessDeniedException',
      `Requests from web pages are refused by the local cloud (Origin ${origin.slice(0, 100)}).`,
      403,
    );
  if (UNSIGNED_PATHS.some((p) => p.test(url.pathname)) || policy.authorizesItself?.(req, url))
    return undefined;
  if (!isSigned(req, url))
    return new AwsError(
      'MissingAuthenticationTokenException',
      'Missing Authentication Token: sign requests with SigV4 (any credentials work unless the local cloud runs in strict mode).',
      403,
    );
  return undefined;
}

/** A SigV4 Authorization header, or a presigned URL's query parameters. */
function isSigned(req: IncomingMessage, url: URL): boolean {
  const auth = req.headers.authorization;
  if (
    typeof auth === 'string' &&
    /^AWS4-HMAC-SHA256 Credential=[^\s,]+\/aws4_request, ?SignedHeaders=[^\s,]+, ?Signature=[0-9a-f]{64}$/.test(
      auth,
    )
  )
    return true;
  return (
    url.searchParams.get('X-Amz-Algorithm') === 'AWS4-HMAC-SHA256' &&
    url.searchParams.has('X-Amz-Credential') &&
    /^[0-9a-f]{64}$/.test(url.searchParams.get('X-Amz-Signature') ?? '')
  );
}
