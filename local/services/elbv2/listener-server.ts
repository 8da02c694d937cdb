import { createServer, type IncomingMessage, request, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Action } from '@aws-sdk/client-elastic-load-balancing-v2';
import { requestUrl } from '../../http/request-url.js';
import type { RequestFacts } from './rules.js';
import type { TargetGroup } from './target-group.js';

/** Where the load balancer sends one request: the action of the rule that matched, with its target groups resolved. */
export type Routing =
  | { kind: 'forward'; groups: { group: TargetGroup; weight: number }[] }
  | { kind: 'fixed-response'; config: NonNullable<Action['FixedResponseConfig']> }
  | { kind: 'redirect'; config: NonNullable<Action['RedirectConfig']> }
  | { kind: 'none' };

/**
 * One load balancer's front door on loopback: each request is routed as its
 * listener's rules say (forward, fixed response, redirect); a forwarded
 * request goes to a target its group picks (round robin over healthy
 * targets, fail-open) with the X-Forwarded-* headers an ALB adds. 503 with
 * no targets, 502 when the target fails to answer.
 */
export class ListenerServer {
  readonly server: Server;
  requests = 0;
  errors = 0;
  private port = 0;

  constructor(private readonly route: (request: RequestFacts) => Routing) {
    this.server = createServer((req, res) => this.handle(req, res));
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    this.requests++;
    try {
      this.serve(req, res);
    } catch {
      // A request the rules can't be applied to is the load balancer's 500, never the end of the process.
      req.resume();
      this.fail(res, 500, '500 Internal Server Error');
    }
  }

  private serve(req: IncomingMessage, res: ServerResponse): void {
    const url = requestUrl(req, 'http://alb.local');
    if (!url) {
      req.resume();
      this.fail(res, 400, '400 Bad Request');
      return;
    }
    const routing = this.route({
      path: url.pathname,
      host: req.headers.host ?? '',
      method: req.method ?? 'GET',
      query: url.searchParams,
      headers: req.headers,
    });
    switch (routing.kind) {
      case 'fixed-response': {
        const c = routing.config;
        res
          .writeHead(Number(c.StatusCode), { 'content-type': c.ContentType ?? 'text/plain' })
          .end(c.MessageBody ?? '');
        return;
      }
      case 'redirect':
        this.redirect(req, url, routing.config, res);
        return;
      case 'none':
        this.fail(res, 503, '503 Service Temporarily Unavailable');
        return;
      case 'forward':
        this.forward(req, res, pickGroup(routing.groups));
    }
  }

  private forward(req: IncomingMessage, res: ServerResponse, group: TargetGroup | undefined): void {
    const target = group?.pick();
    if (!target) {
      this.fail(res, 503, '503 Service Temporarily Unavailable');
      return;
    }
    target.inFlight++;
    const done = () => {
      target.inFlight = Math.max(0, target.inFlight - 1);
    };
    const upstream = request(
      {
        host: target.id,
        port: target.port,
        method: req.method,
        path: req.url,
        agent: false,
        headers: {
          ...req.headers,
          'x-forwarded-for': req.socket.remoteAddress ?? '',
          'x-forwarded-proto': 'http',
          'x-forwarded-port': String(this.port),
        },
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
        answer.on('end', done);
        answer.on('error', done);
      },
    );
    upstream.on('error', () => {
      done();
      this.fail(res, 502, '502 Bad Gateway');
    });
    req.pipe(upstream);
  }

  private redirect(
    req: IncomingMessage,
    url: URL,
    c: NonNullable<Action['RedirectConfig']>,
    res: ServerResponse,
  ): void {
    const fill = (value: string | undefined, fallback: string) =>
      (value ?? fallback)
        .replaceAll('#{protocol}', 'http')
        .replaceAll('#{host}', (req.headers.host ?? '').replace(/:\d+$/, ''))
        .replaceAll('#{port}', String(this.port))
        .replaceAll('#{path}', url.pathname.slice(1))
        .replaceAll('#{query}', url.search.slice(1));
    const protocol = fill(c.Protocol, '#{protocol}').toLowerCase();
    const location = `${protocol}://${fill(c.Host, '#{host}')}:${fill(c.Port, '#{port}')}${fill(c.Path, '/#{path}')}${c.Query !== undefined || url.search ? `?${fill(c.Query, '#{query}')}` : ''}`;
    res.writeHead(c.StatusCode === 'HTTP_301' ? 301 : 302, { location }).end();
  }

  private fail(res: ServerResponse, status: number, text: string): void {
    this.errors++;
    if (!res.headersSent) res.writeHead(status, { 'content-type': 'text/html' });
    res.end(`<html><body><h1>${text}</h1></body></html>`);
  }

  async listen(port: number, host: string): Promise<number> {
    this.port = await new Promise<number>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => resolve((this.server.address() as AddressInfo).port));
    });
    return this.port;
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.server.closeAllConnections();
      this.server.close(() => resolve());
    });
  }
}

/** A weighted choice among a forward action's target groups. */
function pickGroup(groups: { group: TargetGroup; weight: number }[]): TargetGroup | undefined {
  const total = groups.reduce((n, g) => n + g.weight, 0);
  if (total <= 0) return groups[0]?.group;
  let ticket = Math.random() * total;
  for (const g of groups) {
    ticket -= g.weight;
    if (ticket < 0) return g.group;
  }
  return groups.at(-1)?.group;
}
