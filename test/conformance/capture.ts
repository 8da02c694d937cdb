import { Readable } from 'node:stream';
import type {
  DeserializeHandler,
  DeserializeHandlerArguments,
  HandlerExecutionContext,
  HttpRequest,
  HttpResponse,
  MiddlewareStack,
} from '@smithy/types';
import type { RawResponse } from './botocore-validator.js';

/** One request an SDK client sent and the raw response it got back. */
export interface Exchange extends RawResponse {
  /** The model's operation name (`ListClusters`). */
  operation: string;
  /** `POST / {"cluster":"web"}`, for messages. */
  request: string;
}

interface ClientWithStack {
  middlewareStack: MiddlewareStack<object, object>;
}

/**
 * Records every raw response `client` receives into `into`, as it came off
 * the socket, before the SDK parses it. The body is read whole and handed on
 * as a fresh stream, so the client works as usual.
 */
export function captureExchanges(client: ClientWithStack, into: Exchange[]): void {
  client.middlewareStack.add(
    (next: DeserializeHandler<object, object>, context: HandlerExecutionContext) =>
      async (args: DeserializeHandlerArguments<object>) => {
        const result = await next(args);
        const response = result.response as HttpResponse;
        const body = await readAll(response.body);
        response.body = Readable.from([body]);
        const request = args.request as HttpRequest;
        into.push({
          operation: (context.commandName ?? '').replace(/Command$/, ''),
          request: `${request.method} ${request.path}${query(request)} ${clip(bodyText(request.body))}`,
          status: response.statusCode,
          headers: Object.fromEntries(Object.entries(response.headers).map(([k, v]) => [k.toLowerCase(), v])),
          body,
        });
        return result;
      },
    // Innermost in the deserialize step: `next` is the HTTP handler itself.
    { step: 'deserialize', priority: 'low', name: 'conformanceCapture' },
  );
}

async function readAll(body: unknown): Promise<Buffer> {
  if (body === undefined || body === null) return Buffer.alloc(0);
  if (body instanceof Uint8Array) return Buffer.from(body);
  if (typeof body === 'string') return Buffer.from(body);
  const chunks: Buffer[] = [];
  for await (const chunk of body as AsyncIterable<Uint8Array>) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks);
}

function query(request: HttpRequest): string {
  const entries = Object.entries(request.query ?? {});
  return entries.length ? `?${entries.map(([k, v]) => `${k}=${String(v)}`).join('&')}` : '';
}

function bodyText(body: unknown): string {
  if (typeof body === 'string') return body;
  // Decoded from the bytes: the SDK's JSON body adapter warns when its string methods are used.
  if (body instanceof Uint8Array) return new TextDecoder().decode(body);
  return '';
}

const clip = (text: string) => (text.length > 300 ? `${text.slice(0, 300)}…` : text);

/** The error code an error response carries on the wire (`x-amzn-errortype`, `__type`, `<Code>`), as botocore reads it. */
export function wireErrorCode(exchange: Exchange): string {
  const header = exchange.headers['x-amzn-errortype'];
  const text = exchange.body.toString('utf8');
  let code = header ?? '';
  if (!code && text.trimStart().startsWith('{')) {
    try {
      const body = JSON.parse(text) as { __type?: unknown; code?: unknown };
      code = String(body.__type ?? body.code ?? '');
    } catch {
      code = '';
    }
  }
  if (!code) code = /<Code>([^<]*)<\/Code>/.exec(text)?.[1] ?? exchange.headers['x-amz-error-code'] ?? '';
  return code.split(':')[0]?.split('#').pop() ?? '';
}
