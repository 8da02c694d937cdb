import type { IncomingMessage } from 'node:http';

/**
 * The request target as a URL, or undefined when it is none: Node accepts
 * request lines such as `GET //[ HTTP/1.1` that no URL parser takes, and a
 * server must answer those with 400, not throw on them.
 */
export function requestUrl(req: IncomingMessage, base = 'http://localhost'): URL | undefined {
  return URL.parse(req.url ?? '/', base) ?? undefined;
}
