import { randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { AccessLogContext } from './access-log.js';
import { clfTime } from './proxy-event.js';
import { DEFAULT_ROUTE } from './routes.js';
import type { HttpApi } from './store.js';

// What an invoke request says of itself: its connection, its stage, its path and query as sent,
// and the headers and $context it carries on.

export type Stage = HttpApi['stages'] extends Map<string, infer S> ? S : never;

/** The client's end of the connection, as API Gateway reports it (`sourceIp`, `X-Forwarded-*`). */
export interface Peer {
  sourceIp: string;
  port: number;
  secure: boolean;
}

export function peerOf(req: IncomingMessage): Peer {
  const socket = req.socket as (IncomingMessage['socket'] & { encrypted?: boolean }) | null;
  const secure = socket?.encrypted === true;
  return {
    sourceIp: (socket?.remoteAddress ?? '').replace(/^::ffff:/, ''),
    port: socket?.localPort ?? (secure ? 443 : 80),
    secure,
  };
}

/** The stage a path names by its first segment, else `$default` (served from the root), with the path left for routing. */
export function stageOf(api: HttpApi, path: string): { stage: Stage; routePath: string } | undefined {
  const [, first = '', ...rest] = path.split('/');
  const named = first !== '' && first !== DEFAULT_ROUTE ? api.stages.get(decoded(first)) : undefined;
  if (named) return { stage: named, routePath: `/${rest.join('/')}` };
  const fallback = api.stages.get(DEFAULT_ROUTE);
  return fallback ? { stage: fallback, routePath: path } : undefined;
}

/** The path as the client sent it, relative to the API (the local path form's prefix taken off). */
export function rawPathOf(req: IncomingMessage, targetPath: string): string {
  const raw = (req.url ?? '/').split('?')[0] ?? '/';
  const at = raw.indexOf('/_aws/execute-api/');
  if (at !== 0) return raw;
  const rest = raw.slice('/_aws/execute-api/'.length);
  const slash = rest.indexOf('/');
  return slash < 0 ? targetPath : rest.slice(slash);
}

export function rawQueryOf(req: IncomingMessage): string {
  const raw = req.url ?? '';
  const q = raw.indexOf('?');
  return q < 0 ? '' : raw.slice(q + 1);
}

/** The headers the integration sees: the client's, with what API Gateway adds in front of it. */
export function forwardedHeaders(
  req: IncomingMessage,
  peer: Peer,
  receivedAt: Date,
): IncomingMessage['headers'] {
  const trace = `Root=1-${Math.floor(receivedAt.getTime() / 1000).toString(16)}-${randomBytes(12).toString('hex')}`;
  return {
    ...req.headers,
    'x-forwarded-for': peer.sourceIp,
    'x-forwarded-port': String(peer.port),
    'x-forwarded-proto': peer.secure ? 'https' : 'http',
    'x-amzn-trace-id': req.headers['x-amzn-trace-id'] ?? trace,
  };
}

export function requestContextOf(
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

function decoded(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
