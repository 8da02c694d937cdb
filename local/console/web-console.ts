import { readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { LayoutCache } from './execution-model.js';
import { CONSOLE_BASE } from './paths.js';
import { type ConsoleClients, type ConsoleTarget, consoleClients, destroyClients } from './read/clients.js';
import { TaskDefinitionCache } from './read/services.js';
import { type Answer, ConsoleRequestError, ROUTES } from './routes.js';
import { errorPage } from './views/logs-page.js';

/**
 * Strict: only the console's own script and style sheet run and apply, it
 * fetches only from itself, nothing may frame it, and no form can post
 * anywhere (it has no form that posts).
 */
const SECURITY_HEADERS = {
  'content-security-policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
  'cache-control': 'no-store',
} as const;

const ASSETS = new Map(
  (
    [
      ['console.js', 'text/javascript; charset=utf-8'],
      ['console.css', 'text/css; charset=utf-8'],
      ['icon.svg', 'image/svg+xml'],
    ] as const
  ).map(([name, type]) => [
    `assets/${name}`,
    { type, body: readFileSync(new URL(`./assets/${name}`, import.meta.url)) },
  ]),
);

/**
 * The deployment console on the local cloud's endpoint: server-rendered
 * pages of what the AWS APIs say (Step Functions, ECS, ELBv2, DynamoDB,
 * CloudWatch Logs, Lambda), read through SDK clients pointed at the
 * endpoint itself. Read-only: it answers GET and HEAD, and its clients
 * refuse any operation but a read.
 */
export class WebConsole {
  private readonly clients: ConsoleClients;
  private readonly definitions = new TaskDefinitionCache();
  private readonly layouts = new LayoutCache();

  constructor(target: ConsoleTarget) {
    this.clients = consoleClients(target);
  }

  readonly handle = async (req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> => {
    req.resume();
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      send(
        req,
        res,
        405,
        'text/html; charset=utf-8',
        errorPage(405, 'Method not allowed', 'The console is read-only: it answers GET and HEAD only.').text,
        {
          allow: 'GET, HEAD',
        },
      );
      return;
    }
    if (url.pathname === CONSOLE_BASE) {
      send(req, res, 308, 'text/plain; charset=utf-8', '', { location: `${CONSOLE_BASE}/${url.search}` });
      return;
    }
    const path = url.pathname.slice(CONSOLE_BASE.length + 1);
    const asset = ASSETS.get(path);
    if (asset) {
      send(req, res, 200, asset.type, asset.body);
      return;
    }
    const route = ROUTES.get(path);
    const wantsJson = path.endsWith('.json');
    if (!route) {
      answerError(req, res, 404, 'Not found', `The console has no page ${url.pathname}.`, wantsJson);
      return;
    }
    let answer: Answer;
    try {
      answer = await route({
        clients: this.clients,
        definitions: this.definitions,
        layouts: this.layouts,
        query: url.searchParams,
      });
    } catch (err) {
      if (err instanceof ConsoleRequestError) {
        answerError(
          req,
          res,
          err.status,
          err.status === 404 ? 'Not found' : 'Bad request',
          err.message,
          wantsJson,
        );
        return;
      }
      // The endpoint answered something the page could not use: a gateway's error, not the console's.
      const why = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
      answerError(req, res, 502, 'Could not read from the local cloud', why, wantsJson);
      return;
    }
    if (answer.kind === 'json') send(req, res, 200, 'application/json', JSON.stringify(answer.body));
    else send(req, res, 200, 'text/html; charset=utf-8', answer.body.text);
  };

  close(): void {
    destroyClients(this.clients);
  }
}

function answerError(
  req: IncomingMessage,
  res: ServerResponse,
  status: number,
  title: string,
  message: string,
  json: boolean,
): void {
  if (json) send(req, res, status, 'application/json', JSON.stringify({ error: title, message }));
  else send(req, res, status, 'text/html; charset=utf-8', errorPage(status, title, message).text);
}

function send(
  req: IncomingMessage,
  res: ServerResponse,
  status: number,
  type: string,
  body: string | Buffer,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, {
    ...SECURITY_HEADERS,
    ...headers,
    'content-type': type,
    'content-length': String(Buffer.byteLength(body)),
  });
  res.end(req.method === 'HEAD' ? undefined : body);
}
