import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export type MetadataSource = (
  taskId: string,
) => { task: Record<string, unknown>; container: Record<string, unknown> } | undefined;

/**
 * The ECS task metadata endpoint v4 for every local task, on one loopback
 * port: `/v4/<task-id>` is the container document, `/v4/<task-id>/task` the
 * task document. Each task's ECS_CONTAINER_METADATA_URI_V4 points at its own.
 */
export class MetadataServer {
  private readonly server: Server;
  private port = 0;

  constructor(private readonly source: MetadataSource) {
    this.server = createServer((req, res) => {
      const match = /^\/v4\/([^/]+)(\/task)?\/?$/.exec(req.url ?? '');
      const docs = match ? this.source(match[1] ?? '') : undefined;
      if (!match || !docs) {
        res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"unknown task"}');
        return;
      }
      res
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify(match[2] ? docs.task : docs.container));
    });
  }

  async listen(host = '127.0.0.1'): Promise<void> {
    await new Promise<void>((resolve) => this.server.listen(0, host, () => resolve()));
    this.port = (this.server.address() as AddressInfo).port;
  }

  uriFor(taskId: string): string {
    return `http://127.0.0.1:${this.port}/v4/${taskId}`;
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.server.closeAllConnections();
      this.server.close(() => resolve());
    });
  }
}
