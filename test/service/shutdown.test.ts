import { afterEach, describe, expect, it } from '@jest/globals';
import { type JsonLineProcess, spawnJsonLogger } from '../helpers/child-process.js';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../helpers/fake-credentials.js';
import { type Running, serve } from '../helpers/servers.js';

const SERVER = new URL('../../service/src/server.ts', import.meta.url).pathname;

/** A DynamoDB stand-in whose ListTables answers only after `delayMs`, to keep a request in flight. */
async function slowDynamo(delayMs: number, onRequest: () => void): Promise<Running> {
  return serve((req, res) => {
    req.resume();
    onRequest();
    setTimeout(() => {
      res.writeHead(200, { 'content-type': 'application/x-amz-json-1.0' });
      res.end(JSON.stringify({ TableNames: ['slow-table'] }));
    }, delayMs).unref();
  });
}

function startServer(dynamoUrl: string, deadlineMs: number): JsonLineProcess {
  return spawnJsonLogger(['--import', 'tsx', SERVER], {
    PATH: process.env.PATH,
    PORT: '0',
    HOST: '127.0.0.1',
    SHUTDOWN_DEADLINE_MS: String(deadlineMs),
    AWS_REGION: LOCAL_REGION,
    AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
    AWS_ENDPOINT_URL_DYNAMODB: dynamoUrl,
  });
}

let cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const step of cleanup.reverse()) await step();
  cleanup = [];
});

async function startWithRequestInFlight(delayMs: number, deadlineMs: number) {
  let requestArrived!: () => void;
  const arrived = new Promise<void>((resolve) => {
    requestArrived = resolve;
  });
  const dynamo = await slowDynamo(delayMs, () => requestArrived());
  cleanup.push(() => dynamo.close());
  const server = startServer(dynamo.url, deadlineMs);
  cleanup.push(async () => {
    server.child.kill('SIGKILL');
    await server.exited;
  });
  const listening = await server.waitForLine((l) => l.msg === 'listening');
  const url = `http://127.0.0.1:${listening.port as number}`;
  const inFlight = fetch(`${url}/db`).then(async (res) => ({ status: res.status, body: await res.json() }));
  inFlight.catch(() => undefined);
  await arrived;
  return { server, url, inFlight };
}

describe('graceful shutdown on SIGTERM', () => {
  it('finishes the request in flight, refuses new connections, and exits 0', async () => {
    const { server, url, inFlight } = await startWithRequestInFlight(1500, 8000);
    server.child.kill('SIGTERM');
    await server.waitForLine((l) => l.msg === 'shutting down');
    await expect(fetch(`${url}/status`)).rejects.toThrow();
    await expect(inFlight).resolves.toEqual({
      status: 200,
      body: { db: 'connected', tables: ['slow-table'] },
    });
    expect(await server.exited).toEqual({ code: 0, signal: null });
    expect(server.lines.find((l) => l.msg === 'stopped')).toMatchObject({ how: 'drained' });
  });

  it('exits by its deadline when a request would outlast it', async () => {
    const { server, inFlight } = await startWithRequestInFlight(20_000, 500);
    const signalled = Date.now();
    server.child.kill('SIGTERM');
    expect(await server.exited).toEqual({ code: 0, signal: null });
    expect(Date.now() - signalled).toBeLessThan(10_000);
    expect(server.lines.find((l) => l.msg === 'stopped')).toMatchObject({ how: 'forced' });
    await expect(inFlight).rejects.toThrow();
  });
});
