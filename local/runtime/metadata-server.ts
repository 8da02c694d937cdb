import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export type MetadataSource = (
  taskId: string,
) => { task: Record<string, unknown>; container: Record<string, unknown> } | undefined;

/**
 * The ECS task metadata endpoint v4 for every local task: `/v4/<task-id>` is
 * the container document, `/v4/<task-id>/task` the task document. Each task's
 * ECS_CONTAINER_METADATA_URI_V4 points at its own. It listens on loopback for
 * task processes, and on the local cloud's container network's gateway when
 * tasks run as containers.
 */
export class MetadataServer {
  private readonly servers = new Map<string, { server: Server; port: number }>();
  private readonly handle: RequestListener;

  constructor(source: MetadataSource) {
    this.handle = (req, res) => {
      const match = /^\/v4\/([^/]+)(\/task)?\/?$/.exec(req.url ?? '');
      let docs: ReturnType<MetadataSource>;
      try {
        docs = match ? source(match[1] ?? '') : undefined;
      } catch {
        // A task whose documents can't be written is answered as an error; the server serves on.
        res.writeHead(500, { 'content-type': 'application/json' }).end('{"error":"internal error"}');
        return;
      }
      if (!match || !docs) {
        res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"unknown task"}');
        return;
      }
      res
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify(match[2] ? docs.task : docs.container));
    };
  }

  /** Listens on one more address (the first is where `uriFor` points by default). */
  async listen(host = '127.0.0.1'): Promise<void> {
    if (this.servers.has(host)) return;
    const server = createServer(this.handle);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, host, () => resolve());
    });
    this.servers.set(host, { server, port: (server.address() as AddressInfo).port });
  }

  uriFor(taskId: string, host?: string): string {
    const [first] = this.servers.keys();
    const address = host ?? first ?? '127.0.0.1';
    const listening = this.servers.get(address);
    if (!listening) throw new Error(`The metadata endpoint does not listen on ${address}`);
    return `http://${address}:${listening.port}/v4/${taskId}`;
  }

  async close(): Promise<void> {
    await Promise.all(
      [...this.servers.values()].map(
        ({ server }) =>
          new Promise<void>((resolve) => {
            server.closeAllConnections();
            server.close(() => resolve());
          }),
      ),
    );
    this.servers.clear();
  }
}
