import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import dynalite from 'dynalite';

export interface Running {
  url: string;
  port: number;
  close(): Promise<void>;
}

/** Listens on an ephemeral loopback port; `close` also drops open keep-alive sockets. */
export async function listen(server: Server, host = '127.0.0.1'): Promise<Running> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${host}:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export function serve(handler: RequestListener): Promise<Running> {
  return listen(createServer(handler));
}

/** A real DynamoDB implementation (dynalite) on loopback, in memory. */
export function startDynalite(): Promise<Running> {
  return listen(dynalite({ createTableMs: 0, deleteTableMs: 0 }));
}

/** A port that nothing listens on: bound, then released. */
export async function closedPort(): Promise<number> {
  const running = await serve(() => undefined);
  await running.close();
  return running.port;
}
