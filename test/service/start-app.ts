import { createServer } from 'node:http';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { createApp } from '../../service/src/app.js';
import type { LogLine } from '../../service/src/request-log.js';
import { dynamoTableLister } from '../../service/src/tables.js';
import { TaskIdentityProvider } from '../../service/src/task-metadata.js';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../helpers/fake-credentials.js';
import { listen, type Running, serve } from '../helpers/servers.js';

export interface StartedApp extends Running {
  logs: LogLine[];
}

export interface AppOptions {
  metadataUri?: string;
  dynamoEndpoint: string;
  maxPages?: number;
  metadataTimeoutMs?: number;
  retryAfterMs?: number;
}

export function dynamoClient(endpoint: string): DynamoDBClient {
  return new DynamoDBClient({
    endpoint,
    region: LOCAL_REGION,
    credentials: LOCAL_CREDENTIALS,
    maxAttempts: 1,
    requestHandler: { connectionTimeout: 1000, requestTimeout: 3000 },
  });
}

/** The real app, its real dependencies pointed at loopback stand-ins, on port 0. */
export async function startApp(options: AppOptions): Promise<StartedApp> {
  const logs: LogLine[] = [];
  const identity = new TaskIdentityProvider(
    options.metadataUri,
    options.metadataTimeoutMs ?? 300,
    options.retryAfterMs ?? 0,
  );
  await identity.load();
  const app = createApp({
    identity,
    listTables: dynamoTableLister(dynamoClient(options.dynamoEndpoint), options.maxPages),
    region: LOCAL_REGION,
    log: (line) => logs.push(line),
  });
  const running = await listen(createServer(app));
  return { ...running, logs };
}

export type MetadataMode = 'ok' | 'error' | 'slow' | 'malformed' | 'no-networks';

export const TASK_IP = '10.0.2.106';
export const IMAGE_DIGEST = `sha256:${'ab'.repeat(32)}`;
export const TASK_ARN = 'arn:aws:ecs:us-east-1:123456789012:task/web/0123456789abcdef';

export function containerDocument(): Record<string, unknown> {
  return {
    DockerId: 'abc',
    Name: 'web',
    Image: `123456789012.dkr.ecr.us-east-1.amazonaws.com/web@${IMAGE_DIGEST}`,
    ImageID: IMAGE_DIGEST,
    Labels: { 'com.amazonaws.ecs.task-arn': TASK_ARN, 'com.amazonaws.ecs.container-name': 'web' },
    Networks: [{ NetworkMode: 'awsvpc', IPv4Addresses: [TASK_IP] }],
  };
}

/** A stand-in for the ECS task metadata endpoint v4 whose behaviour a test can switch. */
export async function startMetadataEndpoint(
  initial: MetadataMode,
): Promise<Running & { mode: MetadataMode }> {
  const state = { mode: initial };
  const running = await serve((_req, res) => {
    switch (state.mode) {
      case 'ok':
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(containerDocument()));
        return;
      case 'no-networks':
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ Name: 'web' }));
        return;
      case 'malformed':
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"Networks": [');
        return;
      case 'error':
        res.writeHead(500).end('internal error');
        return;
      case 'slow':
        setTimeout(() => res.writeHead(200).end(JSON.stringify(containerDocument())), 5000).unref();
        return;
    }
  });
  return Object.defineProperty({ ...running, mode: initial }, 'mode', {
    get: () => state.mode,
    set: (mode: MetadataMode) => {
      state.mode = mode;
    },
  });
}
