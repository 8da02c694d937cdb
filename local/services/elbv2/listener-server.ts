import { createServer, type IncomingMessage, request, type Server, type ServerResponse } from 'node:http';
import { createServer as createTlsServer, type Server as HttpsServer } from 'node:https';
import {
  type AddressInfo,
  createServer as createTcpServer,
  type Socket,
  type Server as TcpServer,
} from 'node:net';
import type { Action } from '@aws-sdk/client-elastic-load-balancing-v2';
import { requestUrl } from '../../http/request-url.js';
import type { RequestFacts } from './rules.js';
import type { TargetGroup } from './target-group.js';

/** Where the load balancer sends one request: the action of the rule that matched, with its target groups resolved. */
export type Routing =
  | { kind: 'forward'; groups: { group: TargetGroup; weight: number }[] }
  | { kind: 'fixed-response'; config: NonNullable<Action['FixedResponseConfig']> }
  | {
      kind: 'redirect';
      config: NonNullable<Action['RedirectConfig']>;
      /** The redirect names one of this load balancer's own listener ports: locally, the same front door. */
      toOwnListener: boolean;
    }
  | { kind: 'none' };

export type ListenerProtocol = 'HTTP' | 'HTTPS';

/** A TLS handshake's first byte (a TLS record of type handshake); plain HTTP starts with a method's letter. */
const TLS_HANDSHAKE = 0x16;

/**
 * One load balancer's front door on loopback: one port serves both its HTTP
 * and its HTTPS listener (a connection opening with a TLS handshake goes to
 * the HTTPS one), since loopback has no ports 80 and 443 to spare per load
 * balancer. Each request is routed as its listener's rules say (forward,
 * fixed response, redirect); a forwarded request goes to a target its group
 * picks (round robin over healthy targets, fail-open) with the X-Forwarded-*
 * headers an ALB adds. 503 with no targets, 502 when the target fails to answer.
 */
/**
 * An ALB keeps an idle client connection open for its idle timeout, 60 s by
 * default. Node's 5 s default closed kept-alive connections under load: when
 * the process stalled for seconds, the timers fired before the requests
 * already waiting on those connections were read, and clients got ECONNRESET.
 */
const IDLE_TIMEOUTS = { keepAliveTimeout: 60_000, headersTimeout: 65_000 };

export class ListenerServer {
  private readonly front: TcpServer;
  private readonly http: Server;
  private readonly https: HttpsServer;
  private tls = false;
  /**
   * Every open connection of the front door: closing it ends them. The HTTP
   * servers never listen themselves, so their closeAllConnections() knows none.
   */
  private readonly connections = new Set<Socket>();
  requests = 0;
  errors = 0;
  private port = 0;

  constructor(private readonly route: (request: RequestFacts, protocol: ListenerProtocol) => Routing) {
    this.http = createServer(IDLE_TIMEOUTS, (req, res) => this.handle(req, res, 'HTTP'));
    this.https = createTlsServer(IDLE_TIMEOUTS, (req, res) => this.handle(req, res, 'HTTPS'));
    this.front = createTcpServer((socket) => this.accept(socket));
  }

  /** Serves HTTPS with this certificate (PEM: the leaf, then its chain) from now on. */
  useCertificate(certificate: { cert: string; key: string }): void {
    this.https.setSecureContext(certificate);
    this.tls = true;
  }

  private accept(socket: Socket): void {
    socket.once('error', () => socket.destroy());
    this.connections.add(socket);
    socket.once('close', () => this.connections.delete(socket));
    socket.once('readable', () => {
      const head: Buffer | null = socket.read(1);
      if (!head) return;
      socket.unshift(head);
      if (head[0] !== TLS_HANDSHAKE) this.http.emit('connection', socket);
      else if (this.tls) this.https.emit('connection', socket);
      // No HTTPS listener: the handshake meets a closed door, as on a port nothing listens to.
      else socket.destroy();
    });
  }

  private handle(req: IncomingMessage, res: ServerResponse, protocol: ListenerProtocol): void {
    this.requests++;
    try {
      this.serve(req, res, protocol);
    } catch {
      // A request the rules can't be applied to is the load balancer's 500, never the end of the process.
      req.resume();
      this.fail(res, 500, '500 Internal Server Error');
    }
  }

  private serve(req: IncomingMessage, res: ServerResponse, protocol: ListenerProtocol): void {
    const url = requestUrl(req, 'http://alb.local');
    if (!url) {
      req.resume();
      this.fail(res, 400, '400 Bad Request');
      return;
    }
    const routing = this.route(
      {
        path: url.pathname,
        host: req.headers.host ?? '',
        method: req.method ?? 'GET',
        query: url.searchParams,
        headers: req.headers,
      },
      protocol,
    );
    switch (routing.kind) {
      case 'fixed-response': {
        const c = routing.config;
        res
          .writeHead(Number(c.StatusCode), { 'content-type': c.ContentType ?? 'text/plain' })
          .end(c.MessageBody ?? '');
        return;
      }
      case 'redirect':
        this.redirect(req, url, routing, protocol, res);
        return;
      case 'none':
        this.fail(res, 503, '503 Service Temporarily Unavailable');
        return;
      case 'forward':
        this.forward(req, res, pickGroup(routing.groups), protocol);
    }
  }

  private forward(
    req: IncomingMessage,
    res: ServerResponse,
    group: TargetGroup | undefined,
    protocol: ListenerProtocol,
  ): void {
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
        host: target.host,
        port: target.port,
        method: req.method,
        path: req.url,
        agent: false,
        headers: {
          ...req.headers,
          'x-forwarded-for': req.socket.remoteAddress ?? '',
          'x-forwarded-proto': protocol.toLowerCase(),
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
    routing: Extract<Routing, { kind: 'redirect' }>,
    protocol: ListenerProtocol,
    res: ServerResponse,
  ): void {
    const c = routing.config;
    const fill = (value: string | undefined, fallback: string) =>
      (value ?? fallback)
        .replaceAll('#{protocol}', protocol.toLowerCase())
        .replaceAll('#{host}', (req.headers.host ?? '').replace(/:\d+$/, ''))
        .replaceAll('#{port}', String(this.port))
        .replaceAll('#{path}', url.pathname.slice(1))
        .replaceAll('#{query}', url.search.slice(1));
    const scheme = fill(c.Protocol, '#{protocol}').toLowerCase();
    const port = routing.toOwnListener ? String(this.port) : fill(c.Port, '#{port}');
    const location = `${scheme}://${fill(c.Host, '#{host}')}:${port}${fill(c.Path, '/#{path}')}${c.Query !== undefined || url.search ? `?${fill(c.Query, '#{query}')}` : ''}`;
    res.writeHead(c.StatusCode === 'HTTP_301' ? 301 : 302, { location }).end();
  }

  private fail(res: ServerResponse, status: number, text: string): void {
    this.errors++;
    if (!res.headersSent) res.writeHead(status, { 'content-type': 'text/html' });
    res.end(`<html><body><h1>${text}</h1></body></html>`);
  }

  async listen(port: number, host: string): Promise<number> {
    this.port = await new Promise<number>((resolve, reject) => {
      this.front.once('error', reject);
      this.front.listen(port, host, () => resolve((this.front.address() as AddressInfo).port));
    });
    return this.port;
  }

  close(): Promise<void> {
    for (const socket of this.connections) socket.destroy();
    return new Promise((resolve) => this.front.close(() => resolve()));
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
