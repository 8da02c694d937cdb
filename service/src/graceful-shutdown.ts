import type { Server, ServerResponse } from 'node:http';

export type Shutdown = (deadlineMs: number) => Promise<'drained' | 'forced'>;

/**
 * Prepares `server` for a graceful stop and returns the function that performs
 * it: stop accepting connections, let in-flight requests finish (their
 * responses carry `Connection: close`, so keep-alive sockets don't hold the
 * server open), and resolve. Requests still running after `deadlineMs` have
 * their sockets destroyed, so the process exits before ECS's stop timeout
 * escalates to SIGKILL.
 */
export function prepareGracefulShutdown(server: Server): Shutdown {
  const inFlight = new Set<ServerResponse>();
  let closing = false;

  server.on('request', (_req, res: ServerResponse) => {
    inFlight.add(res);
    if (closing) res.setHeader('Connection', 'close');
    res.on('close', () => inFlight.delete(res));
  });

  return (deadlineMs) =>
    new Promise((resolve) => {
      closing = true;
      for (const res of inFlight) if (!res.headersSent) res.setHeader('Connection', 'close');
      const timer = setTimeout(() => {
        server.closeAllConnections();
        resolve('forced');
      }, deadlineMs);
      timer.unref();
      server.close(() => {
        clearTimeout(timer);
        resolve('drained');
      });
      server.closeIdleConnections();
    });
}
