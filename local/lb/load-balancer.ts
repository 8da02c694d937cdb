import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { TargetGroup } from './target-group.js';

/**
 * The ALB listener, served on loopback: each request goes to a target the
 * target group picks (round robin over healthy targets, fail-open), with the
 * X-Forwarded-* headers an ALB adds. 503 with no targets, 502 when the target
 * fails to answer.
 */
export class ListenerServer {
  readonly server: Server;
  requests = 0;
  errors = 0;

  constructor(
    private readonly targetGroup: () => TargetGroup | undefined,
    private readonly listenerPort: number,
  ) {
    this.server = createServer((req, res) => {
      this.requests++;
      const group = this.targetGroup();
      const target = group?.pick();
      if (!target) {
        this.errors++;
        res
          .writeHead(503, { 'content-type': 'text/html' })
          .end('<html><body><h1>503 Service Temporarily Unavailable</h1></body></html>');
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
            'x-forwarded-port': String(this.listenerPort),
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
        this.errors++;
        if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/html' });
        res.end('<html><body><h1>502 Bad Gateway</h1></body></html>');
      });
      req.pipe(upstream);
    });
  }

  listen(port: number, host: string): Promise<number> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => resolve((this.server.address() as AddressInfo).port));
    });
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.server.closeAllConnections();
      this.server.close(() => resolve());
    });
  }
}
