import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createApp } from './app.js';
import { prepareGracefulShutdown } from './graceful-shutdown.js';
import { jsonLog } from './request-log.js';
import { createDynamoClient, dynamoTableLister } from './tables.js';
import { TaskIdentityProvider } from './task-metadata.js';

const port = parsePort(process.env.PORT ?? '3000');
const host = process.env.HOST || undefined;
// Must stay below the container's stopTimeout (stepship sets 10–30 s).
const shutdownDeadlineMs = Number(process.env.SHUTDOWN_DEADLINE_MS ?? 8000);
const metadataTimeoutMs = Number(process.env.METADATA_TIMEOUT_MS ?? 2000);

const identity = new TaskIdentityProvider(process.env.ECS_CONTAINER_METADATA_URI_V4, metadataTimeoutMs);
// Read before listening, so the first `/status` already knows the task IP.
const known = await identity.load();

const app = createApp({
  identity,
  listTables: dynamoTableLister(createDynamoClient()),
  region: process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION,
  log: jsonLog,
});
const server = createServer(app);
const shutdown = prepareGracefulShutdown(server);
server.keepAliveTimeout = 65_000; // longer than the ALB's 60 s idle timeout

server.on('error', (err) => {
  jsonLog({ level: 'error', msg: 'server error', error: err.message });
  process.exit(1);
});
server.listen(port, host, () => {
  const bound = (server.address() as AddressInfo).port;
  jsonLog({ level: 'info', msg: 'listening', port: bound, host: host ?? '*', taskIP: known.taskIP });
});

let stopping = false;
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.on(signal, async () => {
    if (stopping) return;
    stopping = true;
    jsonLog({ level: 'info', msg: 'shutting down', signal });
    const how = await shutdown(shutdownDeadlineMs);
    jsonLog({ level: 'info', msg: 'stopped', how });
    process.exit(0);
  });
}

function parsePort(raw: string): number {
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0 || value > 65535) {
    process.stderr.write(`PORT must be an integer from 0 to 65535, got "${raw}"\n`);
    process.exit(2);
  }
  return value;
}
