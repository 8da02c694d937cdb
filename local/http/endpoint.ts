import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { AwsError } from './aws-error.js';
import { handleJson, type JsonService, writeJsonError } from './json-protocol.js';
import { handleQuery, type QueryService } from './query-protocol.js';

/** A handler for a REST-style service (Lambda, S3), given the request as is. */
export type RestHandler = (req: IncomingMessage, res: ServerResponse, url: URL) => Promise<void>;

export interface EndpointServices {
  json: JsonService[];
  query: Record<string, QueryService>;
  /** Raw handlers keyed by the SigV4 scope's service name ("lambda", "s3"). */
  rest: Record<string, RestHandler>;
  /** The container registry API (`/v2/…`), for Docker. */
  registry?: RestHandler;
  /** DynamoDB is served by dynalite as is. */
  passThrough: Record<string, (req: IncomingMessage, res: ServerResponse) => void>;
}

/** The service named in a SigV4 credential scope: `Credential=AKID/20261123/us-east-1/ecs/aws4_request`. */
export function signingService(req: IncomingMessage): string | undefined {
  const auth = req.headers.authorization ?? '';
  return /Credential=[^/]+\/\d{8}\/[^/]+\/([^/]+)\/aws4_request/.exec(auth)?.[1];
}

/**
 * The one endpoint: dispatches by `X-Amz-Target` (JSON protocols), the SigV4
 * scope (awsQuery, REST), or the query `Action`. What it can't place gets a
 * clear error, never a silent success.
 */
export function endpointHandler(services: EndpointServices): RequestListener {
  const byPrefix = new Map(services.json.map((s) => [s.targetPrefix, s]));
  return (req, res) => {
    dispatch(req, res).catch((err) => writeJsonError(res, 'application/json', err));
  };

  async function dispatch(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname === '/_stepship/health') {
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"running"}');
      return;
    }
    if (services.registry && (url.pathname === '/v2' || url.pathname.startsWith('/v2/'))) {
      await services.registry(req, res, url);
      return;
    }
    const target = req.headers['x-amz-target'];
    if (typeof target === 'string') {
      const [prefix, operation = ''] = target.split('.');
      if (prefix === 'DynamoDB_20120810' && services.passThrough.dynamodb) {
        services.passThrough.dynamodb(req, res);
        return;
      }
      const service = byPrefix.get(prefix ?? '');
      if (!service) {
        throw new AwsError(
          'UnknownOperationException',
          `The local cloud does not serve X-Amz-Target "${target}"`,
          400,
        );
      }
      await handleJson(service, operation, req, res);
      return;
    }
    const scope = signingService(req);
    const rest = scope ? services.rest[scope] : undefined;
    if (rest) {
      await rest(req, res, url);
      return;
    }
    const query = scope ? services.query[scope] : undefined;
    if (query) {
      await handleQuery(query, req, res);
      return;
    }
    // Unsigned awsQuery (e.g. a hand-written form post): find the service by its Action.
    if (
      req.method === 'POST' &&
      String(req.headers['content-type']).startsWith('application/x-www-form-urlencoded')
    ) {
      const only = Object.values(services.query)[0];
      if (only) {
        await handleQuery(only, req, res);
        return;
      }
    }
    throw new AwsError(
      'UnknownService',
      `The local cloud could not tell which service this request is for (${req.method} ${url.pathname}); sign it with SigV4 or set X-Amz-Target`,
      400,
    );
  }
}
