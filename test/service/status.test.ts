import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { type Running, startDynalite } from '../helpers/servers.js';
import {
  IMAGE_DIGEST,
  type MetadataMode,
  type StartedApp,
  startApp,
  startMetadataEndpoint,
  TASK_ARN,
  TASK_IP,
} from './start-app.js';

let dynamo: Running;
beforeAll(async () => {
  dynamo = await startDynalite();
});
afterAll(() => dynamo.close());

async function statusWith(mode: MetadataMode | 'unset'): Promise<Record<string, unknown>> {
  const metadata = mode === 'unset' ? undefined : await startMetadataEndpoint(mode);
  const app = await startApp({
    metadataUri: metadata?.url,
    dynamoEndpoint: dynamo.url,
    retryAfterMs: 60_000,
  });
  try {
    const res = await fetch(`${app.url}/status`);
    expect(res.status).toBe(200);
    return (await res.json()) as Record<string, unknown>;
  } finally {
    await app.close();
    await metadata?.close();
  }
}

describe('GET /status', () => {
  it('reports the task IP, image digest and task ARN read from the metadata endpoint', async () => {
    const body = await statusWith('ok');
    expect(body).toMatchObject({
      status: 'ok',
      taskIP: TASK_IP,
      imageDigest: IMAGE_DIGEST,
      taskArn: TASK_ARN,
      image: expect.stringContaining(`@${IMAGE_DIGEST}`),
    });
    expect(new Date(body.timestamp as string).toISOString()).toBe(body.timestamp);
    expect(typeof body.uptime).toBe('number');
  });

  it.each<[string, MetadataMode | 'unset']>([
    ['the metadata variable is unset', 'unset'],
    ['the endpoint answers 500', 'error'],
    ['the endpoint is slower than the timeout', 'slow'],
    ['the endpoint returns malformed JSON', 'malformed'],
    ['the document has no network', 'no-networks'],
  ])('says "unknown" when %s', async (_case, mode) => {
    const started = Date.now();
    const body = await statusWith(mode);
    expect(body.status).toBe('ok');
    expect(body.taskIP).toBe('unknown');
    expect(body).not.toHaveProperty('taskArn');
    // The start-up read is bounded by its timeout (300 ms here), not by the slow endpoint (5 s).
    expect(Date.now() - started).toBeLessThan(4000);
  });

  it('stops answering "unknown" once the metadata endpoint becomes reachable', async () => {
    const metadata = await startMetadataEndpoint('error');
    let app: StartedApp | undefined;
    try {
      app = await startApp({ metadataUri: metadata.url, dynamoEndpoint: dynamo.url, retryAfterMs: 0 });
      const before = (await (await fetch(`${app.url}/status`)).json()) as Record<string, unknown>;
      expect(before.taskIP).toBe('unknown');
      metadata.mode = 'ok';
      const after = (await (await fetch(`${app.url}/status`)).json()) as Record<string, unknown>;
      expect(after.taskIP).toBe(TASK_IP);
    } finally {
      await app?.close();
      await metadata.close();
    }
  });
});
